//! The scaled company's contract: determinism, the shape the peers rely on, the proportions,
//! the rules every row keeps, and plans the engine loads.

use std::collections::{BTreeMap, BTreeSet};

use attain_core::domain::{CreditRole, Role, Transaction, TransactionKind};
use attain_core::{Currency, Dataset, Kind, Record};

use super::*;

fn small(transactions: u64) -> ScaledConfig {
    ScaledConfig { seed: 7, payees: 600, territories: 700, transactions, year: 2025 }
}

fn all_rows(company: &ScaledCompany) -> Vec<Transaction> {
    (0..company.chunks()).flat_map(|c| company.transactions(c)).collect()
}

#[test]
fn the_same_config_gives_the_same_company_and_another_seed_another() {
    let config = small(150_000);
    let (a, b) = (company(&config).unwrap(), company(&config).unwrap());
    assert_eq!(a.dataset, b.dataset);
    assert_eq!(a.plan_files, b.plan_files);
    assert_eq!(a.chunks(), 3);
    // Chunks depend on nothing but their index: made in another order, they are the same.
    for chunk in [2, 0, 1] {
        assert_eq!(a.transactions(chunk), b.transactions(chunk));
    }
    assert!(a.transactions(3).is_empty());
    let other = company(&ScaledConfig { seed: 8, ..config }).unwrap();
    assert_ne!(other.dataset.assignments, a.dataset.assignments);
    assert_ne!(other.dataset.opportunities, a.dataset.opportunities);
    assert_ne!(other.transactions(1), a.transactions(1));
}

#[test]
fn the_default_organisation_has_five_levels_and_the_stated_counts() {
    let c = company(&ScaledConfig::new(0)).unwrap();
    let d = &c.dataset;
    let reps = 10_000 - LEADERS;
    assert_eq!(reps, 9_719);
    let (ses, churn, moves) = (194, 291, 97);
    assert_eq!(d.people.len(), 10_000 + ses + churn);
    assert_eq!(d.positions.len(), 10_000 + ses + moves);
    assert_eq!(d.assignments.len(), 10_000 + ses + churn);
    assert_eq!((d.territories.len(), d.territory_owners.len(), d.accounts.len()), (20_000, 21_000, 200_000));
    assert_eq!((d.products.len(), d.fx_rates.len(), d.company.len()), (20, 12, 1));
    assert_eq!(d.plan_assignments.len(), 10_000 + ses);
    assert_eq!(d.quotas.len(), 10_000);
    let by_role = |role: Role| {
        d.positions.iter().filter(|p| p.role == role).map(|p| &p.id).collect::<BTreeSet<_>>().len()
    };
    assert_eq!((by_role(Role::Executive), by_role(Role::Manager)), (1, VPS + DIRECTORS + MANAGERS));
    assert_eq!((by_role(Role::Rep), by_role(Role::SalesEngineer)), (reps, ses));
    assert!(
        d.positions.iter().filter(|p| p.role == Role::SalesEngineer).all(|p| p.title == "Sales Engineer")
    );

    // Every rep is four steps below the head of sales, before and after the reorg: five levels.
    for day in [jiff::civil::date(2025, 1, 1), jiff::civil::date(2025, 7, 1)] {
        let up: BTreeMap<&str, Option<&str>> = d
            .positions
            .iter()
            .filter(|p| p.validity.contains(day))
            .map(|p| (p.id.as_str(), p.reports_to.as_deref()))
            .collect();
        for p in d.positions.iter().filter(|p| p.role == Role::Rep && p.validity.contains(day)) {
            let (mut at, mut steps) = (p.id.as_str(), 0);
            while let Some(Some(next)) = up.get(at) {
                at = next;
                steps += 1;
            }
            assert_eq!((at, steps), ("pos-head", 4), "{} on {day}", p.id);
        }
    }
    // Reps are spread evenly: 38 or 39 per manager on 1 January.
    let mut team: BTreeMap<&str, usize> = BTreeMap::new();
    for p in d.positions.iter().filter(|p| p.role == Role::Rep && p.validity.from.month() == 1) {
        *team.entry(p.reports_to.as_deref().unwrap()).or_default() += 1;
    }
    assert_eq!(team.len(), MANAGERS);
    assert!(team.values().all(|n| (38..=39).contains(n)), "{team:?}");
    // A moved seat's two versions meet on 1 July and report to different managers.
    let moved: Vec<_> =
        d.positions.iter().filter(|p| p.validity.from == jiff::civil::date(2025, 7, 1)).collect();
    assert_eq!(moved.len(), moves);
    for after in moved {
        let before = d
            .positions
            .iter()
            .find(|p| p.id == after.id && p.validity.to == Some(after.validity.from))
            .unwrap();
        assert_ne!(before.reports_to, after.reports_to);
    }
}

#[test]
fn proportions_hold_within_a_tolerance() {
    // Teams of about eleven reps, so splits find teammates as at the default size.
    let c = company(&ScaledConfig { payees: 3_000, ..small(200_000) }).unwrap();
    let rows = all_rows(&c);
    assert_eq!(rows.len(), 200_000);
    let share =
        |f: &dyn Fn(&Transaction) -> bool| rows.iter().filter(|t| f(t)).count() as f64 / rows.len() as f64;
    for (kind, expected) in [
        (TransactionKind::Booking, 0.72),
        (TransactionKind::Invoice, 0.13),
        (TransactionKind::Payment, 0.10),
        (TransactionKind::Cancellation, 0.03),
        (TransactionKind::Return, 0.02),
    ] {
        let got = share(&|t| t.kind == kind);
        assert!((got - expected).abs() < 0.005, "{kind}: {got}");
    }
    let eur = share(&|t| t.currency == Currency::EUR);
    assert!((eur - 0.10).abs() < 0.005, "EUR {eur}");
    let bookings = rows.iter().filter(|t| t.kind == TransactionKind::Booking).count() as f64;
    let d = &c.dataset;
    let split =
        d.credit_splits.iter().filter(|s| s.role == CreditRole::Primary).count() as f64 / 2.0 / bookings;
    let overlay = d.credit_splits.iter().filter(|s| s.role == CreditRole::Overlay).count() as f64 / bookings;
    assert!((split - 0.05).abs() < 0.005, "split {split}");
    // Overlays stay near 10% although only some small teams have a sales engineer.
    assert!((overlay - 0.10).abs() < 0.02, "overlay {overlay}");
    let small_amounts = share(&|t| t.kind == TransactionKind::Booking && t.amount.minor() < 1_000_000) / 0.72;
    assert!(small_amounts > 0.75, "bookings under 10,000.00: {small_amounts}");
}

#[test]
fn every_row_keeps_the_rules_the_peers_rely_on() {
    let c = company(&small(120_000)).unwrap();
    let rows = all_rows(&c);
    let by_id: BTreeMap<&str, &Transaction> = rows.iter().map(|t| (t.id.as_str(), t)).collect();
    let opportunities: BTreeSet<&str> = c.dataset.opportunities.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(rows[0].id, "t-000000001");
    let mut referenced = BTreeSet::new();
    for pair in rows.windows(2) {
        assert!(pair[0].id < pair[1].id && pair[0].date <= pair[1].date);
    }
    for t in &rows {
        assert_eq!(t.date.year(), 2025);
        assert!(t.owner_id.is_none() && t.account_id.is_some() && t.product_id.is_some());
        if let Some(opp) = &t.opportunity_id {
            assert!(opportunities.contains(opp.as_str()), "{} names {opp}", t.id);
            referenced.insert(opp.as_str());
        }
        let minor = t.amount.minor();
        match t.kind {
            TransactionKind::Booking | TransactionKind::Invoice => {
                assert!((10_000..=5_000_000).contains(&minor))
            }
            TransactionKind::Payment => assert!(minor > 0 && minor <= 4_500_000),
            TransactionKind::Cancellation | TransactionKind::Return => {
                let original = by_id[t.original_id.as_deref().unwrap()];
                let wanted = match t.kind {
                    TransactionKind::Cancellation => TransactionKind::Booking,
                    _ => TransactionKind::Invoice,
                };
                assert_eq!(original.kind, wanted, "{}", t.id);
                assert!(original.date < t.date, "{}", t.id);
                assert_eq!((&original.account_id, &original.product_id), (&t.account_id, &t.product_id));
                assert_eq!(original.currency, t.currency);
                if t.kind == TransactionKind::Cancellation {
                    assert_eq!(minor, -original.amount.minor());
                    assert_eq!(original.opportunity_id, t.opportunity_id);
                } else {
                    assert!(minor < 0 && -minor <= original.amount.minor());
                }
            }
        }
        if t.kind != TransactionKind::Cancellation && t.kind != TransactionKind::Return {
            assert!(t.original_id.is_none());
        }
    }
    // Every opportunity is some booking's; every one of its splits names a real person.
    assert_eq!(referenced.len(), opportunities.len());
    let people: BTreeSet<&str> = c.dataset.people.iter().map(|p| p.id.as_str()).collect();
    assert!(c.dataset.credit_splits.iter().all(|s| people.contains(s.person_id.as_str())));
}

fn round_trip<R: Record + PartialEq + std::fmt::Debug>(records: &[R]) {
    for r in records {
        assert_eq!(&R::from_values(&r.to_values()).unwrap(), r);
    }
}

#[test]
fn every_record_passes_its_domain_rules() {
    let c = company(&small(70_000)).unwrap();
    let d: &Dataset = &c.dataset;
    round_trip(&d.company);
    round_trip(&d.people);
    round_trip(&d.positions);
    round_trip(&d.assignments);
    round_trip(&d.territories);
    round_trip(&d.territory_owners);
    round_trip(&d.products);
    round_trip(&d.accounts);
    round_trip(&d.opportunities);
    round_trip(&d.fx_rates);
    round_trip(&d.quotas);
    round_trip(&d.plan_assignments);
    round_trip(&d.credit_splits);
    round_trip(&all_rows(&c));
    assert!(d.len(Kind::Transactions) == 0 && d.len(Kind::Opportunities) > 0);
}

#[test]
fn the_plans_load_with_the_engine_and_form_one_plan_book() {
    let files = company(&small(0)).unwrap().plan_files;
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["crediting.toml", "manager.toml", "rep.toml", "se.toml"]);
    let mut plans = Vec::new();
    let mut rules = None;
    for (name, text) in &files {
        if name == "crediting.toml" {
            rules = Some(attain_engine::pay::plan::load_rules(name, text).unwrap());
        } else {
            let plan = attain_engine::pay::plan::load_plan(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(plan.id, name.trim_end_matches(".toml"));
            plans.push(plan);
        }
    }
    attain_engine::pay::plan::PlanBook::new(plans, rules.unwrap()).unwrap();
    assert!(files.iter().all(|(_, text)| text.contains("2025-01-01") && text.contains("2026-01-01")
        || !text.contains("valid_from")));
}

#[test]
fn configs_the_shape_cannot_hold_are_refused() {
    let refused = |config: ScaledConfig| company(&config).unwrap_err().to_string();
    assert!(refused(ScaledConfig { payees: 530, ..small(1) }).contains("at least 531"));
    assert!(refused(ScaledConfig { territories: 0, ..small(1) }).contains("territories"));
    assert!(refused(ScaledConfig { transactions: 1_000_000_000, ..small(1) }).contains("nine digits"));
}
