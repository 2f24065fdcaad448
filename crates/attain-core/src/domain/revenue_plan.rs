//! The revenue plan: a fiscal year's company objectives (revenue, margin, bookings, new logos)
//! and how they spread over the year's months, kept as versions. A version is a draft until it
//! is approved; an approved version never changes again, and a later change is a new version
//! with who made it and why, so the history of the year's plan stays readable. The plan in
//! force for a year is its approved version with the highest number.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, int, money, opt_shown,
    opt_text, shown, text,
};
use crate::{Currency, Kind, Money, choice};

choice! {
    /// Where a version is in its workflow: drafts are edited; approved versions are fixed.
    PlanStatus {
        Draft => "draft",
        Approved => "approved",
    }
}

choice! {
    /// Where the month shares came from: typed in, the same every month, or learned from the
    /// bookings of earlier years.
    SeasonSource {
        Entered => "entered",
        Even => "even",
        Learned => "learned",
    }
}

/// The month columns, first fiscal month first.
pub const MONTH_COLUMNS: [&str; 12] = [
    "month_1", "month_2", "month_3", "month_4", "month_5", "month_6", "month_7", "month_8", "month_9",
    "month_10", "month_11", "month_12",
];

/// One version of a fiscal year's revenue plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenuePlan {
    /// `rp-<fiscal year>-v<version>`: derived, so two rows can't claim one version of a year.
    pub id: String,
    /// The fiscal year as the company's calendar numbers it.
    pub fiscal_year: i16,
    pub version: u32,
    pub status: PlanStatus,
    pub currency: Currency,
    pub revenue: Money,
    pub margin: Money,
    pub bookings: Money,
    /// Accounts winning their first deal in the year.
    pub new_logos: i64,
    pub season: SeasonSource,
    /// Percent of each objective falling in each fiscal month; exactly 100 in all.
    pub shares: [Decimal; 12],
    /// Why this version exists (the first plan, a reforecast, a board change).
    pub note: String,
    /// Who prepared the version (a login).
    pub prepared_by: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<jiff::Timestamp>,
}

/// The fiscal years a plan may be for: far enough from the calendar's ends that every month
/// of the year, and the years a learned season reads before it, exist.
pub const PLAN_YEARS: std::ops::RangeInclusive<i16> = 1900..=2999;

/// A fiscal year as people write it (`2018`, `FY2018`), within [`PLAN_YEARS`].
pub fn parse_fiscal_year(text: &str) -> Option<i16> {
    let text = text.trim();
    let digits = text.strip_prefix("FY").unwrap_or(text);
    digits.parse::<i16>().ok().filter(|y| PLAN_YEARS.contains(y))
}

impl RevenuePlan {
    /// The id a version of a year must have.
    pub fn id_for(fiscal_year: i16, version: u32) -> String {
        format!("rp-{fiscal_year}-v{version}")
    }
}

/// Checks twelve month shares: each between 0 and 100 with at most two decimals, together
/// exactly 100. The error names the month column.
pub fn check_shares(shares: &[Decimal; 12]) -> Result<(), FieldError> {
    for (share, column) in shares.iter().zip(MONTH_COLUMNS) {
        if *share < Decimal::ZERO || *share > Decimal::ONE_HUNDRED || share.normalize().scale() > 2 {
            return Err(FieldError::new(
                column,
                share.to_string(),
                "a month's share is a percentage from 0 to 100 with at most two decimals",
            ));
        }
    }
    let total: Decimal = shares.iter().sum();
    if total != Decimal::ONE_HUNDRED {
        return Err(FieldError::new(
            "month_12",
            total.to_string(),
            format!("the month shares must add up to exactly 100, not {}", total.normalize()),
        ));
    }
    Ok(())
}

impl Record for RevenuePlan {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::RevenuePlans,
        table: "revenue_plans",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("fiscal_year", T::Int),
            Column::req("version", T::Int),
            Column::req("status", T::Choice(PlanStatus::NAMES)),
            Column::req("currency", T::Currency),
            Column::req("revenue", T::Money { currency_column: "currency" }),
            Column::req("margin", T::Money { currency_column: "currency" }),
            Column::req("bookings", T::Money { currency_column: "currency" }),
            Column::req("new_logos", T::Int),
            Column::req("season", T::Choice(SeasonSource::NAMES)),
            Column::req("month_1", T::Decimal),
            Column::req("month_2", T::Decimal),
            Column::req("month_3", T::Decimal),
            Column::req("month_4", T::Decimal),
            Column::req("month_5", T::Decimal),
            Column::req("month_6", T::Decimal),
            Column::req("month_7", T::Decimal),
            Column::req("month_8", T::Decimal),
            Column::req("month_9", T::Decimal),
            Column::req("month_10", T::Decimal),
            Column::req("month_11", T::Decimal),
            Column::req("month_12", T::Decimal),
            Column::req("note", T::Text),
            Column::req("prepared_by", T::Text),
            Column::opt("approved_by", T::Text),
            Column::opt("approved_at", T::Timestamp),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        let mut v = vec![
            text(&self.id),
            int(self.fiscal_year.into()),
            int(self.version.into()),
            shown(self.status),
            shown(self.currency),
            money(self.revenue),
            money(self.margin),
            money(self.bookings),
            int(self.new_logos),
            shown(self.season),
        ];
        v.extend(self.shares.iter().map(|s| shown(s.normalize())));
        v.extend([
            text(&self.note),
            text(&self.prepared_by),
            opt_text(&self.approved_by),
            opt_shown(self.approved_at),
        ]);
        v
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let fiscal_year = r.int("fiscal_year")?;
        let fiscal_year =
            i16::try_from(fiscal_year).ok().filter(|y| (1900..=9999).contains(y)).ok_or_else(|| {
                FieldError::new("fiscal_year", fiscal_year.to_string(), "a year from 1900 to 9999")
            })?;
        let version = r.int("version")?;
        let version = u32::try_from(version)
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| FieldError::new("version", version.to_string(), "a version is 1 or more"))?;
        let id = r.text("id")?;
        let expected = RevenuePlan::id_for(fiscal_year, version);
        if id != expected {
            return Err(FieldError::new(
                "id",
                id,
                format!("version {version} of fiscal year {fiscal_year} has the id {expected}"),
            ));
        }
        let currency = r.currency("currency")?;
        let objective = |name: &'static str| -> Result<Money, FieldError> {
            let m = r.money(name, currency)?;
            if m.amount() < Decimal::ZERO {
                return Err(FieldError::new(
                    name,
                    m.amount().to_string(),
                    "an objective cannot be below zero",
                ));
            }
            Ok(m)
        };
        let new_logos = r.int("new_logos")?;
        if new_logos < 0 {
            return Err(FieldError::new("new_logos", new_logos.to_string(), "cannot be below zero"));
        }
        let mut shares = [Decimal::ZERO; 12];
        for (share, column) in shares.iter_mut().zip(MONTH_COLUMNS) {
            *share = r.decimal(column)?.normalize();
        }
        check_shares(&shares)?;
        let status: PlanStatus = r.choice("status")?;
        let approved_by = r.opt_text("approved_by")?.map(|s| s.trim().to_string());
        let approved_at = match r.opt_text("approved_at")? {
            Some(_) => Some(r.timestamp("approved_at")?),
            None => None,
        };
        match (status, &approved_by, approved_at) {
            (PlanStatus::Approved, Some(_), Some(_)) | (PlanStatus::Draft, None, None) => {}
            (PlanStatus::Approved, _, _) => {
                return Err(FieldError::new(
                    "approved_by",
                    "",
                    "an approved version names who approved it and when",
                ));
            }
            (PlanStatus::Draft, _, _) => {
                return Err(FieldError::new("status", "draft", "a draft has no approver or approval time"));
            }
        }
        let note = r.text("note")?.trim().to_string();
        Ok(RevenuePlan {
            id: expected,
            fiscal_year,
            version,
            status,
            currency,
            revenue: objective("revenue")?,
            margin: objective("margin")?,
            bookings: objective("bookings")?,
            new_logos,
            season: r.choice("season")?,
            shares,
            note,
            prepared_by: r.text("prepared_by")?.trim().to_string(),
            approved_by,
            approved_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Value;

    fn row(cells: &[(&str, &str)]) -> Vec<Value> {
        let base: Vec<(&str, &str)> = vec![
            ("id", "rp-2017-v1"),
            ("fiscal_year", "2017"),
            ("version", "1"),
            ("status", "draft"),
            ("currency", "USD"),
            ("revenue", "12000000"),
            ("margin", "4800000"),
            ("bookings", "13000000"),
            ("new_logos", "40"),
            ("season", "even"),
            ("month_1", "8.33"),
            ("month_2", "8.33"),
            ("month_3", "8.33"),
            ("month_4", "8.33"),
            ("month_5", "8.33"),
            ("month_6", "8.33"),
            ("month_7", "8.33"),
            ("month_8", "8.33"),
            ("month_9", "8.34"),
            ("month_10", "8.34"),
            ("month_11", "8.34"),
            ("month_12", "8.34"),
            ("note", "first plan"),
            ("prepared_by", "ops@example.com"),
            ("approved_by", ""),
            ("approved_at", ""),
        ];
        let texts: Vec<Option<String>> = RevenuePlan::SPEC
            .columns
            .iter()
            .map(|c| {
                let over = cells.iter().find(|(n, _)| *n == c.name).map(|(_, v)| *v);
                let v = over.or_else(|| base.iter().find(|(n, _)| *n == c.name).map(|(_, v)| *v));
                v.filter(|v| !v.is_empty()).map(str::to_string)
            })
            .collect();
        crate::record::cells_from_text(&RevenuePlan::SPEC, &texts).expect("cells")
    }

    #[test]
    fn a_plan_round_trips_through_its_cells() {
        let plan = RevenuePlan::from_values(&row(&[])).expect("valid");
        assert_eq!(plan.revenue.amount(), Decimal::new(12_000_000, 0));
        assert_eq!(plan.shares[8], Decimal::new(834, 2));
        assert_eq!(RevenuePlan::from_values(&plan.to_values()).expect("again"), plan);
    }

    #[test]
    fn shares_must_add_up_to_exactly_one_hundred() {
        let err = RevenuePlan::from_values(&row(&[("month_12", "8.33")])).unwrap_err();
        assert_eq!(err.column, "month_12");
        assert!(err.reason.contains("99.99"), "{err}");
        let err = RevenuePlan::from_values(&row(&[("month_3", "8.333"), ("month_4", "8.327")])).unwrap_err();
        assert_eq!((err.column, err.value.as_str()), ("month_3", "8.333"));
        let err = RevenuePlan::from_values(&row(&[("month_1", "-1"), ("month_2", "17.66")])).unwrap_err();
        assert_eq!(err.column, "month_1");
    }

    #[test]
    fn the_id_is_derived_from_year_and_version() {
        let err = RevenuePlan::from_values(&row(&[("id", "plan-a")])).unwrap_err();
        assert_eq!(err.column, "id");
        assert!(err.reason.contains("rp-2017-v1"), "{err}");
        let err = RevenuePlan::from_values(&row(&[("version", "0"), ("id", "rp-2017-v0")])).unwrap_err();
        assert_eq!(err.column, "version");
    }

    #[test]
    fn approval_names_who_and_when_and_drafts_name_neither() {
        let err = RevenuePlan::from_values(&row(&[("status", "approved")])).unwrap_err();
        assert_eq!(err.column, "approved_by");
        let approved = RevenuePlan::from_values(&row(&[
            ("status", "approved"),
            ("approved_by", "cfo@example.com"),
            ("approved_at", "2017-01-05T10:00:00Z"),
        ]))
        .expect("approved");
        assert_eq!(approved.approved_by.as_deref(), Some("cfo@example.com"));
        let err = RevenuePlan::from_values(&row(&[("approved_by", "cfo@example.com")])).unwrap_err();
        assert_eq!(err.column, "status");
    }

    #[test]
    fn fiscal_years_are_read_as_people_write_them() {
        assert_eq!(parse_fiscal_year("2018"), Some(2018));
        assert_eq!(parse_fiscal_year(" FY2018 "), Some(2018));
        for bad in ["1899", "3000", "FY", "20x8", "-2018", ""] {
            assert_eq!(parse_fiscal_year(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_an_approved_version_is_fixed() {
        let draft = RevenuePlan::from_values(&row(&[])).expect("draft");
        assert_eq!(Kind::RevenuePlans.fixed(&draft.to_values()), None);
        let approved = RevenuePlan {
            status: PlanStatus::Approved,
            approved_by: Some("cfo".into()),
            approved_at: Some(jiff::Timestamp::UNIX_EPOCH),
            ..draft
        };
        let why = Kind::RevenuePlans.fixed(&approved.to_values()).expect("fixed");
        assert!(why.contains("version 1 of fiscal year 2017 is approved"), "{why}");
        assert!(Kind::RevenuePlans.has_fixed_rows() && !Kind::Quotas.has_fixed_rows());
    }

    #[test]
    fn objectives_are_not_negative() {
        let err = RevenuePlan::from_values(&row(&[("margin", "-5")])).unwrap_err();
        assert_eq!(err.column, "margin");
        let err = RevenuePlan::from_values(&row(&[("new_logos", "-1")])).unwrap_err();
        assert_eq!(err.column, "new_logos");
    }
}
