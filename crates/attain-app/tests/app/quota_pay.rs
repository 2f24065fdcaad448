//! Approved quotas are the quotas pay reads, and a quota changed after close is late data like
//! any other: a small company (a VP, a manager, two reps on an attainment-tiered plan)
//! allocates FY2017 from its approved plan, approves the sheets, closes January, then revises
//! Ann's quota and approves that; February's run carries exactly one prior-period line, Ann's,
//! and Bob's pay is untouched.

use attain_app::pay::CloseRequest;
use attain_app::plan::{AllocationRequest, RevenueDraft, SheetEdit};
use attain_app::{Actor, App, Role, Settings};
use attain_core::domain::{QuotaMeasure, QuotaSheet};
use attain_core::{Decimal, Kind};
use attain_engine::pay::run::LineKind;
use attain_store::Store;
use attain_testkit::Db;

use crate::on_both;
use crate::pay::month;
use crate::scope::as_person;

const REP_PLAN: &str = r#"id = "rep"
version = 1
valid_from = "2017-01-01"
credit_on = "booking"

[measures.revenue]
sum = "amount"
credit = ["direct"]

[[components]]
id = "commission"
name = "Commission on quota"
type = "commission"
measure = "revenue"
quota = "revenue"
scope = "month"
mode = "marginal"
tiers = [{ from = "0%", rate = "10%" }, { from = "100%", rate = "20%" }]
"#;

fn login(role: Role, login: &str, person: Option<&str>) -> Actor {
    Actor { login: login.into(), ..as_person(role, person) }
}

async fn company(store: Store) -> App {
    let app = App::new(store, Settings::default()).await.unwrap();
    let admin = Actor::system();
    let files: [(Kind, &str); 6] = [
        (
            Kind::Company,
            "id,name,base_currency,fiscal_year_start_month,fiscal_year_naming,time_zone\ncompany,Quotas,USD,1,end_year,UTC\n",
        ),
        (
            Kind::People,
            "id,name,hire_date\nvic,Vic,2016-01-04\nmia,Mia,2016-01-04\nann,Ann,2016-01-04\nbob,Bob,2016-01-04\n",
        ),
        (
            Kind::Positions,
            "id,valid_from,title,role,reports_to\np-vp,2016-01-01,VP,executive,\np-m,2016-01-01,Manager,manager,p-vp\n\
             p-a,2016-01-01,Rep,rep,p-m\np-b,2016-01-01,Rep,rep,p-m\n",
        ),
        (
            Kind::Assignments,
            "id,person_id,position_id,valid_from\na-v,vic,p-vp,2016-01-04\na-m,mia,p-m,2016-01-04\n\
             a-a,ann,p-a,2016-01-04\na-b,bob,p-b,2016-01-04\n",
        ),
        (
            Kind::PlanAssignments,
            "id,position_id,plan_id,valid_from\npa-a,p-a,rep,2017-01-01\npa-b,p-b,rep,2017-01-01\n",
        ),
        (
            Kind::Transactions,
            "id,date,kind,currency,amount,owner_id\nt1,2017-01-10,booking,USD,15000,ann\nt2,2017-01-11,booking,USD,15000,bob\n\
             t3,2017-02-10,booking,USD,5000,ann\n",
        ),
    ];
    for (kind, csv) in files {
        app.import_csv(&admin, kind, "data.csv", csv.as_bytes(), false).await.unwrap();
    }
    app.save_plans(&admin, vec![("rep.toml".into(), REP_PLAN.into())]).await.unwrap();
    app.refresh().await.unwrap();
    app
}

async fn quota_change_after_close_is_one_prior_period_line(store: Store, _: Db) {
    let app = company(store).await;
    let ops = login(Role::CompAdmin, "ops@example.com", None);
    let cfo = login(Role::Finance, "cfo@example.com", None);
    let vic = login(Role::Executive, "vic@example.com", Some("vic"));
    let mia = login(Role::Manager, "mia@example.com", Some("mia"));

    // An approved FY2017 plan of 240,000, 10% of it in January: each rep's year is 120,000,
    // January's 12,000.
    let draft = RevenueDraft {
        fiscal_year: "2017".into(),
        currency: None,
        revenue: "240000".into(),
        margin: "100000".into(),
        bookings: "240000".into(),
        new_logos: "4".into(),
        season: "entered".into(),
        shares: ["10", "10", "8", "8", "8", "8", "8", "8", "8", "8", "8", "8"].map(String::from).to_vec(),
        note: "The plan".into(),
        if_match: None,
    };
    app.save_revenue_draft(&ops, draft).await.unwrap();
    app.approve_revenue_plan(&cfo, 2017, 1, None).await.unwrap();
    let request = AllocationRequest {
        fiscal_year: "2017".into(),
        measure: "revenue".into(),
        method: "equal".into(),
        mix: ["1".into(), "1".into(), "1".into()],
        over_assignment: vec!["100".into(), "100".into()],
        ramp: String::new(),
        note: "Annual allocation".into(),
    };
    app.apply_quota_allocation(&ops, &request).await.unwrap();
    let top = QuotaSheet::id_for(2017, QuotaMeasure::Revenue, "p-vp", 1);
    let team = QuotaSheet::id_for(2017, QuotaMeasure::Revenue, "p-m", 1);
    app.submit_quota_sheet(&ops, &top, None, None).await.unwrap();
    app.approve_quota_sheet(&cfo, &top, None).await.unwrap();
    app.submit_quota_sheet(&mia, &team, None, None).await.unwrap();
    app.approve_quota_sheet(&vic, &team, None).await.unwrap();

    // January: 15,000 against a quota of 12,000 pays 12,000 × 10% + 3,000 × 20% = 1,800 each.
    // Closed.
    let admin = Actor::system();
    app.calculate(&admin, month(2017, 1)).await.unwrap();
    let paid = |app: &App, person: &str, m| {
        let app = app.clone();
        let person = person.to_string();
        async move {
            let view = app.statements(&Actor::system(), month(2017, m)).await.unwrap();
            view.statements().iter().find(|s| s.person_id == person).unwrap().clone()
        }
    };
    let jan_ann = paid(&app, "ann", 1).await;
    assert_eq!(jan_ann.payout, Decimal::from(1800), "{:#?}", jan_ann.lines);
    let close = CloseRequest { version: None, before_month_end: true, reason: Some("test".into()) };
    app.close_period(&admin, month(2017, 1), close).await.unwrap();
    app.calculate(&admin, month(2017, 2)).await.unwrap();
    let before = paid(&app, "bob", 2).await;

    // Ann's year becomes 180,000 (January's share: 18,000): a new version of the team sheet,
    // approved.
    let view = app.quota_sheet(&mia, &team).unwrap();
    let edit = SheetEdit {
        annual: vec![("p-a".into(), "180000".into())],
        note: "Ann took on a larger patch".into(),
        if_match: None,
    };
    let v2 = app.save_quota_sheet(&mia, &team, edit).await.unwrap();
    assert_ne!(v2, view.sheet.id);
    app.submit_quota_sheet(&mia, &v2, Some("Ann's patch grew"), None).await.unwrap();
    app.approve_quota_sheet(&vic, &v2, None).await.unwrap();

    // February's run recalculates January: Ann made 83% of her new quota, so 1,500; the 300
    // difference is one prior-period line. Bob's quota did not change, nor his pay.
    app.calculate(&admin, month(2017, 2)).await.unwrap();
    let ann = paid(&app, "ann", 2).await;
    let prior: Vec<Decimal> =
        ann.lines.iter().filter(|l| l.kind == LineKind::PriorPeriod).map(|l| l.amount).collect();
    assert_eq!(prior, [Decimal::from(-300)], "{:#?}", ann.lines);
    let bob = paid(&app, "bob", 2).await;
    assert!(bob.lines.iter().all(|l| l.kind != LineKind::PriorPeriod), "{:#?}", bob.lines);
    assert_eq!(bob.payout, before.payout);
}

on_both!(quota_change_after_close_is_one_prior_period_line);
