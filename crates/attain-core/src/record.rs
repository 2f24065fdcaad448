//! The tabular shape of every domain type, declared once and shared by the CSV workspace
//! format, the database schema and imports: a [`RecordSpec`] names a kind's columns and their
//! types, and [`Record`] converts a value to and from a row of [`Value`]s in that order.
//!
//! Keeping one description means a column added to a type is added to the database, the CSV
//! files and the reference checks together, and can't drift between them.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::dating::parse_date;
use crate::error::DomainError;
use crate::money::parse_decimal;
use crate::{Currency, Date, Money, Period, Validity};

pub use crate::write_rules::NoOverlap;

/// One cell as it is stored: text, an integer (counts and money in minor units), or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The kinds of record Attain stores, in the order that satisfies their references (a kind
/// only refers to kinds before it, or to itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Company,
    People,
    Positions,
    Assignments,
    Territories,
    TerritoryOwners,
    Products,
    Accounts,
    Contacts,
    Opportunities,
    StageHistory,
    Activities,
    Transactions,
    FxRates,
    Quotas,
    PlanAssignments,
    CreditSplits,
    Adjustments,
    ObjectiveScores,
    RevenuePlans,
    // Declared last so the kinds' numbers (which digests hash) stay as they were; `ALL` lists
    // it where its references put it, before the quotas that name it.
    QuotaSheets,
    Objectives,
    TerritoryRules,
    AccountTerritories,
}

impl Kind {
    pub const ALL: [Kind; 24] = [
        Kind::Company,
        Kind::People,
        Kind::Positions,
        Kind::Assignments,
        Kind::Territories,
        Kind::TerritoryOwners,
        Kind::Products,
        Kind::Accounts,
        Kind::TerritoryRules,
        Kind::AccountTerritories,
        Kind::Contacts,
        Kind::Opportunities,
        Kind::StageHistory,
        Kind::Activities,
        Kind::Transactions,
        Kind::FxRates,
        Kind::QuotaSheets,
        Kind::Quotas,
        Kind::PlanAssignments,
        Kind::CreditSplits,
        Kind::Adjustments,
        Kind::ObjectiveScores,
        Kind::RevenuePlans,
        Kind::Objectives,
    ];

    /// The kind's name in the CLI, file names and tables (`territory_owners`).
    pub fn name(self) -> &'static str {
        self.spec().table
    }

    pub fn spec(self) -> &'static RecordSpec {
        use crate::domain::*;
        match self {
            Kind::Company => &Company::SPEC,
            Kind::People => &Person::SPEC,
            Kind::Positions => &Position::SPEC,
            Kind::Assignments => &Assignment::SPEC,
            Kind::Territories => &Territory::SPEC,
            Kind::TerritoryOwners => &TerritoryOwner::SPEC,
            Kind::Products => &Product::SPEC,
            Kind::Accounts => &Account::SPEC,
            Kind::Contacts => &Contact::SPEC,
            Kind::Opportunities => &Opportunity::SPEC,
            Kind::StageHistory => &StageChange::SPEC,
            Kind::Activities => &Activity::SPEC,
            Kind::Transactions => &Transaction::SPEC,
            Kind::FxRates => &crate::money::FxRate::SPEC,
            Kind::Quotas => &Quota::SPEC,
            Kind::PlanAssignments => &PlanAssignment::SPEC,
            Kind::CreditSplits => &CreditSplit::SPEC,
            Kind::Adjustments => &Adjustment::SPEC,
            Kind::ObjectiveScores => &ObjectiveScore::SPEC,
            Kind::RevenuePlans => &RevenuePlan::SPEC,
            Kind::QuotaSheets => &QuotaSheet::SPEC,
            Kind::Objectives => &Objective::SPEC,
            Kind::TerritoryRules => &TerritoryRule::SPEC,
            Kind::AccountTerritories => &AccountTerritory::SPEC,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Kind, DomainError> {
        let wanted = s.trim().replace('-', "_");
        Kind::ALL.into_iter().find(|k| k.name() == wanted).ok_or_else(|| DomainError::NotInList {
            value: s.to_string(),
            allowed: Kind::ALL.map(|k| k.name()).join(", "),
        })
    }
}

/// What a column holds. Only `Int` and `Money` are stored as integers; everything else is text
/// in a canonical form (ISO dates, RFC 3339 instants, plain decimals, snake_case choices,
/// period names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Date,
    Timestamp,
    Decimal,
    Int,
    Currency,
    /// A period's name: a month `2017-03`, a fiscal quarter `2017-Q1` or a fiscal year `FY2017`.
    Period,
    /// Money in minor units of the currency held in the named column of the same row.
    Money {
        currency_column: &'static str,
    },
    Choice(&'static [&'static str]),
    /// The id of a record of the given kind.
    Ref(Kind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub required: bool,
}

impl Column {
    pub const fn req(name: &'static str, ty: ColumnType) -> Column {
        Column { name, ty, required: true }
    }
    pub const fn opt(name: &'static str, ty: ColumnType) -> Column {
        Column { name, ty, required: false }
    }
    pub fn is_integer(&self) -> bool {
        matches!(self.ty, ColumnType::Int | ColumnType::Money { .. })
    }
}

/// The tabular description of one kind.
#[derive(Debug)]
pub struct RecordSpec {
    pub kind: Kind,
    /// Table name, CSV file stem and CLI name.
    pub table: &'static str,
    /// The columns that identify a record; a re-import with a known key updates that record.
    pub key: &'static [&'static str],
    pub columns: &'static [Column],
}

impl RecordSpec {
    pub fn index_of(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == column)
    }

    pub fn key_indexes(&self) -> Vec<usize> {
        self.key.iter().filter_map(|k| self.index_of(k)).collect()
    }

    pub fn file_name(&self) -> String {
        format!("{}.csv", self.table)
    }

    /// The longest text, in characters, column `i` accepts. Ids (key text columns and
    /// references) are short names from a source system; free text is a name, a note or a
    /// reason; every other type has a short canonical form. The limits keep one bad cell from
    /// filling memory, the database and every page that shows it.
    pub fn max_chars(&self, i: usize) -> usize {
        let column = &self.columns[i];
        match column.ty {
            ColumnType::Ref(_) => ID_MAX_CHARS,
            ColumnType::Text if self.key.contains(&column.name) => ID_MAX_CHARS,
            ColumnType::Text => TEXT_MAX_CHARS,
            _ => VALUE_MAX_CHARS,
        }
    }
}

/// The longest id (a key text column or a reference), in characters.
pub const ID_MAX_CHARS: usize = 200;
/// The longest free text (a name, a subject, a reason), in characters.
pub const TEXT_MAX_CHARS: usize = 2000;
/// The longest date, instant, number, currency, period or choice, in characters.
pub const VALUE_MAX_CHARS: usize = 64;

/// Checks the rules every cell of every kind obeys, whichever way it arrived (CSV, mapped CSV,
/// JSON, an edit over HTTP, a path id): no NUL character (PostgreSQL cannot store one and no
/// value needs one) and no more characters than the column takes.
pub fn check_cell(spec: &RecordSpec, i: usize, raw: &str) -> Result<(), FieldError> {
    let column = spec.columns[i].name;
    if raw.contains('\0') {
        return Err(FieldError::new(column, shown_value(raw), "must not contain NUL characters"));
    }
    let max = spec.max_chars(i);
    // Bytes bound characters from above, so most cells skip the count.
    if raw.len() > max && raw.chars().count() > max {
        return Err(FieldError::new(
            column,
            shown_value(raw),
            format!("is longer than {max} characters ({} characters)", raw.chars().count()),
        ));
    }
    Ok(())
}

/// A refused value as an error message may quote it: NULs made visible, and cut short.
fn shown_value(raw: &str) -> String {
    const SHOWN: usize = 60;
    let mut shown: String = raw.chars().take(SHOWN).collect::<String>().replace('\0', "\\0");
    if raw.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    shown
}

/// A problem with one field of one record; importers add the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub column: &'static str,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.reason)
    }
}

impl FieldError {
    pub fn new(column: &'static str, value: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError { column, value: value.into(), reason: reason.into() }
    }
}

/// A domain type that has a tabular form.
pub trait Record: Sized + Clone + fmt::Debug {
    const SPEC: RecordSpec;

    /// Cells in `SPEC.columns` order.
    fn to_values(&self) -> Vec<Value>;

    /// Builds the record from cells in `SPEC.columns` order, checking every domain rule.
    fn from_values(values: &[Value]) -> Result<Self, FieldError>;

    /// The key as one string (parts joined by a tab), used to spot duplicates and updates.
    fn key(&self) -> String {
        let values = self.to_values();
        key_of(&Self::SPEC, &values)
    }
}

/// The key of a row of cells, as [`Record::key`] would give it.
pub fn key_of(spec: &RecordSpec, values: &[Value]) -> String {
    let mut key = String::new();
    for (n, i) in spec.key_indexes().into_iter().enumerate() {
        if n > 0 {
            key.push('\t');
        }
        match &values[i] {
            Value::Text(s) => key.push_str(s),
            Value::Int(v) => key.push_str(&v.to_string()),
            Value::Null => {}
        }
    }
    key
}

/// A closed set of snake_case names, such as a transaction kind or a buying role.
pub trait Choice: Sized + Copy + 'static {
    const NAMES: &'static [&'static str];
    const ALL: &'static [Self];

    fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|c| c.same(self)).unwrap_or(0);
        Self::NAMES[i]
    }

    fn same(self, other: Self) -> bool;

    fn parse(text: &str) -> Result<Self, DomainError> {
        let wanted = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::NAMES.iter().position(|n| *n == wanted).map(|i| Self::ALL[i]).ok_or_else(|| {
            DomainError::NotInList { value: text.to_string(), allowed: Self::NAMES.join(", ") }
        })
    }
}

/// Declares a `Choice` enum whose variants are named in snake_case.
#[macro_export]
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $crate::record::Choice for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn same(self, other: Self) -> bool { self == other }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::record::Choice::name(*self))
            }
        }
    };
}

/// Reads typed fields out of a row of cells by column name.
#[derive(Debug)]
pub struct Reader<'a> {
    spec: &'a RecordSpec,
    values: &'a [Value],
}

impl<'a> Reader<'a> {
    pub fn new(spec: &'a RecordSpec, values: &'a [Value]) -> Result<Self, FieldError> {
        if values.len() != spec.columns.len() {
            return Err(FieldError::new(
                "",
                "",
                format!("expected {} cells, found {}", spec.columns.len(), values.len()),
            ));
        }
        Ok(Reader { spec, values })
    }

    fn column(&self, name: &'static str) -> (&'static str, &'a Value) {
        // Names are compile-time constants of the same type's spec; a miss is a programming
        // error caught by every round-trip test, so report it as a missing value, not a panic.
        match self.spec.index_of(name) {
            Some(i) => (self.spec.columns[i].name, &self.values[i]),
            None => (name, &Value::Null),
        }
    }

    pub fn opt_text(&self, name: &'static str) -> Result<Option<String>, FieldError> {
        let (col, v) = self.column(name);
        match v {
            Value::Null => Ok(None),
            Value::Text(s) if s.trim().is_empty() => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Int(i) => Err(FieldError::new(col, i.to_string(), "expected text")),
        }
    }

    pub fn int(&self, name: &'static str) -> Result<i64, FieldError> {
        self.opt_int(name)?.ok_or_else(|| FieldError::new(name, "", "a value is required"))
    }

    pub fn text(&self, name: &'static str) -> Result<String, FieldError> {
        self.opt_text(name)?.ok_or_else(|| FieldError::new(name, "", "a value is required"))
    }

    fn parsed<T>(
        &self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Result<Option<T>, FieldError> {
        match self.opt_text(name)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).map_err(|e| FieldError::new(name, s.clone(), e.to_string())),
        }
    }

    fn required<T>(name: &'static str, v: Option<T>) -> Result<T, FieldError> {
        v.ok_or_else(|| FieldError::new(name, "", "a value is required"))
    }

    pub fn opt_date(&self, name: &'static str) -> Result<Option<Date>, FieldError> {
        self.parsed(name, parse_date)
    }

    pub fn date(&self, name: &'static str) -> Result<Date, FieldError> {
        Self::required(name, self.opt_date(name)?)
    }

    pub fn timestamp(&self, name: &'static str) -> Result<jiff::Timestamp, FieldError> {
        let v = self.parsed(name, |s| {
            s.parse::<jiff::Timestamp>().map_err(|_| {
                DomainError::Invalid(format!(
                    "'{s}' is not an instant (expected RFC 3339, e.g. 2017-03-01T14:30:00Z)"
                ))
            })
        })?;
        Self::required(name, v)
    }

    pub fn opt_decimal(&self, name: &'static str) -> Result<Option<Decimal>, FieldError> {
        self.parsed(name, parse_decimal)
    }

    pub fn decimal(&self, name: &'static str) -> Result<Decimal, FieldError> {
        Self::required(name, self.opt_decimal(name)?)
    }

    pub fn opt_int(&self, name: &'static str) -> Result<Option<i64>, FieldError> {
        let (col, v) = self.column(name);
        match v {
            Value::Null => Ok(None),
            Value::Int(i) => Ok(Some(*i)),
            Value::Text(s) if s.trim().is_empty() => Ok(None),
            Value::Text(s) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| FieldError::new(col, s.clone(), format!("'{s}' is not a whole number"))),
        }
    }

    pub fn currency(&self, name: &'static str) -> Result<Currency, FieldError> {
        Self::required(name, self.parsed(name, Currency::parse)?)
    }

    pub fn opt_currency(&self, name: &'static str) -> Result<Option<Currency>, FieldError> {
        self.parsed(name, Currency::parse)
    }

    pub fn opt_money(&self, name: &'static str, currency: Currency) -> Result<Option<Money>, FieldError> {
        Ok(self.opt_int(name)?.map(|minor| Money::from_minor(minor, currency)))
    }

    pub fn money(&self, name: &'static str, currency: Currency) -> Result<Money, FieldError> {
        Self::required(name, self.opt_money(name, currency)?)
    }

    pub fn opt_choice<C: Choice>(&self, name: &'static str) -> Result<Option<C>, FieldError> {
        self.parsed(name, C::parse)
    }

    pub fn choice<C: Choice>(&self, name: &'static str) -> Result<C, FieldError> {
        Self::required(name, self.opt_choice(name)?)
    }

    pub fn opt_period(&self, name: &'static str) -> Result<Option<Period>, FieldError> {
        self.parsed(name, Period::parse)
    }

    pub fn period(&self, name: &'static str) -> Result<Period, FieldError> {
        Self::required(name, self.opt_period(name)?)
    }

    /// A `[from, to)` pair of date columns.
    pub fn validity(&self, from: &'static str, to: &'static str) -> Result<Validity, FieldError> {
        let start = self.date(from)?;
        let end = self.opt_date(to)?;
        Validity::new(start, end)
            .map_err(|e| FieldError::new(to, end.map(|d| d.to_string()).unwrap_or_default(), e.to_string()))
    }
}

/// Builders for cells, so `to_values` reads as a list.
pub fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}
pub fn opt_text(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, text)
}
pub fn shown<T: fmt::Display>(v: T) -> Value {
    Value::Text(v.to_string())
}
pub fn opt_shown<T: fmt::Display>(v: Option<T>) -> Value {
    v.map_or(Value::Null, shown)
}
pub fn money(m: Money) -> Value {
    Value::Int(m.minor())
}
pub fn opt_money(m: Option<Money>) -> Value {
    m.map_or(Value::Null, money)
}
pub fn int(i: i64) -> Value {
    Value::Int(i)
}
pub fn opt_int(i: Option<i64>) -> Value {
    i.map_or(Value::Null, Value::Int)
}

/// Turns one row of text (as in a CSV file, `None` or blank for an empty cell) into stored
/// cells: integers parsed, money parsed exactly in the row's currency and scaled to minor units,
/// everything else trimmed text that `Record::from_values` checks next.
pub fn cells_from_text(spec: &RecordSpec, texts: &[Option<String>]) -> Result<Vec<Value>, FieldError> {
    cells_from(spec, |i| texts.get(i).and_then(|t| t.as_deref()))
}

/// Like [`cells_from_text`], reading column `i`'s text through `cell`, so callers holding text
/// in another shape (a parsed CSV record) need not copy it first.
pub fn cells_from<'a>(
    spec: &RecordSpec,
    cell: impl Fn(usize) -> Option<&'a str>,
) -> Result<Vec<Value>, FieldError> {
    let text_of = |i: usize| cell(i).map(str::trim).filter(|t| !t.is_empty());
    let mut values = Vec::with_capacity(spec.columns.len());
    for (i, column) in spec.columns.iter().enumerate() {
        let Some(raw) = text_of(i) else {
            values.push(Value::Null);
            continue;
        };
        check_cell(spec, i, raw)?;
        let value = match column.ty {
            ColumnType::Int => raw
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| FieldError::new(column.name, raw, format!("'{raw}' is not a whole number")))?,
            ColumnType::Money { currency_column } => {
                let currency_text = spec.index_of(currency_column).and_then(text_of).ok_or_else(|| {
                    FieldError::new(
                        currency_column,
                        "",
                        format!("a currency is required for {}", column.name),
                    )
                })?;
                let currency = Currency::parse(currency_text)
                    .map_err(|e| FieldError::new(currency_column, currency_text, e.to_string()))?;
                let money = Money::parse(raw, currency)
                    .map_err(|e| FieldError::new(column.name, raw, e.to_string()))?;
                Value::Int(money.minor())
            }
            _ => Value::Text(raw.to_string()),
        };
        values.push(value);
    }
    Ok(values)
}

/// The text form of stored cells, as written to CSV: money shows every minor digit.
pub fn cells_to_text(spec: &RecordSpec, values: &[Value]) -> Vec<String> {
    (0..spec.columns.len().min(values.len())).map(|i| cell_to_text(spec, values, i)).collect()
}

/// The text form of cell `i` of a row, as [`cells_to_text`] gives it.
pub fn cell_to_text(spec: &RecordSpec, values: &[Value], i: usize) -> String {
    match (&values[i], spec.columns[i].ty) {
        (Value::Null, _) => String::new(),
        (Value::Text(s), _) => s.clone(),
        (Value::Int(minor), ColumnType::Money { currency_column }) => {
            let currency = spec
                .index_of(currency_column)
                .and_then(|c| values[c].as_text())
                .and_then(|c| Currency::parse(c).ok());
            match currency {
                Some(c) => Decimal::new(*minor, c.minor_units()).to_string(),
                None => minor.to_string(),
            }
        }
        (Value::Int(n), _) => n.to_string(),
    }
}

impl Kind {
    /// Checks a row against the kind's domain rules and returns it in canonical form (choices
    /// in snake_case, decimals normalised, currencies upper-case), so equal data is stored
    /// identically whichever file format it came from.
    pub fn canonical(self, values: &[Value]) -> Result<Vec<Value>, FieldError> {
        use crate::domain::*;
        fn via<R: Record>(values: &[Value]) -> Result<Vec<Value>, FieldError> {
            R::from_values(values).map(|r| r.to_values())
        }
        match self {
            Kind::Company => via::<Company>(values),
            Kind::People => via::<Person>(values),
            Kind::Positions => via::<Position>(values),
            Kind::Assignments => via::<Assignment>(values),
            Kind::Territories => via::<Territory>(values),
            Kind::TerritoryOwners => via::<TerritoryOwner>(values),
            Kind::Products => via::<Product>(values),
            Kind::Accounts => via::<Account>(values),
            Kind::Contacts => via::<Contact>(values),
            Kind::Opportunities => via::<Opportunity>(values),
            Kind::StageHistory => via::<StageChange>(values),
            Kind::Activities => via::<Activity>(values),
            Kind::Transactions => via::<Transaction>(values),
            Kind::FxRates => via::<crate::money::FxRate>(values),
            Kind::Quotas => via::<Quota>(values),
            Kind::PlanAssignments => via::<PlanAssignment>(values),
            Kind::CreditSplits => via::<CreditSplit>(values),
            Kind::Adjustments => via::<Adjustment>(values),
            Kind::ObjectiveScores => via::<ObjectiveScore>(values),
            Kind::RevenuePlans => via::<RevenuePlan>(values),
            Kind::QuotaSheets => via::<QuotaSheet>(values),
            Kind::Objectives => via::<Objective>(values),
            Kind::TerritoryRules => via::<TerritoryRule>(values),
            Kind::AccountTerritories => via::<AccountTerritory>(values),
        }
    }
}

/// A Markdown reference of every kind's columns, as published in docs/workspace.md (a test
/// keeps the two equal, so the documentation cannot drift from the code).
pub fn columns_reference() -> String {
    let mut out = String::new();
    for kind in Kind::ALL {
        let spec = kind.spec();
        out.push_str(&format!("### `{}` (key: {})\n\n", spec.file_name(), spec.key.join(" + ")));
        out.push_str("| column | type | required | at most (characters) |\n|---|---|---|---|\n");
        for (i, c) in spec.columns.iter().enumerate() {
            let ty = match c.ty {
                ColumnType::Text => "text".to_string(),
                ColumnType::Date => "date `YYYY-MM-DD`".to_string(),
                ColumnType::Timestamp => "instant, RFC 3339 (`2017-03-01T14:30:00Z`)".to_string(),
                ColumnType::Decimal => "decimal".to_string(),
                ColumnType::Int => "whole number".to_string(),
                ColumnType::Currency => "ISO 4217 code".to_string(),
                ColumnType::Period => "period `2017-03`, `2017-Q1` or `FY2017`".to_string(),
                ColumnType::Money { currency_column } => format!("money in `{currency_column}`"),
                ColumnType::Choice(names) => format!(
                    "one of {}",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
                ColumnType::Ref(target) => format!("id of a `{}` row", target.name()),
            };
            let required = if c.required { "yes" } else { "" };
            out.push_str(&format!("| `{}` | {} | {} | {} |\n", c.name, ty, required, spec.max_chars(i)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cells: &[&str]) -> Vec<Option<String>> {
        cells.iter().map(|c| Some(c.to_string())).collect()
    }

    #[test]
    fn money_text_is_scaled_by_the_rows_currency() {
        let spec = Kind::Transactions.spec();
        let row = texts(&["t1", "2017-03-01", "Booking", "", "", "2.0", "usd", "10.5", "", "", "", ""]);
        let values = cells_from_text(spec, &row).unwrap();
        assert_eq!(values[7], Value::Int(1050));
        let canonical = Kind::Transactions.canonical(&values).unwrap();
        assert_eq!(canonical[2], Value::Text("booking".into()));
        assert_eq!(canonical[5], Value::Text("2".into()));
        assert_eq!(canonical[6], Value::Text("USD".into()));
        assert_eq!(cells_to_text(spec, &canonical)[7], "10.50");
    }

    #[test]
    fn bad_cells_name_their_column_and_value() {
        let spec = Kind::Transactions.spec();
        let row = texts(&["t1", "2017-03-01", "booking", "", "", "", "USD", "abc", "", "", "", ""]);
        let err = cells_from_text(spec, &row).unwrap_err();
        assert_eq!((err.column, err.value.as_str()), ("amount", "abc"));
        assert_eq!(err.reason, "'abc' is not a number");
        let row = texts(&["t1", "2017-02-30", "booking", "", "", "", "USD", "1", "", "", "", ""]);
        let err = Kind::Transactions.canonical(&cells_from_text(spec, &row).unwrap()).unwrap_err();
        assert_eq!((err.column, err.value.as_str()), ("date", "2017-02-30"));
        let row = texts(&["t1", "2017-02-03", "booking", "", "", "", "ZZZ", "1", "", "", "", ""]);
        assert_eq!(cells_from_text(spec, &row).unwrap_err().column, "currency");
    }

    #[test]
    fn returns_must_be_negative_and_linked() {
        let spec = Kind::Transactions.spec();
        let positive = texts(&["t2", "2017-03-01", "return", "", "", "", "USD", "5", "", "", "t1", ""]);
        let err = Kind::Transactions.canonical(&cells_from_text(spec, &positive).unwrap()).unwrap_err();
        assert_eq!(err.column, "amount");
        let unlinked = texts(&["t2", "2017-03-01", "return", "", "", "", "USD", "-5", "", "", "", ""]);
        let err = Kind::Transactions.canonical(&cells_from_text(spec, &unlinked).unwrap()).unwrap_err();
        assert_eq!(err.column, "original_id");
    }

    #[test]
    fn no_cell_of_any_kind_holds_a_nul() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            for (i, column) in spec.columns.iter().enumerate() {
                let mut row = vec![None; spec.columns.len()];
                row[i] = Some("a\0b".to_string());
                let err = cells_from_text(spec, &row).unwrap_err();
                assert_eq!((err.column, err.value.as_str()), (column.name, "a\\0b"), "{kind}");
                assert_eq!(err.reason, "must not contain NUL characters");
            }
        }
    }

    #[test]
    fn every_column_has_a_length_limit() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            for (i, column) in spec.columns.iter().enumerate() {
                let max = spec.max_chars(i);
                let mut row = vec![None; spec.columns.len()];
                // Multi-byte characters: the limit counts characters, not bytes.
                row[i] = Some("é".repeat(max + 1));
                let err = cells_from_text(spec, &row).unwrap_err();
                assert_eq!(err.column, column.name, "{kind}");
                assert_eq!(err.reason, format!("is longer than {max} characters ({} characters)", max + 1));
                if matches!(column.ty, ColumnType::Text | ColumnType::Ref(_)) {
                    row[i] = Some("é".repeat(max));
                    assert!(cells_from_text(spec, &row).is_ok(), "{kind}.{}", column.name);
                }
            }
        }
        let accounts = Kind::Accounts.spec();
        assert_eq!(accounts.max_chars(accounts.index_of("id").unwrap()), ID_MAX_CHARS);
        assert_eq!(accounts.max_chars(accounts.index_of("name").unwrap()), TEXT_MAX_CHARS);
    }

    #[test]
    fn a_negative_quantity_cannot_earn_a_positive_amount() {
        let spec = Kind::Transactions.spec();
        let row = texts(&["t1", "2017-03-01", "booking", "", "", "-2", "USD", "10", "", "", "", ""]);
        let err = Kind::Transactions.canonical(&cells_from_text(spec, &row).unwrap()).unwrap_err();
        assert_eq!((err.column, err.value.as_str()), ("quantity", "-2"));
        let returned = texts(&["t2", "2017-03-01", "return", "", "", "-2", "USD", "-10", "", "", "t1", ""]);
        assert!(Kind::Transactions.canonical(&cells_from_text(spec, &returned).unwrap()).is_ok());
        let free = texts(&["t3", "2017-03-01", "booking", "", "", "-1", "USD", "0", "", "", "", ""]);
        assert!(Kind::Transactions.canonical(&cells_from_text(spec, &free).unwrap()).is_ok());
    }

    #[test]
    fn kinds_parse_by_name() {
        assert_eq!("territory-owners".parse::<Kind>().unwrap(), Kind::TerritoryOwners);
        assert!("widgets".parse::<Kind>().is_err());
        for kind in Kind::ALL {
            assert_eq!(kind.spec().kind, kind);
            assert!(kind.spec().key_indexes().len() == kind.spec().key.len());
        }
    }
}
