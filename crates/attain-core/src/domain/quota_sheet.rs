//! Quota sheets: how one seat's annual target on a measure is divided among the seats reporting
//! to it (company → regions, a region → its reps), month by month, as a version that moves
//! draft → submitted → approved. The sheet's lines are ordinary `quotas` rows naming the
//! sheet; the compensation engine reads a sheet's lines only while it is the approved version
//! in force, so approved quotas are the only quotas pay sees: one source, no second copy.
//!
//! A later change is a new version (who and why on the sheet), and the earlier one stays
//! stored beside it, so "plan against current" is always readable.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::Quota;
use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, int, money, opt_shown,
    opt_text, shown, text,
};
use crate::{Currency, FiscalCalendar, Kind, Money, choice};

choice! {
    /// Where a sheet is in its workflow: the owner edits a draft and submits it; the next level
    /// up approves it (it is then fixed for good) or returns it to draft with a reason.
    SheetStatus {
        Draft => "draft",
        Submitted => "submitted",
        Approved => "approved",
    }
}

choice! {
    /// The revenue plan's money objectives a quota can be set on, named as plans name measures.
    QuotaMeasure {
        Revenue => "revenue",
        Margin => "margin",
        Bookings => "bookings",
    }
}

choice! {
    /// How the sheet's lines were first set: by an allocation method, or typed in.
    AllocationMethod {
        Equal => "equal",
        LastYear => "last_year",
        Potential => "potential",
        Mix => "mix",
        Manual => "manual",
    }
}

/// One version of the division of a seat's target among its direct reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaSheet {
    /// `qs-<fiscal year>-<measure>-<owner>-v<version>`: derived, so two rows cannot claim one
    /// version of a sheet.
    pub id: String,
    pub fiscal_year: i16,
    pub measure: QuotaMeasure,
    /// The seat whose target this sheet divides (its holder adjusts and submits it).
    pub owner_position_id: String,
    pub version: u32,
    pub status: SheetStatus,
    /// The owner's own target for the year: the plan's objective for the top seat, the
    /// approved line of the sheet above for the others.
    pub envelope: Money,
    /// The reports' lines sum to `envelope × over_assignment ÷ 100` (rounded half-even to the
    /// cent), e.g. 110 so reps carry 10% more than their manager.
    pub over_assignment: Decimal,
    pub method: AllocationMethod,
    /// Why this version exists (the first allocation, a transfer, a territory change).
    pub note: String,
    pub prepared_by: String,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<jiff::Timestamp>,
    pub approved_by: Option<String>,
    pub approved_at: Option<jiff::Timestamp>,
    /// Why the last reviewer sent it back, while it is a draft again.
    pub review_note: Option<String>,
}

impl QuotaSheet {
    /// The id a version of a seat's sheet must have.
    pub fn id_for(fiscal_year: i16, measure: QuotaMeasure, owner: &str, version: u32) -> String {
        format!("qs-{fiscal_year}-{}-{owner}-v{version}", measure.name())
    }

    /// The id of one line: the sheet, the report's seat and the month.
    pub fn line_id(&self, position: &str, period: crate::Period) -> String {
        format!("{}/{position}/{period}", self.id)
    }

    /// What the lines must sum to, in minor units: the envelope × over-assignment ÷ 100,
    /// rounded half-even to a whole unit.
    pub fn target(&self) -> Money {
        let exact = self.envelope.amount() * self.over_assignment / Decimal::ONE_HUNDRED;
        let cents = exact.round_dp_with_strategy(
            self.envelope.currency().minor_units(),
            rust_decimal::RoundingStrategy::MidpointNearestEven,
        );
        Money::new(cents, self.envelope.currency()).unwrap_or(self.envelope)
    }

    /// The chain of versions this sheet belongs to: one seat, one year, one measure.
    pub fn chain(&self) -> (i16, QuotaMeasure, &str) {
        (self.fiscal_year, self.measure, self.owner_position_id.as_str())
    }
}

/// The over-assignment percents a sheet may carry: a division can ask for less than the
/// envelope (a holdback) down to half, or up to three times it.
pub const OVER_ASSIGNMENT: std::ops::RangeInclusive<Decimal> =
    Decimal::from_parts(50, 0, 0, false, 0)..=Decimal::from_parts(300, 0, 0, false, 0);

/// The sheets in force: per seat, year and measure, the approved version with the highest
/// number.
pub fn sheets_in_force(sheets: &[QuotaSheet]) -> HashSet<&str> {
    let mut best: HashMap<(i16, QuotaMeasure, &str), &QuotaSheet> = HashMap::new();
    for s in sheets.iter().filter(|s| s.status == SheetStatus::Approved) {
        let slot = best.entry(s.chain()).or_insert(s);
        if s.version > slot.version {
            *slot = s;
        }
    }
    best.into_values().map(|s| s.id.as_str()).collect()
}

/// The quotas pay reads: the lines of the sheets in force, and the quotas set outside any sheet
/// (imported) except where a sheet in force covers the same seat, measure and fiscal year —
/// a seat's quota for a year comes from its approved sheet or from imports, never both. The
/// lines of drafts, submitted sheets and superseded versions are never read.
pub fn quotas_in_force<'a>(
    sheets: &'a [QuotaSheet],
    quotas: &'a [Quota],
    calendar: &FiscalCalendar,
) -> Vec<&'a Quota> {
    let in_force = sheets_in_force(sheets);
    if sheets.is_empty() {
        return quotas.iter().filter(|q| q.sheet_id.is_none()).collect();
    }
    let year_of = |q: &Quota| calendar.fiscal_year_of(calendar.bounds(q.period).from);
    let covered: HashSet<(&str, &str, i16)> = quotas
        .iter()
        .filter(|q| q.sheet_id.as_deref().is_some_and(|s| in_force.contains(s)))
        .map(|q| (q.position_id.as_str(), q.measure.as_str(), year_of(q)))
        .collect();
    quotas
        .iter()
        .filter(|q| match q.sheet_id.as_deref() {
            Some(sheet) => in_force.contains(sheet),
            None => {
                covered.is_empty()
                    || !covered.contains(&(q.position_id.as_str(), q.measure.as_str(), year_of(q)))
            }
        })
        .collect()
}

fn opt_timestamp(r: &Reader, name: &'static str) -> Result<Option<jiff::Timestamp>, FieldError> {
    match r.opt_text(name)? {
        Some(_) => Ok(Some(r.timestamp(name)?)),
        None => Ok(None),
    }
}

fn opt_login(r: &Reader, name: &'static str) -> Result<Option<String>, FieldError> {
    Ok(r.opt_text(name)?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

impl Record for QuotaSheet {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::QuotaSheets,
        table: "quota_sheets",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("fiscal_year", T::Int),
            Column::req("measure", T::Choice(QuotaMeasure::NAMES)),
            Column::req("owner_position_id", T::Ref(Kind::Positions)),
            Column::req("version", T::Int),
            Column::req("status", T::Choice(SheetStatus::NAMES)),
            Column::req("currency", T::Currency),
            Column::req("envelope", T::Money { currency_column: "currency" }),
            Column::req("over_assignment", T::Decimal),
            Column::req("method", T::Choice(AllocationMethod::NAMES)),
            Column::req("note", T::Text),
            Column::req("prepared_by", T::Text),
            Column::opt("submitted_by", T::Text),
            Column::opt("submitted_at", T::Timestamp),
            Column::opt("approved_by", T::Text),
            Column::opt("approved_at", T::Timestamp),
            Column::opt("review_note", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            int(self.fiscal_year.into()),
            shown(self.measure),
            text(&self.owner_position_id),
            int(self.version.into()),
            shown(self.status),
            shown(self.envelope.currency()),
            money(self.envelope),
            shown(self.over_assignment.normalize()),
            shown(self.method),
            text(&self.note),
            text(&self.prepared_by),
            opt_text(&self.submitted_by),
            opt_shown(self.submitted_at),
            opt_text(&self.approved_by),
            opt_shown(self.approved_at),
            opt_text(&self.review_note),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let fiscal_year = r.int("fiscal_year")?;
        let fiscal_year =
            i16::try_from(fiscal_year).ok().filter(|y| crate::domain::PLAN_YEARS.contains(y)).ok_or_else(
                || FieldError::new("fiscal_year", fiscal_year.to_string(), "a year from 1900 to 2999"),
            )?;
        let version = r.int("version")?;
        let version = u32::try_from(version)
            .ok()
            .filter(|v| *v >= 1)
            .ok_or_else(|| FieldError::new("version", version.to_string(), "a version is 1 or more"))?;
        let measure: QuotaMeasure = r.choice("measure")?;
        let owner = r.text("owner_position_id")?;
        let id = r.text("id")?;
        let expected = QuotaSheet::id_for(fiscal_year, measure, &owner, version);
        if id != expected {
            return Err(FieldError::new(
                "id",
                id,
                format!(
                    "version {version} of this seat's {measure} sheet for {fiscal_year} has the id {expected}"
                ),
            ));
        }
        let currency: Currency = r.currency("currency")?;
        let envelope = r.money("envelope", currency)?;
        if envelope.amount() < Decimal::ZERO {
            return Err(FieldError::new("envelope", envelope.amount().to_string(), "cannot be below zero"));
        }
        let over_assignment = r.decimal("over_assignment")?.normalize();
        if !OVER_ASSIGNMENT.contains(&over_assignment) || over_assignment.scale() > 2 {
            return Err(FieldError::new(
                "over_assignment",
                over_assignment.to_string(),
                "a percent from 50 to 300 with at most two decimals (110 means the reports carry 10% more)",
            ));
        }
        let status: SheetStatus = r.choice("status")?;
        let submitted_by = opt_login(&r, "submitted_by")?;
        let submitted_at = opt_timestamp(&r, "submitted_at")?;
        let approved_by = opt_login(&r, "approved_by")?;
        let approved_at = opt_timestamp(&r, "approved_at")?;
        let submitted = submitted_by.is_some() && submitted_at.is_some();
        let approved = approved_by.is_some() && approved_at.is_some();
        let consistent = match status {
            SheetStatus::Draft => submitted_by.is_none() && submitted_at.is_none() && !approved,
            SheetStatus::Submitted => submitted && approved_by.is_none() && approved_at.is_none(),
            SheetStatus::Approved => submitted && approved,
        };
        if !consistent {
            return Err(FieldError::new(
                "status",
                status.name(),
                "a draft names no submitter or approver, a submitted sheet names who submitted it \
                 and when, an approved one also who approved it and when",
            ));
        }
        Ok(QuotaSheet {
            id: expected,
            fiscal_year,
            measure,
            owner_position_id: owner,
            version,
            status,
            envelope,
            over_assignment,
            method: r.choice("method")?,
            note: r.text("note")?.trim().to_string(),
            prepared_by: r.text("prepared_by")?.trim().to_string(),
            submitted_by,
            submitted_at,
            approved_by,
            approved_at,
            review_note: r.opt_text("review_note")?.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Period;
    use crate::record::Value;

    fn sheet(version: u32, status: SheetStatus) -> QuotaSheet {
        let stamp: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let submitted = status != SheetStatus::Draft;
        let approved = status == SheetStatus::Approved;
        QuotaSheet {
            id: QuotaSheet::id_for(2027, QuotaMeasure::Revenue, "pos-east", version),
            fiscal_year: 2027,
            measure: QuotaMeasure::Revenue,
            owner_position_id: "pos-east".into(),
            version,
            status,
            envelope: Money::new(Decimal::new(100_000_005, 2), Currency::USD).unwrap(),
            over_assignment: Decimal::new(110, 0),
            method: AllocationMethod::Equal,
            note: "first allocation".into(),
            prepared_by: "ops@example.com".into(),
            submitted_by: submitted.then(|| "east@example.com".into()),
            submitted_at: submitted.then_some(stamp),
            approved_by: approved.then(|| "vp@example.com".into()),
            approved_at: approved.then_some(stamp),
            review_note: None,
        }
    }

    fn quota(id: &str, position: &str, period: &str, sheet: Option<&str>) -> Quota {
        Quota {
            id: id.into(),
            position_id: position.into(),
            measure: "revenue".into(),
            period: period.parse::<Period>().unwrap(),
            amount: Decimal::ONE_HUNDRED,
            currency: Some(Currency::USD),
            sheet_id: sheet.map(str::to_string),
        }
    }

    #[test]
    fn a_sheet_round_trips_and_its_target_rounds_half_even_to_the_cent() {
        let s = sheet(2, SheetStatus::Approved);
        let back = QuotaSheet::from_values(&s.to_values()).unwrap();
        assert_eq!(back, s);
        // 1,000,000.05 × 110% = 1,100,000.055 → half-even → 1,100,000.06
        assert_eq!(s.target().amount(), Decimal::new(110_000_006, 2));
        assert_eq!(s.id, "qs-2027-revenue-pos-east-v2");
        assert_eq!(
            s.line_id("pos-rep", "2027-03".parse().unwrap()),
            "qs-2027-revenue-pos-east-v2/pos-rep/2027-03"
        );
    }

    #[test]
    fn ids_statuses_and_over_assignment_are_checked_naming_the_field() {
        let mut v = sheet(1, SheetStatus::Draft).to_values();
        v[0] = Value::Text("qs-other".into());
        assert_eq!(QuotaSheet::from_values(&v).unwrap_err().column, "id");
        let mut v = sheet(1, SheetStatus::Submitted).to_values();
        v[5] = Value::Text("approved".into());
        assert_eq!(QuotaSheet::from_values(&v).unwrap_err().column, "status");
        let mut v = sheet(1, SheetStatus::Draft).to_values();
        v[8] = Value::Text("301".into());
        assert_eq!(QuotaSheet::from_values(&v).unwrap_err().column, "over_assignment");
    }

    #[test]
    fn pay_reads_the_newest_approved_version_and_imports_only_where_no_sheet_covers_them() {
        let calendar = FiscalCalendar::default();
        let v1 = sheet(1, SheetStatus::Approved);
        let v2 = sheet(2, SheetStatus::Approved);
        let v3 = sheet(3, SheetStatus::Submitted);
        let quotas = vec![
            quota("a", "rep-1", "2027-01", Some(&v1.id)),
            quota("b", "rep-1", "2027-01", Some(&v2.id)),
            quota("c", "rep-1", "2027-01", Some(&v3.id)),
            // Imported for a covered seat and year: replaced by the sheet.
            quota("d", "rep-1", "2027-Q2", None),
            // Imported for another year, or another seat: still read.
            quota("e", "rep-1", "2026-12", None),
            quota("f", "rep-2", "2027-01", None),
        ];
        let sheets = vec![v1, v2, v3];
        let read: Vec<&str> =
            quotas_in_force(&sheets, &quotas, &calendar).into_iter().map(|q| q.id.as_str()).collect();
        assert_eq!(read, ["b", "e", "f"]);
        // No approved sheet at all: the drafts' lines are still never read.
        let drafts = vec![sheet(1, SheetStatus::Draft)];
        let read: Vec<&str> =
            quotas_in_force(&drafts, &quotas, &calendar).into_iter().map(|q| q.id.as_str()).collect();
        assert_eq!(read, ["d", "e", "f"]);
    }
}
