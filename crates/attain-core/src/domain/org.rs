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

/// The position a person holds on `day`, if any (first match when a person holds several).
pub fn position_of<'a>(assignments: &'a [Assignment], person_id: &str, day: crate::Date) -> Option<&'a str> {
    assignments
        .iter()
        .find(|a| a.person_id == person_id && a.validity.contains(day))
        .map(|a| a.position_id.as_str())
}

/// Who holds `position_id` on `day`, if anyone (first match when a position is shared).
pub fn holder_of<'a>(assignments: &'a [Assignment], position_id: &str, day: crate::Date) -> Option<&'a str> {
    assignments
        .iter()
        .find(|a| a.position_id == position_id && a.validity.contains(day))
        .map(|a| a.person_id.as_str())
}

/// The version of a position in force on `day`.
pub fn position_on<'a>(
    positions: &'a [Position],
    position_id: &str,
    day: crate::Date,
) -> Option<&'a Position> {
    positions.iter().find(|p| p.id == position_id && p.validity.contains(day))
}

/// How many days of `period` each of a person's assignments covers, in order: the basis of
/// crediting each side of a mid-period move and of prorating a plan.
pub fn days_in_period<'a>(
    assignments: &'a [Assignment],
    person_id: &str,
    period: &Validity,
) -> Vec<(&'a str, i32)> {
    assignments
        .iter()
        .filter(|a| a.person_id == person_id)
        .filter_map(|a| {
            a.validity.intersect(period).and_then(|v| v.days()).map(|d| (a.position_id.as_str(), d))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FiscalCalendar, Period};
    use jiff::civil::date;

    fn assignment(id: &str, position: &str, from: crate::Date, to: Option<crate::Date>) -> Assignment {
        Assignment {
            id: id.into(),
            person_id: "ann".into(),
            position_id: position.into(),
            validity: Validity::new(from, to).unwrap(),
        }
    }

    #[test]
    fn a_move_on_the_last_day_of_a_quarter_belongs_to_both_sides_on_the_right_days() {
        let last_day = date(2017, 3, 31);
        let moves = [
            assignment("a1", "east-rep", date(2016, 1, 1), Some(last_day)),
            assignment("a2", "west-rep", last_day, None),
        ];
        assert_eq!(position_of(&moves, "ann", date(2017, 3, 30)), Some("east-rep"));
        assert_eq!(position_of(&moves, "ann", last_day), Some("west-rep"));
        assert_eq!(position_of(&moves, "ann", date(2017, 4, 1)), Some("west-rep"));
        assert_eq!(position_of(&moves, "ann", date(2015, 12, 31)), None);
        let q1 = FiscalCalendar::default().bounds(Period::parse("2017-Q1").unwrap());
        assert_eq!(days_in_period(&moves, "ann", &q1), vec![("east-rep", 89), ("west-rep", 1)]);
        let q2 = FiscalCalendar::default().bounds(Period::parse("2017-Q2").unwrap());
        assert_eq!(days_in_period(&moves, "ann", &q2), vec![("west-rep", 91)]);
    }

    #[test]
    fn position_versions_answer_for_their_own_days() {
        let v1 = Position {
            id: "rep".into(),
            validity: Validity::new(date(2016, 1, 1), Some(date(2017, 7, 1))).unwrap(),
            title: "AE".into(),
            role: Role::Rep,
            team: None,
            region: None,
            reports_to: Some("east-mgr".into()),
        };
        let v2 = Position {
            validity: Validity::open_from(date(2017, 7, 1)),
            reports_to: Some("west-mgr".into()),
            ..v1.clone()
        };
        let versions = [v1, v2];
        assert_eq!(
            position_on(&versions, "rep", date(2017, 6, 30)).unwrap().reports_to.as_deref(),
            Some("east-mgr")
        );
        assert_eq!(
            position_on(&versions, "rep", date(2017, 7, 1)).unwrap().reports_to.as_deref(),
            Some("west-mgr")
        );
        assert!(position_on(&versions, "rep", date(2015, 1, 1)).is_none());
    }
}
