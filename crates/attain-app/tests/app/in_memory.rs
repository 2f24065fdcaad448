//! A workspace loaded into memory (`import::load_workspace`, what `attain calc --workspace`
//! reads) holds exactly what importing it into a database holds, and refuses exactly what the
//! import refuses, with the same messages: one set of checks, two sinks.

use std::path::Path;

use attain_app::generate::parquet::{PARQUET_FILE, ParquetFile};
use attain_app::generate::{TransactionsFormat, write_workspace};
use attain_app::import::{DirMapping, Loaded, import_dir, load_workspace};
use attain_app::{ImportError, ImportOptions, NoProgress, RowError};
use attain_core::record::Record;
use attain_core::{Dataset, Kind, Value};
use attain_demo::scaled::{ScaledConfig, company};
use attain_store::Store;

use crate::{assert_same, rejected};

fn workspace(format: TransactionsFormat) -> tempfile::TempDir {
    let config = ScaledConfig { seed: 5, payees: 600, territories: 700, transactions: 3_000, year: 2025 };
    let dir = tempfile::tempdir().unwrap();
    write_workspace(&company(&config).unwrap(), dir.path(), format, &NoProgress).unwrap();
    dir
}

/// What importing `dir` into a fresh SQLite database gives: its dataset, or its row errors.
async fn imported(dir: &Path) -> Result<Dataset, Vec<RowError>> {
    let db = tempfile::tempdir().unwrap();
    let store = Store::open(&db.path().join("w.db").display().to_string()).await.unwrap();
    let result = import_dir(&store, dir, DirMapping::Workspace, ImportOptions::default(), &NoProgress).await;
    let out = match result {
        Ok(_) => Ok(store.dataset().await.unwrap()),
        Err(e) => Err(rejected(Err(e))),
    };
    store.close().await;
    out
}

/// The loaded workspace as one dataset, transactions included, sorted as a store returns it.
fn as_dataset(loaded: &Loaded) -> Dataset {
    let mut dataset = loaded.dataset.clone();
    dataset.transactions = loaded.facts.transaction_records();
    dataset.sort();
    dataset
}

/// Errors in one order whatever order each sink found them in (both sort by file and line).
fn sorted(mut errors: Vec<RowError>) -> Vec<RowError> {
    errors.sort_by(|a, b| {
        (&a.file, a.line, &a.column, &a.reason).cmp(&(&b.file, b.line, &b.column, &b.reason))
    });
    errors
}

/// Rewrites `transactions.csv` with its data lines in reverse order, plus `extra` lines.
fn rewrite_transactions(dir: &Path, extra: &[&str]) {
    let path = dir.join("transactions.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let mut rows: Vec<String> = lines.map(str::to_string).collect();
    rows.reverse();
    rows.extend(extra.iter().map(|l| l.to_string()));
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
}

#[tokio::test]
async fn a_good_workspace_loads_to_what_an_import_stores() {
    for format in [TransactionsFormat::Parquet, TransactionsFormat::Csv] {
        let dir = workspace(format);
        if format == TransactionsFormat::Csv {
            // Out of id order, and reversals before their originals.
            rewrite_transactions(dir.path(), &[]);
        }
        let loaded = load_workspace(dir.path()).unwrap();
        assert!(loaded.dataset.transactions.is_empty(), "the transactions are in the fact store only");
        let stored = imported(dir.path()).await.unwrap();
        assert_eq!(stored.transactions.len(), 3_000);
        assert_same(&as_dataset(&loaded), &stored, "loaded vs imported");
        // The reference data in the order a database gives it back (a payee's number is their
        // place in it), not only the same records.
        let mut reference = stored.clone();
        reference.transactions.clear();
        assert_same(&loaded.dataset, &reference, "reference data in key order");
        // Every reversal is linked to its original, wherever in the file that came.
        let txns = &loaded.facts.transactions;
        let reversals = (0..txns.len()).filter(|&r| txns.kind(r).reverses()).count();
        let linked = (0..txns.len()).filter(|&r| txns.original.get(r).is_some()).count();
        assert!(reversals > 0, "the generated year has returns");
        assert_eq!(linked, reversals);
    }
}

#[tokio::test]
async fn a_bad_workspace_is_refused_with_the_errors_an_import_gives() {
    let dir = workspace(TransactionsFormat::Csv);
    let first = std::fs::read_to_string(dir.path().join("transactions.csv")).unwrap();
    let ids: Vec<String> = first.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect();
    let good = first.lines().nth(1).unwrap();
    let like = |id: &str, column: usize, value: &str| {
        let mut cells: Vec<String> = good.split(',').map(str::to_string).collect();
        cells[0] = id.to_string();
        cells[column] = value.to_string();
        cells.join(",")
    };
    let header: Vec<&str> = first.lines().next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (kind, amount, account, original, owner) =
        (at("kind"), at("amount"), at("account_id"), at("original_id"), at("owner_id"));
    let reversal = |id: &str, of: &str| {
        let mut cells: Vec<String> = like(id, kind, "return").split(',').map(str::to_string).collect();
        cells[amount] = "-1.00".into();
        cells[original] = of.to_string();
        cells.join(",")
    };
    let mut owner_and_original = reversal("x-6", "nowhere-2");
    owner_and_original = {
        let mut cells: Vec<String> = owner_and_original.split(',').map(str::to_string).collect();
        cells[owner] = "nobody".into();
        cells.join(",")
    };
    let extra = [
        like("x-1", amount, "abc"),              // a bad cell
        like(&ids[10], amount, "5.00"),          // a duplicate id
        like("x-2", account, "no-such-account"), // a dangling reference
        reversal("x-3", "nowhere"),              // a reversal of nothing
        reversal("x-4", "x-2"),                  // a reversal of a row dropped as bad
        reversal("x-5", "x-4"),                  // ... and one of that
        owner_and_original,                      // the original is reported, its column first
        like("x-7", kind, "gift"),               // a bad choice
    ];
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    rewrite_transactions(dir.path(), &extra);
    // A reference kind's own problem too.
    let accounts = dir.path().join("accounts.csv");
    let mut text = std::fs::read_to_string(&accounts).unwrap();
    let mut row: Vec<String> = text.lines().nth(1).unwrap().split(',').map(str::to_string).collect();
    row[0] = "acct-extra".into();
    let territory = text.lines().next().unwrap().split(',').position(|h| h == "territory_id").unwrap();
    row[territory] = "no-such-territory".into();
    text.push_str(&row.join(","));
    text.push('\n');
    std::fs::write(&accounts, text).unwrap();

    let from_import = sorted(imported(dir.path()).await.unwrap_err());
    let from_memory = match load_workspace(dir.path()) {
        Err(ImportError::Rejected { errors }) => sorted(errors),
        other => panic!("expected bad rows, got {other:?}"),
    };
    assert_eq!(from_memory, from_import);
    let shown: Vec<String> = from_memory.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 9, "{shown:#?}");
    let has = |text: &str| assert!(shown.iter().any(|s| s.contains(text)), "{text} in {shown:#?}");
    has("column amount: 'abc' is not a number");
    has(&format!("column id: duplicate id '{}': line", ids[10]));
    has("column account_id: account 'no-such-account' does not exist");
    has("column original_id: transaction 'nowhere' does not exist");
    has("column original_id: transaction 'x-2' does not exist");
    has("column original_id: transaction 'x-4' does not exist");
    has("column original_id: transaction 'nowhere-2' does not exist");
    has("column territory_id: territory 'no-such-territory' does not exist");
}

#[tokio::test]
async fn bad_parquet_rows_are_refused_with_the_errors_an_import_gives() {
    // The in-memory load checks Parquet columns in place, the import their text cells: both
    // must refuse the same rows with the same messages.
    let dir = workspace(TransactionsFormat::Parquet);
    let good = load_workspace(dir.path()).unwrap().facts.transaction_records();
    let mut rows: Vec<Vec<Value>> = good.iter().map(Record::to_values).collect();
    let booking = good.iter().find(|t| !t.kind.reverses()).unwrap().to_values();
    let like = |id: &str, changes: &[(usize, Value)]| {
        let mut cells = booking.clone();
        cells[0] = Value::Text(id.into());
        for (i, v) in changes {
            cells[*i] = v.clone();
        }
        cells
    };
    let text = |s: &str| Value::Text(s.into());
    let spec = Kind::Transactions.spec();
    let at = |name: &str| spec.index_of(name).unwrap();
    let (kind, currency, amount, quantity) = (at("kind"), at("currency"), at("amount"), at("quantity"));
    let (account, original, owner) = (at("account_id"), at("original_id"), at("owner_id"));
    let return_of = |of: &str| vec![(kind, text("return")), (amount, Value::Int(-100)), (original, text(of))];
    rows.extend([
        like("p-1", &[(currency, text("EURO"))]), // unknown currency, amount set
        like("p-2", &[(currency, text(" "))]),    // no currency for the amount
        like("p-3", &[(kind, text("gift"))]),     // a bad choice
        like("p-4", &[(kind, text("return")), (original, text(&good[0].id))]), // a positive return
        like("p-5", &[(owner, text("nobody"))]),  // a dangling person
        like("p-6", &[(account, text("no-such-account"))]), // a dangling account
        like(&good[7].id, &[]),                   // a duplicate id
        like("p-7", &return_of("nowhere")),       // a reversal of nothing
        like("p-8", &return_of("p-6")),           // ... of a row dropped as bad
        like("p-9", &[(quantity, text("-2"))]),   // goods back, charged for
        like("p-10", &[(quantity, text("abc"))]), // not a number
        like("p-11", &return_of("p-11")),         // reverses itself
        like("p\0-13", &[]),                      // a NUL in an id
        like("  ", &[]),                          // a blank id
        like(" p-14 ", &[(kind, text(" Booking ")), (currency, text(" usd"))]), // padded: good
        like("p-15", &[(original, text("p-14")), (kind, text("invoice"))]), // only reversals name one
    ]);
    let path = dir.path().join(PARQUET_FILE);
    std::fs::remove_file(&path).unwrap();
    let mut file = ParquetFile::create(&path, Kind::Transactions).unwrap();
    file.write(&rows).unwrap();
    file.finish().unwrap();

    let from_import = sorted(imported(dir.path()).await.unwrap_err());
    let from_memory = match load_workspace(dir.path()) {
        Err(ImportError::Rejected { errors }) => sorted(errors),
        other => panic!("expected bad rows, got {other:?}"),
    };
    assert_eq!(from_memory, from_import);
    let shown: Vec<String> = from_memory.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 15, "{shown:#?}");
    let has = |text: &str| assert!(shown.iter().any(|s| s.contains(text)), "{text} in {shown:#?}");
    has("column currency: ");
    has("a currency is required for amount");
    has("column kind: ");
    has("its amount must be zero or below");
    has("column owner_id: person 'nobody' does not exist");
    has("column account_id: account 'no-such-account' does not exist");
    has(&format!("column id: duplicate id '{}'", good[7].id));
    has("column original_id: transaction 'nowhere' does not exist");
    has("column original_id: transaction 'p-6' does not exist");
    has("a negative quantity needs an amount of zero or below");
    has("column quantity: ");
    has("a transaction cannot reverse itself");
    has("must not contain NUL characters");
    has("column id: a value is required");
    has("only returns and cancellations reverse another transaction");
}
