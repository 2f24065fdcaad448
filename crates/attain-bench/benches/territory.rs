//! Territory balance at customer size: the balance report (`attain_app::plan::balance_of`, what
//! Plan → Territory design → Balance and `attain territory balance` run on every view) over the
//! scaled benchmark company's `ATTAIN_BENCH_TRANSACTIONS` transactions (default 1,000,000):
//! each leaf territory's accounts and potential, its accounts' open pipeline (every open deal),
//! last fiscal year's bookings (one pass over the transaction columns), the score and ten
//! suggested moves, on `ATTAIN_BENCH_MEASURE` (default bookings). The day is the first of the year after the transactions, so "last year"
//! is the year they fill. Prints the median of `ATTAIN_BENCH_RUNS` (default 9) after a warm-up.
//!
//! Run: `ATTAIN_BENCH_TRANSACTIONS=10000000 cargo bench -p attain-bench --bench territory`

use std::time::{Duration, Instant};

use attain_app::plan::{BalanceRequest, balance_of};
use attain_demo::scaled::{ScaledConfig, company};

use attain_bench::env_or;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n = env_or("ATTAIN_BENCH_TRANSACTIONS", 1_000_000);
    let runs = env_or("ATTAIN_BENCH_RUNS", 9).max(1) as usize;
    let config = ScaledConfig::new(n);
    let company = company(&config).expect("scaled company");
    let store = attain_bench::scaled_facts(&company);
    let data = &company.dataset;
    let on = store.calendar.fiscal_year_start(config.year + 1);
    let open =
        data.opportunities.iter().filter(|o| o.status == attain_core::domain::DealStatus::Open).count();
    println!(
        "company:       {} transactions, {} accounts, {} opportunities ({open} open), {} territories",
        store.transactions.len(),
        data.accounts.len(),
        data.opportunities.len(),
        data.territories.len()
    );
    // Bookings by default: the scaled company's accounts carry no annual revenue and its deals
    // are all closed, so potential and pipeline would balance trivially at zero.
    let measure = std::env::var("ATTAIN_BENCH_MEASURE").unwrap_or_else(|_| "bookings".to_string());
    let request = BalanceRequest { on: Some(on.to_string()), measure: Some(measure), ..Default::default() };
    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for run in 0..=runs {
        let started = Instant::now();
        let report = balance_of(data, &store, &request, on).expect("balance");
        let took = started.elapsed();
        if run == 0 {
            println!("warm-up:       {took:.2?}");
            continue;
        }
        times.push(took);
        last = Some(report);
    }
    times.sort();
    let report = last.expect("a run");
    let bookings: rust_decimal::Decimal = report.rows.iter().map(|r| r.load.bookings).sum();
    let accounts: u32 = report.rows.iter().map(|r| r.load.accounts).sum();
    println!(
        "balance on {on} by {}: {} leaf territories, {accounts} accounts, FY{} bookings {bookings} {}, imbalance {}%, {} moves",
        report.measure,
        report.rows.len(),
        report.bookings_year,
        report.currency,
        report.score,
        report.suggestions.len()
    );
    println!(
        "balance_of:    median {:.2?} (range {:.2?} – {:.2?}, {runs} runs after a warm-up)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}
