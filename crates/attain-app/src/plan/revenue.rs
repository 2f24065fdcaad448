//! The revenue plan's use-cases: reading each fiscal year's versions, preparing a draft (its
//! objectives and month shares: typed in, even, or learned from earlier years' bookings),
//! approving it, and plan against actual month by month from the fact store.
//!
//! Versions are `revenue_plans` records (imported, exported and audited like any other). Only
//! a draft changes; approving fixes it for good, and the next change starts a new draft
//! version, so the year's history stays beside the plan in force (its newest approved
//! version). Someone other than the preparer approves: a plan nobody checked is not a plan.

use attain_core::domain::{MONTH_COLUMNS, PlanStatus, RevenuePlan, SeasonSource, parse_fiscal_year};
use attain_core::record::{Choice, Record, cell_to_text};
use attain_core::{Currency, Kind, Money, Period};
use attain_engine::plan::Seasonality;
use attain_engine::track::MonthActuals;
use rust_decimal::Decimal;

use crate::access::{Actor, Permission};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::records::etag;

/// How many earlier years' bookings a learned season reads.
const LEARNED_YEARS: i16 = 3;

/// A fiscal year's versions, newest first.
#[derive(Debug, Clone)]
pub struct RevenueYear {
    pub fiscal_year: i16,
    pub versions: Vec<RevenuePlan>,
}

impl RevenueYear {
    /// The plan in force: the newest approved version.
    pub fn in_force(&self) -> Option<&RevenuePlan> {
        self.versions.iter().find(|v| v.status == PlanStatus::Approved)
    }

    /// The draft being prepared, if there is one.
    pub fn draft(&self) -> Option<&RevenuePlan> {
        self.versions.iter().find(|v| v.status == PlanStatus::Draft)
    }
}

/// What a comp admin types into the draft: every field as text, checked like an imported row.
#[derive(Debug, Clone, Default)]
pub struct RevenueDraft {
    pub fiscal_year: String,
    /// The company's base currency when empty.
    pub currency: Option<String>,
    pub revenue: String,
    pub margin: String,
    pub bookings: String,
    pub new_logos: String,
    /// `entered`, `even` or `learned`.
    pub season: String,
    /// The twelve month shares, read when `season` is `entered`.
    pub shares: Vec<String>,
    pub note: String,
    /// The open draft's version as the editor read it ([`App::revenue_etag`]): a draft
    /// changed since is refused rather than overwritten. Not needed to start a new version.
    pub if_match: Option<String>,
}

/// One month's (or the year's) figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    pub revenue: Money,
    pub margin: Money,
    pub bookings: Money,
    pub new_logos: i64,
}

/// A month of plan against actual; `actual` is `None` for months not begun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthLine {
    pub period: Period,
    pub plan: Figures,
    pub actual: Option<Figures>,
}

/// A version of the plan against what happened.
#[derive(Debug, Clone)]
pub struct PlanVsActual {
    pub plan: RevenuePlan,
    pub etag: String,
    pub months: Vec<MonthLine>,
    /// The year's plan, and the actuals of the months begun so far.
    pub total_plan: Figures,
    pub total_actual: Figures,
    /// The plan for the months begun so far, to set the actuals against.
    pub plan_to_date: Figures,
}

fn figures_of(a: &MonthActuals) -> Figures {
    Figures { revenue: a.revenue, margin: a.margin, bookings: a.bookings, new_logos: i64::from(a.new_logos) }
}

fn sum(lines: impl Iterator<Item = Figures>, currency: Currency) -> AppResult<Figures> {
    let zero = Money::zero(currency);
    let add = |a: Money, b: Money| {
        a.checked_add(b).map_err(|e| AppError::Internal(format!("adding up the plan's months: {e}")))
    };
    let mut t = Figures { revenue: zero, margin: zero, bookings: zero, new_logos: 0 };
    for f in lines {
        t = Figures {
            revenue: add(t.revenue, f.revenue)?,
            margin: add(t.margin, f.margin)?,
            bookings: add(t.bookings, f.bookings)?,
            new_logos: t.new_logos + f.new_logos,
        };
    }
    Ok(t)
}

fn year_field(text: &str) -> AppResult<i16> {
    parse_fiscal_year(text).ok_or_else(|| {
        AppError::invalid("fiscal_year", format!("'{text}' is not a fiscal year from 1900 to 2999"))
    })
}

impl App {
    fn require_plan_reader(actor: &Actor) -> AppResult<()> {
        // Managers and reps learn nothing of the company plan, not even that it exists.
        if actor.may(Permission::ViewPlan) { Ok(()) } else { Err(AppError::NotFound) }
    }

    /// Every fiscal year with a revenue plan, newest year first.
    pub fn revenue_years(&self, actor: &Actor) -> AppResult<Vec<RevenueYear>> {
        Self::require_plan_reader(actor)?;
        let snapshot = self.snapshot();
        let mut years: Vec<RevenueYear> = Vec::new();
        for plan in &snapshot.data.revenue_plans {
            match years.iter_mut().find(|y| y.fiscal_year == plan.fiscal_year) {
                Some(year) => year.versions.push(plan.clone()),
                None => {
                    years.push(RevenueYear { fiscal_year: plan.fiscal_year, versions: vec![plan.clone()] })
                }
            }
        }
        for year in &mut years {
            year.versions.sort_by_key(|v| std::cmp::Reverse(v.version));
        }
        years.sort_by_key(|y| std::cmp::Reverse(y.fiscal_year));
        Ok(years)
    }

    /// One fiscal year's versions (a year with none is not found).
    pub fn revenue_year(&self, actor: &Actor, fiscal_year: i16) -> AppResult<RevenueYear> {
        self.revenue_years(actor)?
            .into_iter()
            .find(|y| y.fiscal_year == fiscal_year)
            .ok_or(AppError::NotFound)
    }

    /// The month shares the bookings of the `LEARNED_YEARS` fiscal years before `fiscal_year`
    /// give (even when they booked nothing).
    pub fn learned_shares(&self, actor: &Actor, fiscal_year: i16) -> AppResult<[Decimal; 12]> {
        Self::require_plan_reader(actor)?;
        let snapshot = self.snapshot();
        let currency = snapshot.data.company.first().map(|c| c.base_currency).unwrap_or(Currency::USD);
        let mut history = Vec::new();
        for year in fiscal_year - LEARNED_YEARS..fiscal_year {
            let months = snapshot
                .company_actuals(year, currency)
                .map_err(|e| AppError::invalid("season", e.to_string()))?;
            history.push(std::array::from_fn(|m| i128::from(months[m].bookings.minor())));
        }
        Ok(Seasonality::learned(&history).shares())
    }

    /// A version against what happened: the plan spread over its months by its shares, and
    /// the actuals of every month begun by the company's today.
    pub fn plan_vs_actual(
        &self,
        actor: &Actor,
        fiscal_year: i16,
        version: Option<u32>,
    ) -> AppResult<PlanVsActual> {
        let year = self.revenue_year(actor, fiscal_year)?;
        let plan = match version {
            Some(v) => year.versions.iter().find(|p| p.version == v),
            None => year.in_force().or(year.versions.first()),
        }
        .ok_or(AppError::NotFound)?
        .clone();
        let snapshot = self.snapshot();
        let calendar = snapshot.data.company.first().map(|c| c.calendar).unwrap_or_default();
        let season = Seasonality::from_shares(plan.shares)
            .map_err(|e| AppError::Internal(format!("a stored plan's shares: {e}")))?;
        let spread = |m: Money| season.spread(m.minor()).map(|minor| Money::from_minor(minor, plan.currency));
        let (revenue, margin, bookings) = (spread(plan.revenue), spread(plan.margin), spread(plan.bookings));
        let logos = season.spread(plan.new_logos);
        let actuals = snapshot
            .company_actuals(fiscal_year, plan.currency)
            .map_err(|e| AppError::invalid("currency", e.to_string()))?;
        let today = self.pay_today();
        let mut month = calendar.month_period(calendar.fiscal_year_start(fiscal_year));
        let mut months = Vec::with_capacity(12);
        for m in 0..12 {
            let begun = calendar.bounds(month).from <= today;
            months.push(MonthLine {
                period: month,
                plan: Figures {
                    revenue: revenue[m],
                    margin: margin[m],
                    bookings: bookings[m],
                    new_logos: logos[m],
                },
                actual: begun.then(|| figures_of(&actuals[m])),
            });
            month = month.next_month();
        }
        let total_plan = sum(months.iter().map(|l| l.plan), plan.currency)?;
        let begun = months.iter().filter(|l| l.actual.is_some());
        let plan_to_date = sum(begun.clone().map(|l| l.plan), plan.currency)?;
        let total_actual = sum(begun.filter_map(|l| l.actual), plan.currency)?;
        let etag = self.revenue_etag(actor, fiscal_year, plan.version)?;
        Ok(PlanVsActual { plan, etag, months, total_plan, total_actual, plan_to_date })
    }

    /// Saves the fiscal year's draft: the open draft is changed in place, else a new draft
    /// version is started after the newest. Returns the saved draft.
    pub async fn save_revenue_draft(&self, actor: &Actor, draft: RevenueDraft) -> AppResult<RevenuePlan> {
        actor.require(Permission::ManagePlan)?;
        let fiscal_year = year_field(&draft.fiscal_year)?;
        if draft.note.trim().is_empty() {
            return Err(AppError::invalid(
                "note",
                "say why this version exists (the first plan, a reforecast)",
            ));
        }
        let season =
            SeasonSource::parse(&draft.season).map_err(|e| AppError::invalid("season", e.to_string()))?;
        let shares: [String; 12] = match season {
            SeasonSource::Even => Seasonality::even().shares().map(|s| s.to_string()),
            SeasonSource::Learned => self.learned_shares(actor, fiscal_year)?.map(|s| s.to_string()),
            SeasonSource::Entered => draft.shares.clone().try_into().map_err(|given: Vec<String>| {
                AppError::invalid("month_1", format!("twelve month shares are needed, not {}", given.len()))
            })?,
        };
        let snapshot = self.snapshot();
        let versions: Vec<&RevenuePlan> =
            snapshot.data.revenue_plans.iter().filter(|p| p.fiscal_year == fiscal_year).collect();
        let open = versions.iter().find(|p| p.status == PlanStatus::Draft);
        let version = match open {
            Some(d) => d.version,
            None => versions.iter().map(|p| p.version).max().unwrap_or(0) + 1,
        };
        let currency = match draft.currency.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => c.to_string(),
            None => snapshot
                .data
                .company
                .first()
                .map(|c| c.base_currency.code().to_string())
                .ok_or_else(|| AppError::invalid("currency", "name the plan's currency"))?,
        };
        let id = RevenuePlan::id_for(fiscal_year, version);
        let mut pairs: Vec<(&str, Option<String>)> = vec![
            ("id", Some(id.clone())),
            ("fiscal_year", Some(fiscal_year.to_string())),
            ("version", Some(version.to_string())),
            ("status", Some(PlanStatus::Draft.name().to_string())),
            ("currency", Some(currency)),
            ("revenue", Some(draft.revenue.trim().to_string())),
            ("margin", Some(draft.margin.trim().to_string())),
            ("bookings", Some(draft.bookings.trim().to_string())),
            ("new_logos", Some(draft.new_logos.trim().to_string())),
            ("season", Some(season.name().to_string())),
        ];
        pairs.extend(MONTH_COLUMNS.iter().zip(shares).map(|(c, s)| (*c, Some(s.trim().to_string()))));
        pairs.extend([
            ("note", Some(draft.note.trim().to_string())),
            ("prepared_by", Some(actor.login.clone())),
            ("approved_by", None),
            ("approved_at", None),
        ]);
        drop(snapshot);
        let if_match = draft.if_match.as_deref().filter(|t| !t.is_empty());
        self.write_record(actor, Kind::RevenuePlans, &id, &pairs, "revenue_plan.save", if_match).await?;
        self.stored_revenue_plan(&id)
    }

    /// Approves a draft version. `if_match` is the version the approver looked at: a draft
    /// changed since is refused, so nobody approves figures they did not see (without it, the
    /// version stored when the call is made).
    pub async fn approve_revenue_plan(
        &self,
        actor: &Actor,
        fiscal_year: i16,
        version: u32,
        if_match: Option<&str>,
    ) -> AppResult<RevenuePlan> {
        Self::require_plan_reader(actor)?;
        actor.require(Permission::ApprovePlan)?;
        let id = RevenuePlan::id_for(fiscal_year, version);
        let snapshot = self.snapshot();
        let index = snapshot.find(Kind::RevenuePlans, &id).first().copied().ok_or(AppError::NotFound)?;
        let plan = &snapshot.data.revenue_plans[index];
        if plan.status != PlanStatus::Draft {
            return Err(AppError::Conflict(format!(
                "version {version} of FY{fiscal_year} is already approved"
            )));
        }
        if plan.prepared_by == actor.login {
            return Err(AppError::Conflict(format!(
                "you prepared version {version} of FY{fiscal_year}: someone else must approve it"
            )));
        }
        let values = snapshot.values(Kind::RevenuePlans, index);
        let spec = &RevenuePlan::SPEC;
        let mut pairs: Vec<(&str, Option<String>)> = spec
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name, Some(cell_to_text(spec, &values, i)).filter(|t| !t.is_empty())))
            .collect();
        let now =
            jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::now()).to_string();
        for (name, value) in &mut pairs {
            match *name {
                "status" => *value = Some(PlanStatus::Approved.name().to_string()),
                "approved_by" => *value = Some(actor.login.clone()),
                "approved_at" => *value = Some(now.clone()),
                _ => {}
            }
        }
        // Without the caller's version, the version read here is the one approved: a change
        // landing between this read and the write is still refused.
        let current = etag(Kind::RevenuePlans, &values);
        drop(snapshot);
        let if_match = if_match.unwrap_or(&current);
        self.write_record(actor, Kind::RevenuePlans, &id, &pairs, "revenue_plan.approve", Some(if_match))
            .await?;
        self.stored_revenue_plan(&id)
    }

    /// The stored version of a year's version of the plan, as an ETag to send back with a
    /// change of the draft or its approval.
    pub fn revenue_etag(&self, actor: &Actor, fiscal_year: i16, version: u32) -> AppResult<String> {
        Self::require_plan_reader(actor)?;
        let snapshot = self.snapshot();
        let id = RevenuePlan::id_for(fiscal_year, version);
        let index = snapshot.find(Kind::RevenuePlans, &id).first().copied().ok_or(AppError::NotFound)?;
        Ok(etag(Kind::RevenuePlans, &snapshot.values(Kind::RevenuePlans, index)))
    }

    fn stored_revenue_plan(&self, id: &str) -> AppResult<RevenuePlan> {
        let snapshot = self.snapshot();
        let index = snapshot
            .find(Kind::RevenuePlans, id)
            .first()
            .copied()
            .ok_or_else(|| AppError::Internal("a written revenue plan vanished".into()))?;
        Ok(snapshot.data.revenue_plans[index].clone())
    }
}
