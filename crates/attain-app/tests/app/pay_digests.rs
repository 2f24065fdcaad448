//! A pay run recalculates closed months only when their inputs changed: each run keeps a digest
//! per month of what it saw, and the next run recalculates from the start of the fiscal year
//! of the first closed month whose digest differs. The property: for random sequences of
//! closing months and then changing data in closed months (late deals, corrected amounts,
//! adjustments), every run pays exactly what a full recalculation from the first month pays.

use attain_app::pay::{CloseRequest, NewAdjustment};
use attain_app::{Actor, App, Settings};
use attain_core::{Kind, Period};
use attain_engine::pay::run::Statement;
use attain_store::Store;
use attain_testkit::Db;

use crate::on_both;
use crate::pay::month;

/// A rep plan with a quarter-to-date commission (accelerating above a quarter's 20,000) and a
/// year-to-date accelerator; the demo's manager plan shape: a quarter-to-date override on the
/// team's bookings, accelerating above 30,000.
fn plans() -> Vec<(String, String)> {
    let rep = r#"id = "rep"
version = 1
valid_from = "2017-01-01"
credit_on = "booking"

[measures.revenue]
sum = "amount"
credit = ["direct"]

[[components]]
id = "commission"
name = "Bookings commission"
type = "commission"
measure = "revenue"
scope = "qtd"
mode = "retroactive"
tiers = [{ from = "0", rate = "5%" }, { from = "20000", rate = "8%" }]

[[components]]
id = "annual"
name = "Annual accelerator"
type = "commission"
measure = "revenue"
scope = "ytd"
mode = "marginal"
tiers = [{ from = "0", rate = "1%" }, { from = "50000", rate = "3%" }]
"#;
    let manager = r#"id = "manager"
version = 1
valid_from = "2017-01-01"
credit_on = "booking"

[measures.team_revenue]
sum = "amount"
credit = ["rollup", "direct"]

[[components]]
id = "override"
name = "Team override"
type = "commission"
measure = "team_revenue"
scope = "qtd"
mode = "retroactive"
tiers = [{ from = "0", rate = "1.5%" }, { from = "30000", rate = "2.5%" }]
"#;
    vec![("rep.toml".into(), rep.into()), ("manager.toml".into(), manager.into())]
}

/// A small deterministic generator (xorshift), so each seed is one reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const REPS: [&str; 2] = ["ann", "bob"];

/// Mia manages Ann and Bob; the fiscal year starts in February, so 2017-01 closes a year.
async fn company(store: Store, rng: &mut Rng) -> App {
    let app = App::new(store, Settings::default()).await.unwrap();
    let admin = Actor::system();
    let mut txns = String::from("id,date,kind,currency,amount,owner_id\n");
    for m in 1..=12 {
        for (i, rep) in REPS.iter().enumerate() {
            let amount = 2000 + 1000 * rng.below(12);
            txns.push_str(&format!("t-{m}-{i},2017-{m:02}-1{i},booking,USD,{amount},{rep}\n"));
        }
    }
    let files: [(Kind, String); 6] = [
        (
            Kind::Company,
            "id,name,base_currency,fiscal_year_start_month,fiscal_year_naming,time_zone\n\
             company,Digests,USD,2,end_year,UTC\n"
                .into(),
        ),
        (
            Kind::People,
            "id,name,hire_date\nmia,Mia,2016-01-04\nann,Ann,2016-01-04\nbob,Bob,2016-01-04\n".into(),
        ),
        (
            Kind::Positions,
            "id,valid_from,title,role,reports_to\np-m,2016-01-01,Manager,manager,\n\
             p-a,2016-01-01,Rep,rep,p-m\np-b,2016-01-01,Rep,rep,p-m\n"
                .into(),
        ),
        (
            Kind::Assignments,
            "id,person_id,position_id,valid_from\na-m,mia,p-m,2016-01-04\na-a,ann,p-a,2016-01-04\n\
             a-b,bob,p-b,2016-01-04\n"
                .into(),
        ),
        (
            Kind::PlanAssignments,
            "id,position_id,plan_id,valid_from\npa-m,p-m,manager,2017-01-01\npa-a,p-a,rep,2017-01-01\n\
             pa-b,p-b,rep,2017-01-01\n"
                .into(),
        ),
        (Kind::Transactions, txns),
    ];
    for (kind, csv) in files {
        app.import_csv(&admin, kind, "data.csv", csv.as_bytes(), false).await.unwrap();
    }
    app.save_plans(&admin, plans()).await.unwrap();
    app.refresh().await.unwrap();
    app
}

/// The first month of the fiscal year (starting in February) holding `m`, or 2017-01 (the
/// first month anyone holds a plan) if that is later.
fn year_start(m: Period) -> Period {
    let Period::Month { year, month: mo } = m else { unreachable!() };
    let start = if mo >= 2 { month(year, 2) } else { month(year - 1, 2) };
    start.max(month(2017, 1))
}

fn months(from: Period, to: Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut m = from;
    while m < to {
        out.push(m);
        m = m.next_month();
    }
    out
}

/// One random change to a closed month before `open`: a late deal, a corrected amount or a
/// manual adjustment. Returns the month it is dated in.
async fn change(app: &App, rng: &mut Rng, open: Period, serial: &mut u32) -> Period {
    let admin = Actor::system();
    let Period::Month { month: open_month, .. } = open else { unreachable!() };
    // Any closed month of 2017: the 1st, 2nd or 3rd of a (February-based) quarter.
    let m = 1 + rng.below((open_month - 1) as u64) as i8;
    let rep = REPS[rng.below(2) as usize];
    *serial += 1;
    match rng.below(3) {
        0 => {
            let amount = 1000 + 500 * rng.below(30);
            let csv = format!(
                "id,date,kind,currency,amount,owner_id\nlate-{serial},2017-{m:02}-2{},booking,USD,{amount},{rep}\n",
                rng.below(8)
            );
            app.import_csv(&admin, Kind::Transactions, "late.csv", csv.as_bytes(), false).await.unwrap();
        }
        1 => {
            let i = rng.below(2);
            let amount = 2500 + 1000 * rng.below(20) + u64::from(*serial);
            let owner = REPS[i as usize];
            let csv = format!(
                "id,date,kind,currency,amount,owner_id\nt-{m}-{i},2017-{m:02}-1{i},booking,USD,{amount},{owner}\n"
            );
            app.import_csv(&admin, Kind::Transactions, "fix.csv", csv.as_bytes(), false).await.unwrap();
        }
        _ => {
            let person = ["ann", "bob", "mia"][rng.below(3) as usize];
            let amount = format!("{}", 50 + 25 * rng.below(10));
            let adjustment = NewAdjustment {
                person_id: person.into(),
                period: month(2017, m).to_string(),
                amount,
                currency: None,
                reason: format!("Correction {serial}"),
            };
            app.add_adjustment(&admin, adjustment).await.unwrap();
        }
    }
    month(2017, m)
}

async fn statements(app: &App, period: Period) -> Vec<Statement> {
    let view = app.statements(&Actor::system(), period).await.unwrap();
    let mut list = view.statements().to_vec();
    list.sort_by(|a, b| a.person_id.cmp(&b.person_id));
    list
}

async fn set_digests(app: &App, run: &str, digests: Option<&str>) {
    sqlx::query::<sqlx::Any>("UPDATE comp_runs SET input_digests = $1 WHERE id = $2")
        .bind(digests)
        .bind(run)
        .execute(app.store().pool())
        .await
        .unwrap();
}

/// Runs `open` from digests, then again as a full recalculation (the last closed run's digests
/// removed, as for a run stored before digests were kept), and checks both pay the same.
/// Returns the months the digest run recalculated.
async fn run_both_ways(app: &App, open: Period) -> Vec<Period> {
    let admin = Actor::system();
    let quick = app.calculate(&admin, open).await.unwrap();
    let paid_quick = statements(app, open).await;
    let Some(reference) = quick.run.based_on.clone() else { return quick.recalculated_months };
    let row = app.store().run_by_id(&reference).await.unwrap().unwrap();
    assert!(row.input_digests.is_some(), "a closed run keeps its digests");
    set_digests(app, &reference, None).await;
    let full = app.calculate(&admin, open).await.unwrap();
    set_digests(app, &reference, row.input_digests.as_deref()).await;
    // Without digests every closed month counts as changed: all of them are recalculated.
    assert_eq!(full.recalculated_months, months(month(2017, 1), open), "{open}");
    let paid_full = statements(app, open).await;
    assert_eq!(quick.prior_period_lines, full.prior_period_lines, "{open}");
    assert_eq!(paid_quick, paid_full, "{open}: the digest run differs from a full recalculation");
    quick.recalculated_months
}

async fn runs_pay_what_a_full_recalculation_pays(seed: u64, store: Store) {
    let admin = Actor::system();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let app = company(store, &mut rng).await;
    let mut serial = 0;
    let mut prior_lines = 0;
    for m in 1..=11 {
        let open = month(2017, m);
        let mut first_changed: Option<Period> = None;
        if m > 1 {
            for _ in 0..rng.below(3) {
                let at = change(&app, &mut rng, open, &mut serial).await;
                first_changed = Some(first_changed.map_or(at, |f| f.min(at)));
            }
        }
        let recalculated = run_both_ways(&app, open).await;
        // Only the closed months from the start of the changed month's fiscal year on.
        let expected = first_changed.map_or_else(Vec::new, |c| months(year_start(c), open));
        assert_eq!(recalculated, expected, "seed {seed}, {open}, first change {first_changed:?}");
        prior_lines += statements(&app, open)
            .await
            .iter()
            .flat_map(|s| &s.lines)
            .filter(|l| l.kind == attain_engine::pay::run::LineKind::PriorPeriod)
            .count();
        app.close_period(&admin, open, CloseRequest::default()).await.unwrap();
    }
    // The case exercised what it is about.
    assert!(prior_lines > 0 || serial == 0, "seed {seed}: no prior-period line in the whole year");
}

#[tokio::test]
async fn random_late_changes_pay_what_a_full_recalculation_pays() {
    for seed in 0..16 {
        attain_testkit::run_on(Db::Sqlite, move |store, _| {
            runs_pay_what_a_full_recalculation_pays(seed, store)
        })
        .await;
    }
}

/// Nothing changed: no closed month is run. A change in one month: only from its fiscal year on.
/// And a manager's quarter-to-date override corrected for a deal late in a quarter's 2nd month.
async fn closed_months_are_recalculated_only_when_their_inputs_changed(store: Store, _: Db) {
    let admin = Actor::system();
    let app = company(store, &mut Rng(7)).await;
    for m in 1..=7 {
        let outcome = app.calculate(&admin, month(2017, m)).await.unwrap();
        assert_eq!(outcome.recalculated_months, [], "2017-{m:02}: nothing changed");
        assert_eq!(outcome.prior_period_lines, 0);
        app.close_period(&admin, month(2017, m), CloseRequest::default()).await.unwrap();
    }
    // A late deal in June, the 2nd month of the quarter May–July (the year starts in February).
    let csv = "id,date,kind,currency,amount,owner_id\nlate,2017-06-25,booking,USD,40000,ann\n";
    app.import_csv(&admin, Kind::Transactions, "late.csv", csv.as_bytes(), false).await.unwrap();
    let outcome = run_both_ways(&app, month(2017, 8)).await;
    assert_eq!(outcome, months(month(2017, 2), month(2017, 8)), "from the fiscal year's start");
    let august = statements(&app, month(2017, 8)).await;
    let mia = august.iter().find(|s| s.person_id == "mia").unwrap();
    let override_line = mia.lines.iter().find(|l| {
        l.kind == attain_engine::pay::run::LineKind::PriorPeriod && l.component.as_deref() == Some("override")
    });
    let q = Period::Quarter { fiscal_year: 2018, quarter: 2 };
    assert_eq!(override_line.and_then(|l| l.of_period), Some(q), "{:#?}", mia.lines);
    // Once August (which paid the correction) closes, September recalculates nothing.
    app.close_period(&admin, month(2017, 8), CloseRequest::default()).await.unwrap();
    let september = app.calculate(&admin, month(2017, 9)).await.unwrap();
    assert_eq!(september.recalculated_months, [], "{september:?}");
    assert_eq!(september.prior_period_lines, 0);
    // A run stored before digests were kept counts as changed.
    set_digests(&app, &september.run.based_on.clone().unwrap(), None).await;
    let again = app.calculate(&admin, month(2017, 9)).await.unwrap();
    assert_eq!(again.recalculated_months, months(month(2017, 1), month(2017, 9)));
    assert_eq!(again.prior_period_lines, 0, "everything was settled already");
}

on_both!(closed_months_are_recalculated_only_when_their_inputs_changed);
