//! Quota allocation and the quota sheets' workflow on the demo company (as of 2018-01-15, whose
//! FY2018 plan is approved), on both databases: the parts sum exactly to the whole for every
//! method; preview equals apply; who may edit, submit, approve and return; a manager cannot go
//! past the envelope without saying why and being approved; approved sheets never change and a
//! change is a new version beside them; pay reads only the sheets in force.

use attain_app::plan::{AllocationRequest, SheetEdit};
use attain_app::{Actor, App, AppError, Role};
use attain_core::domain::{Position, QuotaSheet, Role as SeatRole, SheetStatus, holder_of, quotas_in_force};
use attain_core::{Decimal, Kind, Money};
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::as_person;

fn request(method: &str) -> AllocationRequest {
    AllocationRequest {
        fiscal_year: "FY2018".into(),
        measure: "revenue".into(),
        method: method.into(),
        mix: ["50".into(), "30".into(), "20".into()],
        over_assignment: vec!["100".into(), "110".into()],
        ramp: "25,50,75".into(),
        note: "Annual allocation".into(),
    }
}

fn login(role: Role, login: &str, person: Option<&str>) -> Actor {
    Actor { login: login.into(), ..as_person(role, person) }
}

/// The seats and who holds them on 2018-01-15: (vp person, a manager's seat, its holder).
fn org(app: &App) -> (String, Position, String, String) {
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let day = date(2018, 1, 15);
    let now: Vec<&Position> = data.positions.iter().filter(|p| p.validity.contains(day)).collect();
    let holder = |id: &str| holder_of(&data.assignments, id, day).unwrap().to_string();
    let vp = now.iter().find(|p| p.reports_to.is_none()).unwrap();
    let managers: Vec<&&Position> = now.iter().filter(|p| p.role == SeatRole::Manager).collect();
    (holder(&vp.id), (*managers[0]).clone(), holder(&managers[0].id), holder(&managers[1].id))
}

fn sum_lines(app: &App, sheet: &QuotaSheet) -> Decimal {
    app.snapshot()
        .data
        .quotas
        .iter()
        .filter(|q| q.sheet_id.as_deref() == Some(sheet.id.as_str()))
        .map(|q| q.amount)
        .sum()
}

async fn every_method_divides_the_plan_exactly_and_preview_equals_apply(store: Store, _: Db) {
    let app = crate::demo_app(store).await;
    let ops = login(Role::CompAdmin, "ops@example.com", None);
    let plan_revenue = app
        .snapshot()
        .data
        .revenue_plans
        .iter()
        .find(|p| p.fiscal_year == 2018 && p.version == 1)
        .unwrap()
        .revenue;
    for method in ["equal", "last_year", "potential", "mix"] {
        let a = app.quota_allocation(&ops, &request(method)).unwrap();
        assert_eq!(a.total, plan_revenue, "{method}");
        assert_eq!(a.sheets[0].envelope, plan_revenue, "{method}: the top sheet divides the plan");
        assert_eq!(a.sheets.len(), 4, "{method}: the VP's and three managers' sheets");
        for sheet in &a.sheets {
            let lines: Decimal = a
                .lines
                .iter()
                .filter(|q| q.sheet_id.as_deref() == Some(sheet.id.as_str()))
                .map(|q| q.amount)
                .sum();
            assert_eq!(lines, sheet.target().amount(), "{method}: {} sums exactly to its target", sheet.id);
        }
        // Managers carry their region's share; reps 110% of their manager's, to the cent.
        for seat in &a.seats {
            let months: Decimal = seat.months.iter().map(|m| m.amount()).sum();
            assert_eq!(months, seat.annual.amount(), "{method}: {}", seat.position_id);
            assert!(seat.months.iter().all(|m| m.amount() >= Decimal::ZERO));
        }
    }
    // Who may not allocate.
    for role in [Role::Finance, Role::Executive, Role::Manager, Role::Rep] {
        let err = app.quota_allocation(&as_person(role, Some("x")), &request("equal")).unwrap_err();
        assert!(matches!(err, AppError::Forbidden), "{role}: {err:?}");
    }
    // Bad input names its field and writes nothing.
    for (r, field) in [
        (AllocationRequest { method: "random".into(), ..request("equal") }, "method"),
        (AllocationRequest { fiscal_year: "2031".into(), ..request("equal") }, "fiscal_year"),
        (AllocationRequest { mix: ["0".into(), "0".into(), "0".into()], ..request("mix") }, "mix_equal"),
        (AllocationRequest { over_assignment: vec!["400".into()], ..request("equal") }, "over_assignment"),
        (AllocationRequest { ramp: "25,abc".into(), ..request("equal") }, "ramp"),
        (AllocationRequest { note: " ".into(), ..request("equal") }, "note"),
    ] {
        let err = app.apply_quota_allocation(&ops, &r).await.unwrap_err();
        assert!(matches!(&err, AppError::Invalid { field: Some(f), .. } if f == field), "{field}: {err:?}");
    }
    assert!(app.snapshot().data.quota_sheets.is_empty(), "nothing half-written");

    // Apply writes exactly the preview.
    let preview = app.quota_allocation(&ops, &request("mix")).unwrap();
    let applied = app.apply_quota_allocation(&ops, &request("mix")).await.unwrap();
    let snapshot = app.snapshot();
    let by_id = |mut v: Vec<QuotaSheet>| {
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    assert_eq!(by_id(snapshot.data.quota_sheets.clone()), by_id(preview.sheets.clone()));
    let mut stored: Vec<_> = snapshot.data.quotas.iter().filter(|q| q.sheet_id.is_some()).cloned().collect();
    let mut expected = preview.lines.clone();
    stored.sort_by(|a, b| a.id.cmp(&b.id));
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(stored, expected);
    assert_eq!(applied.sheets, preview.sheets);
    // Drafts are not read by pay.
    let calendar = snapshot.data.company[0].calendar;
    assert!(
        quotas_in_force(&snapshot.data.quota_sheets, &snapshot.data.quotas, &calendar)
            .iter()
            .all(|q| q.sheet_id.is_none())
    );
    // Allocating again overwrites the open drafts: still version 1, no second set.
    app.apply_quota_allocation(&ops, &request("equal")).await.unwrap();
    assert!(app.snapshot().data.quota_sheets.iter().all(|s| s.version == 1));
    assert_eq!(app.snapshot().data.quota_sheets.len(), 4);
}

async fn managers_adjust_within_the_envelope_and_the_next_level_up_approves(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let ops = login(Role::CompAdmin, "ops@example.com", None);
    let (vp, seat, manager, other_manager) = org(&app);
    let boss = login(Role::Manager, "east@example.com", Some(&manager));
    let peer = login(Role::Manager, "west@example.com", Some(&other_manager));
    let exec = login(Role::Executive, "vp@example.com", Some(&vp));
    let cfo = login(Role::Finance, "cfo@example.com", None);
    app.apply_quota_allocation(&ops, &request("equal")).await.unwrap();
    let id = QuotaSheet::id_for(2018, attain_core::domain::QuotaMeasure::Revenue, &seat.id, 1);

    // The manager sees their own team's sheet, not the VP's nor a peer's; a rep sees none.
    let mine = app.quota_sheets(&boss, 2018).unwrap();
    assert_eq!(mine.iter().map(|s| s.sheet.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    assert!(matches!(app.quota_sheet(&peer, &id), Err(AppError::NotFound)));
    assert!(app.quota_sheets(&as_person(Role::Rep, Some("nobody")), 2018).unwrap().is_empty());
    let view = app.quota_sheet(&boss, &id).unwrap();
    assert!(view.may_edit && !view.may_review);
    assert_eq!(view.total, view.target, "allocated to the cent");

    // Moving quota between reps keeps the total; submitting needs no reason then.
    let (a, b) = (&view.reports[0], &view.reports[1]);
    let moved = Money::new(Decimal::from(1000), a.annual.currency()).unwrap();
    let edit = SheetEdit {
        annual: vec![
            (a.position_id.clone(), (a.annual.amount() + moved.amount()).to_string()),
            (b.position_id.clone(), (b.annual.amount() - moved.amount()).to_string()),
        ],
        note: String::new(),
        if_match: Some(view.etag.clone()),
    };
    app.save_quota_sheet(&boss, &id, edit.clone()).await.unwrap();
    // The same edit on the version read before is refused: someone changed it since.
    assert!(matches!(app.save_quota_sheet(&boss, &id, edit).await, Err(AppError::Conflict(_))));
    let view = app.quota_sheet(&boss, &id).unwrap();
    assert_eq!(view.total, view.target);
    assert_eq!(view.reports[0].annual.amount(), a.annual.amount() + moved.amount());
    assert_eq!(sum_lines(&app, &view.sheet), view.target.amount(), "months re-spread exactly");

    // Going past the envelope: saved, but submitting needs a reason for the approver.
    let over = SheetEdit {
        annual: vec![(
            a.position_id.clone(),
            (view.reports[0].annual.amount() + Decimal::from(5000)).to_string(),
        )],
        note: String::new(),
        if_match: Some(view.etag.clone()),
    };
    app.save_quota_sheet(&boss, &id, over).await.unwrap();
    let err = app.submit_quota_sheet(&boss, &id, None, None).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Invalid { field: Some(f), message } if f == "reason" && message.contains("above")),
        "{err:?}"
    );
    app.submit_quota_sheet(&boss, &id, Some("A new strategic account in the patch"), None).await.unwrap();
    assert_eq!(app.quota_sheet(&boss, &id).unwrap().sheet.status, SheetStatus::Submitted);
    // Submitted: the owner cannot change it, nor approve it; a comp admin is not the next
    // level up; a peer does not see it; a rep cannot approve.
    assert!(matches!(
        app.save_quota_sheet(&boss, &id, SheetEdit::default()).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(app.approve_quota_sheet(&boss, &id, None).await, Err(AppError::Conflict(_))));
    assert!(matches!(app.approve_quota_sheet(&ops, &id, None).await, Err(AppError::Forbidden)));
    assert!(matches!(app.approve_quota_sheet(&cfo, &id, None).await, Err(AppError::Forbidden)));
    assert!(matches!(app.approve_quota_sheet(&peer, &id, None).await, Err(AppError::NotFound)));
    assert!(matches!(
        app.approve_quota_sheet(&as_person(Role::Rep, Some("nobody")), &id, None).await,
        Err(AppError::NotFound)
    ));

    // The VP returns it with a reason; the manager resubmits; the VP approves.
    let err = app.return_quota_sheet(&exec, &id, " ", None).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid { field: Some(f), .. } if f == "reason"));
    app.return_quota_sheet(&exec, &id, "Keep within the envelope", None).await.unwrap();
    let view = app.quota_sheet(&boss, &id).unwrap();
    assert_eq!(view.sheet.status, SheetStatus::Draft);
    assert!(view.sheet.review_note.as_deref().is_some_and(|n| n.contains("Keep within the envelope")));
    app.submit_quota_sheet(&boss, &id, Some("Still needed: the strategic account"), None).await.unwrap();
    assert!(app.quota_sheet(&exec, &id).unwrap().may_review);
    app.approve_quota_sheet(&exec, &id, None).await.unwrap();
    let approved = app.quota_sheet(&boss, &id).unwrap();
    assert!(approved.in_force && approved.sheet.status == SheetStatus::Approved);
    let snapshot = app.snapshot();
    let calendar = snapshot.data.company[0].calendar;
    let read = quotas_in_force(&snapshot.data.quota_sheets, &snapshot.data.quotas, &calendar);
    let team: Decimal =
        read.iter().filter(|q| q.sheet_id.as_deref() == Some(id.as_str())).map(|q| q.amount).sum();
    assert_eq!(team, approved.total.amount(), "pay reads the approved lines");
    // Imported January 2018 quotas of the team's seats are no longer read beside them.
    assert!(!read.iter().any(|q| q.sheet_id.is_none()
        && approved.reports.iter().any(|r| r.position_id == q.position_id)
        && q.measure == "revenue"
        && q.period.to_string().starts_with("2018")));
    drop(snapshot);

    // A later change is a new version with who and why; the approved one stays in force.
    let change =
        SheetEdit { annual: vec![(a.position_id.clone(), "1".into())], note: String::new(), if_match: None };
    let err = app.save_quota_sheet(&boss, &id, change.clone()).await.unwrap_err();
    assert!(matches!(&err, AppError::Invalid { field: Some(f), .. } if f == "note"), "{err:?}");
    let v2 = app
        .save_quota_sheet(&boss, &id, SheetEdit { note: "Rep moved to a smaller patch".into(), ..change })
        .await
        .unwrap();
    assert!(v2.ends_with("-v2"));
    let draft = app.quota_sheet(&boss, &v2).unwrap();
    assert!(!draft.in_force && draft.reports[0].in_force_annual.is_some(), "plan beside current");
    assert!(app.quota_sheet(&boss, &id).unwrap().in_force, "v1 stays in force until v2 is approved");
    assert_eq!(draft.versions.len(), 2);

    // The approved lines never change, whichever way they are written.
    let line = app
        .snapshot()
        .data
        .quotas
        .iter()
        .find(|q| q.sheet_id.as_deref() == Some(id.as_str()))
        .unwrap()
        .clone();
    let spec = Kind::Quotas.spec();
    let csv = format!(
        "{}\n{},{},{},{},1.00,{},{}\n",
        spec.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(","),
        line.id,
        line.position_id,
        line.measure,
        line.period,
        line.currency.unwrap(),
        id
    );
    let admin = login(Role::Admin, "admin@example.com", None);
    let err = app.import_csv(&admin, Kind::Quotas, "quotas.csv", csv.as_bytes(), false).await.unwrap_err();
    assert!(err.to_string().contains("is approved and never changes"), "{err}");

    let (entries, _) = store.audit_page(&AuditFilter::default(), 1000, 0).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "quota.allocate",
        "quota_sheet.save",
        "quota_sheet.submit",
        "quota_sheet.return",
        "quota_sheet.approve",
        "quota_sheet.revise",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

on_both!(
    every_method_divides_the_plan_exactly_and_preview_equals_apply,
    managers_adjust_within_the_envelope_and_the_next_level_up_approves,
);
