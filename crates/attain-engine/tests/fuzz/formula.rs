//! The formula language under fuzz: arbitrary text, near-valid formulas built from the grammar
//! and then damaged, deep nesting, very long formulas, extreme numbers, division by zero and
//! unicode — compiled against a schema of all three types and evaluated with values that may
//! be of the wrong type or missing, under random step limits.

use attain_engine::formula::{
    DEFAULT_STEP_LIMIT, EvalError, Formula, MAX_DEPTH, MAX_SOURCE_CHARS, Schema, Type, Value,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;

use crate::{config, guarded};

/// Variables of every type, dotted names included, as plans offer them.
fn schema() -> Schema {
    Schema::new()
        .with("amount", Type::Number)
        .with("cost", Type::Number)
        .with("revenue.total", Type::Number)
        .with("revenue.attainment", Type::Number)
        .with("target_incentive", Type::Number)
        .with("product", Type::Text)
        .with("account.industry", Type::Text)
        .with("is_new", Type::Bool)
}

const NAMES: &[&str] = &[
    "amount",
    "cost",
    "revenue.total",
    "revenue.attainment",
    "target_incentive",
    "product",
    "account.industry",
    "is_new",
    // Unknown, misspelt, capitalised, keyword-like and function names used as variables.
    "ammount",
    "revenue",
    "revenue.",
    "Amount",
    "x",
    "_",
    "min",
    "iff",
    "a.b.c.d",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2.5",
    "20%",
    "12.5%",
    "0%",
    "007",
    "100%",
    "1.",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "7922816251426433759354395033.5%",
    "0.0000000000000000000000000001%",
    "99999999999999999999999999999999999999",
    "1e10",
    "5x",
    ".5",
];

const TEXTS: &[&str] = &[
    r#""""#,
    r#""Software""#,
    r#""é ünïcödé 名前 🎉""#,
    r#""a\"b\\c""#,
    r#""bad \n escape""#,
    r#""unterminated"#,
    "\"line\nbreak\"",
    "\"\u{0}\u{7f}\u{200b}\u{feff}\"",
    "'single'",
];

const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or", "==", "&&", "||", "<>", "%", "!", "in",
];

const FUNCTIONS: &[&str] = &["min", "max", "abs", "round", "clamp", "sqrt", "MIN"];

/// Formulas built from the grammar, one of each type per level, so most of them type-check
/// and reach the evaluator; `grammar` then picks one and damage makes some near misses.
#[derive(Debug, Clone)]
struct Typed {
    number: String,
    condition: String,
    text: String,
}

const NUMBER_NAMES: &[&str] = &["amount", "cost", "revenue.total", "revenue.attainment", "target_incentive"];

/// Number literals that are valid, at the edges of what a decimal holds.
const GOOD_NUMBERS: &[&str] = &[
    "0",
    "1",
    "2.5",
    "20%",
    "0%",
    "100%",
    "0.0000000000000000000000000001",
    "79228162514264337593543950335",
    "7922816251426433759354395033.5%",
    "1000000000000000",
];

fn typed_leaf() -> impl Strategy<Value = Typed> {
    let number = prop_oneof![
        3 => prop::sample::select(GOOD_NUMBERS).prop_map(str::to_owned),
        3 => prop::sample::select(NUMBER_NAMES).prop_map(str::to_owned),
        1 => (any::<u32>(), 0usize..4).prop_map(|(n, zeros)| format!("{n}.{}5", "0".repeat(zeros))),
    ];
    let condition = prop::sample::select(&["true", "false", "is_new"][..]).prop_map(str::to_owned);
    let text = prop_oneof![
        prop::sample::select(&["product", "account.industry"][..]).prop_map(str::to_owned),
        prop::sample::select(&[r#""""#, r#""Software""#, r#""é ünïcödé 名前 🎉""#, r#""a\"b\\c""#][..])
            .prop_map(str::to_owned),
        "[^\"\\\\\n]{0,12}".prop_map(|t| format!("\"{t}\"")),
    ];
    (number, condition, text).prop_map(|(number, condition, text)| Typed { number, condition, text })
}

/// One level up from three formulas of each type.
fn combine((a, b, c): (Typed, Typed, Typed), pick: (usize, usize, usize), extra: Vec<String>) -> Typed {
    let arith = ["+", "-", "*", "/"][pick.1 % 4];
    let compare = ["=", "!=", "<", "<=", ">", ">="][pick.2 % 6];
    let more = extra.join(", ");
    let number = match pick.0 % 10 {
        0 | 1 => format!("{} {arith} {}", a.number, b.number),
        2 => format!("({} {arith} {})", a.number, b.number),
        3 => format!("-{}", a.number),
        4 => format!("abs({})", a.number),
        5 => format!(
            "min({}, {}{})",
            a.number,
            b.number,
            if more.is_empty() { String::new() } else { format!(", {more}") }
        ),
        6 => format!("max({}, {})", a.number, b.number),
        7 => format!("round({}, {})", a.number, pick.2 % 11),
        8 => format!("clamp({}, {}, {})", a.number, b.number, c.number),
        _ => format!("(if {} then {} else {})", a.condition, b.number, c.number),
    };
    let condition = match pick.1 % 9 {
        0 | 1 => format!("{} {compare} {}", a.number, b.number),
        2 => format!("{} and {}", a.condition, b.condition),
        3 => format!("{} or {}", a.condition, b.condition),
        4 => format!("(not {})", a.condition),
        5 => format!("{} = {}", a.text, b.text),
        6 => format!("{} in [{}, {}]", a.number, b.number, c.number),
        7 => format!("{} not in [{}, {}]", a.text, b.text, c.text),
        _ => format!("(if {} then {} else {})", a.condition, b.condition, c.condition),
    };
    let text = match pick.2 % 3 {
        0 => format!("(if {} then {} else {})", a.condition, b.text, c.text),
        _ => a.text,
    };
    Typed { number, condition, text }
}

fn grammar() -> impl Strategy<Value = String> {
    let typed = typed_leaf().prop_recursive(6, 64, 3, |inner| {
        (
            (inner.clone(), inner.clone(), inner),
            any::<(usize, usize, usize)>(),
            prop::collection::vec(prop::sample::select(GOOD_NUMBERS).prop_map(str::to_owned), 0..3),
        )
            .prop_map(|(three, pick, extra)| combine(three, pick, extra))
    });
    (typed, 0usize..3, any::<bool>()).prop_map(|(t, which, comment)| {
        let source = [t.number, t.condition, t.text].into_iter().nth(which).unwrap_or_default();
        if comment { format!("# why\n{source} # ✓") } else { source }
    })
}

/// Formulas made of tokens of every kind in any order: mostly wrong, which is what the
/// lexer's, parser's and checker's messages are for.
fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        prop::sample::select(NUMBERS),
        prop::sample::select(NAMES),
        prop::sample::select(TEXTS),
        prop::sample::select(OPERATORS),
        prop::sample::select(FUNCTIONS),
        prop::sample::select(&["(", ")", "[", "]", ",", "if", "then", "else", "not", "true", "#", "\n"][..]),
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.join(" "))
}

/// One small edit to a formula's text, at a character position.
#[derive(Debug, Clone)]
enum Damage {
    None,
    Delete(usize),
    Insert(usize, char),
    Truncate(usize),
    Repeat(usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    let special = prop::sample::select(vec![
        '(', ')', '[', ']', ',', '"', '\\', '#', '%', '.', '-', '\n', '\r', '\0', '\t', 'é', '名', '🎉',
        '\u{202e}', '\u{feff}', '0', 'a', ' ',
    ]);
    prop_oneof![
        12 => Just(Damage::None),
        1 => any::<usize>().prop_map(Damage::Delete),
        1 => (any::<usize>(), prop_oneof![special, any::<char>()]).prop_map(|(at, c)| Damage::Insert(at, c)),
        1 => any::<usize>().prop_map(Damage::Truncate),
        1 => (any::<usize>(), 1usize..6).prop_map(|(at, n)| Damage::Repeat(at, n)),
    ]
}

fn apply(source: &str, damage: &Damage) -> String {
    let mut chars: Vec<char> = source.chars().collect();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match *damage {
        Damage::None => {}
        Damage::Delete(i) if !chars.is_empty() => {
            chars.remove(at(i, chars.len()));
        }
        Damage::Delete(_) => {}
        Damage::Insert(i, c) => chars.insert(at(i, chars.len() + 1), c),
        Damage::Truncate(i) => chars.truncate(at(i, chars.len() + 1)),
        Damage::Repeat(i, n) => {
            let start = at(i, chars.len() + 1);
            let piece: Vec<char> = chars[start..].iter().take(8).copied().collect();
            for _ in 0..n {
                chars.splice(start..start, piece.iter().copied());
            }
        }
    }
    chars.into_iter().collect()
}

/// Numbers at the edges of what a decimal holds, and ordinary ones.
fn number() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::ONE),
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::new(1, 28)),
        Just(Decimal::new(-1, 28)),
        (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<[u32; 3]>(), any::<bool>(), 0u32..=28)
            .prop_map(|([lo, mid, hi], negative, scale)| Decimal::from_parts(lo, mid, hi, negative, scale)),
    ]
}

/// A value of any type: usually the schema's, sometimes another (a caller's mistake the
/// evaluator must report, not panic on).
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => number().prop_map(Value::Number),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => ".{0,20}".prop_map(Value::Text),
        1 => prop::sample::select(&["Software", "", "é ünïcödé", "\0"][..]).prop_map(Value::from),
    ]
}

/// A value per slot, usually of the schema's type; sometimes a slot short (a missing
/// variable) or one more.
fn values() -> impl Strategy<Value = Vec<Value>> {
    let schema = schema();
    let slots: Vec<_> = (0..schema.len())
        .map(|slot| {
            let ty = schema.get(schema.names().nth(slot).expect("a slot")).expect("a type");
            let right = match ty {
                Type::Number => number().prop_map(Value::Number).boxed(),
                Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
                Type::Text => ".{0,12}".prop_map(Value::Text).boxed(),
            };
            prop_oneof![12 => right, 1 => value()].boxed()
        })
        .collect();
    (slots, prop_oneof![8 => Just(None), 1 => (0..=schema.len()).prop_map(Some), 1 => Just(Some(usize::MAX))])
        .prop_map(|(mut values, cut)| {
            match cut {
                Some(usize::MAX) => values.push(Value::Bool(true)),
                Some(n) => values.truncate(n),
                None => {}
            }
            values
        })
}

/// Compiles and evaluates; checks what must hold of any outcome.
fn exercise(source: &str, values: &[Value], step_limit: u32) -> Result<(), TestCaseError> {
    let schema = schema();
    let formula = match Formula::compile(source, &schema) {
        Ok(formula) => formula,
        Err(e) => {
            prop_assert!(!e.message.is_empty(), "an error says what is wrong: {source:?}");
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(e.offset <= source.chars().count(), "the error points into the text: {e:?}");
            return Ok(());
        }
    };
    prop_assert!(source.chars().count() <= MAX_SOURCE_CHARS);
    prop_assert!(formula.variables().iter().all(|v| schema.get(v).is_some()));
    let full = formula.eval(&values);
    if let Ok(value) = &full {
        prop_assert_eq!(value.ty(), formula.ty(), "{}", source);
    }
    prop_assert_eq!(&full, &formula.eval(&values), "evaluation is deterministic: {}", source);
    match formula.ty() {
        Type::Number => {
            prop_assert_eq!(formula.eval_number(&values).map(Value::Number), full.clone(), "{}", source)
        }
        Type::Bool => {
            prop_assert_eq!(formula.eval_bool(&values).map(Value::Bool), full.clone(), "{}", source)
        }
        Type::Text => prop_assert!(formula.eval_number(&values).is_err()),
    }
    // A tighter step limit gives the same answer or stops with StepLimit.
    let limited = formula.clone().with_step_limit(step_limit).eval(&values);
    match limited {
        Err(EvalError::StepLimit { limit }) => prop_assert_eq!(limit, step_limit),
        other => prop_assert_eq!(other, full, "{}", source),
    }
    Ok(())
}

fn run(source: String, values: Vec<Value>, step_limit: u32) -> Result<(), TestCaseError> {
    let what = format!("{source:?}");
    guarded(&what, move || exercise(&source, &values, step_limit))
}

proptest! {
    #![proptest_config(config(5000))]

    #[test]
    fn any_text(source in prop_oneof![
        any::<String>(),
        "[-+*/()\\[\\],=<>!%.#\"\\\\ a-z0-9_\n]{0,80}",
        ".{0,200}",
    ], values in values(), limit in 0u32..200) {
        run(source, values, limit)?;
    }

    #[test]
    fn near_valid_formulas(
        source in prop_oneof![4 => grammar(), 1 => soup()],
        first in damage(),
        second in damage(),
        values in values(),
        limit in prop_oneof![0u32..50, Just(DEFAULT_STEP_LIMIT)],
    ) {
        run(apply(&apply(&source, &first), &second), values, limit)?;
    }
}

/// Nesting `depth` levels of one construct around a number.
fn nested(construct: usize, depth: usize) -> String {
    let (open, close): (&str, &str) = match construct {
        0 => ("(", ")"),
        1 => ("-", ""),
        2 => ("abs(", ")"),
        3 => ("min(1, ", ")"),
        4 => ("if true then ", " else 0"),
        5 => ("round(", ", 2)"),
        6 => ("clamp(", ", 0, 1)"),
        7 => ("-(", ")"),
        _ => ("not (1 in [", "])"),
    };
    format!("{}1{}", open.repeat(depth), close.repeat(depth))
}

proptest! {
    #![proptest_config(config(1000))]

    /// However deep the nesting, the parser refuses it past the limit instead of recursing
    /// until the stack overflows; within the limit it compiles (for constructs that type).
    #[test]
    fn deep_nesting(construct in 0usize..9, depth in prop_oneof![0usize..(MAX_DEPTH + 4), 0usize..3000]) {
        let source = nested(construct, depth);
        let length = source.chars().count();
        let what = format!("construct {construct} nested {depth} deep");
        let outcome = guarded(&what, move || {
            Formula::compile(&source, &schema()).map(|f| (f.ty(), f.eval(&Vec::<Value>::new())))
        });
        if length > MAX_SOURCE_CHARS {
            prop_assert!(outcome.unwrap_err().message.contains("too long"));
        } else if depth * levels(construct) > MAX_DEPTH {
            prop_assert!(outcome.unwrap_err().message.contains("nested too deeply"), "{}", what);
        } else if construct != 8 {
            let (ty, value) = outcome.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
            prop_assert_eq!(ty, Type::Number);
            prop_assert!(value.is_ok(), "{}: {:?}", what, value);
        }
    }

    /// Long flat formulas (many operands, no nesting) compile and evaluate within the limits.
    #[test]
    fn long_flat_formulas(
        operand in prop::sample::select(&["1", "amount", "79228162514264337593543950335", "0", "0.5%"][..]),
        op in prop::sample::select(&["+", "-", "*", "/", "and", "or", "=", "<"][..]),
        n in 1usize..1200,
        values in values(),
        limit in prop_oneof![0u32..100, Just(DEFAULT_STEP_LIMIT), Just(u32::MAX)],
    ) {
        let source = vec![operand; n].join(&format!(" {op} "));
        run(source, values, limit)?;
    }

    /// Every arithmetic edge: overflow, division by zero, the smallest scale, at every pair
    /// of extreme values.
    #[test]
    fn extreme_arithmetic(
        a in number(),
        b in number(),
        op in prop::sample::select(&["+", "-", "*", "/", "<", "="][..]),
        wrap in prop::sample::select(&["{}", "round({}, 10)", "abs({})", "-({})", "clamp({}, amount, cost)", "min({}, amount)"][..]),
    ) {
        let source = wrap.replace("{}", &format!("amount {op} cost"));
        run(source, vec![Value::Number(a), Value::Number(b)], DEFAULT_STEP_LIMIT)?;
    }
}

/// How many nesting levels one layer of `construct` takes: `-(` is a prefix operator and a
/// bracket.
fn levels(construct: usize) -> usize {
    if construct == 7 { 2 } else { 1 }
}

/// A formula can take at most MAX_DEPTH levels; the deepest one allowed must compile and
/// evaluate on a thread with a server worker's 2 MiB stack, in a debug build.
#[test]
fn the_deepest_formula_allowed_fits_a_small_stack() {
    for construct in 0..9 {
        let source = nested(construct, MAX_DEPTH / levels(construct));
        let result = guarded(&source.clone(), move || Formula::compile(&source, &schema()).is_ok());
        assert!(result || construct == 8, "construct {construct} at the depth limit");
    }
}

/// The step limit stops an evaluation that would take more steps, and the longest formula
/// allowed fits the default limit: evaluation work is bounded by the source length.
#[test]
fn the_step_limit_bounds_evaluation() {
    let ones = vec!["1"; 1000].join("+");
    let formula = Formula::compile(&ones, &schema()).expect("a long sum compiles");
    assert_eq!(formula.eval(&Vec::<Value>::new()), Ok(Value::Number(Decimal::from(1000))));
    let limited = formula.with_step_limit(100);
    assert_eq!(limited.eval(&Vec::<Value>::new()), Err(EvalError::StepLimit { limit: 100 }));
    let longest = vec!["1"; MAX_SOURCE_CHARS / 2].join("+");
    assert_eq!(longest.chars().count(), MAX_SOURCE_CHARS - 1);
    let formula = Formula::compile(&longest, &schema()).expect("the longest sum allowed compiles");
    assert!(formula.eval(&Vec::<Value>::new()).is_ok(), "within the default step limit");
}
