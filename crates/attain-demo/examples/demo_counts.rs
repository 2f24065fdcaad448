//! Prints how many records of each kind the demo generates, a few of its figures, and how
//! long generation took:
//! `cargo run --release -p attain-demo --example demo_counts -- [as_of] [scale] [seed]`.

use std::time::Instant;

use attain_core::domain::{DealStatus, TransactionKind};
use attain_core::{Dataset, Decimal};
use attain_demo::{DemoConfig, generate};

fn main() {
    let mut args = std::env::args().skip(1);
    let as_of = args.next().unwrap_or_else(|| "2018-01-15".to_string());
    let Ok(as_of) = as_of.parse() else {
        eprintln!("'{as_of}' is not a date (expected YYYY-MM-DD)");
        std::process::exit(2);
    };
    let mut config = DemoConfig::new(as_of);
    if let Some(scale) = args.next().and_then(|s| s.parse().ok()) {
        config.scale = scale;
    }
    if let Some(seed) = args.next().and_then(|s| s.parse().ok()) {
        config.seed = seed;
    }
    let started = Instant::now();
    let dataset = generate(&config);
    let elapsed = started.elapsed();
    for (kind, count) in dataset.counts() {
        println!("{:<18} {count:>9}", kind.name());
    }
    print_figures(&dataset);
    println!(
        "generated in {elapsed:?} (as of {}, scale {}, seed {})",
        config.as_of, config.scale, config.seed
    );
}

fn print_figures(dataset: &Dataset) {
    let deals = |status| dataset.opportunities.iter().filter(|o| o.status == status).count();
    let (won, lost, open) = (deals(DealStatus::Won), deals(DealStatus::Lost), deals(DealStatus::Open));
    let win_rate = won * 100 / (won + lost).max(1);
    println!("deals: {won} won, {lost} lost, {open} open (win rate {win_rate}%)");
    for kind in [
        TransactionKind::Booking,
        TransactionKind::Invoice,
        TransactionKind::Payment,
        TransactionKind::Return,
        TransactionKind::Cancellation,
    ] {
        let (count, total) = dataset
            .transactions
            .iter()
            .filter(|t| t.kind == kind)
            .fold((0, Decimal::ZERO), |(n, sum), t| (n + 1, sum + t.amount.amount()));
        println!("{:<13} {count:>7}  {total:>16} USD", kind.to_string());
    }
}
