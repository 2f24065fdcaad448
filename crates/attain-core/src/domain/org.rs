//! People, positions and who holds which position when. Positions are versioned: each row is
//! the position as it was over `[valid_from, valid_to)`, so a reorg that moves a team under a
//! new manager is a new version, and history keeps the old reporting line.

use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_shown, opt_text,
    shown, text,
};
use crate::{Currency, Date, Kind, Validity, choice};

choice! {
    /// What a position does, which later decides its plans and what its holder may see.
    Role {
        Executive => "executive",
        Manager => "manager",
        Rep => "rep",
        SalesEngineer => "sales_engineer",
        Other => "other",
    }
}

/// Somebody who works, or worked, for the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub hire_date: Date,
    pub termination_date: Option<Date>,
    /// The currency the person is paid in; the company's base currency when absent.
    pub pay_currency: Option<Currency>,
}

impl Person {
    /// The days the person is employed: `[hire_date, termination_date)`.
    pub fn employment(&self) -> Validity {
        Validity { from: self.hire_date, to: self.termination_date }
    }
}

impl Record for Person {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::People,
        table: "people",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::opt("email", T::Text),
            Column::req("hire_date", T::Date),
            Column::opt("termination_date", T::Date),
            Column::opt("pay_currency", T::Currency),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.name),
            opt_text(&self.email),
            shown(self.hire_date),
            opt_shown(self.termination_date),
            opt_shown(self.pay_currency),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let employment = r.validity("hire_date", "termination_date")?;
        Ok(Person {
            id: r.text("id")?,
            name: r.text("name")?,
            email: r.opt_text("email")?,
            hire_date: employment.from,
            termination_date: employment.to,
            pay_currency: r.opt_currency("pay_currency")?,
        })
    }
}

/// A seat in the sales organisation as it was over `validity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub id: String,
    pub validity: Validity,
    pub title: String,
    pub role: Role,
    pub team: Option<String>,
    pub region: Option<String>,
    pub reports_to: Option<String>,
}

impl Record for Position {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Positions,
        table: "positions",
        key: &["id", "valid_from"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
            Column::req("title", T::Text),
            Column::req("role", T::Choice(Role::NAMES)),
            Column::opt("team", T::Text),
            Column::opt("region", T::Text),
            Column::opt("reports_to", T::Ref(Kind::Positions)),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
            text(&self.title),
            shown(self.role),
            opt_text(&self.team),
            opt_text(&self.region),
            opt_text(&self.reports_to),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let id = r.text("id")?;
        let reports_to = r.opt_text("reports_to")?;
        if reports_to.as_deref() == Some(id.as_str()) {
            return Err(FieldError::new("reports_to", id, "a position cannot report to itself"));
        }
        Ok(Position {
            id,
            validity: r.validity("valid_from", "valid_to")?,
            title: r.text("title")?,
            role: r.choice("role")?,
            team: r.opt_text("team")?,
            region: r.opt_text("region")?,
            reports_to,
        })
    }
}

/// A person holding a position over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub person_id: String,
    pub position_id: String,
    pub validity: Validity,
}

impl Record for Assignment {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Assignments,
        table: "assignments",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("person_id", T::Ref(Kind::People)),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.person_id),
            text(&self.position_id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(Assignment {
            id: r.text("id")?,
            person_id: r.text("person_id")?,
            position_id: r.text("position_id")?,
            validity: r.validity("valid_from", "valid_to")?,
        })
    }
}
