//! The evaluator: walks a checked `Program` against one set of variable values with checked
//! decimal arithmetic, short-circuiting `and`/`or`/`if`, and a step budget.

use std::borrow::Cow;

use rust_decimal::{Decimal, RoundingStrategy};

use super::EvalError;
use super::program::{ArithOp, BoolId, BoolNode, NumId, NumNode, Program, TextId, TextNode, Typed};
use super::value::{Type, Value, Vars};

pub(crate) struct Eval<'a> {
    program: &'a Program,
    vars: &'a dyn Vars,
    steps: u32,
    limit: u32,
}

type Num = Result<Decimal, EvalError>;
type Bool = Result<bool, EvalError>;

impl<'a> Eval<'a> {
    pub(crate) fn new(program: &'a Program, vars: &'a dyn Vars, limit: u32) -> Eval<'a> {
        Eval { program, vars, steps: 0, limit }
    }

    pub(crate) fn value(mut self, root: Typed) -> Result<Value, EvalError> {
        Ok(match root {
            Typed::Num(id) => Value::Number(self.number(id)?),
            Typed::Bool(id) => Value::Bool(self.boolean(id)?),
            Typed::Text(id) => Value::Text(self.text(id)?.into_owned()),
        })
    }

    /// Counts one step; every node evaluated and every operator applied takes one.
    fn step(&mut self) -> Result<(), EvalError> {
        self.steps = self.steps.saturating_add(1);
        if self.steps > self.limit {
            return Err(EvalError::StepLimit { limit: self.limit });
        }
        Ok(())
    }

    fn read(&self, slot: usize) -> Result<Value, EvalError> {
        self.vars
            .try_get(slot)
            .ok_or_else(|| EvalError::MissingVariable { name: self.program.name_of(slot), slot })
    }

    fn wrong_type(&self, slot: usize, expected: Type, found: &Value) -> EvalError {
        EvalError::VariableType { name: self.program.name_of(slot), expected, found: found.ty() }
    }

    pub(crate) fn number(&mut self, id: NumId) -> Num {
        self.step()?;
        let program = self.program;
        match &program.nums[id.0] {
            NumNode::Lit(n) => Ok(*n),
            NumNode::Var(slot) => match self.read(*slot)? {
                Value::Number(n) => Ok(n),
                other => Err(self.wrong_type(*slot, Type::Number, &other)),
            },
            NumNode::Neg(x) => Ok(-self.number(*x)?),
            NumNode::Abs(x) => Ok(self.number(*x)?.abs()),
            NumNode::Arith { first, rest } => {
                let mut acc = self.number(*first)?;
                for &(op, x) in rest {
                    let x = self.number(x)?;
                    self.step()?;
                    acc = arith(op, acc, x)?;
                }
                Ok(acc)
            }
            NumNode::Min(xs) => self.fold(xs, Decimal::min),
            NumNode::Max(xs) => self.fold(xs, Decimal::max),
            NumNode::Round { x, places } => {
                Ok(self.number(*x)?.round_dp_with_strategy(*places, RoundingStrategy::MidpointNearestEven))
            }
            NumNode::Clamp { x, lo, hi } => {
                let (x, lo, hi) = (self.number(*x)?, self.number(*lo)?, self.number(*hi)?);
                if lo > hi {
                    return Err(EvalError::ClampBounds { lo, hi });
                }
                Ok(x.max(lo).min(hi))
            }
            NumNode::If { cond, then, other } => {
                let branch = if self.boolean(*cond)? { then } else { other };
                self.number(*branch)
            }
        }
    }

    fn fold(&mut self, xs: &[NumId], pick: fn(Decimal, Decimal) -> Decimal) -> Num {
        let mut acc = self.number(xs[0])?;
        for &x in &xs[1..] {
            acc = pick(acc, self.number(x)?);
        }
        Ok(acc)
    }

    pub(crate) fn boolean(&mut self, id: BoolId) -> Bool {
        self.step()?;
        let program = self.program;
        match &program.bools[id.0] {
            BoolNode::Lit(b) => Ok(*b),
            BoolNode::Var(slot) => match self.read(*slot)? {
                Value::Bool(b) => Ok(b),
                other => Err(self.wrong_type(*slot, Type::Bool, &other)),
            },
            BoolNode::Not(x) => Ok(!self.boolean(*x)?),
            BoolNode::And(xs) => {
                for &x in xs {
                    if !self.boolean(x)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            BoolNode::Or(xs) => {
                for &x in xs {
                    if self.boolean(x)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            BoolNode::CmpNum { op, lhs, rhs } => {
                let (lhs, rhs) = (self.number(*lhs)?, self.number(*rhs)?);
                Ok(op.holds(lhs.cmp(&rhs)))
            }
            BoolNode::CmpBool { op, lhs, rhs } => {
                let (lhs, rhs) = (self.boolean(*lhs)?, self.boolean(*rhs)?);
                Ok(op.holds(lhs.cmp(&rhs)))
            }
            BoolNode::CmpText { op, lhs, rhs } => {
                let (lhs, rhs) = (self.text(*lhs)?, self.text(*rhs)?);
                Ok(op.holds(lhs.cmp(&rhs)))
            }
            BoolNode::InNum { negated, needle, items } => {
                let needle = self.number(*needle)?;
                let mut found = false;
                for &item in items {
                    if self.number(item)? == needle {
                        found = true;
                        break;
                    }
                }
                Ok(found != *negated)
            }
            BoolNode::InText { negated, needle, items } => {
                let needle = self.text(*needle)?;
                let mut found = false;
                for &item in items {
                    if self.text(item)? == needle {
                        found = true;
                        break;
                    }
                }
                Ok(found != *negated)
            }
            BoolNode::If { cond, then, other } => {
                let branch = if self.boolean(*cond)? { then } else { other };
                self.boolean(*branch)
            }
        }
    }

    /// Text borrowed from the formula's literals where it can be; variables are owned.
    fn text(&mut self, id: TextId) -> Result<Cow<'a, str>, EvalError> {
        self.step()?;
        let program = self.program;
        match &program.texts[id.0] {
            TextNode::Lit(text) => Ok(Cow::Borrowed(text)),
            TextNode::Var(slot) => match self.read(*slot)? {
                Value::Text(text) => Ok(Cow::Owned(text)),
                other => Err(self.wrong_type(*slot, Type::Text, &other)),
            },
            TextNode::If { cond, then, other } => {
                let branch = if self.boolean(*cond)? { then } else { other };
                self.text(*branch)
            }
        }
    }
}

fn arith(op: ArithOp, a: Decimal, b: Decimal) -> Num {
    match op {
        ArithOp::Add => a.checked_add(b).ok_or(EvalError::Overflow),
        ArithOp::Sub => a.checked_sub(b).ok_or(EvalError::Overflow),
        ArithOp::Mul => a.checked_mul(b).ok_or(EvalError::Overflow),
        ArithOp::Div if b.is_zero() => Err(EvalError::DivisionByZero),
        ArithOp::Div => a.checked_div(b).ok_or(EvalError::Overflow),
    }
}
