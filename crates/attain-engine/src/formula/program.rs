//! The compiled form of a formula: three flat arenas of typed nodes (numbers, bools, text)
//! linked by typed indexes, so a type mismatch cannot even be represented after checking and
//! evaluation needs no run-time type tests, no name lookups and no allocation.

use std::cmp::Ordering;

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumId(pub usize);
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BoolId(pub usize);
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TextId(pub usize);

/// A checked expression: its node, whose arena says its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Typed {
    Num(NumId),
    Bool(BoolId),
    Text(TextId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether the comparison holds when the left side orders `ordering` to the right side.
    pub(crate) fn holds(self, ordering: Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering == Ordering::Equal,
            CmpOp::Ne => ordering != Ordering::Equal,
            CmpOp::Lt => ordering == Ordering::Less,
            CmpOp::Le => ordering != Ordering::Greater,
            CmpOp::Gt => ordering == Ordering::Greater,
            CmpOp::Ge => ordering != Ordering::Less,
        }
    }
}

/// The built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Min,
    Max,
    Abs,
    Round,
    Clamp,
}

impl Func {
    pub(crate) const ALL: [Func; 5] = [Func::Min, Func::Max, Func::Abs, Func::Round, Func::Clamp];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Round => "round",
            Func::Clamp => "clamp",
        }
    }

    pub(crate) fn named(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NumNode {
    Lit(Decimal),
    Var(usize),
    Neg(NumId),
    Abs(NumId),
    /// `first op₁ x₁ op₂ x₂ …`, applied left to right: a whole `+`/`-` or `*`/`/` run in one
    /// node, so long sums are wide, not deep.
    Arith {
        first: NumId,
        rest: Box<[(ArithOp, NumId)]>,
    },
    Min(Box<[NumId]>),
    Max(Box<[NumId]>),
    Round {
        x: NumId,
        places: u32,
    },
    Clamp {
        x: NumId,
        lo: NumId,
        hi: NumId,
    },
    If {
        cond: BoolId,
        then: NumId,
        other: NumId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BoolNode {
    Lit(bool),
    Var(usize),
    Not(BoolId),
    And(Box<[BoolId]>),
    Or(Box<[BoolId]>),
    CmpNum { op: CmpOp, lhs: NumId, rhs: NumId },
    CmpBool { op: CmpOp, lhs: BoolId, rhs: BoolId },
    CmpText { op: CmpOp, lhs: TextId, rhs: TextId },
    InNum { negated: bool, needle: NumId, items: Box<[NumId]> },
    InText { negated: bool, needle: TextId, items: Box<[TextId]> },
    If { cond: BoolId, then: BoolId, other: BoolId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextNode {
    Lit(String),
    Var(usize),
    If { cond: BoolId, then: TextId, other: TextId },
}

/// A checked formula ready to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Program {
    pub nums: Vec<NumNode>,
    pub bools: Vec<BoolNode>,
    pub texts: Vec<TextNode>,
    pub root: Typed,
    /// Where the whole expression starts in the source (for "gives a number" errors).
    pub root_offset: usize,
    /// (slot, name) of every variable read, by slot, each once.
    pub reads: Vec<(usize, String)>,
}

impl Program {
    /// The name of the variable in `slot`, for error messages.
    pub(crate) fn name_of(&self, slot: usize) -> String {
        self.reads
            .iter()
            .find(|(s, _)| *s == slot)
            .map_or_else(|| format!("#{slot}"), |(_, name)| name.clone())
    }
}
