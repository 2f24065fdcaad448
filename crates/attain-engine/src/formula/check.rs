//! The checker: resolves names against the schema (suggesting near misses), checks every
//! operator's and function's types, and lowers the syntax tree into the typed arenas of a
//! `Program`.

use rust_decimal::Decimal;

use super::Located;
use super::parse::{Syn, SynId, Tree};
use super::program::{
    ArithOp, BoolId, BoolNode, CmpOp, Func, NumId, NumNode, Program, TextId, TextNode, Typed,
};
use super::value::{Schema, Type};

pub(crate) fn check(tree: &Tree, schema: &Schema) -> Result<(Program, Type), Located> {
    let mut checker = Checker {
        tree,
        schema,
        program: Program {
            nums: Vec::new(),
            bools: Vec::new(),
            texts: Vec::new(),
            root: Typed::Bool(BoolId(0)),
            root_offset: tree.nodes[tree.root].at,
            reads: Vec::new(),
        },
        slots: Vec::new(),
    };
    let root = checker.expr(tree.root)?;
    let mut slots = checker.slots;
    slots.sort_unstable();
    slots.dedup();
    let mut program = checker.program;
    program.reads = slots.into_iter().map(|slot| (slot, schema.entry(slot).0.to_owned())).collect();
    program.root = root;
    Ok((program, type_of(root)))
}

fn type_of(typed: Typed) -> Type {
    match typed {
        Typed::Num(_) => Type::Number,
        Typed::Bool(_) => Type::Bool,
        Typed::Text(_) => Type::Text,
    }
}

struct Checker<'a> {
    tree: &'a Tree,
    schema: &'a Schema,
    program: Program,
    slots: Vec<usize>,
}

type Checked = Result<Typed, Located>;

impl Checker<'_> {
    fn at(&self, id: SynId) -> usize {
        self.tree.nodes[id].at
    }

    fn num(&mut self, node: NumNode) -> Typed {
        self.program.nums.push(node);
        Typed::Num(NumId(self.program.nums.len() - 1))
    }

    fn boolean(&mut self, node: BoolNode) -> Typed {
        self.program.bools.push(node);
        Typed::Bool(BoolId(self.program.bools.len() - 1))
    }

    fn text(&mut self, node: TextNode) -> Typed {
        self.program.texts.push(node);
        Typed::Text(TextId(self.program.texts.len() - 1))
    }

    /// Checks `id` and requires a number; `why` completes "… needs a number, but this is …".
    fn number_operand(&mut self, id: SynId, why: &str) -> Result<NumId, Located> {
        match self.expr(id)? {
            Typed::Num(n) => Ok(n),
            other => Err(self.mismatch(id, why, Type::Number, other)),
        }
    }

    fn bool_operand(&mut self, id: SynId, why: &str) -> Result<BoolId, Located> {
        match self.expr(id)? {
            Typed::Bool(b) => Ok(b),
            other => Err(self.mismatch(id, why, Type::Bool, other)),
        }
    }

    fn mismatch(&self, id: SynId, why: &str, wanted: Type, got: Typed) -> Located {
        let (wanted, got) = (wanted.described(), type_of(got).described());
        Located::new(self.at(id), format!("{why} needs {wanted}, but this is {got}"))
    }

    fn numbers(&mut self, ids: &[SynId], why: &str) -> Result<Box<[NumId]>, Located> {
        ids.iter().map(|&id| self.number_operand(id, why)).collect()
    }

    fn expr(&mut self, id: SynId) -> Checked {
        let at = self.at(id);
        Ok(match &self.tree.nodes[id].syn {
            Syn::Number(n) => self.num(NumNode::Lit(*n)),
            Syn::Bool(b) => self.boolean(BoolNode::Lit(*b)),
            Syn::Text(t) => self.text(TextNode::Lit(t.clone())),
            Syn::Var(name) => self.var(name, at)?,
            Syn::Neg(x) => {
                let x = self.number_operand(*x, "`-`")?;
                self.num(NumNode::Neg(x))
            }
            Syn::Not(x) => {
                let x = self.bool_operand(*x, "`not`")?;
                self.boolean(BoolNode::Not(x))
            }
            Syn::Arith { first, rest } => {
                let why = |op: ArithOp| format!("`{}`", op.symbol());
                let first = self.number_operand(*first, &why(rest[0].0))?;
                let rest = rest
                    .iter()
                    .map(|&(op, _, x)| Ok((op, self.number_operand(x, &why(op))?)))
                    .collect::<Result<_, Located>>()?;
                self.num(NumNode::Arith { first, rest })
            }
            Syn::And(xs) => {
                let xs = xs.iter().map(|&x| self.bool_operand(x, "`and`")).collect::<Result<_, _>>()?;
                self.boolean(BoolNode::And(xs))
            }
            Syn::Or(xs) => {
                let xs = xs.iter().map(|&x| self.bool_operand(x, "`or`")).collect::<Result<_, _>>()?;
                self.boolean(BoolNode::Or(xs))
            }
            Syn::Compare { op, lhs, rhs } => self.compare(*op, *lhs, *rhs)?,
            Syn::In { negated, needle, items } => self.is_in(*negated, *needle, items)?,
            Syn::If { cond, then, other } => {
                let cond = self.bool_operand(*cond, "the condition after `if`")?;
                let (then_id, other_id) = (*then, *other);
                match (self.expr(then_id)?, self.expr(other_id)?) {
                    (Typed::Num(then), Typed::Num(other)) => self.num(NumNode::If { cond, then, other }),
                    (Typed::Bool(then), Typed::Bool(other)) => {
                        self.boolean(BoolNode::If { cond, then, other })
                    }
                    (Typed::Text(then), Typed::Text(other)) => self.text(TextNode::If { cond, then, other }),
                    (then, other) => {
                        return Err(Located::new(
                            self.at(other_id),
                            format!(
                                "both branches of an `if` must give the same type, but `then` \
                                 gives {} and `else` gives {}",
                                type_of(then).described(),
                                type_of(other).described()
                            ),
                        ));
                    }
                }
            }
            Syn::Call { func, args } => self.call(*func, args, at)?,
        })
    }

    fn var(&mut self, name: &str, at: usize) -> Checked {
        let Some(slot) = self.schema.slot(name) else {
            return Err(Located::new(at, unknown_variable(name, self.schema)));
        };
        self.slots.push(slot);
        Ok(match self.schema.entry(slot).1 {
            Type::Number => self.num(NumNode::Var(slot)),
            Type::Bool => self.boolean(BoolNode::Var(slot)),
            Type::Text => self.text(TextNode::Var(slot)),
        })
    }

    fn compare(&mut self, op: CmpOp, lhs_id: SynId, rhs_id: SynId) -> Checked {
        let why = format!("`{}`", op.symbol());
        if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            let lhs = self.number_operand(lhs_id, &why)?;
            let rhs = self.number_operand(rhs_id, &why)?;
            return Ok(self.boolean(BoolNode::CmpNum { op, lhs, rhs }));
        }
        Ok(match (self.expr(lhs_id)?, self.expr(rhs_id)?) {
            (Typed::Num(lhs), Typed::Num(rhs)) => self.boolean(BoolNode::CmpNum { op, lhs, rhs }),
            (Typed::Bool(lhs), Typed::Bool(rhs)) => self.boolean(BoolNode::CmpBool { op, lhs, rhs }),
            (Typed::Text(lhs), Typed::Text(rhs)) => self.boolean(BoolNode::CmpText { op, lhs, rhs }),
            (lhs, rhs) => {
                return Err(Located::new(
                    self.at(rhs_id),
                    format!(
                        "{why} compares values of the same type, but the left side is {} and \
                         this is {}",
                        type_of(lhs).described(),
                        type_of(rhs).described()
                    ),
                ));
            }
        })
    }

    fn is_in(&mut self, negated: bool, needle_id: SynId, items: &[SynId]) -> Checked {
        let needle = self.expr(needle_id)?;
        let mut checked = Vec::with_capacity(items.len());
        for &item in items {
            let typed = self.expr(item)?;
            if type_of(typed) != type_of(needle) {
                return Err(Located::new(
                    self.at(item),
                    format!(
                        "this list item is {}, but the value before `in` is {}",
                        type_of(typed).described(),
                        type_of(needle).described()
                    ),
                ));
            }
            checked.push(typed);
        }
        Ok(match needle {
            Typed::Num(needle) => {
                let items = checked.into_iter().filter_map(|t| match t {
                    Typed::Num(n) => Some(n),
                    _ => None,
                });
                self.boolean(BoolNode::InNum { negated, needle, items: items.collect() })
            }
            Typed::Text(needle) => {
                let items = checked.into_iter().filter_map(|t| match t {
                    Typed::Text(t) => Some(t),
                    _ => None,
                });
                self.boolean(BoolNode::InText { negated, needle, items: items.collect() })
            }
            Typed::Bool(_) => {
                return Err(Located::new(
                    self.at(needle_id),
                    "`in` looks for a number or text in a list, but this is a bool (a condition)",
                ));
            }
        })
    }

    fn call(&mut self, func: Func, args: &[SynId], at: usize) -> Checked {
        let name = func.name();
        let (arity, shown) = match func {
            Func::Min | Func::Max => (2..=usize::MAX, "at least two numbers"),
            Func::Abs => (1..=1, "one number"),
            Func::Round => (2..=2, "a number and a count of decimal places, as in `round(x, 2)`"),
            Func::Clamp => (3..=3, "three numbers: `clamp(x, low, high)`"),
        };
        if !arity.contains(&args.len()) {
            let n = args.len();
            return Err(Located::new(at, format!("`{name}` takes {shown}, but was given {n}")));
        }
        let why = format!("`{name}`");
        Ok(match func {
            Func::Min => {
                let xs = self.numbers(args, &why)?;
                self.num(NumNode::Min(xs))
            }
            Func::Max => {
                let xs = self.numbers(args, &why)?;
                self.num(NumNode::Max(xs))
            }
            Func::Abs => {
                let x = self.number_operand(args[0], &why)?;
                self.num(NumNode::Abs(x))
            }
            Func::Round => {
                let x = self.number_operand(args[0], &why)?;
                let places = match self.tree.nodes[args[1]].syn {
                    Syn::Number(n) => (0..=10u32).find(|&p| Decimal::from(p) == n),
                    _ => None,
                };
                let Some(places) = places else {
                    return Err(Located::new(
                        self.at(args[1]),
                        "`round` needs the decimal places written as a whole number from 0 to \
                         10, as in `round(x, 2)`",
                    ));
                };
                self.num(NumNode::Round { x, places })
            }
            Func::Clamp => {
                if let (Syn::Number(lo), Syn::Number(hi)) =
                    (&self.tree.nodes[args[1]].syn, &self.tree.nodes[args[2]].syn)
                    && lo > hi
                {
                    return Err(Located::new(
                        self.at(args[1]),
                        format!("`clamp`: the low bound {lo} is above the high bound {hi}"),
                    ));
                }
                let x = self.number_operand(args[0], &why)?;
                let lo = self.number_operand(args[1], &why)?;
                let hi = self.number_operand(args[2], &why)?;
                self.num(NumNode::Clamp { x, lo, hi })
            }
        })
    }
}

/// "unknown variable `x`" with the closest known names, or all of them if there are few.
fn unknown_variable(name: &str, schema: &Schema) -> String {
    let mut message = format!("unknown variable `{name}`");
    let limit = (name.chars().count() / 3).max(2);
    let mut close: Vec<(usize, &str)> = schema
        .names()
        .map(|known| (edit_distance(name, known), known))
        .filter(|&(d, known)| d <= limit || abbreviates(name, known))
        .collect();
    close.sort_unstable();
    let quoted = |names: Vec<&str>| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
    if let Some(&(best, _)) = close.first() {
        let names = close.iter().filter(|(d, _)| *d == best).map(|(_, n)| *n).take(3).collect();
        return message + &format!(" (did you mean {}?)", quoted(names).join(" or "));
    }
    // No near miss: perhaps it was meant as text and the quotes were forgotten.
    let text_hint = format!("text goes in double quotes: \"{name}\"");
    message += &if schema.is_empty() {
        format!(" (no variables can be used here; {text_hint})")
    } else if schema.len() <= 10 {
        format!(" (the variables here are {}; {text_hint})", quoted(schema.names().collect()).join(", "))
    } else {
        format!(" ({text_hint})")
    };
    message
}

/// Whether `short` is `long` with letters left out (`amt` for `amount`).
fn abbreviates(short: &str, long: &str) -> bool {
    let mut long = long.chars();
    short.chars().count() >= 2 && short.chars().all(|c| long.any(|l| l == c))
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("ammount", "amount"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggestions() {
        let schema = Schema::new()
            .with("amount", Type::Number)
            .with("amount_usd", Type::Number)
            .with("cost", Type::Number);
        assert_eq!(
            unknown_variable("ammount", &schema),
            "unknown variable `ammount` (did you mean `amount`?)"
        );
        assert_eq!(
            unknown_variable("zzz", &schema),
            "unknown variable `zzz` (the variables here are `amount`, `amount_usd`, `cost`; \
             text goes in double quotes: \"zzz\")"
        );
        assert!(unknown_variable("x", &Schema::new()).contains("no variables"));
        let many = (0..20).fold(Schema::new(), |s, i| s.with(&format!("field_{i}"), Type::Bool));
        assert_eq!(
            unknown_variable("qqqqqqqq", &many),
            "unknown variable `qqqqqqqq` (text goes in double quotes: \"qqqqqqqq\")"
        );
        assert_eq!(
            unknown_variable("amt", &schema),
            "unknown variable `amt` (did you mean `amount`?)",
            "abbreviations count as near misses, the nearest first"
        );
        assert!(abbreviates("amt", "amount_usd") && !abbreviates("tma", "amount"));
    }
}
