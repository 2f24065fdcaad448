//! A seller's own quotas for a fiscal year, as pay reads them: the lines of the approved sheets
//! in force and imported quotas, for every seat the person held in the year. A rep sees only
//! this; nobody else's quota and no company figure is in the answer.

use attain_core::domain::{QuotaSheet, quotas_in_force};
use attain_core::{Currency, Period, Validity};
use rust_decimal::Decimal;

use crate::access::Actor;
use crate::app::App;
use crate::error::AppResult;

/// One quota row of the person's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnQuota {
    pub position_title: String,
    pub measure: String,
    pub period: Period,
    pub amount: Decimal,
    pub currency: Option<Currency>,
    /// `approved sheet, version 2` or `imported`.
    pub source: String,
}

impl App {
    /// The actor's own quotas in `fiscal_year` (none for someone who is not a person).
    pub fn own_quotas(&self, actor: &Actor, fiscal_year: i16) -> AppResult<Vec<OwnQuota>> {
        let Some(person) = actor.person_id.as_deref() else { return Ok(Vec::new()) };
        let snapshot = self.snapshot();
        let data = &snapshot.data;
        let calendar = data.company.first().map(|c| c.calendar).unwrap_or_default();
        let year: Validity = calendar.bounds(Period::Year { fiscal_year });
        let held: Vec<(&str, Validity)> = data
            .assignments
            .iter()
            .filter(|a| a.person_id == person)
            .filter_map(|a| a.validity.intersect(&year).map(|v| (a.position_id.as_str(), v)))
            .collect();
        let sheet_of = |id: &str| data.quota_sheets.iter().find(|s: &&QuotaSheet| s.id == id);
        let mut out: Vec<OwnQuota> = quotas_in_force(&data.quota_sheets, &data.quotas, &calendar)
            .into_iter()
            .filter(|q| {
                let days = calendar.bounds(q.period);
                held.iter().any(|(p, v)| *p == q.position_id && v.overlaps(&days))
            })
            .map(|q| OwnQuota {
                position_title: data
                    .positions
                    .iter()
                    .rev()
                    .find(|p| p.id == q.position_id)
                    .map_or_else(|| q.position_id.clone(), |p| p.title.clone()),
                measure: q.measure.clone(),
                period: q.period,
                amount: q.amount,
                currency: q.currency,
                source: match q.sheet_id.as_deref().and_then(sheet_of) {
                    Some(s) => format!("approved quota sheet, version {}", s.version),
                    None => "imported".to_string(),
                },
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.measure, calendar.bounds(a.period).from).cmp(&(&b.measure, calendar.bounds(b.period).from))
        });
        Ok(out)
    }
}
