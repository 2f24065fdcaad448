//! Differential: the engine gives exactly the statements the engine landed before E1 (the
//! per-transaction credit rows) gave on the demo company, at several seeds and scales. The
//! landed engine's answers are kept as one digest per statement in `landed_statements.txt`,
//! written by that engine (`ATTAIN_WRITE_LANDED=1`, run once before the fact store replaced
//! it); a mismatch names the seed, scale, month and payee. Decimals are compared by value
//! (`1.50` = `1.5`): the JSON is normalised before hashing.

use std::fmt::Write as _;

use attain_core::Period;
use attain_demo::DemoConfig;
use attain_engine::pay::plan::{PlanBook, load_plan, load_rules};
use attain_engine::pay::run::Prepared;
use serde_json::Value;

const CASES: &[(u64, u32)] = &[(42, 1), (7, 1), (2026, 2), (42, 3)];
const LANDED: &str = "tests/run/landed_statements.txt";

pub(crate) fn demo_book(config: &DemoConfig) -> PlanBook {
    let mut plans = Vec::new();
    let mut rules = Default::default();
    for (file, text) in attain_demo::plan_files(config.as_of) {
        if file == "crediting.toml" {
            rules = load_rules(&file, &text).unwrap();
        } else {
            plans.push(load_plan(&file, &text).unwrap());
        }
    }
    PlanBook::new(plans, rules).unwrap()
}

/// Decimal strings normalised (`"12.50"` → `"12.5"`), so a sum's scale does not count.
fn normalise(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Ok(d) = s.parse::<rust_decimal::Decimal>()
                && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-')
            {
                *s = d.normalize().to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Object(map) => map.values_mut().for_each(normalise),
        _ => {}
    }
}

/// FNV-1a, 64 bits: stable across platforms and releases, unlike `DefaultHasher`.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn digests() -> String {
    let mut out = String::new();
    for &(seed, scale) in CASES {
        let config = DemoConfig { seed, scale, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) };
        let data = attain_demo::generate(&config);
        let book = demo_book(&config);
        let prepared = Prepared::new(&data, &book).unwrap();
        let first = prepared.first_month().unwrap();
        let months = prepared.run_months(first, Period::Month { year: 2017, month: 12 }).unwrap();
        for (month, statements) in months {
            for s in statements {
                let mut json = serde_json::to_value(&s).unwrap();
                normalise(&mut json);
                let text = serde_json::to_string(&json).unwrap();
                writeln!(out, "{seed} {scale} {month} {} {:016x}", s.person_id, digest(text.as_bytes()))
                    .unwrap();
            }
        }
    }
    out
}

#[test]
fn the_engine_gives_the_statements_the_landed_engine_gave_on_the_demo() {
    let now = digests();
    if std::env::var_os("ATTAIN_WRITE_LANDED").is_some() {
        std::fs::write(LANDED, &now).unwrap();
        return;
    }
    let landed = std::fs::read_to_string(LANDED).unwrap();
    let (now_lines, landed_lines): (Vec<&str>, Vec<&str>) = (now.lines().collect(), landed.lines().collect());
    for (i, expected) in landed_lines.iter().enumerate() {
        let got = now_lines.get(i).copied().unwrap_or("(no statement)");
        assert_eq!(got, *expected, "statement {i} differs (seed scale month payee digest)");
    }
    assert_eq!(now_lines.len(), landed_lines.len(), "a different number of statements");
    assert!(landed_lines.len() > 1000, "the cases cover at least a thousand statements");
}
