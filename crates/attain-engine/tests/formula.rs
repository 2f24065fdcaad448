//! The formula language end to end: golden formulas a comp admin would write, the compile
//! errors they would see (with columns), run-time errors as values, the limits, and property
//! tests (no input panics the compiler; random arithmetic agrees with a reference evaluator;
//! comparisons are consistent).

use attain_engine::formula::{
    DEFAULT_STEP_LIMIT, EvalError, Formula, FormulaError, MAX_DEPTH, MAX_SOURCE_CHARS, Schema, Type, Value,
    Vars,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn schema() -> Schema {
    Schema::new()
        .with("amount", Type::Number)
        .with("cost", Type::Number)
        .with("margin_pct", Type::Number)
        .with("deal_type", Type::Text)
        .with("a", Type::Bool)
        .with("b", Type::Bool)
        .with("x", Type::Text)
        .with("account.industry", Type::Text)
}

/// A row for `schema()`: the given overrides, defaults elsewhere.
fn row(set: &[(&str, Value)]) -> Vec<Value> {
    let schema = schema();
    schema
        .names()
        .map(|name| match set.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => value.clone(),
            None => match schema.get(name) {
                Some(Type::Number) => Value::Number(Decimal::ZERO),
                Some(Type::Bool) => Value::Bool(false),
                _ => Value::Text(String::new()),
            },
        })
        .collect()
}

fn num(n: Decimal) -> Value {
    Value::Number(n)
}

fn eval(source: &str, set: &[(&str, Value)]) -> Result<Value, EvalError> {
    Formula::compile(source, &schema()).unwrap().eval(&row(set))
}

fn compile_error(source: &str) -> FormulaError {
    Formula::compile(source, &schema()).unwrap_err()
}

#[test]
fn percent_of_amount_is_exact() {
    let formula = Formula::compile_as("amount * 5%", &schema(), Type::Number).unwrap();
    let payout = formula.eval_number(&row(&[("amount", num(dec!(1000)))])).unwrap();
    assert_eq!(payout, dec!(50));
    assert_eq!(payout.to_string(), "50.00");
    let small = formula.eval_number(&row(&[("amount", num(dec!(0.10)))])).unwrap();
    assert_eq!(small, dec!(0.005));
}

#[test]
fn admin_examples() {
    let modifier =
        Formula::compile_as("if margin_pct < 20% then 0.5 else 1", &schema(), Type::Number).unwrap();
    assert_eq!(modifier.eval_number(&row(&[("margin_pct", num(dec!(0.15)))])), Ok(dec!(0.5)));
    assert_eq!(modifier.eval_number(&row(&[("margin_pct", num(dec!(0.20)))])), Ok(dec!(1)));

    let measure = Formula::compile_as("amount - cost * 1.1", &schema(), Type::Number).unwrap();
    let values = row(&[("amount", num(dec!(1000))), ("cost", num(dec!(500)))]);
    assert_eq!(measure.eval_number(&values), Ok(dec!(450)));
    assert_eq!(measure.variables(), ["amount", "cost"]);

    let condition = Formula::compile_as(
        "deal_type = \"new_business\" and amount >= 50000 # big new logos only",
        &schema(),
        Type::Bool,
    )
    .unwrap();
    let deal = |kind: &str, amount| row(&[("deal_type", kind.into()), ("amount", num(amount))]);
    assert_eq!(condition.eval_bool(&deal("new_business", dec!(50000))), Ok(true));
    assert_eq!(condition.eval_bool(&deal("new_business", dec!(49999.99))), Ok(false));
    assert_eq!(condition.eval_bool(&deal("renewal", dec!(90000))), Ok(false));
    assert_eq!(condition.variables(), ["amount", "deal_type"]);
}

#[test]
fn precedence_and_logic() {
    assert_eq!(eval("1 + 2 * 3 = 7", &[]), Ok(Value::Bool(true)));
    assert_eq!(eval("(1 + 2) * 3", &[]), Ok(num(dec!(9))));
    assert_eq!(eval("10 - 4 - 3", &[]), Ok(num(dec!(3))));
    assert_eq!(eval("12 / 4 / 3", &[]), Ok(num(dec!(1))));
    assert_eq!(eval("-2 * -3 + -1", &[]), Ok(num(dec!(5))));
    // `not` binds tighter than `and`: (not a) and b.
    let not_a_and_b = |a, b| eval("not a and b", &[("a", Value::Bool(a)), ("b", Value::Bool(b))]);
    assert_eq!(not_a_and_b(false, true), Ok(Value::Bool(true)));
    assert_eq!(not_a_and_b(false, false), Ok(Value::Bool(false)));
    assert_eq!(not_a_and_b(true, true), Ok(Value::Bool(false)));
    assert_eq!(eval("true or false and false", &[]), Ok(Value::Bool(true)));
    assert_eq!(eval("a = false", &[]), Ok(Value::Bool(true)));
    assert_eq!(eval("0.1 + 0.2 = 0.3", &[]), Ok(Value::Bool(true)));
    // The `else` branch reaches as far right as it can.
    assert_eq!(eval("if a then 1 else 2 + 3", &[]), Ok(num(dec!(5))));
}

#[test]
fn membership() {
    let x_in = |x: &str| eval(r#"x in ["a", "b"]"#, &[("x", x.into())]);
    assert_eq!(x_in("a"), Ok(Value::Bool(true)));
    assert_eq!(x_in("b"), Ok(Value::Bool(true)));
    assert_eq!(x_in("c"), Ok(Value::Bool(false)));
    assert_eq!(x_in("A"), Ok(Value::Bool(false)));
    assert_eq!(eval(r#"x not in ["a", "b"]"#, &[("x", "c".into())]), Ok(Value::Bool(true)));
    assert_eq!(eval("amount in [1, 2.50]", &[("amount", num(dec!(2.5)))]), Ok(Value::Bool(true)));
    let industry = eval(r#"account.industry in ["retail", "saas"]"#, &[("account.industry", "saas".into())]);
    assert_eq!(industry, Ok(Value::Bool(true)));
}

#[test]
fn functions() {
    assert_eq!(eval("round(2.345, 2)", &[]), Ok(num(dec!(2.34))));
    assert_eq!(eval("round(2.355, 2)", &[]), Ok(num(dec!(2.36))));
    assert_eq!(eval("round(2.5, 0)", &[]), Ok(num(dec!(2))));
    assert_eq!(eval("round(-2.5, 0)", &[]), Ok(num(dec!(-2))));
    assert_eq!(eval("min(3, 1, 2)", &[]), Ok(num(dec!(1))));
    assert_eq!(eval("max(3, 1, 2)", &[]), Ok(num(dec!(3))));
    assert_eq!(eval("abs(-4.5)", &[]), Ok(num(dec!(4.5))));
    assert_eq!(eval("clamp(150%, 0, 1.2)", &[]), Ok(num(dec!(1.2))));
    assert_eq!(eval("clamp(-1, 0, 1.2)", &[]), Ok(num(dec!(0))));
    assert_eq!(eval("clamp(0.7, 0, 1.2)", &[]), Ok(num(dec!(0.7))));
    assert_eq!(
        eval("clamp(1, amount, 0)", &[("amount", num(dec!(5)))]),
        Err(EvalError::ClampBounds { lo: dec!(5), hi: dec!(0) })
    );
}

#[test]
fn text_and_if() {
    assert_eq!(eval(r#"if a then "yes" else "no""#, &[("a", Value::Bool(true))]), Ok("yes".into()));
    assert_eq!(eval(r#""say \"hi\"" != x"#, &[("x", "say \"hi\"".into())]), Ok(Value::Bool(false)));
    assert_eq!(Formula::compile(r#""a""#, &schema()).unwrap().ty(), Type::Text);
}

#[test]
fn runtime_errors_are_values() {
    assert_eq!(eval("amount / cost", &[("amount", num(dec!(1)))]), Err(EvalError::DivisionByZero));
    assert_eq!(eval("1 / 0", &[]), Err(EvalError::DivisionByZero));
    let huge = "79228162514264337593543950335";
    assert_eq!(eval(&format!("{huge} * 2"), &[]), Err(EvalError::Overflow));
    assert_eq!(eval(&format!("{huge} + 1"), &[]), Err(EvalError::Overflow));
    assert_eq!(eval(&format!("-{huge} - 1"), &[]), Err(EvalError::Overflow));
    assert_eq!(EvalError::DivisionByZero.to_string(), "division by zero");
}

#[test]
fn branches_not_taken_are_not_evaluated() {
    let guarded = |source: &str| eval(source, &[("cost", num(Decimal::ZERO))]);
    assert_eq!(guarded("if cost = 0 then 0 else amount / cost"), Ok(num(dec!(0))));
    assert_eq!(guarded("cost != 0 and amount / cost > 1"), Ok(Value::Bool(false)));
    assert_eq!(guarded("cost = 0 or amount / cost > 1"), Ok(Value::Bool(true)));
}

#[test]
fn type_errors_have_columns() {
    let e = compile_error(r#"amount + "x""#);
    assert_eq!((e.line, e.column, e.offset), (1, 10, 9));
    assert_eq!(e.to_string(), "column 10: `+` needs a number, but this is text");

    let e = compile_error("if amount then 1 else 2");
    assert_eq!(e.column, 4);
    assert!(e.message.contains("condition after `if` needs a bool"), "{e}");

    let e = compile_error("min()");
    assert_eq!(e.to_string(), "column 1: `min` takes at least two numbers, but was given 0");

    let e = compile_error(r#"if a then 1 else "one""#);
    assert_eq!(e.column, 18);
    assert!(e.message.contains("same type"), "{e}");
    assert_eq!(compile_error(r#"amount = "1""#).column, 10);
    assert_eq!(compile_error(r#"x < "b""#).column, 1);
    assert_eq!(compile_error("not amount").column, 5);
    assert_eq!(compile_error(r#"x in ["a", 1]"#).column, 12);
    assert_eq!(compile_error("a in [true]").column, 1);
    assert_eq!(compile_error("round(amount, cost)").column, 15);
    assert_eq!(compile_error("round(amount, 11)").column, 15);
    assert_eq!(compile_error("round(amount, 1.5)").column, 15);
    assert_eq!(compile_error("clamp(amount, 2, 1)").column, 15);
    assert_eq!(compile_error("abs(1, 2)").column, 1);
}

#[test]
fn unknown_variables_suggest_names() {
    let e = compile_error("0.1 * ammount");
    assert_eq!(e.to_string(), "column 7: unknown variable `ammount` (did you mean `amount`?)");
    let e = Formula::compile("quota", &Schema::new().with("amount", Type::Number)).unwrap_err();
    assert_eq!(
        e.message,
        "unknown variable `quota` (the variables here are `amount`; text goes in double quotes: \"quota\")"
    );
}

#[test]
fn errors_on_later_lines_say_the_line() {
    let e = compile_error("amount\n  * 2\n  + cots");
    assert_eq!((e.line, e.column, e.offset), (3, 5, 17));
    assert!(e.to_string().starts_with("line 3, column 5: unknown variable `cots`"), "{e}");
}

#[test]
fn required_type() {
    let e = Formula::compile_as("amount * 2", &schema(), Type::Bool).unwrap_err();
    assert_eq!(
        e.to_string(),
        "column 1: this formula gives a number, but a bool (a condition) is needed here"
    );
    let formula = Formula::compile("amount > 2", &schema()).unwrap();
    assert_eq!(
        formula.eval_number(&row(&[])),
        Err(EvalError::ResultType { expected: Type::Number, found: Type::Bool })
    );
    assert_eq!(Type::Bool.to_string(), "bool");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Formula::compile(&deep, &schema()).is_err());
    let unclosed = "(".repeat(10_000);
    assert!(Formula::compile(&unclosed, &schema()).is_err());
    // Within the length limit, the nesting limit is what stops it.
    let e = compile_error(&"(".repeat(MAX_DEPTH + 1));
    assert!(e.message.contains("nested too deeply"), "{e}");
    let e = compile_error(&format!("{}amount", "-".repeat(1000)));
    assert!(e.message.contains("nested too deeply"), "{e}");
    let fine = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(Formula::compile(&fine, &schema()).is_ok());
}

#[test]
fn long_sources_are_refused() {
    let longest = format!("1{}", " ".repeat(MAX_SOURCE_CHARS - 1));
    assert!(Formula::compile(&longest, &schema()).is_ok());
    let e = compile_error(&format!("{longest} "));
    assert!(e.message.contains("too long"), "{e}");
    assert_eq!(e.offset, MAX_SOURCE_CHARS);
}

#[test]
fn step_limit_stops_wide_formulas() {
    let wide = format!("1{}", "+1".repeat(1_999));
    assert!(wide.chars().count() < MAX_SOURCE_CHARS);
    let formula = Formula::compile(&wide, &schema()).unwrap();
    assert_eq!(formula.step_limit(), DEFAULT_STEP_LIMIT);
    assert_eq!(formula.eval_number(&row(&[])), Ok(dec!(2000)));
    let limited = formula.with_step_limit(1_000);
    assert_eq!(limited.eval_number(&row(&[])), Err(EvalError::StepLimit { limit: 1_000 }));
    assert_eq!(limited.eval(&row(&[])), Err(EvalError::StepLimit { limit: 1_000 }));
}

#[test]
fn steps_count_nodes_and_operators() {
    // The sum, its three literals and its two additions: six steps.
    let formula = Formula::compile("1 + 2 + 3", &schema()).unwrap();
    assert_eq!(formula.clone().with_step_limit(6).eval(&row(&[])), Ok(num(dec!(6))));
    assert_eq!(formula.with_step_limit(5).eval(&row(&[])), Err(EvalError::StepLimit { limit: 5 }));
}

#[test]
fn vars_by_slot() {
    let schema = Schema::new().with("p", Type::Number).with("q", Type::Number);
    let formula = Formula::compile("q - p", &schema).unwrap();
    assert_eq!(formula.variables(), ["p", "q"]);
    let array = [num(dec!(1)), num(dec!(10))];
    assert_eq!(formula.eval_number(&array), Ok(dec!(9)));
    let slice: &[Value] = &array;
    assert_eq!(formula.eval_number(&slice), Ok(dec!(9)));
    assert_eq!(
        formula.eval_number(&array[..1].to_vec()),
        Err(EvalError::MissingVariable { name: "q".into(), slot: 1 })
    );
    assert_eq!(
        formula.eval(&vec![num(dec!(1)), Value::Bool(true)]),
        Err(EvalError::VariableType { name: "q".into(), expected: Type::Number, found: Type::Bool })
    );

    /// A caller's own row type.
    struct Deal {
        amount: Decimal,
    }
    impl Vars for Deal {
        fn get(&self, _slot: usize) -> Value {
            Value::Number(self.amount)
        }
    }
    assert_eq!(formula.eval_number(&Deal { amount: dec!(3) }), Ok(dec!(0)));
}

// ---- properties ----

const TOKENS: &[&str] = &[
    "(", ")", "[", "]", ",", "+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or", "not", "in",
    "if", "then", "else", "true", "false", "amount", "cost", "a", "x", "0", "1", "2.5", "20%", "\"t\"",
    "min", "max", "abs", "round", "clamp", "#c\n", "ammount", "\"",
];

proptest! {
    #[test]
    fn compile_never_panics_on_any_text(source in any::<String>()) {
        let _ = Formula::compile(&source, &schema());
    }

    #[test]
    fn compile_and_eval_never_panic_on_token_soup(
        picks in prop::collection::vec(0..TOKENS.len(), 0..40),
        amount in -5i64..5,
    ) {
        let source = picks.iter().map(|&i| TOKENS[i]).collect::<Vec<_>>().join(" ");
        if let Ok(formula) = Formula::compile(&source, &schema()) {
            let result = formula.eval(&row(&[("amount", num(Decimal::from(amount)))]));
            if let Ok(value) = result {
                prop_assert_eq!(value.ty(), formula.ty());
            }
        }
    }
}

/// A random arithmetic expression, rendered with only the brackets precedence needs.
#[derive(Debug, Clone)]
enum Expr {
    Lit(Decimal, bool),
    Var(usize),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    Min(Vec<Expr>),
    Abs(Box<Expr>),
    Round(Box<Expr>, u32),
    IfLess(Box<Expr>, Box<Expr>, Box<Expr>, Box<Expr>),
}

const VARS: [&str; 3] = ["p", "q", "r"];

fn small_decimal() -> impl Strategy<Value = Decimal> {
    (-10_000i64..10_000, 0u32..4).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale))
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (small_decimal(), any::<bool>()).prop_map(|(d, p)| Expr::Lit(d, p)),
        (0..3usize).prop_map(Expr::Var)
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let b = || inner.clone().prop_map(Box::new);
        prop_oneof![
            b().prop_map(Expr::Neg),
            (prop::sample::select(vec!['+', '-', '*', '/']), b(), b())
                .prop_map(|(op, l, r)| Expr::Bin(op, l, r)),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Min),
            b().prop_map(Expr::Abs),
            (b(), 0u32..4).prop_map(|(x, places)| Expr::Round(x, places)),
            (b(), b(), b(), b()).prop_map(|(l, r, t, e)| Expr::IfLess(l, r, t, e)),
        ]
    })
}

/// The source text and its binding level: 1 for `+ -`, 2 for `* /`, 3 for prefix `-`, 4 atoms.
fn render(e: &Expr) -> (String, u8) {
    let wrap = |(s, level): (String, u8), min: u8| if level < min { format!("({s})") } else { s };
    match e {
        Expr::Lit(d, percent) if *percent && d.scale() >= 2 => {
            let mut shown = *d;
            shown.set_scale(d.scale() - 2).unwrap();
            (format!("{shown}%"), if d.is_sign_negative() { 3 } else { 4 })
        }
        Expr::Lit(d, _) => (d.to_string(), if d.is_sign_negative() { 3 } else { 4 }),
        Expr::Var(i) => (VARS[*i].to_owned(), 4),
        Expr::Neg(x) => (format!("-{}", wrap(render(x), 3)), 3),
        Expr::Bin(op, l, r) => {
            let level = if matches!(op, '+' | '-') { 1 } else { 2 };
            // Left-associative: the right operand needs brackets at the same level.
            (format!("{} {op} {}", wrap(render(l), level), wrap(render(r), level + 1)), level)
        }
        Expr::Min(xs) => {
            (format!("min({})", xs.iter().map(|x| render(x).0).collect::<Vec<_>>().join(", ")), 4)
        }
        Expr::Abs(x) => (format!("abs({})", render(x).0), 4),
        Expr::Round(x, places) => (format!("round({}, {places})", render(x).0), 4),
        Expr::IfLess(l, r, t, e) => {
            let parts = [l, r, t, e].map(|x| render(x).0);
            (format!("(if {} < {} then {} else {})", parts[0], parts[1], parts[2], parts[3]), 4)
        }
    }
}

/// The reference semantics, written independently of the engine's evaluator.
fn reference(e: &Expr, vars: &[Decimal; 3]) -> Result<Decimal, EvalError> {
    Ok(match e {
        Expr::Lit(d, _) => *d,
        Expr::Var(i) => vars[*i],
        Expr::Neg(x) => -reference(x, vars)?,
        Expr::Bin(op, l, r) => {
            let (l, r) = (reference(l, vars)?, reference(r, vars)?);
            match op {
                '+' => l.checked_add(r).ok_or(EvalError::Overflow)?,
                '-' => l.checked_sub(r).ok_or(EvalError::Overflow)?,
                '*' => l.checked_mul(r).ok_or(EvalError::Overflow)?,
                _ if r.is_zero() => return Err(EvalError::DivisionByZero),
                _ => l.checked_div(r).ok_or(EvalError::Overflow)?,
            }
        }
        Expr::Min(xs) => {
            let mut values = Vec::new();
            for x in xs {
                values.push(reference(x, vars)?);
            }
            values.into_iter().min().unwrap()
        }
        Expr::Abs(x) => reference(x, vars)?.abs(),
        Expr::Round(x, places) => reference(x, vars)?
            .round_dp_with_strategy(*places, rust_decimal::RoundingStrategy::MidpointNearestEven),
        Expr::IfLess(l, r, t, e) => {
            if reference(l, vars)? < reference(r, vars)? {
                reference(t, vars)?
            } else {
                reference(e, vars)?
            }
        }
    })
}

fn pq_schema() -> Schema {
    VARS.iter().fold(Schema::new(), |s, name| s.with(name, Type::Number))
}

proptest! {
    #[test]
    fn arithmetic_agrees_with_the_reference(
        e in expr(),
        p in small_decimal(),
        q in small_decimal(),
        r in small_decimal(),
    ) {
        let source = render(&e).0;
        let formula = Formula::compile_as(&source, &pq_schema(), Type::Number)
            .map_err(|err| TestCaseError::fail(format!("{source}: {err}")))?;
        let values = [num(p), num(q), num(r)];
        let got = formula.eval_number(&values);
        prop_assert_eq!(&got, &reference(&e, &[p, q, r]), "{}", source);
        prop_assert_eq!(got, formula.eval_number(&values), "deterministic");
    }

    #[test]
    fn identities_hold_exactly(p in small_decimal(), q in small_decimal()) {
        let schema = pq_schema();
        let values = [num(p), num(q), num(Decimal::ZERO)];
        for source in ["p + q - q = p", "p - q + q = p", "p * 100% = p", "-(-p) = p", "p + q = q + p",
                       "if q = 0 then true else p * q / q = p"] {
            let formula = Formula::compile_as(source, &schema, Type::Bool).unwrap();
            prop_assert_eq!(formula.eval_bool(&values), Ok(true), "{} with p={}, q={}", source, p, q);
        }
    }

    #[test]
    fn comparisons_are_consistent(p in small_decimal(), q in small_decimal(), same in any::<bool>()) {
        // Sometimes the same value at another scale (1.5 and 1.50 are equal).
        let q = if same { let mut q = p; q.rescale(p.scale() + 1); q } else { q };
        let schema = pq_schema();
        let values = [num(p), num(q), num(Decimal::ZERO)];
        let holds = |source: &str| Formula::compile_as(source, &schema, Type::Bool).unwrap().eval_bool(&values).unwrap();
        prop_assert!(holds("p < q") ^ holds("p >= q"));
        prop_assert!(holds("p > q") ^ holds("p <= q"));
        prop_assert!(holds("p = q") ^ holds("p != q"));
        prop_assert_eq!(holds("p = q"), holds("p <= q and p >= q"));
        prop_assert_eq!(holds("p < q"), holds("q > p"));
        prop_assert_eq!(holds("p in [q, r]"), holds("p = q or p = r"));
        prop_assert_eq!(holds("p = q"), p == q);
    }
}

/// Every formula in the Examples section of docs/formulas.md compiles to the type its place
/// needs, so the reference cannot drift from the language.
#[test]
fn documented_examples_compile() {
    let doc = include_str!("../../../docs/formulas.md");
    let examples = doc.split("## Examples").nth(1).unwrap().split("\n## ").next().unwrap();
    let schema = schema().with("attainment", Type::Number);
    let mut count = 0;
    for block in examples.split("```").skip(1).step_by(2) {
        for source in block.split("\n\n").map(str::trim).filter(|s| !s.is_empty()) {
            let formula = Formula::compile(source, &schema).unwrap_or_else(|e| panic!("{source}\n{e}"));
            let code: String = source.lines().filter(|l| !l.starts_with('#')).collect();
            let bool_expected = code.contains(" and ") || code.contains(" in [");
            assert_eq!(formula.ty(), if bool_expected { Type::Bool } else { Type::Number }, "{source}");
            count += 1;
        }
    }
    assert_eq!(count, 8);
}
