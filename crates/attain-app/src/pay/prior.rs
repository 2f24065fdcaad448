//! Prior-period adjustments: closed months are never edited. When their data changed after
//! they closed (a late deal, a corrected amount, an adjustment entered for a closed month),
//! the closed months are recalculated in order with today's data and the difference in each
//! month's earnings, less what later closed months already adjusted, becomes a line in the
//! month being run. Only the months from the fiscal year of the first month whose inputs
//! changed are recalculated (`first_to_recalculate`, digests from `digest.rs`), so a run's
//! cost does not grow with years of history.
//!
//! Only earnings lines (components, clawbacks, manual adjustments) are compared: draws and
//! balances follow from them in the open month. A cumulative component whose window reaches
//! into the month being run is left out: that month's true-up already pays the difference.

use std::collections::BTreeMap;

use attain_core::Period;
use attain_engine::pay::plan::{PlanBook, Scope};
use attain_engine::pay::run::{Line, LineKind, Prepared, Statement};
use rust_decimal::Decimal;

use super::RunInfo;
use super::runs::{decode_statements, engine_error, latest};
use crate::app::App;
use crate::error::AppResult;

/// A line's identity across recalculations: its kind, plan, component and label. The plan is
/// part of it because a payee holding two plans can have a component of the same id (and
/// label) in each, and each is paid, and corrected, on its own.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    kind: LineKind,
    plan: Option<String>,
    component: Option<String>,
    label: String,
}

fn key(s: &Statement, l: &Line) -> Key {
    Key { kind: l.kind, plan: line_plan(s, l), component: l.component.clone(), label: l.label.clone() }
}

/// The plan a line belongs to. Statements stored before lines named their plan: a component,
/// clawback or prior-period line of a payee holding one plan belongs to that plan (so
/// corrections paid before the upgrade are still subtracted, not paid again). A prior-period
/// line without a component corrects a manual adjustment, which belongs to no plan: it is
/// matched without one (else it is never subtracted, and paid again in every later run).
fn line_plan(s: &Statement, l: &Line) -> Option<String> {
    l.plan.clone().or_else(|| match (l.kind, s.plans.as_slice()) {
        (LineKind::Component | LineKind::Clawback, [only]) => {
            Some(only.split_once('@').map_or(only.as_str(), |(id, _)| id).to_string())
        }
        (LineKind::PriorPeriod, [only]) if l.component.is_some() => {
            Some(only.split_once('@').map_or(only.as_str(), |(id, _)| id).to_string())
        }
        _ => None,
    })
}

fn earnings(s: &Statement) -> BTreeMap<Key, Decimal> {
    let mut out: BTreeMap<Key, Decimal> = BTreeMap::new();
    for l in s
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Component | LineKind::Clawback | LineKind::Adjustment))
    {
        *out.entry(key(s, l)).or_default() += l.amount;
    }
    out
}

/// What the prior-period pass produced: the lines for the open month, by person id, and the
/// closed months it recalculated.
#[derive(Debug, Default)]
pub(crate) struct Recalculated {
    pub lines: BTreeMap<String, Vec<Line>>,
    pub months: Vec<Period>,
}

/// The first closed month to recalculate, or none when no closed month's inputs changed.
///
/// The reference is what the last closed month's run saw (its `input_digests`, one per month
/// up to its own): that run's prior-period lines settled every change visible then, so only
/// months whose digest differs today need looking at again. Recalculation starts at the start
/// of the fiscal year holding the first such month, not at the month itself: a cumulative
/// component reads every earlier month of its window (a quarter-to-date true-up subtracts
/// what the quarter's earlier months paid, a cap what the year paid), and an earlier month of
/// the window may differ from what it paid even with unchanged inputs (a late deal paid by a
/// later month's true-up), so a window must be recalculated whole and start from a carry whose
/// window and year totals reset. The fiscal year is the widest window (quarters lie inside
/// it). A run stored before digests were kept has none: every month counts as changed.
pub(crate) fn first_to_recalculate(
    prepared: &Prepared<'_>,
    closed_months: &[Period],
    seen: Option<&BTreeMap<String, String>>,
    now: &BTreeMap<Period, String>,
) -> Option<Period> {
    let changed = closed_months.iter().copied().find(|m| {
        let before = seen.and_then(|s| s.get(&m.to_string()));
        before.is_none() || before != now.get(m)
    })?;
    let year = prepared.window_period(Scope::Year, changed);
    closed_months.iter().copied().find(|m| prepared.window_period(Scope::Year, *m) == year)
}

/// The prior-period lines for `period`, by person id, recalculating the closed months from
/// `start` on (all before it are settled: their earnings as recalculated equal what was paid
/// plus the corrections already paid, so they add nothing).
pub(crate) async fn deltas(
    app: &App,
    prepared: &Prepared<'_>,
    book: &PlanBook,
    runs: &[RunInfo],
    closed_months: &[Period],
    start: Option<Period>,
    period: Period,
) -> AppResult<Recalculated> {
    let Some(start) = start else { return Ok(Recalculated::default()) };
    let mut closed: Vec<(Period, Vec<Statement>)> = Vec::new();
    for m in closed_months.iter().filter(|m| **m >= start) {
        if let Some(run) = latest(runs, *m) {
            closed.push((*m, decode_statements(&app.store().run_statements(&run.id).await?)?));
        }
    }
    // The year starts from the carry the month before it closed with: the windows and years
    // its true-ups and caps count reset at the start, so only draws and balances come through,
    // and those are not compared.
    let before_start = closed_months.iter().copied().filter(|m| *m < start).max();
    let mut carry = app.carry_after(before_start.and_then(|m| latest(runs, m))).await?;
    // Earnings before (as paid) and after (recalculated), summed per person, line and group:
    // a cumulative component's window (its months' true-ups move between them), else the month.
    let mut groups: BTreeMap<(String, Key, Period), Group> = BTreeMap::new();
    for (month, paid) in &closed {
        // Recompute the month with today's data and the prior-period lines it paid (they move
        // draws and balances, not the earnings compared here).
        let mut extra: BTreeMap<String, Vec<Line>> = BTreeMap::new();
        for s in paid {
            let lines: Vec<Line> =
                s.lines.iter().filter(|l| l.kind == LineKind::PriorPeriod).cloned().collect();
            if !lines.is_empty() {
                extra.insert(s.person_id.clone(), lines);
            }
        }
        // Each month starts from the recalculated month before it, so the true-ups see the
        // recalculated payments, as they would have had the data been known.
        let (now, next) = prepared.run_month_with(*month, &carry, &extra).map_err(engine_error)?;
        carry = next;
        // By person, so a month of 10,000 payees is not searched once per payee.
        let by_person = |list: &'_ [Statement]| -> BTreeMap<String, usize> {
            list.iter().enumerate().rev().map(|(i, s)| (s.person_id.clone(), i)).collect()
        };
        let (paid_at, now_at) = (by_person(paid), by_person(&now));
        let mut people: Vec<&str> = now_at.keys().chain(paid_at.keys()).map(String::as_str).collect();
        people.sort_unstable();
        people.dedup();
        for person in people {
            let paid_one = paid_at.get(person).map(|i| &paid[*i]);
            let now_one = now_at.get(person).map(|i| &now[*i]);
            let was = paid_one.map(earnings).unwrap_or_default();
            let is = now_one.map(earnings).unwrap_or_default();
            let statement = now_one.or(paid_one);
            let mut keys: Vec<&Key> = was.keys().chain(is.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let scope = k
                    .component
                    .as_deref()
                    .zip(statement)
                    .and_then(|(c, s)| cumulative_scope(book, s, k.plan.as_deref(), c));
                let group = scope.map_or(*month, |sc| prepared.window_period(sc, *month));
                // The open month's own true-up pays changes inside its window.
                if scope.is_some_and(|sc| prepared.same_window(sc, *month, period)) {
                    continue;
                }
                let g = groups.entry((person.to_string(), k.clone(), group)).or_default();
                g.months.push(*month);
                g.before += was.get(k).copied().unwrap_or_default();
                g.after += is.get(k).copied().unwrap_or_default();
            }
        }
    }
    // Prior-period lines already paid in closed months, by person (read once, not per group).
    let mut paid_before: BTreeMap<&str, Vec<(&Statement, &Line)>> = BTreeMap::new();
    for s in closed.iter().flat_map(|(_, list)| list.iter()) {
        for l in s.lines.iter().filter(|l| l.kind == LineKind::PriorPeriod) {
            paid_before.entry(s.person_id.as_str()).or_default().push((s, l));
        }
    }
    let mut out: BTreeMap<String, Vec<Line>> = BTreeMap::new();
    for ((person, k, group), g) in groups {
        // What later closed months already paid for these months.
        let adjusted: Decimal = paid_before
            .get(person.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|(_, l)| l.of_period.is_some_and(|p| p == group || g.months.contains(&p)))
            .filter(|(s, l)| line_plan(s, l) == k.plan && l.component == k.component && l.label == k.label)
            .map(|(_, l)| l)
            .map(|l| l.amount)
            .sum();
        let due = g.after - g.before - adjusted;
        if due.is_zero() {
            continue;
        }
        out.entry(person).or_default().push(Line {
            kind: LineKind::PriorPeriod,
            plan: k.plan.clone(),
            component: k.component.clone(),
            label: k.label.clone(),
            measure: None,
            quota: None,
            attainment: None,
            tier: None,
            amount: due,
            explanation: format!(
                "{group} recalculated with today's data: {} instead of the {} paid{}",
                g.after.normalize(),
                g.before.normalize(),
                if adjusted.is_zero() {
                    String::new()
                } else {
                    format!(", {} already adjusted", adjusted.normalize())
                }
            ),
            of_period: Some(group),
        });
    }
    Ok(Recalculated { lines: out, months: closed.iter().map(|(m, _)| *m).collect() })
}

#[derive(Debug, Default)]
struct Group {
    months: Vec<Period>,
    before: Decimal,
    after: Decimal,
}

/// The scope of `component` of `plan` (in the version on the statement) when it is cumulative
/// (its months' true-ups depend on each other).
fn cumulative_scope(book: &PlanBook, s: &Statement, plan: Option<&str>, component: &str) -> Option<Scope> {
    let plans = s.plans.iter().filter_map(|p| p.split_once('@'));
    plans.filter(|(id, _)| plan.is_none_or(|p| p == *id)).find_map(|(id, version)| {
        book.plans()
            .iter()
            .filter(|p| p.id == id && p.version.to_string() == version)
            .flat_map(|p| p.components.iter())
            .find(|c| c.id == component && c.scope.cumulative() && c.scope != Scope::Month)
            .map(|c| c.scope)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement stored before lines named their plan: its lines carry no `plan`.
    fn old_statement(plans: &[&str]) -> Statement {
        serde_json::from_value(serde_json::json!({
            "person_id": "p-1", "name": "Ann", "period": "2017-02", "currency": "USD",
            "plans": plans,
            "lines": [{
                "kind": "prior_period", "component": "commission", "label": "Commission",
                "measure": null, "quota": null, "attainment": null, "tier": null,
                "amount": "500", "explanation": "", "of_period": "2017-01"
            }],
            "payout": "500", "draw_outstanding": "0", "balance_carried": "0", "notes": []
        }))
        .expect("an old statement")
    }

    #[test]
    fn an_old_correction_belongs_to_the_payees_only_plan() {
        // Otherwise a correction paid before the upgrade is never subtracted, and paid again.
        let s = old_statement(&["ae@1"]);
        assert_eq!(line_plan(&s, &s.lines[0]).as_deref(), Some("ae"));
        // With two plans it is not guessed.
        let s = old_statement(&["ae@1", "club@1"]);
        assert_eq!(line_plan(&s, &s.lines[0]), None);
    }

    #[test]
    fn a_correction_of_a_manual_adjustment_belongs_to_no_plan() {
        // The adjustment it corrects has no plan: were it given the payee's only plan, it
        // would never be subtracted from the adjustment's group, and be paid again each run.
        let mut s = old_statement(&["ae@1"]);
        s.lines[0].component = None;
        s.lines[0].label = "Relocation bonus".into();
        assert_eq!(line_plan(&s, &s.lines[0]), None);
    }
}
