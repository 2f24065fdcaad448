//! Parser edge cases: precedence and grouping (shown as S-expressions), the nesting limit and
//! the messages for malformed input.

use super::*;
use crate::formula::lex::lex;

fn sexp(tree: &Tree, id: SynId) -> String {
    let s = |id| sexp(tree, id);
    let list = |ids: &[SynId]| ids.iter().map(|&i| s(i)).collect::<Vec<_>>().join(" ");
    match &tree.nodes[id].syn {
        Syn::Number(n) => n.to_string(),
        Syn::Bool(b) => b.to_string(),
        Syn::Text(t) => format!("{t:?}"),
        Syn::Var(v) => v.clone(),
        Syn::Neg(x) => format!("(neg {})", s(*x)),
        Syn::Not(x) => format!("(not {})", s(*x)),
        Syn::Arith { first, rest } => {
            let mut out = format!("({}", s(*first));
            for (op, _, x) in rest {
                out += &format!(" {} {}", op.symbol(), s(*x));
            }
            out + ")"
        }
        Syn::And(xs) => format!("(and {})", list(xs)),
        Syn::Or(xs) => format!("(or {})", list(xs)),
        Syn::Compare { op, lhs, rhs } => format!("({} {} {})", op.symbol(), s(*lhs), s(*rhs)),
        Syn::In { negated, needle, items } => {
            let op = if *negated { "not-in" } else { "in" };
            format!("({op} {} [{}])", s(*needle), list(items))
        }
        Syn::If { cond, then, other } => format!("(if {} {} {})", s(*cond), s(*then), s(*other)),
        Syn::Call { func, args } => format!("({} {})", func.name(), list(args)),
    }
}

fn shape(source: &str) -> String {
    let tree = parse(&lex(source).unwrap()).unwrap();
    sexp(&tree, tree.root)
}

fn error(source: &str) -> (usize, String) {
    let e = parse(&lex(source).unwrap()).unwrap_err();
    (e.at, e.message)
}

#[test]
fn precedence() {
    assert_eq!(shape("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_eq!(shape("1 - 2 + 3 - 4"), "(1 - 2 + 3 - 4)");
    assert_eq!(shape("(1 - 2) * 3 / 4"), "((1 - 2) * 3 / 4)");
    assert_eq!(shape("-a * b"), "((neg a) * b)");
    assert_eq!(shape("not a and b"), "(and (not a) b)");
    assert_eq!(shape("a or b and c"), "(or a (and b c))");
    assert_eq!(shape("not x = 1"), "(not (= x 1))");
    assert_eq!(shape("a + 1 >= b * 2"), "(>= (a + 1) (b * 2))");
    assert_eq!(shape("a < 1 or b != c and d"), "(or (< a 1) (and (!= b c) d))");
}

#[test]
fn negative_literals_are_folded() {
    assert_eq!(shape("-5"), "-5");
    assert_eq!(shape("- -5%"), "0.05");
    assert_eq!(shape("a - -1"), "(a - -1)");
}

#[test]
fn in_and_not_in() {
    assert_eq!(shape(r#"x in ["a", "b",]"#), r#"(in x ["a" "b"])"#);
    assert_eq!(shape("x not in [1]"), "(not-in x [1])");
    assert_eq!(shape("not x in [1] and y"), "(and (not (in x [1])) y)");
    assert!(error("x in []").1.contains("empty"));
    assert!(error("x in y").1.contains("square brackets"));
    assert_eq!(error("[1]").0, 0);
}

#[test]
fn if_is_a_value_and_else_reaches_right() {
    assert_eq!(shape("if a then 1 else 2 + 3"), "(if a 1 (2 + 3))");
    assert_eq!(shape("1 + if a then 1 else 2"), "(1 + (if a 1 2))");
    assert_eq!(shape("if a then 1 else if b then 2 else 3"), "(if a 1 (if b 2 3))");
    assert!(error("if a then 1").1.contains("`else`"));
    assert!(error("if a 1 else 2").1.contains("`then`"));
}

#[test]
fn calls() {
    assert_eq!(shape("min(a, b, 3)"), "(min a b 3)");
    assert_eq!(shape("round(x, 2)"), "(round x 2)");
    assert_eq!(shape("min()"), "(min )");
    let (at, message) = error("mn(a, b)");
    assert_eq!(at, 0);
    assert!(message.contains("unknown function `mn`") && message.contains("min, max"));
    assert!(error("min(a b)").1.contains("expected `)` or `,`"));
}

#[test]
fn comparisons_do_not_chain() {
    let (at, message) = error("a < b < c");
    assert_eq!(at, 6);
    assert!(message.contains("cannot be chained"));
    assert!(error("a = b in [1]").1.contains("cannot be chained"));
}

#[test]
fn malformed() {
    assert_eq!(error("").1, "the formula is empty");
    assert_eq!(error("  # only a comment").1, "the formula is empty");
    assert_eq!(error("1 +"), (3, "the formula ends too early: a value is missing".to_owned()));
    assert_eq!(error("1 2").0, 2);
    assert_eq!(error("(1 + 2").0, 6);
    assert_eq!(error("1 + )").0, 4);
    assert!(error("a = not b").1.contains("(not x)"));
}

#[test]
fn nesting_limit_counts_every_nesting_construct() {
    let ok = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(shape(&ok), "1");
    let deep = format!("{}1{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    let (at, message) = error(&deep);
    assert_eq!(at, MAX_DEPTH);
    assert!(message.contains("nested too deeply"));
    assert!(error(&format!("{}x", "not ".repeat(MAX_DEPTH + 1))).1.contains("too deeply"));
    assert!(error(&format!("{}x", "-".repeat(MAX_DEPTH + 1))).1.contains("too deeply"));
    assert!(error(&format!("{}1", "abs(".repeat(MAX_DEPTH + 1))).1.contains("too deeply"));
}

#[test]
fn huge_depth_is_an_error_not_a_stack_overflow() {
    let deep = "(".repeat(100_000);
    assert!(error(&deep).1.contains("nested too deeply"));
}
