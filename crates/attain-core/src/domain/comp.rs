//! The compensation engine's inputs as ordinary records: quotas per position and period, which
//! plan a position is on when, explicit crediting splits and overlays, manual adjustments to
//! pay, and management-objective (MBO) scores.
//!
//! Plans themselves are text files, not records: a plan assignment names one by id.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, money, opt_shown,
    opt_text, shown, text,
};
use crate::{Currency, Kind, Money, Period, Validity, choice};

/// What a position is expected to achieve on a named measure in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub id: String,
    pub position_id: String,
    /// The measure the quota is on, as plans name it (`revenue`, `deals`, `margin`).
    pub measure: String,
    pub period: Period,
    /// The target: money in `currency` when there is one, else a count.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Money quotas carry their currency; count quotas (deals, meetings) have none.
    pub currency: Option<Currency>,
    /// The quota sheet this is a line of, when it was allocated rather than imported: pay
    /// reads it only while that sheet is the approved version in force.
    pub sheet_id: Option<String>,
}

impl Record for Quota {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Quotas,
        table: "quotas",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("measure", T::Text),
            Column::req("period", T::Period),
            Column::req("amount", T::Decimal),
            Column::opt("currency", T::Currency),
            Column::opt("sheet_id", T::Ref(Kind::QuotaSheets)),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.position_id),
            text(&self.measure),
            shown(self.period),
            shown(self.amount),
            opt_shown(self.currency),
            opt_text(&self.sheet_id),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let amount = r.decimal("amount")?.normalize();
        if amount < Decimal::ZERO {
            return Err(FieldError::new("amount", amount.to_string(), "a quota cannot be below zero"));
        }
        let currency = r.opt_currency("currency")?;
        if let Some(c) = currency {
            // A money target must be exact in its currency, like any other amount of money.
            Money::new(amount, c)
                .map_err(|e| FieldError::new("amount", amount.to_string(), e.to_string()))?;
        }
        Ok(Quota {
            id: r.text("id")?,
            position_id: r.text("position_id")?,
            measure: r.text("measure")?.trim().to_string(),
            period: r.period("period")?,
            amount,
            currency,
            sheet_id: r.opt_text("sheet_id")?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        })
    }
}

/// A compensation plan assigned to a position over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAssignment {
    pub id: String,
    pub position_id: String,
    /// The plan's id: plans are text files in the workspace, not records.
    pub plan_id: String,
    pub validity: Validity,
}

impl Record for PlanAssignment {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::PlanAssignments,
        table: "plan_assignments",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("plan_id", T::Text),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.position_id),
            text(&self.plan_id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(PlanAssignment {
            id: r.text("id")?,
            position_id: r.text("position_id")?,
            plan_id: r.text("plan_id")?.trim().to_string(),
            validity: r.validity("valid_from", "valid_to")?,
        })
    }
}

choice! {
    /// How a split credits its person: `primary` shares the deal (primaries total 100%),
    /// `overlay` credits someone on top of the primaries (a sales engineer, a specialist).
    CreditRole {
        Primary => "primary",
        Overlay => "overlay",
    }
}

/// An explicit crediting split or overlay on an opportunity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditSplit {
    pub id: String,
    pub opportunity_id: String,
    pub person_id: String,
    pub role: CreditRole,
    /// The share credited, in percent, above 0 and at most 100. That the primary splits of
    /// one opportunity total 100% is the engine's check: it needs all of them at once.
    #[serde(with = "rust_decimal::serde::str")]
    pub percent: Decimal,
}

impl Record for CreditSplit {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::CreditSplits,
        table: "credit_splits",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("opportunity_id", T::Ref(Kind::Opportunities)),
            Column::req("person_id", T::Ref(Kind::People)),
            Column::req("role", T::Choice(CreditRole::NAMES)),
            Column::req("percent", T::Decimal),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.opportunity_id),
            text(&self.person_id),
            shown(self.role),
            shown(self.percent),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let percent = r.decimal("percent")?.normalize();
        if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(FieldError::new(
                "percent",
                percent.to_string(),
                format!("a split is a percentage above 0 and at most 100, not {percent}"),
            ));
        }
        Ok(CreditSplit {
            id: r.text("id")?,
            opportunity_id: r.text("opportunity_id")?,
            person_id: r.text("person_id")?,
            role: r.choice("role")?,
            percent,
        })
    }
}

/// A manual adjustment to a payee's pay in a period: an amount, a reason and who entered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub id: String,
    pub person_id: String,
    /// The month the adjustment is paid in (`2017-03`).
    pub period: Period,
    pub currency: Currency,
    /// May be negative (a recovery).
    pub amount: Money,
    pub reason: String,
    /// Who entered it: a login or a name.
    pub entered_by: Option<String>,
}

impl Record for Adjustment {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Adjustments,
        table: "adjustments",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("person_id", T::Ref(Kind::People)),
            Column::req("period", T::Period),
            Column::req("currency", T::Currency),
            Column::req("amount", T::Money { currency_column: "currency" }),
            Column::req("reason", T::Text),
            Column::opt("entered_by", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.person_id),
            shown(self.period),
            shown(self.currency),
            money(self.amount),
            text(&self.reason),
            opt_text(&self.entered_by),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let period = r.period("period")?;
        if !matches!(period, Period::Month { .. }) {
            return Err(FieldError::new(
                "period",
                period.to_string(),
                format!("an adjustment is paid in a month (such as 2017-03), not in {period}"),
            ));
        }
        let currency = r.currency("currency")?;
        Ok(Adjustment {
            id: r.text("id")?,
            person_id: r.text("person_id")?,
            period,
            currency,
            amount: r.money("amount", currency)?,
            reason: r.text("reason")?,
            entered_by: r.opt_text("entered_by")?,
        })
    }
}

/// How far a person achieved a management objective (MBO) in a period, in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveScore {
    pub id: String,
    pub person_id: String,
    pub period: Period,
    pub objective: String,
    /// Percent achieved, 0 to 200 (`85` is 85%).
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
}

/// The highest objective score, in percent: twice the objective.
const MAX_SCORE: Decimal = Decimal::from_parts(200, 0, 0, false, 0);

impl Record for ObjectiveScore {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::ObjectiveScores,
        table: "objective_scores",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("person_id", T::Ref(Kind::People)),
            Column::req("period", T::Period),
            Column::req("objective", T::Text),
            Column::req("score", T::Decimal),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.person_id),
            shown(self.period),
            text(&self.objective),
            shown(self.score),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let score = r.decimal("score")?.normalize();
        if score < Decimal::ZERO || score > MAX_SCORE {
            return Err(FieldError::new(
                "score",
                score.to_string(),
                format!("a score is a percentage from 0 to 200, not {score}"),
            ));
        }
        Ok(ObjectiveScore {
            id: r.text("id")?,
            person_id: r.text("person_id")?,
            period: r.period("period")?,
            objective: r.text("objective")?.trim().to_string(),
            score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{cells_from_text, cells_to_text};

    fn row(kind: Kind, cells: &[&str]) -> Result<Vec<Value>, FieldError> {
        let texts: Vec<Option<String>> = cells.iter().map(|c| Some(c.to_string())).collect();
        kind.canonical(&cells_from_text(kind.spec(), &texts)?)
    }

    #[test]
    fn quotas_take_any_period_and_an_optional_currency() {
        let q = row(Kind::Quotas, &["q1", "pos-1", "revenue", " 2017-Q1 ", "120000.00", "usd"]).unwrap();
        assert_eq!(
            cells_to_text(Kind::Quotas.spec(), &q),
            ["q1", "pos-1", "revenue", "2017-Q1", "120000", "USD", ""]
        );
        let deals =
            Quota::from_values(&row(Kind::Quotas, &["q2", "pos-1", "deals", "FY2017", "12", ""]).unwrap());
        assert_eq!(deals.unwrap().currency, None);
        let err = row(Kind::Quotas, &["q3", "pos-1", "revenue", "2017-13", "1", "USD"]).unwrap_err();
        assert_eq!((err.column, err.value.as_str()), ("period", "2017-13"));
        assert!(err.reason.contains("not a period name"), "{}", err.reason);
        let err = row(Kind::Quotas, &["q4", "pos-1", "revenue", "2017-03", "-1", "USD"]).unwrap_err();
        assert_eq!(err.column, "amount");
        let err = row(Kind::Quotas, &["q5", "pos-1", "revenue", "2017-03", "10.505", "USD"]).unwrap_err();
        assert_eq!(err.column, "amount");
        assert!(err.reason.contains("decimal places"), "{}", err.reason);
    }

    #[test]
    fn split_percents_are_above_zero_and_at_most_a_hundred() {
        let ok = row(Kind::CreditSplits, &["s1", "o1", "p1", "Overlay", "100.0"]).unwrap();
        assert_eq!(ok[3], Value::Text("overlay".into()));
        assert_eq!(ok[4], Value::Text("100".into()));
        for bad in ["0", "-5", "100.01"] {
            let err = row(Kind::CreditSplits, &["s1", "o1", "p1", "primary", bad]).unwrap_err();
            assert_eq!(err.column, "percent", "{bad}");
        }
        let err = row(Kind::CreditSplits, &["s1", "o1", "p1", "shadow", "50"]).unwrap_err();
        assert_eq!(err.column, "role");
    }

    #[test]
    fn adjustments_are_monthly_money_with_a_reason() {
        let ok = row(Kind::Adjustments, &["a1", "p1", "2017-03", "USD", "-250.5", "Clawback", ""]).unwrap();
        let adjustment = Adjustment::from_values(&ok).unwrap();
        assert_eq!(adjustment.amount, Money::parse("-250.50", Currency::USD).unwrap());
        assert_eq!(cells_to_text(Kind::Adjustments.spec(), &ok)[4], "-250.50");
        for period in ["2017-Q1", "FY2017"] {
            let err = row(Kind::Adjustments, &["a1", "p1", period, "USD", "1", "Bonus", ""]).unwrap_err();
            assert_eq!(err.column, "period");
            assert!(err.reason.contains("paid in a month"), "{}", err.reason);
        }
        let err = row(Kind::Adjustments, &["a1", "p1", "2017-03", "USD", "1", " ", "x"]).unwrap_err();
        assert_eq!(err.column, "reason");
    }

    #[test]
    fn objective_scores_run_from_zero_to_two_hundred() {
        assert!(row(Kind::ObjectiveScores, &["o1", "p1", "2017-Q2", "hygiene", "200"]).is_ok());
        assert!(row(Kind::ObjectiveScores, &["o1", "p1", "2017-Q2", "hygiene", "0"]).is_ok());
        for bad in ["200.5", "-1"] {
            let err = row(Kind::ObjectiveScores, &["o1", "p1", "2017-Q2", "hygiene", bad]).unwrap_err();
            assert_eq!(err.column, "score", "{bad}");
        }
    }

    #[test]
    fn plan_assignments_are_dated() {
        let err =
            row(Kind::PlanAssignments, &["pa1", "pos-1", "ae", "2017-03-01", "2017-03-01"]).unwrap_err();
        assert_eq!(err.column, "valid_to");
        assert!(row(Kind::PlanAssignments, &["pa1", "pos-1", "ae", "2017-03-01", ""]).is_ok());
    }
}
