//! The values formulas compute with, their types, the schema of variables a formula may read,
//! and the `Vars` trait through which the caller supplies their values by slot.

use std::fmt;

use rust_decimal::Decimal;

/// The type of a formula value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Number,
    Bool,
    Text,
}

impl Type {
    /// The type with an article, as it reads in messages: "a number", "a bool (a condition)".
    pub fn described(self) -> &'static str {
        match self {
            Type::Number => "a number",
            Type::Bool => "a bool (a condition)",
            Type::Text => "text",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Text => "text",
        })
    }
}

/// A formula value. Numbers and bools are plain data; only text owns memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Number(Decimal),
    Bool(bool),
    Text(String),
}

impl Value {
    pub fn ty(&self) -> Type {
        match self {
            Value::Number(_) => Type::Number,
            Value::Bool(_) => Type::Bool,
            Value::Text(_) => Type::Text,
        }
    }
}

/// Written as the formula literal would be (text in double quotes), so traces are unambiguous.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(number) => write!(f, "{number}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(text) => {
                f.write_str("\"")?;
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")
            }
        }
    }
}

impl From<Decimal> for Value {
    fn from(number: Decimal) -> Value {
        Value::Number(number)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(text)
    }
}

/// The variables a formula may read, with their types. A variable's slot is its position
/// here: the caller supplies values in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    vars: Vec<(String, Type)>,
}

impl Schema {
    pub fn new() -> Schema {
        Schema::default()
    }

    /// Adds a variable in the next slot.
    ///
    /// # Panics
    ///
    /// If `name` is not a valid variable name (`[a-z_][a-z0-9_]*`, parts joined by `.`) or is
    /// already in the schema: schemas are written by the engine, so either is a bug there.
    #[must_use]
    pub fn with(mut self, name: &str, ty: Type) -> Schema {
        assert!(is_valid_name(name), "formula schema: `{name}` is not a valid variable name");
        assert!(self.get(name).is_none(), "formula schema: `{name}` is declared twice");
        self.vars.push((name.to_owned(), ty));
        self
    }

    pub fn get(&self, name: &str) -> Option<Type> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, ty)| *ty)
    }

    /// The slot of `name`: the index its value has in the caller's `Vars`.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|(n, _)| n == name)
    }

    /// The variable names in slot order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.vars.iter().map(|(name, _)| name.as_str())
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    pub(crate) fn entry(&self, slot: usize) -> (&str, Type) {
        let (name, ty) = &self.vars[slot];
        (name, *ty)
    }
}

/// Whether `name` is a variable name the lexer reads as one identifier.
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Supplies variable values by slot (the variable's index in the [`Schema`]).
pub trait Vars {
    /// The value in `slot`. May panic if there is none; evaluation calls [`Vars::try_get`].
    fn get(&self, slot: usize) -> Value;

    /// The value in `slot`, or `None` if there is none (evaluation then fails with
    /// `EvalError::MissingVariable` rather than panicking). Defaults to `Some(self.get(slot))`.
    fn try_get(&self, slot: usize) -> Option<Value> {
        Some(self.get(slot))
    }
}

impl Vars for [Value] {
    fn get(&self, slot: usize) -> Value {
        self[slot].clone()
    }

    fn try_get(&self, slot: usize) -> Option<Value> {
        <[Value]>::get(self, slot).cloned()
    }
}

impl Vars for Vec<Value> {
    fn get(&self, slot: usize) -> Value {
        self[slot].clone()
    }

    fn try_get(&self, slot: usize) -> Option<Value> {
        self.as_slice().try_get(slot)
    }
}

impl<const N: usize> Vars for [Value; N] {
    fn get(&self, slot: usize) -> Value {
        self[slot].clone()
    }

    fn try_get(&self, slot: usize) -> Option<Value> {
        self.as_slice().try_get(slot)
    }
}

/// So a slice (`&values[..]`) can be passed where `&dyn Vars` is expected.
impl<T: Vars + ?Sized> Vars for &T {
    fn get(&self, slot: usize) -> Value {
        (**self).get(slot)
    }

    fn try_get(&self, slot: usize) -> Option<Value> {
        (**self).try_get(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_lexer_rules() {
        for good in ["amount", "_x", "a1", "account.industry", "a.b_c.d2"] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in ["", "Amount", "1a", "a.", ".a", "a..b", "a-b", "a.1b", "é"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn slots_are_schema_positions() {
        let schema = Schema::new().with("a", Type::Number).with("b", Type::Text);
        assert_eq!(schema.slot("b"), Some(1));
        assert_eq!(schema.get("b"), Some(Type::Text));
        assert_eq!(schema.get("c"), None);
        assert_eq!(schema.names().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    #[should_panic(expected = "declared twice")]
    fn duplicate_names_are_a_bug() {
        let _ = Schema::new().with("a", Type::Number).with("a", Type::Bool);
    }

    #[test]
    fn text_displays_as_a_literal() {
        assert_eq!(Value::from("say \"hi\" \\").to_string(), r#""say \"hi\" \\""#);
        assert_eq!(Value::from(Decimal::new(1250, 2)).to_string(), "12.50");
    }

    #[test]
    fn missing_slots_are_none_not_a_panic() {
        let values = vec![Value::Bool(true)];
        assert_eq!(values.try_get(1), None);
        let slice: &[Value] = &values;
        assert_eq!(Vars::try_get(&slice, 0), Some(Value::Bool(true)));
    }
}
