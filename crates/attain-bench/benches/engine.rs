//! Engine time for the demo company's full year: preparing the run over the fact store
//! (crediting every transaction into per-payee buckets, roll-up, plan stretches, quotas) and
//! running the twelve months of 2017 with the demo plans. No database: the dataset is
//! generated in memory and put into a fact store first; the timer covers only the engine. Runs `ATTAIN_BENCH_RUNS` times (default 20) and reports the
//! median and range; `ATTAIN_BENCH_SCALE` (default 1) scales the demo company.
//!
//! Run: `cargo bench -p attain-bench --bench engine`

use std::time::{Duration, Instant};

use attain_core::Period;
use attain_demo::DemoConfig;
use attain_engine::pay::plan::{PlanBook, load_plan, load_rules};
use attain_engine::pay::run::Prepared;
use attain_facts::FactStore;

use attain_bench::env_or;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let runs = env_or("ATTAIN_BENCH_RUNS", 20).max(1);
    let scale = env_or("ATTAIN_BENCH_SCALE", 1).max(1);
    let config = DemoConfig { scale, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) };
    let data = attain_demo::generate(&config);
    let mut plans = Vec::new();
    let mut rules = Default::default();
    for (file, text) in attain_demo::plan_files(config.as_of) {
        if file == "crediting.toml" {
            rules = load_rules(&file, &text).expect("demo crediting rules");
        } else {
            plans.push(load_plan(&file, &text).expect("demo plan"));
        }
    }
    let book = PlanBook::new(plans, rules).expect("demo plan book");
    println!(
        "demo scale {scale}: {} people, {} transactions, {} quotas",
        data.people.len(),
        data.transactions.len(),
        data.quotas.len()
    );
    let (first, last) = (Period::Month { year: 2017, month: 1 }, Period::Month { year: 2017, month: 12 });
    // The fact store is the data in memory (what a server keeps resident): built once, timed
    // apart from the run.
    let started = Instant::now();
    let store = FactStore::from_dataset(&data);
    println!("fact store:    {:.2?} to build from the dataset", started.elapsed());
    let mut times: Vec<Duration> = Vec::new();
    let mut statements = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let prepared = Prepared::with_store(&data, &store, &book).expect("prepare");
        let months = prepared.run_months(first, last).expect("run");
        times.push(started.elapsed());
        statements = months.iter().map(|(_, s)| s.len()).sum();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("statements:    {statements} (12 months)");
    println!(
        "full year:     median {median:.2?} (range {:.2?} – {:.2?}, {runs} runs)",
        times[0],
        times[times.len() - 1]
    );
}
