//! Reading and editing records through the app: lists filtered, searched, sorted and paged
//! within the actor's scope; one record by id; and PUT with optimistic concurrency.

use std::collections::BTreeSet;

use attain_app::records::{ListQuery, Listing, Op, etag, record_json};
use attain_app::{Actor, App, AppError, ImportOptions, Role, Settings};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;
use serde_json::json;

use crate::platform::{app_with_org, assert_err, audit_len};
use crate::scope::as_person;
use crate::{import_text, on_both};

/// The ids on a page, in order.
fn ids(listing: &Listing) -> Vec<String> {
    let id = listing.kind.spec().index_of("id").unwrap();
    listing
        .rows
        .iter()
        .map(|&i| listing.snapshot.values(listing.kind, i)[id].as_text().unwrap().to_string())
        .collect()
}

fn query(q: Option<&str>, filters: &[(&str, &str)], sort: Option<&str>) -> ListQuery {
    ListQuery {
        q: q.map(str::to_string),
        filters: filters.iter().map(|(name, value)| ListQuery::filter_param(name, value)).collect(),
        sort: sort.map(str::to_string),
        page: 1,
        per_page: 0,
    }
}

fn list(app: &App, actor: &Actor, kind: Kind, query: &ListQuery) -> Vec<String> {
    ids(&app.list(actor, kind, query).unwrap())
}

async fn lists_page_in_key_order(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let admin = Actor::system();
    let page = |page: u32, per_page: u32| ListQuery { page, per_page, ..ListQuery::default() };
    let first = app.list(&admin, Kind::People, &page(1, 3)).unwrap();
    assert_eq!(ids(&first), ["alice", "bruno", "fiona"]);
    assert_eq!((first.total, first.page, first.per_page, first.pages()), (7, 1, 3, 3));
    assert_eq!(list(&app, &admin, Kind::People, &page(2, 3)), ["raj", "sam", "tina"]);
    assert_eq!(list(&app, &admin, Kind::People, &page(3, 3)), ["vera"]);
    let beyond = app.list(&admin, Kind::People, &page(9, 3)).unwrap();
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, 7, "the total does not depend on the page");
    // Page 0 is page 1; no page size is the default; a huge one is capped.
    assert_eq!(list(&app, &admin, Kind::People, &page(0, 3)), ["alice", "bruno", "fiona"]);
    let default = app.list(&admin, Kind::People, &page(1, 0)).unwrap();
    assert_eq!((default.per_page, default.rows.len()), (attain_app::records::DEFAULT_PER_PAGE, 7));
    assert_eq!(
        app.list(&admin, Kind::People, &page(1, 1_000_000)).unwrap().per_page,
        attain_app::records::MAX_PER_PAGE
    );
    assert_eq!(app.list(&admin, Kind::Company, &page(1, 0)).unwrap().pages(), 1);
    let empty = app
        .list(&admin, Kind::Products, &ListQuery { q: Some("nothing matches".into()), ..page(1, 10) })
        .unwrap();
    assert_eq!((empty.total, empty.pages()), (0, 1), "an empty list still has one page");
}

async fn lists_search_and_filter(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let admin = Actor::system();
    // Search: any column, ignoring case.
    assert_eq!(list(&app, &admin, Kind::People, &query(Some("RAJ"), &[], None)), ["raj"]);
    assert_eq!(list(&app, &admin, Kind::People, &query(Some("  rep "), &[], None)), ["raj", "sam", "tina"]);
    assert_eq!(list(&app, &admin, Kind::Opportunities, &query(Some("acc-via"), &[], None)), ["o-tina"]);

    // Equality ignores case; every filter must hold.
    assert_eq!(list(&app, &admin, Kind::People, &query(None, &[("name", "sam rep")], None)), ["sam"]);
    let opps =
        |filters: &[(&str, &str)]| list(&app, &admin, Kind::Opportunities, &query(None, filters, None));
    assert_eq!(opps(&[("created_on__gte", "2017-02-01")]), ["o-raj-early", "o-raj-late"]);
    assert_eq!(opps(&[("created_on__lt", "2017-02-01")]), ["o-sam", "o-tina"]);
    assert_eq!(
        opps(&[("created_on__gte", "2017-01-10"), ("created_on__lt", "2017-08-01")]),
        ["o-raj-early", "o-sam"]
    );
    assert_eq!(opps(&[("owner_id", "RAJ"), ("status", "open")]), ["o-raj-late"]);
    // Money compares as a number, not as text.
    assert_eq!(opps(&[("amount", "1000.00")]).len(), 4);
    assert_eq!(opps(&[("amount__gte", "999.99")]).len(), 4);
    assert!(opps(&[("amount__lt", "1000")]).is_empty());
    // A value that cannot be compared with its column is refused, not silently unmatched.
    for (column, value) in [("amount__gte", "not a number"), ("created_on", "2017-02-30")] {
        let filtered = query(None, &[(column, value)], None);
        let name = column.split("__").next().unwrap();
        assert_err!(
            app.list(&admin, Kind::Opportunities, &filtered),
            AppError::Invalid { field, .. } if field.as_deref() == Some(name)
        );
    }
    // An empty cell equals the empty string and nothing else.
    assert_eq!(opps(&[("closed_on", "")]), ["o-raj-late", "o-sam", "o-tina"]);
    assert!(opps(&[("closed_on__gte", "2000-01-01"), ("closed_on__lt", "2017-01-01")]).is_empty());

    assert_eq!(
        ListQuery::filter_param("created_on__gte", "x"),
        ("created_on".to_string(), Op::Gte, "x".to_string())
    );
    assert_eq!(ListQuery::filter_param("a__b", "x"), ("a__b".to_string(), Op::Eq, "x".to_string()));
    assert_err!(
        app.list(&admin, Kind::People, &query(None, &[("colour", "red")], None)),
        AppError::Invalid { field, .. } if field.as_deref() == Some("colour")
    );
}

async fn lists_sort_by_any_column(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let admin = Actor::system();
    let sorted = |kind: Kind, sort: &str| list(&app, &admin, kind, &query(None, &[], Some(sort)));
    assert_eq!(sorted(Kind::People, "-name"), ["vera", "tina", "sam", "raj", "fiona", "bruno", "alice"]);
    assert_eq!(sorted(Kind::Opportunities, "created_on"), ["o-tina", "o-sam", "o-raj-early", "o-raj-late"]);
    assert_eq!(sorted(Kind::Opportunities, "-created_on"), ["o-raj-late", "o-raj-early", "o-sam", "o-tina"]);
    // Empty cells last either way; ties keep key order.
    assert_eq!(sorted(Kind::Opportunities, "closed_on"), ["o-raj-early", "o-raj-late", "o-sam", "o-tina"]);
    assert_eq!(sorted(Kind::Opportunities, "-closed_on"), ["o-raj-early", "o-raj-late", "o-sam", "o-tina"]);
    assert_eq!(sorted(Kind::People, "  "), ["alice", "bruno", "fiona", "raj", "sam", "tina", "vera"]);
    assert_err!(
        app.list(&admin, Kind::People, &query(None, &[], Some("-colour"))),
        AppError::Invalid { field, .. } if field.as_deref() == Some("sort")
    );
    // Sorting and paging compose: the second page of the sorted list.
    let second = ListQuery { page: 2, per_page: 2, ..query(None, &[], Some("-name")) };
    assert_eq!(list(&app, &admin, Kind::People, &second), ["sam", "raj"]);
}

async fn lists_and_reads_stay_in_scope(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let alice = as_person(Role::Manager, Some("alice"));
    let raj = as_person(Role::Rep, Some("raj"));
    let all = query(None, &[], None);
    let listing = app.list(&alice, Kind::Opportunities, &all).unwrap();
    assert_eq!((ids(&listing), listing.total), (vec!["o-raj-early".to_string(), "o-sam".to_string()], 2));
    assert!(list_search(&app, &raj, "tina").is_empty(), "a search cannot reach outside the scope");
    assert_eq!(list(&app, &raj, Kind::People, &all), ["raj"]);

    let found = app.get(&alice, Kind::Opportunities, "o-raj-early").unwrap();
    assert_eq!(found.rows.len(), 1);
    let row = &found.snapshot.values(Kind::Opportunities, found.rows[0]);
    assert_eq!(row[0].as_text(), Some("o-raj-early"));
    // Someone else's record and a record that does not exist are alike: not found.
    assert_err!(app.get(&alice, Kind::Opportunities, "o-tina"), AppError::NotFound);
    assert_err!(app.get(&alice, Kind::Opportunities, "o-nope"), AppError::NotFound);
    assert_err!(app.get(&raj, Kind::People, "sam"), AppError::NotFound);
    assert!(app.get(&Actor::system(), Kind::Opportunities, "o-tina").is_ok());
    assert!(app.get(&raj, Kind::Products, "widget").is_ok(), "catalogues are everyone's");
}

/// `list` for a search, as one actor, of people.
fn list_search(app: &App, actor: &Actor, q: &str) -> Vec<String> {
    ids(&app.list(actor, Kind::People, &query(Some(q), &[], None)).unwrap())
}

async fn put_creates_then_updates_with_the_etag(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let editor = as_person(Role::CompAdmin, None);
    let entries = audit_len(&app).await;

    let body = json!({ "name": "New Co", "owner_id": "raj", "employees": 250 });
    let created = app.put(&editor, Kind::Accounts, "acc-new", &body, None).await.unwrap();
    assert!(created.created && created.changed);
    assert_eq!(created.record["id"], "acc-new", "the id comes from the path");
    assert_eq!(created.record["name"], "New Co");
    assert_eq!(created.record["employees"], 250);
    assert_eq!(created.record["industry"], serde_json::Value::Null);
    assert_eq!(audit_len(&app).await, entries + 1);
    // The read model has it at once, for everyone who may see it.
    let found = app.get(&editor, Kind::Accounts, "acc-new").unwrap();
    let values = &found.snapshot.values(Kind::Accounts, found.rows[0]);
    assert_eq!(etag(Kind::Accounts, values), created.etag);
    assert!(app.get(&as_person(Role::Rep, Some("raj")), Kind::Accounts, "acc-new").is_ok(), "raj owns it");
    assert_err!(app.get(&as_person(Role::Rep, Some("sam")), Kind::Accounts, "acc-new"), AppError::NotFound);

    // Replacing needs the tag.
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-new", &body, None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("If-Match")
    );
    // The same body again changes nothing and records nothing.
    let same = app.put(&editor, Kind::Accounts, "acc-new", &body, Some(&created.etag)).await.unwrap();
    assert!(!same.created && !same.changed);
    assert_eq!(same.etag, created.etag);
    assert_eq!(audit_len(&app).await, entries + 1);

    let renamed = json!({ "name": "Newer Co", "owner_id": "raj" });
    let updated = app.put(&editor, Kind::Accounts, "acc-new", &renamed, Some(&created.etag)).await.unwrap();
    assert!(!updated.created && updated.changed);
    assert_ne!(updated.etag, created.etag);
    assert_eq!(updated.record["employees"], serde_json::Value::Null, "a PUT replaces the whole record");
    assert_eq!(audit_len(&app).await, entries + 2);

    // A stale tag: someone changed the record since it was read.
    let stale = json!({ "name": "Lost Update" });
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-new", &stale, Some(&created.etag)).await,
        AppError::Conflict(message) if message.contains(&updated.etag)
    );
    let found = app.get(&editor, Kind::Accounts, "acc-new").unwrap();
    assert_eq!(etag(Kind::Accounts, &found.snapshot.values(Kind::Accounts, found.rows[0])), updated.etag);
    assert_eq!(app.store().count(Kind::Accounts).await.unwrap(), 5);
    assert_eq!(audit_len(&app).await, entries + 2);

    // `*` means "whatever it is now".
    let forced = app.put(&editor, Kind::Accounts, "acc-new", &stale, Some(" * ")).await.unwrap();
    assert!(forced.changed);
    assert_eq!(forced.record["name"], "Lost Update");
}

/// Another process (`attain import` beside a running server) changes a record the server's
/// read model still holds as it was: a PUT carrying the old version must be refused, not
/// silently revert the import, because the version is checked against the stored row.
async fn put_checks_the_version_in_the_database_not_the_read_model(store: Store, _: Db) {
    let app = app_with_org(store.clone(), Settings::default()).await;
    let editor = as_person(Role::CompAdmin, None);
    let body = json!({ "name": "New Co", "owner_id": "raj" });
    let created = app.put(&editor, Kind::Accounts, "acc-new", &body, None).await.unwrap();

    // The CLI: its own import on the same database; the app's snapshot is not refreshed.
    let dir = tempfile::tempdir().unwrap();
    let cli = ImportOptions::by(&Actor::system(), "import.file", "accounts.csv");
    let text = "id,name,owner_id\nacc-new,Renamed By CLI,raj\nacc-cli,Made By CLI,raj\n";
    import_text(&store, dir.path(), Kind::Accounts, text, cli).await.unwrap();
    let cached = app.get(&editor, Kind::Accounts, "acc-new").unwrap();
    let cached_etag = etag(Kind::Accounts, &cached.snapshot.values(Kind::Accounts, cached.rows[0]));
    assert_eq!(cached_etag, created.etag, "the read model lags the database");

    let entries = audit_len(&app).await;
    let stale = json!({ "name": "Edited On The Web", "owner_id": "raj" });
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-new", &stale, Some(&created.etag)).await,
        AppError::Conflict(message) if message.contains("changed since you read it")
    );
    // A record the read model has never seen is still a replacement: it needs the version.
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-cli", &stale, None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("If-Match")
    );
    let stored = app.store().dataset().await.unwrap();
    let name = |id: &str| stored.accounts.iter().find(|a| a.id == id).unwrap().name.clone();
    assert_eq!(name("acc-new"), "Renamed By CLI", "the CLI's change survives");
    assert_eq!(name("acc-cli"), "Made By CLI");
    assert_eq!(audit_len(&app).await, entries, "a refused edit records nothing");

    // With the stored version the edit goes through, and the audit entry's "before" is the
    // stored record, not the cached one.
    let rows = app.store().rows(Kind::Accounts).await.unwrap();
    let current = etag(Kind::Accounts, rows.iter().find(|r| r[0].as_text() == Some("acc-new")).unwrap());
    let edited = app.put(&editor, Kind::Accounts, "acc-new", &stale, Some(&current)).await.unwrap();
    assert!(edited.changed);
    assert_eq!(edited.record["name"], "Edited On The Web");
    let entry = app.store().audit_after(entries, 10).await.unwrap().pop().unwrap();
    let before = entry.before_json.unwrap_or_default();
    assert!(before.contains("Renamed By CLI"), "{before}");
}

async fn put_refuses_what_an_import_would(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let editor = Actor::system();
    let accounts = app.store().count(Kind::Accounts).await.unwrap();
    let entries = audit_len(&app).await;
    let ok = json!({ "name": "Fine" });

    for role in [Role::Finance, Role::Executive, Role::Manager, Role::Rep] {
        let actor = as_person(role, role.needs_person().then_some("vera"));
        assert_err!(app.put(&actor, Kind::Accounts, "acc-x", &ok, None).await, AppError::Forbidden);
    }
    assert_err!(
        app.put(&editor, Kind::Positions, "pos-x", &ok, None).await,
        AppError::Invalid { field: None, .. }
    );
    assert_err!(
        app.put(&editor, Kind::Company, "company", &ok, None).await,
        AppError::Invalid { field: None, .. }
    );
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!(["Fine"]), None).await,
        AppError::Invalid { .. }
    );
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "name": "Fine", "colour": "red" }), None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("colour")
    );
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "id": "acc-y", "name": "Fine" }), None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("id")
    );
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "name": true }), None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("name")
    );
    // The import's rules: required columns, domain rules, references.
    assert_err!(app.put(&editor, Kind::Accounts, "acc-x", &json!({}), None).await, AppError::Invalid { .. });
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "name": "Fine", "employees": -5 }), None).await,
        AppError::Invalid { field, .. } if field.as_deref() == Some("employees")
    );
    assert_err!(
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "name": "Fine", "owner_id": "ghost" }), None).await,
        AppError::Invalid { field, message } if field.as_deref() == Some("owner_id") && message.contains("ghost")
    );
    assert_eq!(app.store().count(Kind::Accounts).await.unwrap(), accounts, "nothing was written");
    assert_eq!(audit_len(&app).await, entries, "nothing was recorded");
    assert_err!(app.get(&editor, Kind::Accounts, "acc-x"), AppError::NotFound);

    // The same record, well formed, is accepted.
    let put =
        app.put(&editor, Kind::Accounts, "acc-x", &json!({ "name": "Fine", "owner_id": "raj" }), None).await;
    assert!(put.unwrap().created);
}

async fn edits_are_seen_by_lists_at_once(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let editor = Actor::system();
    let alice = as_person(Role::Manager, Some("alice"));
    let before: BTreeSet<String> = list_search(&app, &alice, "").into_iter().collect();
    let body = json!({ "name": "Zed New", "hire_date": "2018-01-01" });
    app.put(&editor, Kind::People, "zed", &body, None).await.unwrap();
    assert_eq!(list_search(&app, &editor, "zed new"), ["zed"]);
    // A new person outside alice's team stays out of her lists.
    assert_eq!(list_search(&app, &alice, "").into_iter().collect::<BTreeSet<_>>(), before);
}

/// Found by fuzzing (tests/app/fuzz.rs): the import trims cells, so `PUT people/"raj\u{b}"`
/// wrote over raj without his ETag (the lookup for the padded id found nothing), then
/// answered 500 because it could not find the record it had written.
async fn put_refuses_a_padded_id(store: Store, _: Db) {
    let app = app_with_org(store, Settings::default()).await;
    let editor = Actor::system();
    let before = record_json(
        Kind::People,
        &app.snapshot().values(Kind::People, app.get(&editor, Kind::People, "raj").unwrap().rows[0]),
    );
    let entries = audit_len(&app).await;
    let body = json!({ "name": "Overwritten", "hire_date": "2018-01-01" });
    for id in ["raj\u{b}", " raj", "raj ", " ", ""] {
        match app.put(&editor, Kind::People, id, &body, None).await {
            Err(AppError::Invalid { field: Some(field), message }) => {
                assert_eq!(field, "id", "{id:?}");
                assert!(message.contains("spaces"), "{message}");
            }
            other => panic!("{id:?}: expected the id to be refused, got {other:?}"),
        }
    }
    let after = record_json(
        Kind::People,
        &app.snapshot().values(Kind::People, app.get(&editor, Kind::People, "raj").unwrap().rows[0]),
    );
    assert_eq!(after, before, "raj is unchanged");
    assert_eq!(after["name"], json!("Raj Rep"));
    assert_eq!(audit_len(&app).await, entries, "nothing was written");
}

on_both!(
    put_refuses_a_padded_id,
    lists_page_in_key_order,
    lists_search_and_filter,
    lists_sort_by_any_column,
    lists_and_reads_stay_in_scope,
    put_creates_then_updates_with_the_etag,
    put_refuses_what_an_import_would,
    put_checks_the_version_in_the_database_not_the_read_model,
    edits_are_seen_by_lists_at_once,
);
