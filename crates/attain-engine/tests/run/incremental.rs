//! Incremental = full recomputation (issue E1, item 3): after any sequence of late
//! transactions, returns of earlier ones and edits (amount, date, kind), a resident run updated
//! in place and refreshed for the touched payees only gives exactly the statements a run
//! prepared from scratch over the changed data gives, every month.

use attain_core::domain::{Transaction, TransactionKind};
use attain_core::{Dataset, Money, Period};
use attain_demo::DemoConfig;
use attain_engine::pay::run::{History, Prepared, Statement};
use attain_facts::FactStore;
use proptest::prelude::*;

use super::differential::demo_book;

#[derive(Debug, Clone)]
enum Change {
    /// A new transaction like row `like` (its account, product, opportunity), `days` later
    /// (or earlier) and for `cents`.
    Late { like: usize, days: i64, cents: i64 },
    /// A return of part of row `of`, `days` after it.
    Return { of: usize, days: i64, percent: i64 },
    /// Row `row` edited: its amount moved by `cents`, its date by `days`, and booked as an
    /// invoice when `invoice`.
    Edit { row: usize, days: i64, cents: i64, invoice: bool },
    /// A return or cancellation edited: moved by `days` (across a quarter, it becomes or stops
    /// being a clawback) and its amount by `cents`.
    EditReversal { which: usize, days: i64, cents: i64 },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), -40i64..40, 1i64..2_000_000).prop_map(|(like, days, cents)| Change::Late {
            like,
            days,
            cents
        }),
        (any::<usize>(), 0i64..120, 1i64..100).prop_map(|(of, days, percent)| Change::Return {
            of,
            days,
            percent
        }),
        (any::<usize>(), -20i64..20, -500_000i64..500_000, any::<bool>())
            .prop_map(|(row, days, cents, invoice)| Change::Edit { row, days, cents, invoice }),
        (any::<usize>(), -100i64..100, -50_000i64..50_000)
            .prop_map(|(which, days, cents)| Change::EditReversal { which, days, cents }),
    ]
}

fn shifted(t: &Transaction, days: i64) -> attain_core::Date {
    t.date.saturating_add(jiff::Span::new().days(days))
}

/// The change as the transaction to add or the edited one (`true` for an edit).
fn apply(data: &Dataset, change: &Change, n: usize) -> (Transaction, bool) {
    let rows = &data.transactions;
    match *change {
        Change::Late { like, days, cents } => {
            let t = &rows[like % rows.len()];
            let t = Transaction {
                id: format!("late-{n}"),
                date: shifted(t, days),
                kind: TransactionKind::Booking,
                amount: Money::from_minor(cents, t.currency),
                cost: None,
                original_id: None,
                quantity: None,
                ..t.clone()
            };
            (t, false)
        }
        Change::Return { of, days, percent } => {
            let originals: Vec<&Transaction> = rows.iter().filter(|t| t.original_id.is_none()).collect();
            let o = originals[of % originals.len()];
            let t = Transaction {
                id: format!("return-{n}"),
                date: shifted(o, days),
                kind: TransactionKind::Return,
                amount: Money::from_minor(-(o.amount.minor().abs() * percent / 100), o.currency),
                cost: None,
                quantity: None,
                original_id: Some(o.id.clone()),
                ..o.clone()
            };
            (t, false)
        }
        Change::Edit { row, days, cents, invoice } => {
            let t = &rows[row % rows.len()];
            let amount = t.amount.minor() + cents;
            let kind = if invoice && t.original_id.is_none() { TransactionKind::Invoice } else { t.kind };
            let t = Transaction {
                date: shifted(t, days),
                kind,
                amount: Money::from_minor(amount, t.currency),
                ..t.clone()
            };
            (t, true)
        }
        Change::EditReversal { which, days, cents } => {
            let reversals: Vec<&Transaction> = rows.iter().filter(|t| t.original_id.is_some()).collect();
            let t = reversals[which % reversals.len()];
            let t = Transaction {
                date: shifted(t, days),
                amount: Money::from_minor(t.amount.minor() + cents, t.currency),
                ..t.clone()
            };
            (t, true)
        }
    }
}

fn months_of(history: &History) -> Vec<(Period, Vec<Statement>)> {
    history.months.iter().map(|m| (m.period, m.statements.clone())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_run_updated_in_place_equals_a_run_from_scratch(
        seed in prop::sample::select(vec![42u64, 7]),
        changes in prop::collection::vec(change(), 1..6),
    ) {
        let config = DemoConfig { seed, scale: 1, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) };
        let reference = attain_demo::generate(&config);
        let book = demo_book(&config);
        let mut data = reference.clone();
        let mut resident = Prepared::resident(&reference, FactStore::from_dataset(&reference), &book).unwrap();
        let first = resident.first_month().unwrap();
        let last = Period::Month { year: 2017, month: 12 };
        let mut history = resident.history(first, last).unwrap();
        for (n, change) in changes.iter().enumerate() {
            let (t, edit) = apply(&data, change, n);
            let touched = if edit {
                let i = data.transactions.iter().position(|x| x.id == t.id).unwrap();
                data.transactions[i] = t.clone();
                resident.replace_transaction(&t).unwrap()
            } else {
                data.transactions.push(t.clone());
                resident.add_transactions(std::slice::from_ref(&t)).unwrap()
            };
            resident.refresh(&mut history, &touched).unwrap();
            let fresh = Prepared::new(&data, &book).unwrap().run_months(first, last).unwrap();
            let updated = months_of(&history);
            for ((month, want), (_, got)) in fresh.iter().zip(&updated) {
                let ids = |s: &[Statement]| s.iter().map(|s| s.person_id.clone()).collect::<Vec<_>>();
                prop_assert_eq!(ids(got), ids(want), "payees in {} after change {} ({:?})", month, n, change);
                for (g, w) in got.iter().zip(want) {
                    prop_assert_eq!(g, w, "{} {} after change {} ({:?}), touched {:?}", month, &w.person_id, n, change, touched);
                }
            }
            prop_assert_eq!(updated.len(), fresh.len());
        }
    }
}

/// A late transaction touches its payee and the managers above them, not the company.
#[test]
fn a_late_transaction_touches_only_its_payee_and_their_managers() {
    let config = DemoConfig { seed: 42, scale: 1, ..DemoConfig::new(jiff::civil::date(2018, 1, 15)) };
    let data = attain_demo::generate(&config);
    let book = demo_book(&config);
    let mut resident = Prepared::resident(&data, FactStore::from_dataset(&data), &book).unwrap();
    let like = data
        .transactions
        .iter()
        .find(|t| t.kind == TransactionKind::Booking && t.date.year() == 2017)
        .unwrap();
    let late = Transaction {
        id: "late-1".into(),
        amount: Money::from_minor(123_456, like.currency),
        ..like.clone()
    };
    let touched = resident.add_transactions(&[late]).unwrap();
    assert!(!touched.everyone());
    assert!((1..=6).contains(&touched.people()), "touched {touched:?}");
    // A day outside what the run was prepared for prepares it again.
    let far = Transaction { id: "late-2".into(), date: jiff::civil::date(2019, 6, 1), ..like.clone() };
    assert!(resident.add_transactions(&[far]).unwrap().everyone());
    let unknown = Transaction { id: "nobody".into(), ..like.clone() };
    assert_eq!(
        resident.replace_transaction(&unknown).unwrap_err().to_string(),
        "no transaction has the id nobody"
    );
}
