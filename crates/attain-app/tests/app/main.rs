//! The app layer end to end: imports of the real samples, canonical and mapped CSV files, bad
//! files, --skip-bad, exports and round trips, demo seeding; users, sessions, tokens, scope,
//! record edits and the audit log. Every database test runs on SQLite and on PostgreSQL, the
//! fuzz targets (`fuzz`) too.

mod audit;
mod backup;
mod bad_files;
mod capacity;
mod comp_import;
mod comp_scope;
mod demo;
mod edits;
mod fuzz;
mod generate;
mod in_memory;
mod large;
mod mappings;
mod objectives;
mod overlap;
mod pay;
mod pay_access;
mod pay_digests;
mod plan_revenue;
mod platform;
mod quota_allocation;
mod quota_pay;
mod read_model;
mod reimport;
mod round_trip;
mod samples;
mod scope;
mod skip_bad;
mod statements;
mod territories;
mod throttle_bound;
mod transaction_search;
mod upload_preview;

use std::path::{Path, PathBuf};

use attain_app::import::import_file;
use attain_app::{ImportError, ImportOptions, ImportReport, NoProgress, RowError};
use attain_core::{Dataset, Kind};
use attain_store::Store;
use attain_testkit::{Db, TestDb};

pub(crate) use attain_testkit::on_both;

/// Another fresh, empty store on the same backend (for round trips). Keep the `TestDb` alive
/// while the store is used: dropping it removes the database.
pub(crate) async fn another(backend: Db) -> (TestDb, Store) {
    let db = TestDb::new(backend).await.expect("the backend was reachable a moment ago");
    let store = Store::open(&db.url).await.expect("open a fresh store");
    (db, store)
}

/// Two people, two accounts and two products: the base the hand-written files refer to. Ids are
/// the slugs of the names, as the built-in mappings expect.
pub(crate) const PEOPLE: &str = "\
id,name,email,hire_date
ann-archer,Ann Archer,ann@example.com,2016-01-04
bob-baker,Bob Baker,,2016-03-01
";
pub(crate) const ACCOUNTS: &str = "\
id,name,industry,country
acme-corp,Acme Corp,technology,United States
globex,Globex,manufacturing,Germany
";
pub(crate) const PRODUCTS: &str = "\
id,name,family,currency,list_price
widget,Widget,Core,USD,100.00
gadget,Gadget,Core,USD,250
";

/// Writes `text` to `dir/name` and returns the path.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

/// Imports one canonical CSV file of `kind` written from `text`.
pub(crate) async fn import_text(
    store: &Store,
    dir: &Path,
    kind: Kind,
    text: &str,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let path = write(dir, &format!("{}.csv", kind.name()), text);
    import_file(store, kind, &path, None, options, &NoProgress).await
}

/// Imports [`PEOPLE`], [`ACCOUNTS`] and [`PRODUCTS`].
pub(crate) async fn seed_base(store: &Store) {
    let dir = tempfile::tempdir().unwrap();
    for (kind, text) in [(Kind::People, PEOPLE), (Kind::Accounts, ACCOUNTS), (Kind::Products, PRODUCTS)] {
        let report = import_text(store, dir.path(), kind, text, ImportOptions::default()).await.unwrap();
        assert_eq!(report.written().inserted, 2, "{kind}: {report}");
    }
}

/// Record counts of every kind, as the database reports them.
pub(crate) async fn counts(store: &Store) -> Vec<(Kind, u64)> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        out.push((kind, store.count(kind).await.unwrap()));
    }
    out
}

/// Asserts two datasets are equal, naming the first kind and row that differ (a whole
/// dataset's `Debug` is too large to read).
pub(crate) fn assert_same(left: &Dataset, right: &Dataset, what: &str) {
    assert_eq!(left.counts(), right.counts(), "{what}: record counts differ");
    for kind in Kind::ALL {
        let (l, r) = (left.rows(kind), right.rows(kind));
        if let Some(i) = (0..l.len()).find(|&i| l[i] != r[i]) {
            panic!("{what}: {kind} row {i} differs:\n  {:?}\n  {:?}", l[i], r[i]);
        }
    }
    assert!(left == right, "{what}: datasets differ");
}

/// The row errors of an import that must have been rejected.
pub(crate) fn rejected(result: Result<ImportReport, ImportError>) -> Vec<RowError> {
    match result {
        Err(ImportError::Rejected { errors }) => errors,
        Err(other) => panic!("expected bad rows, got another error: {other}"),
        Ok(report) => panic!("expected bad rows, but the import succeeded:\n{report}"),
    }
}

/// The sum of some money, exactly.
pub(crate) fn total(amounts: impl IntoIterator<Item = attain_core::Money>) -> rust_decimal::Decimal {
    amounts.into_iter().map(|m| m.amount()).sum()
}

/// The demo company as of 2018-01-15 (FY2018's plan approved, the open month 2018-01), in
/// `store`, with the app's today set to that day.
pub(crate) async fn demo_app(store: Store) -> attain_app::App {
    let as_of = jiff::civil::date(2018, 1, 15);
    attain_app::seed::seed_demo(&store, &attain_demo::DemoConfig::new(as_of), &NoProgress).await.unwrap();
    attain_app::App::new(store, attain_app::Settings { today: Some(as_of), ..Default::default() })
        .await
        .unwrap()
}
