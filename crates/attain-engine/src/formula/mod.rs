//! Formulas: the small, safe decimal expression language comp admins write in plans, compiled
//! once (parsed, type-checked, variables resolved to slots) and evaluated many times.
//!
//! The language reference for admins is docs/formulas.md. In short: values are exact
//! numbers (`Decimal`, never floats), bools and text; there are no loops and no I/O, so every
//! formula ends; type errors and unknown names are found when the plan is loaded, with the
//! line and column; evaluation errors (division by zero, overflow, the step limit) are values,
//! never panics.
//!
//! ```
//! use attain_engine::formula::{Formula, Schema, Type, Value};
//! use rust_decimal::Decimal;
//!
//! let schema = Schema::new().with("amount", Type::Number).with("cost", Type::Number);
//! let margin = Formula::compile_as("amount - cost * 1.1", &schema, Type::Number).unwrap();
//! let row = vec![Value::Number(Decimal::from(1000)), Value::Number(Decimal::from(500))];
//! assert_eq!(margin.eval_number(&row).unwrap(), Decimal::from(450));
//! ```

mod check;
mod eval;
mod lex;
mod parse;
mod program;
mod value;

use std::fmt;

use rust_decimal::Decimal;
use thiserror::Error;

pub use value::{Schema, Type, Value, Vars};

/// The longest formula accepted, in characters.
pub const MAX_SOURCE_CHARS: usize = 4_000;
/// How deeply brackets, calls, lists, `if`s and prefix operators may nest.
pub const MAX_DEPTH: usize = 64;
/// Steps one evaluation may take unless [`Formula::with_step_limit`] says otherwise. Each
/// evaluated node and each applied operator counts one step.
pub const DEFAULT_STEP_LIMIT: u32 = 10_000;

/// A compiled, type-checked formula. Variables are resolved to their slot in the [`Schema`]
/// it was compiled against; evaluate it with values in that same slot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    source: String,
    ty: Type,
    program: program::Program,
    step_limit: u32,
}

impl Formula {
    /// Parses and type-checks `source` against `schema`.
    pub fn compile(source: &str, schema: &Schema) -> Result<Formula, FormulaError> {
        let (program, ty) = compile_program(source, schema)?;
        Ok(Formula { source: source.to_owned(), ty, program, step_limit: DEFAULT_STEP_LIMIT })
    }

    /// Like [`Formula::compile`], and the formula must give a value of type `expected`.
    pub fn compile_as(source: &str, schema: &Schema, expected: Type) -> Result<Formula, FormulaError> {
        let formula = Formula::compile(source, schema)?;
        if formula.ty != expected {
            let at = formula.program.root_offset;
            let message = format!(
                "this formula gives {}, but {} is needed here",
                formula.ty.described(),
                expected.described()
            );
            return Err(FormulaError::at(source, at, message));
        }
        Ok(formula)
    }

    /// The same formula with another step limit per evaluation.
    #[must_use]
    pub fn with_step_limit(mut self, limit: u32) -> Formula {
        self.step_limit = limit;
        self
    }

    pub fn step_limit(&self) -> u32 {
        self.step_limit
    }

    /// The type of value the formula gives.
    pub fn ty(&self) -> Type {
        self.ty
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The names of the variables the formula reads, in schema order, each once.
    pub fn variables(&self) -> Vec<&str> {
        self.program.reads.iter().map(|(_, name)| name.as_str()).collect()
    }

    /// The slots of the variables the formula reads, in schema order, each once.
    pub fn slots(&self) -> Vec<usize> {
        self.program.reads.iter().map(|(slot, _)| *slot).collect()
    }

    pub fn eval(&self, vars: &dyn Vars) -> Result<Value, EvalError> {
        self.evaluator(vars).value(self.program.root)
    }

    /// Evaluates a number formula without allocating.
    pub fn eval_number(&self, vars: &dyn Vars) -> Result<Decimal, EvalError> {
        match self.program.root {
            program::Typed::Num(root) => self.evaluator(vars).number(root),
            _ => Err(EvalError::ResultType { expected: Type::Number, found: self.ty }),
        }
    }

    /// Evaluates a bool formula (a condition); allocates only to read text variables.
    pub fn eval_bool(&self, vars: &dyn Vars) -> Result<bool, EvalError> {
        match self.program.root {
            program::Typed::Bool(root) => self.evaluator(vars).boolean(root),
            _ => Err(EvalError::ResultType { expected: Type::Bool, found: self.ty }),
        }
    }

    fn evaluator<'a>(&'a self, vars: &'a dyn Vars) -> eval::Eval<'a> {
        eval::Eval::new(&self.program, vars, self.step_limit)
    }
}

fn compile_program(source: &str, schema: &Schema) -> Result<(program::Program, Type), FormulaError> {
    let length = source.chars().count();
    if length > MAX_SOURCE_CHARS {
        let message = format!("the formula is too long: {length} characters, at most {MAX_SOURCE_CHARS}");
        return Err(FormulaError::at(source, MAX_SOURCE_CHARS, message));
    }
    let tokens = lex::lex(source).map_err(|e| FormulaError::at(source, e.at, e.message))?;
    let tree = parse::parse(&tokens).map_err(|e| FormulaError::at(source, e.at, e.message))?;
    check::check(&tree, schema).map_err(|e| FormulaError::at(source, e.at, e.message))
}

/// An error found while compiling: where (`offset` in characters from the start; `line` and
/// `column` 1-based) and what, in words a comp admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct FormulaError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl FormulaError {
    fn at(source: &str, offset: usize, message: String) -> FormulaError {
        let (mut line, mut column) = (1, 1);
        for c in source.chars().take(offset) {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        FormulaError { offset, line, column, message }
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 1 {
            write!(f, "line {}, ", self.line)?;
        }
        write!(f, "column {}: {}", self.column, self.message)
    }
}

/// An error while evaluating a compiled formula against one set of values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    #[error("the formula took more than {limit} steps")]
    StepLimit { limit: u32 },
    #[error("division by zero")]
    DivisionByZero,
    #[error("a number became too large (decimal overflow)")]
    Overflow,
    #[error("clamp: the lower bound {lo} is above the upper bound {hi}")]
    ClampBounds { lo: Decimal, hi: Decimal },
    #[error("no value was given for variable `{name}` (slot {slot})")]
    MissingVariable { name: String, slot: usize },
    #[error("variable `{name}` should be {}, but the value given is {}",
        .expected.described(), .found.described())]
    VariableType { name: String, expected: Type, found: Type },
    #[error("the formula gives {}, but {} was asked for", .found.described(), .expected.described())]
    ResultType { expected: Type, found: Type },
}

/// A compile error before it knows its line and column.
#[derive(Debug)]
struct Located {
    at: usize,
    message: String,
}

impl Located {
    fn new(at: usize, message: impl Into<String>) -> Located {
        Located { at, message: message.into() }
    }
}
