//! The read model after this process's writes is patched, not read again (issue E1); it must
//! equal one read whole from the store after the same writes, row for row, and the engine must
//! compute the same month from it.

use attain_app::seed::{seed_demo, seed_demo_pay};
use attain_app::snapshot::Snapshot;
use attain_app::{Actor, App, NoProgress, Settings};
use attain_core::Kind;
use attain_core::record::{Record, cells_to_text};
use attain_demo::DemoConfig;
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;
use serde_json::json;

use crate::on_both;

/// Every kind's count and every row's cells, in key order, the same in both.
fn assert_same(patched: &Snapshot, loaded: &Snapshot, after: &str) {
    for kind in Kind::ALL {
        assert_eq!(patched.count(kind), loaded.count(kind), "{kind} after {after}");
        for i in 0..patched.count(kind) {
            assert_eq!(patched.values(kind, i), loaded.values(kind, i), "{kind} row {i} after {after}");
        }
    }
    // Lookups by id agree too (the id index follows appends out of order).
    for i in (0..loaded.count(Kind::Transactions)).step_by(97) {
        let t = loaded.transaction_at(i);
        assert_eq!(patched.find(Kind::Transactions, &t.id), vec![i], "{} after {after}", t.id);
    }
}

async fn check(app: &App, after: &str) {
    let loaded = Snapshot::load(app.store()).await.unwrap();
    assert_same(&app.snapshot(), &loaded, after);
}

fn csv_of(rows: &[attain_core::domain::Transaction]) -> String {
    let spec = Kind::Transactions.spec();
    let mut text = spec.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    for t in rows {
        text.push('\n');
        text.push_str(&cells_to_text(spec, &t.to_values()).join(","));
    }
    text.push('\n');
    text
}

async fn writes_patch_the_read_model_as_a_full_read_would_build_it(store: Store, _: Db) {
    let as_of = date(2018, 1, 15);
    seed_demo(&store, &DemoConfig::new(as_of), &NoProgress).await.unwrap();
    let app = App::new(store.clone(), Settings::default()).await.unwrap();
    seed_demo_pay(&app, as_of).await.unwrap();
    check(&app, "seeding").await;
    let admin = Actor::system();
    let snapshot = app.snapshot();
    let sales: Vec<_> = (0..snapshot.count(Kind::Transactions))
        .map(|i| snapshot.transaction_at(i))
        .filter(|t| t.kind == attain_core::domain::TransactionKind::Booking && t.original_id.is_none())
        .take(3)
        .collect();
    assert_eq!(sales.len(), 3);

    // An upload: one row changed, one unchanged, a new late sale in a closed month sorting
    // before every id (so the id column leaves key order), and a return of it.
    let mut changed = sales[0].clone();
    changed.amount = attain_core::Money::from_minor(changed.amount.minor() + 12_345, changed.currency);
    let mut late = sales[1].clone();
    late.id = "0-late-sale".into();
    late.date = date(2017, 12, 20);
    let mut refund = late.clone();
    refund.id = "0-late-sale-return".into();
    refund.kind = attain_core::domain::TransactionKind::Return;
    refund.amount = attain_core::Money::from_minor(-late.amount.minor() / 2, late.currency);
    refund.date = date(2018, 1, 5);
    refund.original_id = Some(late.id.clone());
    let upload = csv_of(&[changed, sales[1].clone(), late, refund]);
    app.import_csv(&admin, Kind::Transactions, "late.csv", upload.as_bytes(), false).await.unwrap();
    check(&app, "an upload of transactions").await;

    // One transaction edited over the API's path, its kind and amount changed.
    let found = app.get(&admin, Kind::Transactions, &sales[2].id).unwrap();
    let values = found.snapshot.values(Kind::Transactions, found.rows[0]);
    let mut body = attain_app::records::record_json(Kind::Transactions, &values);
    body["kind"] = json!("invoice");
    body["amount"] = json!("777.00");
    let tag = attain_app::records::etag(Kind::Transactions, &values);
    app.put(&admin, Kind::Transactions, &sales[2].id, &body, Some(&tag)).await.unwrap();
    check(&app, "an edit of a transaction").await;

    // A reference kind: an account moved to another territory, and a new account.
    let accounts = app.list(&admin, Kind::Accounts, &Default::default()).unwrap();
    let first = accounts.snapshot.values(Kind::Accounts, accounts.rows[0]);
    let mut account = attain_app::records::record_json(Kind::Accounts, &first);
    let tag = attain_app::records::etag(Kind::Accounts, &first);
    let territory = app.snapshot().data.territories.last().unwrap().id.clone();
    account["territory_id"] = json!(territory);
    let id = account["id"].as_str().unwrap().to_string();
    app.put(&admin, Kind::Accounts, &id, &account, Some(&tag)).await.unwrap();
    account["id"] = json!("0-new-account");
    app.put(&admin, Kind::Accounts, "0-new-account", &account, None).await.unwrap();
    check(&app, "edits of accounts").await;

    // The engine computes the open month from the patched read model exactly as from one read
    // whole: a second run from a fresh app changes nobody's pay and hashes the same inputs.
    let month = attain_core::Period::Month { year: 2018, month: 1 };
    let first = app.calculate(&admin, month).await.unwrap();
    assert!(first.prior_period_lines > 0, "the late sale in a closed month is adjusted");
    let fresh = App::new(store.clone(), Settings::default()).await.unwrap();
    let second = fresh.calculate(&admin, month).await.unwrap();
    assert_eq!(second.changed_payees, 0);
    assert_eq!(second.prior_period_lines, first.prior_period_lines);
    assert_eq!(second.run.input_hash, first.run.input_hash);
}

on_both!(writes_patch_the_read_model_as_a_full_read_would_build_it);
