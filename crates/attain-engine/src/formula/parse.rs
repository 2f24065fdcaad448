//! The parser: tokens to an untyped syntax tree in a flat arena, by recursive descent with an
//! explicit nesting counter so that no input, however deeply bracketed, can overflow the stack.
//!
//! Precedence, loosest first: `if … then … else …` (as a value; the `else` branch reaches as
//! far right as it can), `or`, `and`, `not`, comparisons and `in` (not chainable), `+ -`,
//! `* /`, unary `-`, then literals, names, calls and brackets.

use rust_decimal::Decimal;

use super::lex::{Tok, Token};
use super::program::{ArithOp, CmpOp, Func};
use super::{Located, MAX_DEPTH};

pub(crate) type SynId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Syn {
    Number(Decimal),
    Bool(bool),
    Text(String),
    Var(String),
    Neg(SynId),
    Not(SynId),
    /// A run of `+`/`-` or of `*`/`/`, left to right; each operator with its offset.
    Arith {
        first: SynId,
        rest: Vec<(ArithOp, usize, SynId)>,
    },
    And(Vec<SynId>),
    Or(Vec<SynId>),
    Compare {
        op: CmpOp,
        lhs: SynId,
        rhs: SynId,
    },
    In {
        negated: bool,
        needle: SynId,
        items: Vec<SynId>,
    },
    If {
        cond: SynId,
        then: SynId,
        other: SynId,
    },
    Call {
        func: Func,
        args: Vec<SynId>,
    },
}

/// A node and the character offset where its text starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub syn: Syn,
    pub at: usize,
}

#[derive(Debug)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub root: SynId,
}

pub(crate) fn parse(tokens: &[Token]) -> Result<Tree, Located> {
    let mut parser = Parser { tokens, pos: 0, depth: 0, nodes: Vec::new() };
    if parser.peek() == &Tok::End {
        return Err(Located::new(0, "the formula is empty"));
    }
    let root = parser.expr()?;
    if parser.peek() != &Tok::End {
        let found = parser.peek().shown();
        return Err(parser.here(format!("expected an operator or the end of the formula, found {found}")));
    }
    Ok(Tree { nodes: parser.nodes, root })
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
    nodes: Vec<Node>,
}

type Parsed = Result<SynId, Located>;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn peek2(&self) -> &Tok {
        self.tokens.get(self.pos + 1).map_or(&Tok::End, |t| &t.tok)
    }

    fn offset(&self) -> usize {
        self.tokens[self.pos].at
    }

    fn bump(&mut self) -> usize {
        let at = self.offset();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        at
    }

    fn here(&self, message: String) -> Located {
        Located::new(self.offset(), message)
    }

    fn expect(&mut self, tok: Tok, context: &str) -> Result<usize, Located> {
        if self.peek() == &tok {
            return Ok(self.bump());
        }
        let found = self.peek().shown();
        Err(self.here(format!("expected {} {context}, found {found}", tok.shown())))
    }

    fn push(&mut self, syn: Syn, at: usize) -> SynId {
        self.nodes.push(Node { syn, at });
        self.nodes.len() - 1
    }

    fn at(&self, id: SynId) -> usize {
        self.nodes[id].at
    }

    /// Every construct that nests (brackets, calls, lists, `if`, prefix operators) goes one
    /// level deeper here, before recursing, so depth — and the stack — stay bounded.
    fn enter(&mut self, at: usize) -> Result<(), Located> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Located::new(
                at,
                format!(
                    "the formula is nested too deeply (more than {MAX_DEPTH} levels of brackets, \
                     calls, `if`s or prefix operators)"
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn expr(&mut self) -> Parsed {
        self.or()
    }

    fn or(&mut self) -> Parsed {
        let first = self.and()?;
        let mut operands = vec![first];
        while self.peek() == &Tok::Or {
            self.bump();
            operands.push(self.and()?);
        }
        Ok(if operands.len() == 1 { first } else { self.push(Syn::Or(operands), self.at(first)) })
    }

    fn and(&mut self) -> Parsed {
        let first = self.not()?;
        let mut operands = vec![first];
        while self.peek() == &Tok::And {
            self.bump();
            operands.push(self.not()?);
        }
        Ok(if operands.len() == 1 { first } else { self.push(Syn::And(operands), self.at(first)) })
    }

    fn not(&mut self) -> Parsed {
        if self.peek() != &Tok::Not {
            return self.comparison();
        }
        let at = self.bump();
        self.enter(at)?;
        let operand = self.not()?;
        self.leave();
        Ok(self.push(Syn::Not(operand), at))
    }

    fn comparison_op(&self) -> Option<Result<CmpOp, bool>> {
        Some(match self.peek() {
            Tok::Eq => Ok(CmpOp::Eq),
            Tok::Ne => Ok(CmpOp::Ne),
            Tok::Lt => Ok(CmpOp::Lt),
            Tok::Le => Ok(CmpOp::Le),
            Tok::Gt => Ok(CmpOp::Gt),
            Tok::Ge => Ok(CmpOp::Ge),
            Tok::In => Err(false),
            Tok::Not if self.peek2() == &Tok::In => Err(true),
            _ => return None,
        })
    }

    fn comparison(&mut self) -> Parsed {
        let lhs = self.additive()?;
        let at = self.at(lhs);
        let node = match self.comparison_op() {
            None => return Ok(lhs),
            Some(Ok(op)) => {
                self.bump();
                let rhs = self.additive()?;
                self.push(Syn::Compare { op, lhs, rhs }, at)
            }
            Some(Err(negated)) => {
                if negated {
                    self.bump();
                }
                self.bump();
                let items = self.list()?;
                self.push(Syn::In { negated, needle: lhs, items }, at)
            }
        };
        if self.comparison_op().is_some() {
            return Err(self.here(
                "comparisons cannot be chained; join them with `and`, as in `a < b and b < c`".to_owned(),
            ));
        }
        Ok(node)
    }

    /// The `[a, b, …]` after `in`.
    fn list(&mut self) -> Result<Vec<SynId>, Located> {
        if self.peek() != &Tok::LBracket {
            let found = self.peek().shown();
            return Err(self.here(format!(
                "`in` needs a list in square brackets, as in `x in [\"a\", \"b\"]`; found {found}"
            )));
        }
        let at = self.bump();
        self.enter(at)?;
        let mut items = Vec::new();
        while self.peek() != &Tok::RBracket {
            items.push(self.expr()?);
            if self.peek() != &Tok::Comma {
                break;
            }
            self.bump();
        }
        self.expect(Tok::RBracket, "to close the list")?;
        self.leave();
        if items.is_empty() {
            return Err(Located::new(at, "the list after `in` is empty"));
        }
        Ok(items)
    }

    fn additive(&mut self) -> Parsed {
        self.arith_run(Self::multiplicative, |tok| match tok {
            Tok::Plus => Some(ArithOp::Add),
            Tok::Minus => Some(ArithOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> Parsed {
        self.arith_run(Self::unary, |tok| match tok {
            Tok::Star => Some(ArithOp::Mul),
            Tok::Slash => Some(ArithOp::Div),
            _ => None,
        })
    }

    /// A left-to-right run of operators of one precedence, kept as one wide node.
    fn arith_run(&mut self, operand: fn(&mut Self) -> Parsed, op_of: fn(&Tok) -> Option<ArithOp>) -> Parsed {
        let first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek()) {
            let op_at = self.bump();
            rest.push((op, op_at, operand(self)?));
        }
        Ok(if rest.is_empty() { first } else { self.push(Syn::Arith { first, rest }, self.at(first)) })
    }

    fn unary(&mut self) -> Parsed {
        if self.peek() != &Tok::Minus {
            return self.primary();
        }
        let at = self.bump();
        self.enter(at)?;
        let operand = self.unary()?;
        self.leave();
        // A negative literal is a literal, not an operation.
        if let Syn::Number(n) = self.nodes[operand].syn {
            self.nodes[operand] = Node { syn: Syn::Number(-n), at };
            return Ok(operand);
        }
        Ok(self.push(Syn::Neg(operand), at))
    }

    fn primary(&mut self) -> Parsed {
        let at = self.offset();
        let syn = match self.peek().clone() {
            Tok::Number(n) => Syn::Number(n),
            Tok::Text(text) => Syn::Text(text),
            Tok::True => Syn::Bool(true),
            Tok::False => Syn::Bool(false),
            Tok::Ident(name) if self.peek2() == &Tok::LParen => return self.call(&name),
            Tok::Ident(name) => Syn::Var(name),
            Tok::LParen => {
                self.bump();
                self.enter(at)?;
                let inner = self.expr()?;
                self.expect(Tok::RParen, "to close the bracket")?;
                self.leave();
                return Ok(inner);
            }
            Tok::If => return self.if_(),
            Tok::Not => {
                return Err(self.here(
                    "put a `not …` that is inside another expression in brackets: `(not x)`".to_owned(),
                ));
            }
            Tok::LBracket => {
                return Err(self.here("a list `[…]` can only follow `in`".to_owned()));
            }
            Tok::End => {
                return Err(self.here("the formula ends too early: a value is missing".to_owned()));
            }
            other => return Err(self.here(format!("expected a value, found {}", other.shown()))),
        };
        self.bump();
        Ok(self.push(syn, at))
    }

    fn call(&mut self, name: &str) -> Parsed {
        let at = self.bump();
        let Some(func) = Func::named(name) else {
            let known: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
            return Err(Located::new(
                at,
                format!("unknown function `{name}` (the functions are {})", known.join(", ")),
            ));
        };
        self.bump(); // (
        self.enter(at)?;
        let mut args = Vec::new();
        while self.peek() != &Tok::RParen {
            args.push(self.expr()?);
            if self.peek() != &Tok::Comma {
                break;
            }
            self.bump();
        }
        self.expect(Tok::RParen, &format!("or `,` in the call to `{name}`"))?;
        self.leave();
        Ok(self.push(Syn::Call { func, args }, at))
    }

    fn if_(&mut self) -> Parsed {
        let at = self.bump();
        self.enter(at)?;
        let cond = self.expr()?;
        self.expect(Tok::Then, "after the condition of `if`")?;
        let then = self.expr()?;
        self.expect(Tok::Else, "(an `if` needs both: `if condition then a else b`)")?;
        let other = self.expr()?;
        self.leave();
        Ok(self.push(Syn::If { cond, then, other }, at))
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
