//! CSV import throughput: N booking transactions (default 1,000,000; `ATTAIN_BENCH_ROWS`
//! overrides) imported into a fresh SQLite database that holds the demo company, then the same
//! file imported again (every row unchanged). Prints rows per second for both and peak memory.
//!
//! Run: `cargo bench -p attain-bench --bench import`

use std::time::Instant;

use attain_app::{ImportOptions, NoProgress};
use attain_core::Kind;
use attain_demo::DemoConfig;
use attain_store::Store;

// The same allocator as the `attain` binary, so figures match what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let rows: usize =
        std::env::var("ATTAIN_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = DemoConfig::new(jiff::civil::date(2018, 1, 15));
        let demo = attain_demo::generate(&config);
        let csv = dir.path().join("transactions.csv");
        attain_bench::write_transactions_csv(&csv, &demo, rows).expect("write the CSV");
        let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);

        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
        let store = Store::open(&url).await.expect("open");
        attain_app::seed::seed_demo(&store, &config, &NoProgress).await.expect("seed the demo");
        let before = store.count(Kind::Transactions).await.expect("count");

        let options = ImportOptions::default();
        let started = Instant::now();
        let report =
            attain_app::import::import_file(&store, Kind::Transactions, &csv, None, options, &NoProgress)
                .await
                .expect("import");
        let first = started.elapsed();
        assert_eq!(report.written().inserted, rows as u64);
        assert_eq!(store.count(Kind::Transactions).await.expect("count"), before + rows as u64);

        let started = Instant::now();
        let again =
            attain_app::import::import_file(&store, Kind::Transactions, &csv, None, options, &NoProgress)
                .await
                .expect("re-import");
        let second = started.elapsed();
        assert_eq!(again.written().unchanged, rows as u64);

        let per_second = |d: std::time::Duration| (rows as u128 * 1000 / d.as_millis().max(1)) as u64;
        println!("rows:            {rows}");
        println!("csv size:        {} MiB", size / 1_048_576);
        println!("first import:    {:.2?}  ({} rows/s)", first, per_second(first));
        println!("re-import:       {:.2?}  ({} rows/s, all unchanged)", second, per_second(second));
        println!("peak memory:     {} MiB", attain_bench::peak_rss_mib().unwrap_or(0));
        store.close().await;
    });
}
