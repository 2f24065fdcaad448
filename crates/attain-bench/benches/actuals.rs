//! Plan against actual at customer size: the company's revenue, margin, bookings and new logos
//! per month of the year (`attain_engine::track::months_of_year`, what the revenue plan page
//! reads on every view), and each deal owner's year (`owners_of_year`, what quota allocation
//! by last year's results reads) over the scaled benchmark company's `ATTAIN_BENCH_TRANSACTIONS`
//! transactions (default 1,000,000; EUR rows at monthly rates). The transactions are generated
//! straight into a fact store, as a server keeps them; the timer covers the pass only. Prints
//! the median of `ATTAIN_BENCH_RUNS` (default 9) after one warm-up.
//!
//! Run: `ATTAIN_BENCH_TRANSACTIONS=10000000 cargo bench -p attain-bench --bench actuals`

use std::time::{Duration, Instant};

use attain_core::Currency;
use attain_demo::scaled::{ScaledConfig, company};
use attain_engine::track::{months_of_year, owners_of_year};
use rust_decimal::Decimal;

use attain_bench::env_or;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n = env_or("ATTAIN_BENCH_TRANSACTIONS", 1_000_000);
    let runs = env_or("ATTAIN_BENCH_RUNS", 9).max(1) as usize;
    let config = ScaledConfig::new(n);
    let company = company(&config).expect("scaled company");
    let store = attain_bench::scaled_facts(&company);
    let fx = &company.dataset.fx_rates;
    println!(
        "company:       {} transactions, {} accounts, {} currencies",
        store.transactions.len(),
        store.accounts.len(),
        store.currencies.len()
    );
    let mut times: Vec<Duration> = Vec::new();
    let mut revenue = Decimal::ZERO;
    let mut logos = 0;
    for run in 0..=runs {
        let started = Instant::now();
        let months = months_of_year(&store, config.year, Currency::USD, fx).expect("actuals");
        let took = started.elapsed();
        if run == 0 {
            println!("warm-up:       {took:.2?}");
            continue;
        }
        times.push(took);
        revenue = months.iter().map(|m| m.revenue.amount()).sum();
        logos = months.iter().map(|m| m.new_logos).sum();
    }
    times.sort();
    println!("year {}:     revenue {revenue} USD, {logos} new logos", config.year);
    println!(
        "months_of_year: median {:.2?} (range {:.2?} – {:.2?}, {runs} runs after a warm-up)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );

    // Quota allocation by last year's results reads each deal owner's year the same way.
    let mut times: Vec<Duration> = Vec::new();
    let mut owners = 0;
    for run in 0..=runs {
        let started = Instant::now();
        let by_owner = owners_of_year(&store, config.year, Currency::USD, fx).expect("owners");
        let took = started.elapsed();
        if run == 0 {
            continue;
        }
        times.push(took);
        owners = by_owner.len();
    }
    times.sort();
    println!(
        "owners_of_year: median {:.2?} (range {:.2?} – {:.2?}, {owners} owners, {runs} runs after a warm-up)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}
