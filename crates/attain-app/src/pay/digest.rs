//! Per-month input digests: for each month from the first anyone holds a plan, the SHA-256 of
//! the records and plan files that can change that month's calculation, streamed row by row
//! (never the whole dataset serialised at once).
//!
//! Each record goes into ONE month: the earliest month it can affect (a transaction its
//! date's month, a dated row the month it starts in, an opportunity or credit split the first
//! month of a transaction on it, anything undated and the plan files the first month). That
//! is enough for prior-period adjustments, which recalculate every closed month from the
//! fiscal year of the first month whose digest changed (`prior.rs`): whatever a change can
//! touch is at or after the month it is hashed into. A changed or removed row changes the
//! digest of the month it was in; so does a new one.
//!
//! Rows are fed in the dataset's order, which is sorted by key, so the digest does not depend
//! on the order rows were stored or imported in.

use std::collections::{BTreeMap, HashMap};

use attain_core::domain::{CreditSplit, Opportunity, Quota, QuotaSheet, Transaction, quotas_in_force};
use attain_core::record::Value;
use attain_core::{Dataset, FiscalCalendar, Period, Record};
use attain_store::PlanFileRow;
use sha2::{Digest, Sha256};

/// The digests of a dataset and plan files.
#[derive(Debug, Clone)]
pub(crate) struct Digests {
    /// From the first month to the last asked for, each month's digest (hex).
    pub months: BTreeMap<Period, String>,
    /// Everything: each month's digest and the rows dated after the last month.
    pub all: String,
}

/// A month as a count of months, for indexing.
fn ordinal(p: Period) -> i64 {
    match p {
        Period::Month { year, month } => i64::from(year) * 12 + i64::from(month) - 1,
        // Only months are asked for; a quarter or year never reaches here.
        _ => 0,
    }
}

/// The month of a `YYYY-MM-DD` or period text (`2017-03`, `2017-Q1`, `FY2017`): where the day
/// or period starts.
fn month_of(text: &str, calendar: &FiscalCalendar) -> Option<Period> {
    if text.len() == 10 && text.as_bytes()[4] == b'-' {
        return Period::parse(&text[..7]).ok();
    }
    let p = Period::parse(text).ok()?;
    Some(calendar.month_period(calendar.bounds(p).from))
}

/// Hashers per month, a slot for rows after the last month, and the first month's slot for
/// rows before the first.
struct Months {
    first: i64,
    hashers: Vec<Sha256>,
}

impl Months {
    fn new(first: Period, last: Period) -> Months {
        let n = (ordinal(last) - ordinal(first) + 1).max(1) as usize;
        Months { first: ordinal(first), hashers: vec![Sha256::new(); n + 1] }
    }

    fn slot(&mut self, month: Option<Period>) -> &mut Sha256 {
        let later = self.hashers.len() - 1;
        let i = month.map_or(0, |m| (ordinal(m) - self.first).clamp(0, later as i64) as usize);
        &mut self.hashers[i]
    }
}

/// One row, unambiguously: its kind, then each cell tagged and length-prefixed.
fn feed(h: &mut Sha256, kind: u8, values: &[Value]) {
    h.update([kind, values.len() as u8]);
    for v in values {
        match v {
            Value::Null => h.update([0]),
            Value::Text(s) => {
                h.update([1]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            Value::Int(i) => {
                h.update([2]);
                h.update(i.to_le_bytes());
            }
        }
    }
}

/// Feeds each row into the month of its first column among `dated` (or the first month).
fn feed_rows<R: Record>(months: &mut Months, calendar: &FiscalCalendar, rows: &[R]) {
    let kind = R::SPEC.kind as u8;
    let dated = ["valid_from", "hire_date", "date", "period"]
        .iter()
        .find_map(|name| R::SPEC.columns.iter().position(|c| c.name == *name));
    for r in rows {
        let values = r.to_values();
        let month = dated.and_then(|i| values[i].as_text()).and_then(|t| month_of(t, calendar));
        feed(months.slot(month), kind, &values);
    }
}

/// Feeds the quotas pay reads ([`quotas_in_force`]) into the month they start in. A sheet's
/// line goes in without its id and sheet (the next version's lines have new ids, but pay
/// reads only seat, measure, period and amount), so approving a version that changes no
/// amount changes no month; an imported quota goes in whole, as it always has.
fn feed_quotas(months: &mut Months, calendar: &FiscalCalendar, sheets: &[QuotaSheet], quotas: &[Quota]) {
    let kind = Quota::SPEC.kind as u8;
    for q in quotas_in_force(sheets, quotas, calendar) {
        let mut values = q.to_values();
        // Without the sheet column, an imported row hashes as it did before sheets existed.
        values.truncate(values.len() - 1);
        if q.sheet_id.is_some() {
            values.remove(0);
        }
        let month = Some(calendar.month_period(calendar.bounds(q.period).from));
        feed(months.slot(month), kind, &values);
    }
}

/// The digests of `data` and `files` for the months `first..=last`.
/// The transactions come apart from `data`: the read model holds them as columns
/// ([`crate::snapshot::Snapshot::transactions`]), in key order.
pub(crate) fn digests(
    data: &Dataset,
    transactions: impl Iterator<Item = Transaction>,
    files: &[PlanFileRow],
    first: Period,
    last: Period,
) -> Digests {
    // Destructured so a kind added to the dataset fails to compile here until it is placed.
    let Dataset {
        company,
        people,
        positions,
        assignments,
        territories,
        territory_owners,
        products,
        accounts,
        contacts: _,
        opportunities,
        stage_history: _,
        activities: _,
        // Not read: see the `transactions` argument.
        transactions: _,
        fx_rates,
        quotas,
        plan_assignments,
        credit_splits,
        adjustments,
        objective_scores,
        revenue_plans: _,
        quota_sheets,
        objectives: _,
        territory_rules: _,
        account_territories,
    } = data;
    // Contacts, stage history, activities and individual objectives feed the Track KPIs only,
    // and the revenue plan reaches pay only through the quotas allocated from it: pay never
    // reads them. Assignment rules reach pay only through the account territories applying
    // them writes, which territory crediting reads.
    let calendar = company.first().map(|c| c.calendar).unwrap_or_default();
    let mut months = Months::new(first, last);
    // The plan files and the undated records (the company and its calendar, territories,
    // products, accounts) can change any month: they go into the first.
    for f in files {
        let h = months.slot(None);
        feed(h, 255, &[Value::Text(f.name.clone()), Value::Text(f.text.clone())]);
    }
    feed_rows(&mut months, &calendar, company);
    feed_rows(&mut months, &calendar, territories);
    feed_rows(&mut months, &calendar, products);
    feed_rows(&mut months, &calendar, accounts);
    // Dated records: from the month they start in.
    feed_rows(&mut months, &calendar, people);
    feed_rows(&mut months, &calendar, positions);
    feed_rows(&mut months, &calendar, assignments);
    feed_rows(&mut months, &calendar, territory_owners);
    feed_rows(&mut months, &calendar, account_territories);
    feed_rows(&mut months, &calendar, fx_rates);
    feed_quotas(&mut months, &calendar, quota_sheets, quotas);
    feed_rows(&mut months, &calendar, plan_assignments);
    feed_rows(&mut months, &calendar, adjustments);
    feed_rows(&mut months, &calendar, objective_scores);
    // Transactions by their date; an opportunity (and its credit splits) is read only through
    // its transactions, so it counts from the first month one of them falls in. One with no
    // transaction changes no pay.
    let mut deal_month: HashMap<String, Period> = HashMap::new();
    let txn_kind = Transaction::SPEC.kind as u8;
    for t in transactions {
        let month = calendar.month_period(t.date);
        feed(months.slot(Some(month)), txn_kind, &t.to_values());
        if let Some(o) = t.opportunity_id {
            deal_month.entry(o).and_modify(|m| *m = (*m).min(month)).or_insert(month);
        }
    }
    for o in opportunities {
        if let Some(m) = deal_month.get(o.id.as_str()) {
            feed(months.slot(Some(*m)), Opportunity::SPEC.kind as u8, &o.to_values());
        }
    }
    for s in credit_splits {
        if let Some(m) = deal_month.get(s.opportunity_id.as_str()) {
            feed(months.slot(Some(*m)), CreditSplit::SPEC.kind as u8, &s.to_values());
        }
    }
    let mut all = Sha256::new();
    let mut out = BTreeMap::new();
    let mut month = first;
    let count = months.hashers.len();
    for (i, h) in months.hashers.into_iter().enumerate() {
        let hex = format!("{:x}", h.finalize());
        all.update(hex.as_bytes());
        if i + 1 < count {
            out.insert(month, hex);
            month = month.next_month();
        }
    }
    Digests { months: out, all: format!("{:x}", all.finalize()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_goes_into_the_month_it_starts_in() {
        let c = FiscalCalendar::new(2, attain_core::FiscalYearNaming::EndYear).unwrap();
        let m = |y, mo| Some(Period::Month { year: y, month: mo });
        assert_eq!(month_of("2017-03-31", &c), m(2017, 3));
        assert_eq!(month_of("2017-05", &c), m(2017, 5));
        // A fiscal year starting in February: its first quarter starts in February.
        let q = Period::Quarter { fiscal_year: 2017, quarter: 1 }.to_string();
        assert_eq!(month_of(&q, &c), m(2016, 2));
        assert_eq!(month_of("nonsense", &c), None);
    }
}
