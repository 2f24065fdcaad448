//! Shared pieces of Attain's benchmarks: synthetic data written as workspace CSV files, and
//! the process's peak memory. The benchmarks themselves live in `benches/`.

use std::io::Write;
use std::path::Path;

use attain_core::Dataset;

/// Writes `n` booking transactions as a canonical `transactions.csv`, spread over the demo's
/// accounts, products, deals and reps so every reference resolves. Deterministic in `n`.
pub fn write_transactions_csv(path: &Path, demo: &Dataset, n: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "id,date,kind,account_id,product_id,quantity,currency,amount,cost,opportunity_id,original_id,owner_id"
    )?;
    let reps: Vec<&str> = demo.people.iter().map(|p| p.id.as_str()).collect();
    let accounts: Vec<&str> = demo.accounts.iter().map(|a| a.id.as_str()).collect();
    let products: Vec<&str> = demo.products.iter().map(|p| p.id.as_str()).collect();
    let deals: Vec<&str> = demo.opportunities.iter().map(|o| o.id.as_str()).collect();
    for i in 0..n {
        // A cheap integer hash spreads rows without a random-number dependency.
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        let day = 1 + h % 28;
        let month = 1 + (h >> 5) % 12;
        let cents = 10_000 + h % 5_000_000;
        writeln!(
            out,
            "bench-{i:08},2017-{month:02}-{day:02},booking,{},{},{},USD,{}.{:02},{}.{:02},{},,{}",
            accounts[(h as usize) % accounts.len()],
            products[(h as usize >> 3) % products.len()],
            1 + h % 9,
            cents / 100,
            cents % 100,
            cents / 300,
            cents % 100,
            deals[(h as usize >> 11) % deals.len()],
            reps[(h as usize >> 7) % reps.len()],
        )?;
    }
    out.flush()
}

/// The process's peak resident memory in MiB (Linux), for reporting beside timings.
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// The environment variable `name` as a number (`10_000_000` reads as ten million), else
/// `default`: how every bench takes its size and run count.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// The scaled company's facts as a server keeps them: its reference data, then every chunk
/// of its transactions pushed in, shrunk to fit.
pub fn scaled_facts(company: &attain_demo::scaled::ScaledCompany) -> attain_facts::FactStore {
    let mut store = attain_facts::FactStore::with_reference_data(&company.dataset);
    for chunk in 0..company.chunks() {
        store.push_transactions(&company.transactions(chunk));
    }
    store.shrink_to_fit();
    store
}
