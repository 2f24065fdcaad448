//! Territory design on the demo company (as of 2018-01-15; every enterprise account a named
//! account of its territory), on both databases: rules decide in precedence order, the
//! preview lists exactly what the apply moves and the apply dates it; two rules of one
//! precedence claiming an account are refused; the balance report's suggested moves lower its
//! score and never move a named account; the hierarchy is edited and never loops; managers
//! are told none of it exists.

use std::collections::HashSet;

use attain_app::plan::{BalanceRequest, OwnerRequest, RuleRequest, TerritoryRequest};
use attain_app::{App, AppError, Role};
use attain_core::domain::{AccountSize, RuleBasis};
use attain_core::{Date, Kind};
use attain_facts::day::day_of;
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;
use jiff::civil::date;

use crate::on_both;
use crate::scope::as_person;

/// The leaf territories (nothing names them as parent), by id.
fn leaves(app: &App) -> Vec<String> {
    let snapshot = app.snapshot();
    let data = &snapshot.data;
    let parents: HashSet<&str> = data.territories.iter().filter_map(|t| t.parent_id.as_deref()).collect();
    let mut out: Vec<String> =
        data.territories.iter().filter(|t| !parents.contains(t.id.as_str())).map(|t| t.id.clone()).collect();
    out.sort();
    out
}

fn rule(territory: &str, basis: &str, value: &str, from: &str) -> RuleRequest {
    RuleRequest {
        territory_id: territory.into(),
        basis: basis.into(),
        value: value.into(),
        valid_from: from.into(),
        valid_to: None,
        note: Some("Canada desk".into()),
    }
}

/// An account's territory on `day` as the fact store (what crediting reads) has it.
fn facts_territory(app: &App, account: &str, day: Date) -> Option<String> {
    let snapshot = app.snapshot();
    let facts = &snapshot.facts;
    let n = facts.accounts.get(account)?;
    facts.territories.name_opt(facts.account_territory.get(n, day_of(day))).map(str::to_string)
}

fn field_of(e: &AppError) -> &str {
    match e {
        AppError::Invalid { field: Some(f), .. } => f,
        other => panic!("not a field error: {other:?}"),
    }
}

async fn the_preview_lists_exactly_what_the_apply_moves_and_dates(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let ops = as_person(Role::CompAdmin, None);
    let target = leaves(&app)[0].clone();
    app.save_territory_rule(&ops, &rule(&target, "country", " ca ", "2018-02-01")).await.unwrap();
    let day = date(2018, 2, 1);
    let preview = app.assign_territories(&ops, day, false).await.unwrap();
    let data = app.snapshot().data.clone();
    let account = |id: &str| data.accounts.iter().find(|a| a.id == id).unwrap();
    let canadian_elsewhere: Vec<&str> = data
        .accounts
        .iter()
        .filter(|a| a.country.as_deref() == Some("CA") && a.size != Some(AccountSize::Enterprise))
        .filter(|a| a.territory_id.as_deref() != Some(target.as_str()))
        .map(|a| a.id.as_str())
        .collect();
    assert!(!canadian_elsewhere.is_empty(), "the demo has Canadian accounts in other patches");
    let mut moved: Vec<&str> = preview.moves.iter().map(|m| m.account_id.as_str()).collect();
    moved.sort();
    let mut expected = canadian_elsewhere.clone();
    expected.sort();
    assert_eq!(moved, expected, "every Canadian account but the named ones, and nothing else");
    for m in &preview.moves {
        assert_eq!(m.to_territory, target);
        assert_eq!(m.rule, "country = ca");
        assert_eq!(m.from_territory.as_deref(), account(&m.account_id).territory_id.as_deref());
        assert!(m.from_owner.is_some() && m.to_owner.is_some(), "{m:?}: from whom to whom");
    }
    assert!(!app.snapshot().data.account_territories.iter().any(|_| true), "a preview writes nothing");

    // The apply moves exactly what the preview listed, dated from the day.
    let applied = app.assign_territories(&ops, day, true).await.unwrap();
    assert!(applied.applied);
    assert_eq!(applied.moves, preview.moves);
    let first = &preview.moves[0];
    assert_eq!(facts_territory(&app, &first.account_id, day), Some(target.clone()));
    assert_eq!(
        facts_territory(&app, &first.account_id, date(2018, 1, 31)),
        first.from_territory,
        "the day before, the account was where it was"
    );
    assert_eq!(app.snapshot().data.account_territories.len(), preview.moves.len());
    assert!(
        app.assign_territories(&ops, day, false).await.unwrap().moves.is_empty(),
        "applied: nothing left"
    );
    let (entries, _) = store.audit_page(&AuditFilter::default(), 1000, 0).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.action == "territory.assign").count(), 1);

    // An override a month later moves one of them on: the row from February ends then.
    let other = leaves(&app)[1].clone();
    app.save_territory_rule(&ops, &rule(&other, "override", &first.account_id, "2018-03-01")).await.unwrap();
    let later = app.assign_territories(&ops, date(2018, 3, 1), true).await.unwrap();
    assert_eq!(later.moves.len(), 1);
    assert_eq!(later.moves[0].rule, format!("override = {}", first.account_id));
    let snapshot = app.snapshot();
    let mut rows: Vec<_> =
        snapshot.data.account_territories.iter().filter(|r| r.account_id == first.account_id).collect();
    rows.sort_by_key(|r| r.validity.from);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].validity.to, rows[1].validity.from, rows[1].validity.to),
        (Some(date(2018, 3, 1)), date(2018, 3, 1), None)
    );
    assert_eq!(facts_territory(&app, &first.account_id, date(2018, 3, 1)), Some(other));
}

async fn two_rules_of_one_precedence_claiming_an_account_are_refused(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let ops = as_person(Role::CompAdmin, None);
    let leaves = leaves(&app);
    app.save_territory_rule(&ops, &rule(&leaves[0], "country", "CA", "2018-02-01")).await.unwrap();
    let before = app.snapshot().data.territory_rules.len();
    // The same country under another spelling, to another territory, a month later.
    let err =
        app.save_territory_rule(&ops, &rule(&leaves[1], "country", "ca ", "2018-03-01")).await.unwrap_err();
    assert_eq!(field_of(&err), "value");
    let text = err.to_string();
    assert!(text.contains("same precedence (country)") && text.contains("both claim account"), "{text}");
    assert_eq!(app.snapshot().data.territory_rules.len(), before, "nothing written");
    // A rule starting earlier that would be in force when the first starts is refused too.
    let err =
        app.save_territory_rule(&ops, &rule(&leaves[1], "country", "CA", "2018-01-20")).await.unwrap_err();
    assert_eq!(field_of(&err), "value");
    // Another precedence claiming the same accounts is no conflict: the country rule wins.
    app.save_territory_rule(&ops, &rule(&leaves[1], "region", "West", "2018-02-01")).await.unwrap();
    // Other bad input names its field.
    for (request, field) in [
        (rule("ter-nowhere", "country", "CA", "2018-02-01"), "territory_id"),
        (rule(&leaves[0], "postcode", "CA", "2018-02-01"), "basis"),
        (rule(&leaves[0], "named", "acc-nobody", "2018-02-01"), "value"),
        (rule(&leaves[0], "size", "huge", "2018-02-01"), "value"),
        (rule(&leaves[0], "industry", "Retail", "2018-02-30"), "valid_from"),
    ] {
        let err = app.save_territory_rule(&ops, &request).await.unwrap_err();
        assert_eq!(field_of(&err), field, "{request:?}: {err}");
    }
    // An imported rule claiming those accounts is refused with its file, line and column,
    // naming both rules; the file's other rows are not written either.
    let dir = tempfile::tempdir().unwrap();
    let csv = format!(
        "id,territory_id,basis,value,valid_from,valid_to,note\n\
         imp-ok,{},industry,Retail,2018-04-01,,\nimp-clash,{},country,ca,2018-04-01,,\n",
        leaves[0], leaves[1]
    );
    let err = crate::import_text(
        &store,
        dir.path(),
        Kind::TerritoryRules,
        &csv,
        attain_app::ImportOptions::default(),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("territory_rules.csv") && text.contains("line 3") && text.contains("value"),
        "names the place: {text}"
    );
    assert!(
        text.contains("imp-clash") && text.contains("tr-country-ca-2018-02-01"),
        "names both rules: {text}"
    );
    app.refresh().await.unwrap();
    assert_eq!(app.snapshot().data.territory_rules.len(), before + 1, "nothing half-applied");

    // Rules that reached the store some other way (a restored backup) are caught by the
    // preview and the apply, naming both, and nothing is written.
    let mut clash = attain_core::Dataset::default();
    let mut rule = app
        .snapshot()
        .data
        .territory_rules
        .iter()
        .find(|r| r.id == "tr-country-ca-2018-02-01")
        .unwrap()
        .clone();
    rule.id = "restored-clash".into();
    rule.territory_id = leaves[1].clone();
    rule.value = "CA ".into();
    clash.territory_rules.push(rule);
    store.save_dataset(&clash).await.unwrap();
    app.refresh().await.unwrap();
    for apply in [false, true] {
        let err = app.assign_territories(&ops, date(2018, 4, 1), apply).await.unwrap_err();
        assert_eq!(field_of(&err), "rules");
        assert!(err.to_string().contains("restored-clash"), "{err}");
    }
    assert!(app.snapshot().data.account_territories.is_empty(), "nothing half-applied");
}

async fn balance_moves_lower_the_score_and_spare_named_accounts(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let ops = as_person(Role::CompAdmin, None);
    let finance = as_person(Role::Finance, None);
    let request = BalanceRequest { on: Some("2018-02-01".into()), ..Default::default() };
    let before = app.territory_balance(&finance, &request).unwrap();
    assert_eq!(before.bookings_year, 2017);
    assert_eq!(before.rows.len(), leaves(&app).len(), "every leaf territory");
    let accounts: u32 = before.rows.iter().map(|r| r.load.accounts).sum();
    assert_eq!(
        accounts as usize,
        app.snapshot().data.accounts.iter().filter(|a| a.territory_id.is_some()).count()
    );
    assert!(
        before.rows.iter().any(|r| r.load.bookings > rust_decimal::Decimal::ZERO),
        "last year's bookings"
    );
    assert!(before.rows.iter().any(|r| r.load.pipeline > rust_decimal::Decimal::ZERO), "open pipeline");
    assert!(!before.suggestions.is_empty(), "the demo's patches are uneven");
    let named: HashSet<String> = app
        .snapshot()
        .data
        .territory_rules
        .iter()
        .filter(|r| r.basis == RuleBasis::Named)
        .map(|r| r.value.clone())
        .collect();
    assert!(before.suggestions.iter().all(|s| !named.contains(&s.account_id)), "never a named account");
    let mut last = before.score;
    for s in &before.suggestions {
        assert!(s.score_after < last, "each move lowers the score: {last} then {}", s.score_after);
        last = s.score_after;
    }

    // Finance may look but not take them; the comp admin takes them as overrides.
    assert!(matches!(app.take_balance_moves(&finance, &request).await.unwrap_err(), AppError::Forbidden));
    let rules = app.take_balance_moves(&ops, &request).await.unwrap();
    assert_eq!(rules.len(), before.suggestions.len());
    assert!(rules.iter().all(|r| r.basis == RuleBasis::Override));
    let applied = app.assign_territories(&ops, date(2018, 2, 1), true).await.unwrap();
    assert_eq!(applied.moves.len(), rules.len(), "each override moves its account");
    let after = app.territory_balance(&finance, &request).unwrap();
    assert!(after.score < before.score, "{} → {}", before.score, after.score);
    assert_eq!(after.score, before.suggestions.last().unwrap().score_after, "as the report said it would be");

    // Other measures, one part of the tree, and bad choices naming their field.
    for measure in ["pipeline", "bookings", "workload", "accounts"] {
        let r = BalanceRequest { measure: Some(measure.into()), ..request.clone() };
        assert_eq!(app.territory_balance(&finance, &r).unwrap().measure.to_string(), measure);
    }
    let region = app
        .snapshot()
        .data
        .territories
        .iter()
        .find(|t| t.parent_id.as_deref() == Some("ter-all"))
        .unwrap()
        .id
        .clone();
    let part =
        app.territory_balance(&finance, &BalanceRequest { under: Some(region), ..request.clone() }).unwrap();
    assert!(part.rows.len() < before.rows.len() && !part.rows.is_empty());
    for (r, field) in [
        (BalanceRequest { measure: Some("beauty".into()), ..request.clone() }, "measure"),
        (BalanceRequest { moves: Some("500".into()), ..request.clone() }, "moves"),
        (BalanceRequest { under: Some("ter-nowhere".into()), ..request.clone() }, "under"),
        (BalanceRequest { on: Some("yesterday".into()), ..request.clone() }, "on"),
    ] {
        assert_eq!(field_of(&app.territory_balance(&finance, &r).unwrap_err()), field);
    }
}

async fn the_hierarchy_is_edited_never_loops_and_managers_see_none_of_it(store: Store, _: Db) {
    let app = crate::demo_app(store.clone()).await;
    let ops = as_person(Role::CompAdmin, None);
    let canada = TerritoryRequest {
        name: "Canada".into(),
        parent_id: Some("ter-all".into()),
        region: Some("Canada".into()),
    };
    let t = app.save_territory(&ops, None, &canada).await.unwrap();
    assert_eq!(t.id, "ter-canada");
    assert_eq!(
        field_of(&app.save_territory(&ops, None, &canada).await.unwrap_err()),
        "name",
        "the id is taken"
    );
    // The root under its own child: refused.
    let looping = TerritoryRequest {
        name: "All Territories".into(),
        parent_id: Some("ter-canada".into()),
        region: None,
    };
    let err = app.save_territory(&ops, Some("ter-all"), &looping).await.unwrap_err();
    assert_eq!(field_of(&err), "parent_id");
    // Handing it to a seat from a day, then to another from a later day: the first ends then.
    let seats: Vec<String> = app
        .snapshot()
        .data
        .positions
        .iter()
        .filter(|p| p.validity.contains(date(2018, 3, 1)))
        .map(|p| p.id.clone())
        .take(2)
        .collect();
    let own = |seat: &str, from: &str| OwnerRequest { position_id: seat.into(), valid_from: from.into() };
    app.set_territory_owner(&ops, "ter-canada", &own(&seats[0], "2018-02-01")).await.unwrap();
    app.set_territory_owner(&ops, "ter-canada", &own(&seats[1], "2018-03-01")).await.unwrap();
    let snapshot = app.snapshot();
    let mut owners: Vec<_> =
        snapshot.data.territory_owners.iter().filter(|o| o.territory_id == "ter-canada").collect();
    owners.sort_by_key(|o| o.validity.from);
    assert_eq!(owners.len(), 2);
    assert_eq!(owners[0].validity.to, Some(date(2018, 3, 1)));
    assert_eq!((owners[1].position_id.as_str(), owners[1].validity.to), (seats[1].as_str(), None));
    assert_eq!(
        field_of(
            &app.set_territory_owner(&ops, "ter-canada", &own("pos-nobody", "2018-03-01")).await.unwrap_err()
        ),
        "position_id"
    );

    // Managers and reps are told none of it exists; finance reads but does not change it.
    let manager = as_person(Role::Manager, Some("nobody"));
    assert!(matches!(app.territory_rules(&manager, false).unwrap_err(), AppError::NotFound));
    assert!(matches!(
        app.territory_balance(&manager, &BalanceRequest::default()).unwrap_err(),
        AppError::NotFound
    ));
    assert!(matches!(
        app.assign_territories(&manager, date(2018, 2, 1), false).await.unwrap_err(),
        AppError::NotFound
    ));
    let finance = as_person(Role::Finance, None);
    assert!(app.territory_rules(&finance, false).unwrap().iter().all(|r| r.rule.basis == RuleBasis::Named));
    assert!(matches!(
        app.assign_territories(&finance, date(2018, 2, 1), true).await.unwrap_err(),
        AppError::Forbidden
    ));
    assert!(matches!(app.save_territory(&finance, None, &canada).await.unwrap_err(), AppError::Forbidden));
    let (entries, _) = store.audit_page(&AuditFilter::default(), 1000, 0).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "territory.save"));
    assert_eq!(entries.iter().filter(|e| e.action == "territory.owner").count(), 2);
}

on_both!(
    the_preview_lists_exactly_what_the_apply_moves_and_dates,
    two_rules_of_one_precedence_claiming_an_account_are_refused,
    balance_moves_lower_the_score_and_spare_named_accounts,
    the_hierarchy_is_edited_never_loops_and_managers_see_none_of_it,
);
