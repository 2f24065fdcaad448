//! The engine at customer size: the scaled benchmark company (10,000 payees in five levels,
//! 20,000 territories with mid-year owner changes, splits, overlays, cancellations, returns,
//! partial payments, EUR at monthly rates) with `ATTAIN_BENCH_TRANSACTIONS` transactions
//! (default 1,000,000) over one year. The transactions are generated straight into a fact
//! store (what a server keeps resident); the timer covers the engine only: preparing the run
//! (the pass over every transaction into per-payee buckets, roll-up) and the twelve monthly
//! runs with every statement. Prints the median of `ATTAIN_BENCH_RUNS` (default 5) after one
//! warm-up, the fact store's bytes per transaction, the process's peak RSS and the engine's
//! own (the high-water mark reset once the store is built and the generated records the
//! engine does not read are dropped: the target of 48 bytes per transaction is about what
//! the engine holds, not the generator), and a checksum of every payee's full-year payout (what the peers in bench/ must reproduce); `ATTAIN_BENCH_PAYOUTS=FILE`
//! also writes each payee's full-year payout as CSV (`person_id,payout`).
//!
//! Then it adds `ATTAIN_BENCH_LATE` (default 20) late transactions one by one to a resident
//! run and times each update of the statements.
//!
//! Run: `ATTAIN_BENCH_TRANSACTIONS=10000000 cargo bench -p attain-bench --bench scale`

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use attain_core::domain::Transaction;
use attain_core::{Dataset, Money, Period};
use attain_demo::scaled::{ScaledCompany, ScaledConfig, company};
use attain_engine::pay::plan::{PlanBook, load_plan, load_rules};
use attain_engine::pay::run::Prepared;
use attain_facts::FactStore;
use rust_decimal::Decimal;

use attain_bench::env_or;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A memory figure of this process from /proc/self/status (`VmHWM` the peak, `VmRSS` now),
/// in MiB; 0 where it cannot be read.
fn status_mib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

fn peak_rss_mib() -> u64 {
    status_mib("VmHWM")
}

/// Sets the peak RSS back to what the process holds now (Linux: `5` into
/// /proc/self/clear_refs), so the engine's own peak can be read after the generator's.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// `bytes` per transaction, with one decimal (integers only: no floating point in this
/// workspace).
fn per_transaction(bytes: u64, transactions: usize) -> String {
    let tenths = bytes * 10 / (transactions.max(1) as u64);
    format!("{}.{}", tenths / 10, tenths % 10)
}

const MIB: u64 = 1024 * 1024;

/// What the engine reads of a dataset (people, the org, plan assignments and the pay inputs):
/// the rest of the generated records — accounts, opportunities, split rows — are in the fact
/// store by now, and a server holds them only there.
fn engine_inputs(d: Dataset) -> Dataset {
    Dataset {
        company: d.company,
        people: d.people,
        positions: d.positions,
        assignments: d.assignments,
        fx_rates: d.fx_rates,
        quotas: d.quotas,
        plan_assignments: d.plan_assignments,
        adjustments: d.adjustments,
        objective_scores: d.objective_scores,
        ..Dataset::default()
    }
}

fn book(company: &ScaledCompany) -> PlanBook {
    let mut plans = Vec::new();
    let mut rules = Default::default();
    for (file, text) in &company.plan_files {
        if file == "crediting.toml" {
            rules = load_rules(file, text).expect("crediting rules");
        } else {
            plans.push(load_plan(file, text).expect("plan"));
        }
    }
    PlanBook::new(plans, rules).expect("plan book")
}

/// One late transaction at a time into a resident run (E1: "one late transaction →
/// statements updated ≤ 20 ms at 10M"): the fact store and the sums updated in place, then
/// the touched payees' statements recomputed from the transaction's month to December. Each
/// is a booking like one of January's (the worst month: eleven later months move with it),
/// numbered after the last id, as the source system would number it.
fn late_transactions(
    company: &ScaledCompany,
    store: FactStore,
    book: &PlanBook,
    (first, last): (Period, Period),
) {
    let runs = env_or("ATTAIN_BENCH_LATE", 20) as usize;
    if runs == 0 {
        return;
    }
    let n = store.transactions.len();
    let sample: Vec<Transaction> = company
        .transactions(0)
        .into_iter()
        .filter(|t| t.original_id.is_none())
        .step_by(97)
        .take(runs)
        .collect();
    let mut resident = Prepared::resident(&company.dataset, store, book).expect("prepare");
    let mut history = resident.history(first, last).expect("run");
    let (mut times, mut touched_most) = (Vec::new(), 0);
    for (i, like) in sample.iter().enumerate() {
        let t = Transaction {
            id: format!("t-{:09}", n + i + 1),
            amount: Money::from_minor(12_345 + i as i64, like.currency),
            ..like.clone()
        };
        let started = Instant::now();
        let touched = resident.add_transactions(&[t]).expect("late transaction");
        resident.refresh(&mut history, &touched).expect("refresh");
        times.push(started.elapsed());
        assert!(!touched.everyone(), "a late transaction inside the year is taken in place");
        touched_most = touched_most.max(touched.people());
    }
    times.sort();
    println!(
        "late txn:      median {:.2?}, p95 {:.2?}, max {:.2?} ({} late transactions one by one; each touched at most {touched_most} payees)",
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1],
        times.len()
    );
}

fn main() {
    let n = env_or("ATTAIN_BENCH_TRANSACTIONS", 1_000_000);
    let runs = env_or("ATTAIN_BENCH_RUNS", 5).max(1) as usize;
    let config = ScaledConfig::new(n);
    let started = Instant::now();
    let mut company = company(&config).expect("scaled company");
    let mut store = FactStore::with_reference_data(&company.dataset);
    for chunk in 0..company.chunks() {
        store.push_transactions(&company.transactions(chunk));
    }
    store.shrink_to_fit();
    let book = book(&company);
    println!(
        "company:       {} people, {} territories, {} transactions (generated into the fact store in {:.2?})",
        company.dataset.people.len(),
        company.dataset.territories.len(),
        store.transactions.len(),
        started.elapsed()
    );
    // Tenths of a byte, in integers (no floating point in this workspace).
    println!(
        "fact store:    {} bytes per transaction (transaction columns)",
        per_transaction(store.transactions.heap_bytes() as u64, store.transactions.len())
    );
    for (part, bytes) in store.heap_parts() {
        println!(
            "  {part:<36} {} bytes per transaction",
            per_transaction(bytes as u64, store.transactions.len())
        );
    }
    let generation_peak = peak_rss_mib();
    company.dataset = engine_inputs(std::mem::take(&mut company.dataset));
    let resident = status_mib("VmRSS");
    let engine_peak_kept = reset_peak_rss();
    println!(
        "resident:      {resident} MiB once the store is built and the generator's records the engine does not read are dropped ({} bytes per transaction)",
        per_transaction(resident * MIB, store.transactions.len())
    );
    let year = config.year;
    let (first, last) = (Period::Month { year, month: 1 }, Period::Month { year, month: 12 });
    let mut times: Vec<Duration> = Vec::new();
    let mut prepares: Vec<Duration> = Vec::new();
    let mut payouts: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut statements = 0;
    for run in 0..=runs {
        let started = Instant::now();
        let prepared = Prepared::with_store(&company.dataset, &store, &book).expect("prepare");
        let prepare = started.elapsed();
        let months = prepared.run_months(first, last).expect("run");
        let took = started.elapsed();
        if run == 0 {
            println!("warm-up:       {took:.2?} (prepare {prepare:.2?})");
            continue;
        }
        times.push(took);
        prepares.push(prepare);
        statements = months.iter().map(|(_, s)| s.len()).sum();
        payouts.clear();
        for s in months.iter().flat_map(|(_, s)| s) {
            *payouts.entry(s.person_id.clone()).or_default() += s.payout;
        }
    }
    times.sort();
    prepares.sort();
    let median = times[times.len() / 2];
    let total: Decimal = payouts.values().sum();
    let checksum = payouts.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, (id, paid)| {
        format!("{id}={}\n", paid.normalize())
            .bytes()
            .fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    });
    println!("statements:    {statements} (12 months), {} payees paid, total {total}", payouts.len());
    println!("checksum:      {checksum:016x} (FNV-1a over sorted `person=payout` lines)");
    println!(
        "full year:     median {median:.2?} (range {:.2?} – {:.2?}, {runs} runs after a warm-up)",
        times[0],
        times[times.len() - 1]
    );
    println!(
        "of which:      median {:.2?} preparing (the pass over every transaction, roll-up), the rest the twelve months",
        prepares[prepares.len() / 2]
    );
    let engine_peak = peak_rss_mib();
    println!("peak RSS:      {} MiB", engine_peak.max(generation_peak));
    if engine_peak_kept {
        println!(
            "engine peak:   {engine_peak} MiB while the runs ran over the resident store ({} bytes per transaction)",
            per_transaction(engine_peak * MIB, store.transactions.len())
        );
    } else {
        println!("engine peak:   not measured (/proc/self/clear_refs could not be written)");
    }
    late_transactions(&company, store, &book, (first, last));
    if let Ok(path) = std::env::var("ATTAIN_BENCH_PAYOUTS") {
        let mut csv = String::from("person_id,payout\n");
        for (id, paid) in &payouts {
            csv.push_str(&format!("{id},{}\n", paid.normalize()));
        }
        std::fs::write(&path, csv).expect("write the payouts file");
        println!("payouts:       {path}");
    }
}
