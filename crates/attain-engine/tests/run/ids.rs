//! The fact store's interned numbers never leave the engine: every id a statement or a trace
//! shows (transactions in clawback lines and credits, payees, positions on roll-up paths) is
//! an id of the data, and each names the record it should (a credit's date and amount are
//! that transaction's).

use std::collections::{HashMap, HashSet};

use attain_core::Period;
use attain_demo::DemoConfig;
use attain_engine::pay::run::{LineKind, Prepared};

use super::differential::demo_book;

#[test]
fn statements_and_traces_show_the_data_s_ids_never_internal_numbers() {
    let config = DemoConfig { seed: 42, scale: 3, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) };
    let data = attain_demo::generate(&config);
    let book = demo_book(&config);
    let prepared = Prepared::new(&data, &book).unwrap();
    let txns: HashMap<&str, &attain_core::domain::Transaction> =
        data.transactions.iter().map(|t| (t.id.as_str(), t)).collect();
    let people: HashSet<&str> = data.people.iter().map(|p| p.id.as_str()).collect();
    let positions: HashSet<&str> = data.positions.iter().map(|p| p.id.as_str()).collect();
    let months = prepared
        .run_months(prepared.first_month().unwrap(), Period::Month { year: 2017, month: 12 })
        .unwrap();
    let (mut clawbacks, mut credits, mut paths) = (0, 0, 0);
    for (_, statements) in &months {
        for s in statements {
            assert!(people.contains(s.person_id.as_str()), "{}", s.person_id);
            for l in s.lines.iter().filter(|l| l.kind == LineKind::Clawback) {
                let id = l.label.rsplit(' ').next().unwrap();
                assert!(txns.contains_key(id), "clawback names {id}: {}", l.label);
                clawbacks += 1;
            }
            for trace in prepared.statement_traces(s).unwrap() {
                for c in &trace.credits {
                    let t = txns.get(c.transaction.as_str()).unwrap_or_else(|| panic!("{}", c.transaction));
                    assert_eq!((t.date, t.amount.amount()), (c.date, c.amount), "{}", c.transaction);
                    credits += 1;
                    if let Some(path) = c.why.split(" via ").nth(1) {
                        for pos in path.split("; ").next().unwrap().split(" → ") {
                            assert!(positions.contains(pos), "roll-up path names {pos}: {}", c.why);
                        }
                        paths += 1;
                    }
                }
            }
        }
    }
    assert!(clawbacks > 0 && credits > 1000 && paths > 100, "{clawbacks} {credits} {paths}");
}
