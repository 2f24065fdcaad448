//! CSV import throughput into SQLite: N booking transactions (default 1,000,000;
//! `ATTAIN_BENCH_ROWS` overrides) written as a canonical `transactions.csv` that references the
//! demo company's accounts, products, deals and reps, imported into a fresh database holding
//! the demo company. Runs `ATTAIN_BENCH_RUNS` times (default 3), each on a new database, and
//! reports every run and the median; then imports the same file again into the last database
//! (every row unchanged). Timings cover the whole `import_file` call: reading the CSV, every
//! check, writing, rebuilding indexes and committing.
//!
//! Run: `cargo bench -p attain-bench --bench import`

use std::time::{Duration, Instant};

use attain_app::{ImportOptions, NoProgress};
use attain_core::Kind;
use attain_demo::DemoConfig;
use attain_store::Store;

// The same allocator as the `attain` binary, so figures match what users run.
use attain_bench::env_or;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn per_second(rows: usize, d: Duration) -> u64 {
    (rows as u128 * 1000 / d.as_millis().max(1)) as u64
}

fn main() {
    let rows = env_or("ATTAIN_BENCH_ROWS", 1_000_000);
    let runs = env_or("ATTAIN_BENCH_RUNS", 3).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = DemoConfig::new(jiff::civil::date(2018, 1, 15));
        let demo = attain_demo::generate(&config);
        let csv = dir.path().join("transactions.csv");
        attain_bench::write_transactions_csv(&csv, &demo, rows).expect("write the CSV");
        let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
        println!("rows:          {rows} ({} MiB of CSV)", size / 1_048_576);

        let options = ImportOptions::default();
        let mut times = Vec::new();
        let mut last = None;
        for run in 0..runs {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join(format!("bench-{run}.db")).display());
            let store = Store::open(&url).await.expect("open");
            attain_app::seed::seed_demo(&store, &config, &NoProgress).await.expect("seed the demo");
            let before = store.count(Kind::Transactions).await.expect("count");
            let started = Instant::now();
            let report = attain_app::import::import_file(
                &store,
                Kind::Transactions,
                &csv,
                None,
                options.clone(),
                &NoProgress,
            )
            .await
            .expect("import");
            let took = started.elapsed();
            assert_eq!(report.written().inserted, rows as u64);
            assert_eq!(store.count(Kind::Transactions).await.expect("count"), before + rows as u64);
            println!("import run {}:  {took:.2?}  ({} rows/s)", run + 1, per_second(rows, took));
            times.push(took);
            if let Some(previous) = last.replace(store) {
                previous.close().await;
            }
        }
        times.sort();
        let median = times[times.len() / 2];
        println!("median:        {median:.2?}  ({} rows/s)", per_second(rows, median));

        let store = last.expect("at least one run");
        let started = Instant::now();
        let again = attain_app::import::import_file(
            &store,
            Kind::Transactions,
            &csv,
            None,
            options.clone(),
            &NoProgress,
        )
        .await
        .expect("re-import");
        let took = started.elapsed();
        assert_eq!(again.written().unchanged, rows as u64);
        println!("re-import:     {took:.2?}  ({} rows/s, every row unchanged)", per_second(rows, took));
        println!("peak memory:   {} MiB", attain_bench::peak_rss_mib().unwrap_or(0));
        store.close().await;
    });
}
