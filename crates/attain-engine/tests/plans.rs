//! The plan loader: every mistake is reported with the file, the line and the field, a plan
//! loads whole or not at all, arbitrary text never panics, and the demo's plans load.

use attain_engine::pay::plan::{PlanBook, load_plan, load_rules};
use proptest::prelude::*;

const GOOD: &str = r#"id = "ae"
name = "Account Executive"
version = 1
valid_from = "2017-01-01"
credit_on = "booking"
target_incentive = "60000"

[measures.revenue]
sum = "amount"

[[components]]
id = "commission"
type = "commission"
measure = "revenue"
quota = "revenue"
scope = "qtd"
mode = "marginal"
tiers = [
  { from = "0%", rate = "8%" },
  { from = "100%", rate = "12%" },
]
"#;

/// The error of loading GOOD with `from` replaced by `to`, as `FILE:LINE: FIELD: message`.
fn error_with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from:?} is in the plan");
    load_plan("ae.toml", &GOOD.replace(from, to)).expect_err("the change makes the plan invalid").to_string()
}

#[test]
fn a_good_plan_loads_with_what_it_says() {
    let plan = load_plan("ae.toml", GOOD).unwrap();
    assert_eq!((plan.id.as_str(), plan.version, plan.components.len()), ("ae", 1, 1));
    assert_eq!(plan.target_incentive, Some(60000.into()));
    assert_eq!(plan.source, GOOD);
}

#[test]
fn mistakes_name_the_file_line_and_field() {
    let cases = [
        (
            "rate = \"12%\"",
            "rate = 0.12",
            "ae.toml:20: components[0].tiers[1].rate: write decimals in quotes (\"0.12\") so they stay exact; 0.12 would be read as binary floating point",
        ),
        (
            "from = \"100%\"",
            "from = \"0%\"",
            "ae.toml:20: components[0].tiers[1].from: tier 1: starts at 0, which is not above the previous tier's start",
        ),
        (
            "mode = \"marginal\"",
            "mode = \"graduated\"",
            "ae.toml:17: components[0].mode: `graduated` is not one of marginal, retroactive, step, curve",
        ),
        (
            "measure = \"revenue\"",
            "measure = \"revenu\"",
            "ae.toml:14: components[0].measure: no measure `revenu` in [measures] (there are: revenue)",
        ),
        (
            "credit_on = \"booking\"",
            "credit_on = \"shipment\"",
            "ae.toml:5: credit_on: `shipment` is not one of booking, invoice, payment",
        ),
        (
            "valid_from = \"2017-01-01\"",
            "valid_from = \"2017-02-30\"",
            "ae.toml:4: valid_from: `2017-02-30` is not a date",
        ),
        (
            "target_incentive = \"60000\"",
            "target_incentive = \"6%\"",
            "ae.toml:6: target_incentive: `6%` is a percentage, but an amount is needed here",
        ),
        (
            "{ from = \"0%\", rate = \"8%\" }",
            "{ from = \"0%\", amount = \"8\" }",
            "ae.toml:19: components[0].tiers[0].amount: a marginal tier gives `rate`, not `amount`",
        ),
        (
            "scope = \"qtd\"",
            "scope = \"qtd\"\nwhen = \"revenue.total > 0\"",
            "components[0].when: `when` does not apply to a commission component",
        ),
    ];
    for (from, to, expected) in cases {
        let error = error_with(from, to);
        assert!(
            error.starts_with(expected) || error.contains(expected),
            "replacing {from:?}:\n  got      {error}\n  expected {expected}"
        );
    }
}

#[test]
fn formulas_are_checked_when_the_plan_loads() {
    let plan = GOOD.replace(
        "[measures.revenue]\nsum = \"amount\"",
        "[measures.revenue]\nsum = \"amount\"\nwhere = \"deal_typ = \\\"new_business\\\"\"",
    );
    let error = load_plan("ae.toml", &plan).unwrap_err().to_string();
    assert!(
        error.starts_with("ae.toml:10: measures.revenue.where: column 1: unknown variable `deal_typ`"),
        "{error}"
    );
    assert!(error.contains("deal_type"), "suggests the right name: {error}");
    let bonus = format!(
        "{GOOD}\n[[components]]\nid = \"club\"\ntype = \"bonus\"\nwhen = \"revenue.attainment + 1\"\namount = \"100\"\n"
    );
    let error = load_plan("ae.toml", &bonus).unwrap_err().to_string();
    assert!(
        error.contains("components[1].when") && error.contains("a bool (a condition) is needed"),
        "{error}"
    );
}

#[test]
fn unknown_fields_and_broken_toml_are_refused_with_their_line() {
    let error = error_with("scope = \"qtd\"", "scope = \"qtd\"\ncapp = \"5000\"");
    assert!(error.starts_with("ae.toml:17: unknown field `capp`"), "{error}");
    let error = error_with("version = 1", "version = ");
    assert!(error.starts_with("ae.toml:3:"), "{error}");
}

#[test]
fn negative_tier_values_are_refused_unless_the_component_says_it_pays_negative() {
    let error = error_with("rate = \"12%\"", "rate = \"-12%\"");
    assert!(
        error.starts_with("ae.toml:20: components[0].tiers[1].rate: must not be negative (-0.12)"),
        "{error}"
    );
    assert!(error.contains("`pays_negative = true`"), "says how to allow it: {error}");
    let step = GOOD
        .replace("mode = \"marginal\"", "mode = \"step\"")
        .replace("rate = \"8%\"", "amount = \"500\"")
        .replace("rate = \"12%\"", "amount = \"-500\"");
    let error = load_plan("ae.toml", &step).unwrap_err().to_string();
    assert!(
        error.starts_with("ae.toml:20: components[0].tiers[1].amount: must not be negative (-500)"),
        "{error}"
    );
    let curve = GOOD
        .replace("mode = \"marginal\"", "mode = \"curve\"")
        .replace("rate = \"8%\"", "payout = \"-10%\"")
        .replace("rate = \"12%\"", "payout = \"100%\"");
    let error = load_plan("ae.toml", &curve).unwrap_err().to_string();
    assert!(error.starts_with("ae.toml:19: components[0].tiers[0].payout: must not be negative"), "{error}");

    // Said on purpose, the same tiers load and keep their sign.
    let allowed = step.replace("mode = \"step\"", "mode = \"step\"\npays_negative = true");
    let plan = load_plan("ae.toml", &allowed).unwrap_or_else(|e| panic!("{e}"));
    let attain_engine::pay::plan::ComponentKind::Commission { table, .. } = &plan.components[0].kind else {
        panic!("a commission")
    };
    assert_eq!(table.steps()[1].value, (-500).into());
    // The flag is a flag, and only commissions have tiers to allow it on.
    let error = error_with("mode = \"marginal\"", "mode = \"marginal\"\npays_negative = \"yes\"");
    assert!(error.starts_with("ae.toml:18: components[0].pays_negative: must be true or false"), "{error}");
    let bonus = format!(
        "{GOOD}\n[[components]]\nid = \"club\"\ntype = \"bonus\"\nwhen = \"revenue.total > 0\"\namount = \"100\"\npays_negative = true\n"
    );
    let error = load_plan("ae.toml", &bonus).unwrap_err().to_string();
    assert!(
        error.contains("components[1].pays_negative: `pays_negative` does not apply to a bonus component"),
        "{error}"
    );
}

#[test]
fn versions_of_a_plan_must_follow_each_other() {
    let v1 = load_plan(
        "ae-1.toml",
        &GOOD
            .replace("valid_from = \"2017-01-01\"", "valid_from = \"2016-01-01\"\nvalid_to = \"2017-06-01\""),
    )
    .unwrap();
    let v2 = load_plan("ae-2.toml", &GOOD.replace("version = 1", "version = 2")).unwrap();
    let error = PlanBook::new(vec![v1.clone(), v2], Default::default()).unwrap_err().to_string();
    assert!(
        error.starts_with("ae-2.toml: version: plan `ae` version 2 ([2017-01-01, …)) overlaps version 1"),
        "{error}"
    );
    let same = load_plan("other.toml", GOOD).unwrap();
    let error =
        PlanBook::new(vec![load_plan("ae.toml", GOOD).unwrap(), same], Default::default()).unwrap_err();
    assert!(error.to_string().contains("version 1 is also defined in"), "{error}");
    let ok = load_plan(
        "ae-2.toml",
        &GOOD.replace("version = 1", "version = 2").replace("2017-01-01", "2017-06-01"),
    )
    .unwrap();
    assert!(PlanBook::new(vec![v1, ok], Default::default()).is_ok());
}

#[test]
fn crediting_rules_are_checked_too() {
    assert!(load_rules("crediting.toml", "primary = [\"opportunity_owner\", \"territory_owner\"]\n").is_ok());
    let error =
        load_rules("crediting.toml", "roll_up = true\nprimary = [\"owner\"]\n").unwrap_err().to_string();
    assert!(
        error.starts_with("crediting.toml:2: primary: `owner` is not one of splits, opportunity_owner"),
        "{error}"
    );
}

#[test]
fn the_demo_plans_load_as_one_book() {
    let mut plans = Vec::new();
    let mut rules = Default::default();
    for (name, text) in attain_demo::plan_files(jiff::civil::date(2018, 1, 15)) {
        if name == "crediting.toml" {
            rules = load_rules(&name, &text).unwrap();
        } else {
            plans.push(load_plan(&name, &text).unwrap_or_else(|e| panic!("{e}")));
        }
    }
    let book = PlanBook::new(plans, rules).unwrap();
    let ids: Vec<String> = book.plans().iter().map(|p| format!("{}@{}", p.id, p.version)).collect();
    assert_eq!(ids, ["ae@1", "ae@2", "manager@1", "se@1"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text, and any single-character damage to a good plan, gives a plan or an error —
    /// never a panic.
    #[test]
    fn loading_never_panics(text in ".{0,400}", at in 0usize..600, c in any::<char>()) {
        let _ = load_plan("x.toml", &text);
        let mut damaged: Vec<char> = GOOD.chars().collect();
        let i = at % damaged.len();
        damaged[i] = c;
        let damaged: String = damaged.into_iter().collect();
        if let Err(e) = load_plan("x.toml", &damaged) {
            prop_assert!(e.to_string().starts_with("x.toml"));
        }
    }
}
