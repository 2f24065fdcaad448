//! Individual objectives: what one seat is asked to reach per week, month, quarter or year
//! beside its quota — a bookings figure for the quarter, 20 prospecting calls a week, 8 new
//! opportunities a month. Objectives are effective-dated `[valid_from, valid_to)`: a new
//! objective for the same seat and measure ends the one before it, and the history stays.
//!
//! They are management targets, not pay: the compensation engine reads quotas only. The
//! revenue, margin and bookings a seat carries for pay are its quota lines (allocated on
//! quota sheets or imported); an objective on those measures is a personal target for a period.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_shown, opt_text,
    shown, text,
};
use crate::{Currency, Kind, choice};

choice! {
    /// What an objective counts. Money measures carry a currency; the others are counts of
    /// records owned by the seat's holder: activities by kind (`calls` are activities of kind
    /// `call`), any activity, or opportunities created.
    ObjectiveMeasure {
        Revenue => "revenue",
        Margin => "margin",
        Bookings => "bookings",
        Activities => "activities",
        Calls => "calls",
        Emails => "emails",
        Meetings => "meetings",
        Demos => "demos",
        Prospecting => "prospecting",
        Qualification => "qualification",
        NewOpportunities => "new_opportunities",
    }
}

impl ObjectiveMeasure {
    /// Whether the target is money (in the objective's currency) rather than a count.
    pub fn is_money(self) -> bool {
        matches!(self, ObjectiveMeasure::Revenue | ObjectiveMeasure::Margin | ObjectiveMeasure::Bookings)
    }

    /// How a person reads the measure in a sentence: "20 prospecting activities a week".
    pub fn label(self) -> &'static str {
        match self {
            ObjectiveMeasure::Revenue => "revenue",
            ObjectiveMeasure::Margin => "margin",
            ObjectiveMeasure::Bookings => "bookings",
            ObjectiveMeasure::Activities => "activities (any kind)",
            ObjectiveMeasure::Calls => "calls",
            ObjectiveMeasure::Emails => "emails",
            ObjectiveMeasure::Meetings => "meetings",
            ObjectiveMeasure::Demos => "demos",
            ObjectiveMeasure::Prospecting => "prospecting activities",
            ObjectiveMeasure::Qualification => "qualification activities",
            ObjectiveMeasure::NewOpportunities => "new opportunities",
        }
    }
}

choice! {
    /// The stretch of time the target is for, repeated while the objective is in force.
    Cadence {
        Week => "week",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
    }
}

/// One seat's objective on one measure, in force over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    /// The seat it is set for: whoever holds the seat carries it.
    pub position_id: String,
    pub measure: ObjectiveMeasure,
    pub cadence: Cadence,
    /// Money in `currency` for money measures, else a whole count.
    #[serde(with = "rust_decimal::serde::str")]
    pub target: Decimal,
    pub currency: Option<Currency>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// Why, or how it is meant (e.g. "first calls to the named accounts").
    pub note: Option<String>,
    /// Who set it last (a login), when it was set in Attain rather than imported.
    pub set_by: Option<String>,
}

impl Objective {
    /// The id an objective set in Attain gets: one per seat, measure and first day, so setting
    /// it again from the same day changes it rather than adding a second.
    pub fn id_for(position: &str, measure: ObjectiveMeasure, valid_from: Date) -> String {
        format!("ob-{position}-{}-{valid_from}", measure.name())
    }

    /// Whether it is in force on `day`.
    pub fn holds_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day < to)
    }

    /// "20 calls a week", "150000.00 USD of bookings a quarter": the objective as a sentence.
    pub fn sentence(&self) -> String {
        let amount = match self.currency {
            Some(c) => format!("{} {c}", c.fixed(self.target)),
            None => self.target.normalize().to_string(),
        };
        let of = if self.measure.is_money() { " of" } else { "" };
        format!("{amount}{of} {} a {}", self.measure.label(), self.cadence.name())
    }
}

impl Record for Objective {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Objectives,
        table: "objectives",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("measure", T::Choice(ObjectiveMeasure::NAMES)),
            Column::req("cadence", T::Choice(Cadence::NAMES)),
            Column::req("target", T::Decimal),
            Column::opt("currency", T::Currency),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
            Column::opt("note", T::Text),
            Column::opt("set_by", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.position_id),
            shown(self.measure),
            shown(self.cadence),
            shown(self.target),
            opt_shown(self.currency),
            shown(self.valid_from),
            opt_shown(self.valid_to),
            opt_text(&self.note),
            opt_text(&self.set_by),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let measure: ObjectiveMeasure = r.choice("measure")?;
        let target = r.decimal("target")?.normalize();
        let currency = r.opt_currency("currency")?;
        let shown_target = target.to_string();
        if target <= Decimal::ZERO {
            return Err(FieldError::new("target", shown_target, "a target is more than zero"));
        }
        match (measure.is_money(), currency) {
            (true, None) => {
                return Err(FieldError::new(
                    "currency",
                    "",
                    format!("a {} objective is money: name its currency", measure.name()),
                ));
            }
            (true, Some(c)) if target.scale() > c.minor_units() => {
                return Err(FieldError::new(
                    "target",
                    shown_target,
                    format!("{c} has {} decimal places", c.minor_units()),
                ));
            }
            (false, Some(c)) => {
                return Err(FieldError::new(
                    "currency",
                    c.to_string(),
                    format!("a {} objective is a count: leave the currency empty", measure.name()),
                ));
            }
            (false, None) if target.scale() > 0 => {
                return Err(FieldError::new(
                    "target",
                    shown_target,
                    format!("a {} objective is a whole count", measure.name()),
                ));
            }
            _ => {}
        }
        let valid_from = r.date("valid_from")?;
        let valid_to = r.opt_date("valid_to")?;
        if let Some(to) = valid_to
            && to <= valid_from
        {
            return Err(FieldError::new(
                "valid_to",
                to.to_string(),
                format!(
                    "the objective ends after it starts ({valid_from}); valid_to is the first day it no longer holds"
                ),
            ));
        }
        Ok(Objective {
            id: r.text("id")?,
            position_id: r.text("position_id")?,
            measure,
            cadence: r.choice("cadence")?,
            target,
            currency,
            valid_from,
            valid_to,
            note: r.opt_text("note")?.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
            set_by: r.opt_text("set_by")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(measure: &str, target: &str, currency: &str, to: &str) -> Vec<Value> {
        let cell = |s: &str| if s.is_empty() { Value::Null } else { text(s) };
        vec![
            text("o1"),
            text("p-rep-1"),
            text(measure),
            text("week"),
            text(target),
            cell(currency),
            text("2018-01-01"),
            cell(to),
            Value::Null,
            Value::Null,
        ]
    }

    #[test]
    fn a_count_objective_reads_as_a_sentence() {
        let o = Objective::from_values(&row("prospecting", "20", "", "")).unwrap();
        assert_eq!(o.sentence(), "20 prospecting activities a week");
        assert!(o.holds_on(jiff::civil::date(2018, 1, 1)));
        assert!(!o.holds_on(jiff::civil::date(2017, 12, 31)));
    }

    #[test]
    fn a_money_objective_needs_its_currency_and_its_cents() {
        let o = Objective::from_values(&row("bookings", "150000", "usd", "")).unwrap();
        assert_eq!(o.sentence(), "150000.00 USD of bookings a week");
        let e = Objective::from_values(&row("bookings", "150000", "", "")).unwrap_err();
        assert_eq!(e.column, "currency");
        let e = Objective::from_values(&row("bookings", "1.005", "USD", "")).unwrap_err();
        assert_eq!(e.column, "target");
    }

    #[test]
    fn counts_are_whole_positive_and_have_no_currency() {
        for (target, currency, field) in
            [("2.5", "", "target"), ("0", "", "target"), ("-3", "", "target"), ("20", "EUR", "currency")]
        {
            let e = Objective::from_values(&row("calls", target, currency, "")).unwrap_err();
            assert_eq!(e.column, field, "{target} {currency}");
        }
    }

    #[test]
    fn it_ends_after_it_starts() {
        let e = Objective::from_values(&row("calls", "20", "", "2018-01-01")).unwrap_err();
        assert_eq!(e.column, "valid_to");
        assert!(Objective::from_values(&row("calls", "20", "", "2018-01-02")).is_ok());
    }
}
