//! The plan loader under fuzz: arbitrary TOML-ish text, the demo plans with values dropped,
//! duplicated, renamed or replaced (wrong types, floats, negatives, extreme decimals, huge
//! tier tables), damaged line by line, and the same for the crediting rules and plan test
//! cases. A plan that loads is also priced at a few inputs, so a value the loader accepts
//! cannot make a later run panic.

use attain_engine::pay::plan::{ComponentKind, PlanBook, PlanCase, load_plan, load_rules};
use jiff::civil::date;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;
use toml::{Table, Value};

use crate::{config, guarded};

/// The demo company's plan files, as `attain demo` writes them.
fn demo_files() -> Vec<(String, String)> {
    attain_demo::plan_files(date(2018, 1, 15))
}

fn demo_plans() -> Vec<(String, String)> {
    demo_files().into_iter().filter(|(name, _)| name != "crediting.toml").collect()
}

const CASES: [(&str, &str); 3] = [
    ("ae-accelerator.toml", include_str!("../../../attain-demo/plans/tests/ae-accelerator.toml")),
    ("ae-clawback.toml", include_str!("../../../attain-demo/plans/tests/ae-clawback.toml")),
    ("ae-new-hire-draw.toml", include_str!("../../../attain-demo/plans/tests/ae-new-hire-draw.toml")),
];

const TEXTS: &[&str] = &[
    "",
    " ",
    "-1",
    "-0",
    "-5%",
    "0",
    "0%",
    "1e30",
    "NaN",
    "abc",
    "%",
    "12,5",
    "1_000",
    "+7",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950335%",
    "7922816251426433759354395033.5",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "0.0000000000000000000000000001%",
    "99999999999999999999999999999999",
    "2017-02-30",
    "0000-01-01",
    "9999-12-31",
    "-2017-01-01",
    "2017-01-01T00:00:00Z",
    "USD",
    "XXX",
    "usd",
    "booking",
    "marginal",
    "retroactive",
    "step",
    "curve",
    "commission",
    "bonus",
    "spif",
    "mbo",
    "month",
    "qtd",
    "quarter",
    "ytd",
    "revenue",
    "amount",
    "deals",
    "direct",
    "rollup",
    "revenue.total > 0",
    "revenue.attainment >= 100%",
    "amount / 0 > 1",
    "((((((((((1))))))))))",
    "é名🎉\u{0}\u{202e}",
];

/// A TOML value of any type, aimed at the loader's readers.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        6 => prop::sample::select(TEXTS).prop_map(|s| Value::String(s.to_owned())),
        1 => ".{0,30}".prop_map(Value::String),
        2 => prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(-1i64),
            Just(0),
            Just(1),
            Just(60),
            Just(61),
            Just(3651),
            Just(1_000_001),
            any::<i64>(),
        ]
        .prop_map(Value::Integer),
        1 => prop_oneof![Just(0.5f64), Just(-1.5), Just(f64::NAN), Just(f64::INFINITY), Just(1e300), any::<f64>()]
            .prop_map(Value::Float),
        1 => any::<bool>().prop_map(Value::Boolean),
        1 => prop::sample::select(&["2017-01-01", "2017-01-01T10:00:00", "2017-01-01T10:00:00Z", "10:00:00"][..])
            .prop_map(|d| Value::Datetime(d.parse().expect("a TOML date-time"))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(
                    &["from", "rate", "amount", "payout", "id", "weight", "when", "factor", "x"][..]
                ),
                inner,
                0..4
            )
            .prop_map(|m| Value::Table(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A tier table of `n` tiers: ordered or not, with ordinary or extreme values.
fn tiers() -> impl Strategy<Value = Value> {
    let bound = prop_oneof![
        3 => (0i64..1_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s).to_string()),
        1 => prop::sample::select(TEXTS).prop_map(str::to_owned),
    ];
    let tier = (bound.clone(), bound, prop::sample::select(&["rate", "amount", "payout"][..]), any::<bool>())
        .prop_map(|(from, value, name, percent)| {
            let mut t = Table::new();
            t.insert("from".into(), Value::String(if percent { format!("{from}%") } else { from }));
            t.insert(name.into(), Value::String(value));
            Value::Table(t)
        });
    prop::collection::vec(tier, 0..400).prop_map(Value::Array)
}

/// One change to a plan's TOML tree, at the `n`th node (counted in a fixed walk order).
#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Duplicate(usize),
    Replace(usize, Value),
    Rename(usize, String),
    Tiers(usize, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    let key =
        prop::sample::select(&["id", "type", "from", "rate", "measure", "valid_to", "tiers", "x", ""][..]);
    prop_oneof![
        2 => any::<usize>().prop_map(Edit::Drop),
        1 => any::<usize>().prop_map(Edit::Duplicate),
        5 => (any::<usize>(), value()).prop_map(|(n, v)| Edit::Replace(n, v)),
        1 => (any::<usize>(), key).prop_map(|(n, k)| Edit::Rename(n, k.to_owned())),
        1 => (any::<usize>(), tiers()).prop_map(|(n, t)| Edit::Tiers(n, t)),
    ]
}

/// The number of values under (and including) `value`.
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Table(table) => table.values().map(count).sum(),
        _ => 0,
    }
}

/// Applies `edit` to the `n`th value below the root; the root itself is never replaced.
fn apply(root: &mut Table, edit: &Edit) {
    let total: usize = root.values().map(count).sum();
    if total == 0 {
        return;
    }
    let target = match edit {
        Edit::Drop(n) | Edit::Duplicate(n) | Edit::Replace(n, _) | Edit::Rename(n, _) | Edit::Tiers(n, _) => {
            n % total
        }
    };
    edit_table(root, target, edit);
}

/// Finds the `n`th value in `table` (depth first) and edits it in its container.
fn edit_table(table: &mut Table, mut n: usize, edit: &Edit) -> bool {
    let keys: Vec<String> = table.keys().cloned().collect();
    for key in keys {
        if n == 0 {
            match edit {
                Edit::Drop(_) => {
                    table.remove(&key);
                }
                Edit::Duplicate(_) => {
                    let copy = table[&key].clone();
                    table.insert(format!("{key}_copy"), copy);
                }
                Edit::Replace(_, v) => {
                    table.insert(key, v.clone());
                }
                Edit::Rename(_, new) => {
                    let v = table.remove(&key).expect("the key was listed");
                    table.insert(new.clone(), v);
                }
                Edit::Tiers(_, tiers) => {
                    table.insert("tiers".into(), tiers.clone());
                }
            }
            return true;
        }
        n -= 1;
        let size = count(&table[&key]) - 1;
        if n < size {
            return edit_value(table.get_mut(&key).expect("the key was listed"), n, edit);
        }
        n -= size;
    }
    false
}

fn edit_value(value: &mut Value, mut n: usize, edit: &Edit) -> bool {
    match value {
        Value::Table(table) => edit_table(table, n, edit),
        Value::Array(items) => {
            for i in 0..items.len() {
                if n == 0 {
                    match edit {
                        Edit::Drop(_) => {
                            items.remove(i);
                        }
                        Edit::Duplicate(_) => {
                            let copy = items[i].clone();
                            items.insert(i, copy);
                        }
                        Edit::Replace(_, v) => items[i] = v.clone(),
                        Edit::Rename(..) => {
                            let last = items.len() - 1;
                            items.swap(i, last);
                        }
                        Edit::Tiers(_, tiers) => items[i] = tiers.clone(),
                    }
                    return true;
                }
                n -= 1;
                let size = count(&items[i]) - 1;
                if n < size {
                    return edit_value(&mut items[i], n, edit);
                }
                n -= size;
            }
            false
        }
        _ => false,
    }
}

/// Decimals at the edges: the largest a decimal holds, just under it as a percentage and
/// with one decimal place, the smallest step, and zero.
const EXTREMES: &[&str] = &[
    "79228162514264337593543950335",
    "79228162514264337593543950335%",
    "7922816251426433759354395033.5",
    "1000000000000000000000000000",
    "0.0000000000000000000000000001",
    "0.0000000000000000000000000001%",
    "0",
    "0%",
];

/// The string values of `table` that read as a decimal or a percentage.
fn numeric_leaves<'a>(table: &'a mut Table, out: &mut Vec<&'a mut Value>) {
    for (_, value) in table.iter_mut() {
        numeric_value(value, out);
    }
}

fn numeric_value<'a>(value: &'a mut Value, out: &mut Vec<&'a mut Value>) {
    match value {
        Value::String(s) if s.trim_end_matches('%').parse::<Decimal>().is_ok() => out.push(value),
        Value::Table(t) => numeric_leaves(t, out),
        Value::Array(items) => items.iter_mut().for_each(|v| numeric_value(v, out)),
        _ => {}
    }
}

/// A line-level change to a file's text.
#[derive(Debug, Clone)]
enum LineEdit {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Insert(usize, String),
}

const SNIPPETS: &[&str] = &[
    "[[components]]",
    "[measures.revenue]",
    "[measures.x]",
    "[draw]",
    "[[components.modifiers]]",
    "tiers = [",
    "]",
    "{ from = \"0%\", rate = \"8%\" },",
    "{ from = \"-1\", rate = \"-8%\" },",
    "{ from = \"79228162514264337593543950335\", rate = \"79228162514264337593543950335\" },",
    "id = \"ae\"",
    "id = \"\"",
    "version = 0",
    "version = 1",
    "version = 9223372036854775807",
    "valid_to = \"1900-01-01\"",
    "cap = 1.5",
    "cap = \"-1\"",
    "when = \"(((((\"",
    "type = \"mbo\"",
    "objectives = [{ id = \"a\", weight = \"79228162514264337593543950335\" }, { id = \"b\", weight = \"79228162514264337593543950335\" }]",
    "objectives = [{ id = \"a\", weight = \"1000000000000000000000000000\" }]",
    "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "\"\"\"",
    "'''",
    "=",
    "\u{0}",
    "\u{feff}",
];

fn line_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        any::<usize>().prop_map(LineEdit::Delete),
        any::<usize>().prop_map(LineEdit::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| LineEdit::Swap(a, b)),
        (any::<usize>(), prop_oneof![prop::sample::select(SNIPPETS).prop_map(str::to_owned), ".{0,40}"])
            .prop_map(|(at, s)| LineEdit::Insert(at, s)),
    ]
}

fn apply_lines(text: &str, edits: &[LineEdit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for edit in edits {
        let len = lines.len();
        if len == 0 {
            break;
        }
        match edit {
            LineEdit::Delete(i) => {
                lines.remove(i % len);
            }
            LineEdit::Duplicate(i) => {
                let copy = lines[i % len].clone();
                lines.insert(i % len, copy);
            }
            LineEdit::Swap(a, b) => lines.swap(a % len, b % len),
            LineEdit::Insert(i, s) => lines.insert(i % (len + 1), s.clone()),
        }
    }
    lines.join("\n")
}

/// Loads a plan from `text` and checks what must hold of any outcome; a plan that loads is
/// also priced at some inputs and put in a book beside the other demo plans.
fn exercise_plan(file: &str, text: &str) -> Result<(), TestCaseError> {
    let plan = match load_plan(file, text) {
        Ok(plan) => plan,
        Err(e) => {
            prop_assert!(e.to_string().starts_with(file), "{}", e);
            prop_assert!(!e.message.is_empty());
            prop_assert!(
                e.line <= text.lines().count() + 1,
                "line {} of {} lines",
                e.line,
                text.lines().count()
            );
            return Ok(());
        }
    };
    prop_assert!(!plan.components.is_empty());
    // Up to a measure total of 10^18: more than any company's sales in any currency.
    let inputs = [
        Decimal::ZERO,
        Decimal::ONE,
        Decimal::new(15, 1),
        Decimal::from(1_000_000),
        Decimal::from(10_i64.pow(18)),
    ];
    for component in &plan.components {
        if let ComponentKind::Commission { table, .. } = &component.kind {
            for input in inputs {
                let _ = table.pay(input);
            }
        }
    }
    let mut plans: Vec<_> = demo_plans().iter().filter_map(|(n, t)| load_plan(n, t).ok()).collect();
    plans.push(plan);
    let _ = PlanBook::new(plans, Default::default());
    Ok(())
}

fn run_plan(file: String, text: String) -> Result<(), TestCaseError> {
    let what = format!("{file}:\n{text}");
    guarded(&what, move || exercise_plan(&file, &text))
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn any_text(text in prop_oneof![
        any::<String>(),
        "([a-z_\\[\\]{}=\",.%0-9 \n-]|\\[\\[components\\]\\]|tiers|from|rate){0,60}",
    ]) {
        run_plan("fuzz.toml".into(), text)?;
    }

    #[test]
    fn demo_plans_with_values_changed(which in 0usize..4, edits in prop::collection::vec(edit(), 1..5)) {
        let (file, text) = demo_plans().swap_remove(which);
        let mut tree: Table = toml::from_str(&text).expect("the demo plans are TOML");
        for edit in &edits {
            apply(&mut tree, edit);
        }
        // Some values (NaN written back, odd keys) cannot be written as TOML; those say
        // nothing about the loader.
        if let Ok(text) = toml::to_string(&tree) {
            run_plan(file, text)?;
        }
    }

    /// Every number the demo plans write (amounts, rates, tier starts, weights, factors)
    /// is a place where an extreme decimal could overflow later arithmetic.
    #[test]
    fn demo_plans_with_extreme_numbers(
        which in 0usize..4,
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(EXTREMES)), 1..4),
    ) {
        let (file, text) = demo_plans().swap_remove(which);
        let mut tree: Table = toml::from_str(&text).expect("the demo plans are TOML");
        for (pick, extreme) in &picks {
            let mut numbers = Vec::new();
            numeric_leaves(&mut tree, &mut numbers);
            if !numbers.is_empty() {
                **pick.get_mut(&mut numbers) = Value::String((*extreme).to_owned());
            }
        }
        run_plan(file, toml::to_string(&tree).expect("strings write back"))?;
    }

    #[test]
    fn demo_plans_damaged_by_line(which in 0usize..4, edits in prop::collection::vec(line_edit(), 1..6)) {
        let (file, text) = demo_plans().swap_remove(which);
        run_plan(file, apply_lines(&text, &edits))?;
    }

    #[test]
    fn crediting_rules(
        edits in prop::collection::vec(line_edit(), 0..4),
        changes in prop::collection::vec(edit(), 0..3),
        text in ".{0,80}",
    ) {
        let _ = guarded(&text.clone(), move || load_rules("crediting.toml", &text).map(drop));
        let (_, rules) = demo_files().into_iter().find(|(n, _)| n == "crediting.toml").expect("demo rules");
        let mut tree: Table = toml::from_str(&rules).expect("the demo rules are TOML");
        for change in &changes {
            apply(&mut tree, change);
        }
        let changed = toml::to_string(&tree).unwrap_or_default();
        let damaged = apply_lines(&rules, &edits);
        for text in [changed, damaged] {
            let shown = text.clone();
            if let Err(e) = guarded(&shown, move || load_rules("crediting.toml", &text)) {
                prop_assert!(e.to_string().starts_with("crediting.toml"), "{}", e);
            }
        }
    }
}

/// The demo plan book, loaded once per case run.
fn demo_book() -> PlanBook {
    let plans = demo_plans().iter().map(|(n, t)| load_plan(n, t).expect("a demo plan")).collect();
    PlanBook::new(plans, Default::default()).expect("the demo book")
}

proptest! {
    #![proptest_config(config(500))]

    /// Plan test cases with changed values or damaged lines load or fail with an error; those
    /// that load run against the demo plans.
    #[test]
    fn plan_test_cases(
        which in 0usize..3,
        changes in prop::collection::vec(edit(), 0..4),
        lines in prop::collection::vec(line_edit(), 0..3),
    ) {
        let (file, text) = CASES[which];
        let mut tree: Table = toml::from_str(text).expect("the demo cases are TOML");
        for change in &changes {
            apply(&mut tree, change);
        }
        let Ok(changed) = toml::to_string(&tree) else { return Ok(()) };
        let text = apply_lines(&changed, &lines);
        let what = format!("{file}:\n{text}");
        guarded(&what, move || {
            if let Ok(case) = PlanCase::load(file, &text) {
                let _ = case.run(&demo_book());
            }
        });
    }
}

/// TOML nested far deeper than any plan: the TOML parser must refuse or read it without
/// overflowing a server worker's stack.
#[test]
fn deeply_nested_toml_does_not_overflow_the_stack() {
    for depth in [100, 1_000, 10_000, 100_000] {
        for (open, close) in [("[", "]"), ("{ a = ", " }")] {
            let text = format!("id = {}1{}\n", open.repeat(depth), close.repeat(depth));
            let shown = format!("{open} × {depth}");
            let outcome = guarded(&shown, move || load_plan("deep.toml", &text).map(drop));
            assert!(outcome.is_err(), "{shown}");
        }
    }
}

/// Found by `demo_plans_with_extreme_numbers`: a tier rate at the largest decimal loaded, and
/// the first run that reached the tier panicked multiplying it. Plan values are now bounded
/// when read, with an error naming the field.
#[test]
fn a_rate_too_large_to_compute_with_is_refused_when_loading() {
    let (file, text) = demo_plans().swap_remove(0);
    let text = text.replace("rate = \"12%\"", "rate = \"79228162514264337593543950335\"");
    let e = load_plan(&file, &text).expect_err("an absurd rate is refused");
    assert_eq!(e.field, "components[0].tiers[1].rate");
    assert!(e.message.contains("too large") && e.message.contains("at most 1000000"), "{e}");
    assert!(e.line > 0 && text.lines().nth(e.line - 1).unwrap().contains("79228162514264337593543950335"));
}

/// Objective weights summing past what a decimal holds panicked in the loader's weight check.
#[test]
fn huge_objective_weights_are_an_error_not_a_panic() {
    let (_, text) = demo_plans().into_iter().find(|(n, _)| n == "manager.toml").expect("the manager plan");
    for weight in ["7922816251426433759354395033.5", "79228162514264337593543950335"] {
        let text = text.replacen("weight = \"50%\"", &format!("weight = \"{weight}\""), 1);
        let e = guarded(weight, move || load_plan("manager.toml", &text)).expect_err("refused");
        assert_eq!(e.field, "components[1].objectives[0].weight", "{e}");
    }
}
