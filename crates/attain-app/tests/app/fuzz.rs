//! Fuzzing the app's parsers with proptest, on SQLite and on PostgreSQL: mapping files
//! (arbitrary text and generated rules), CSV files read through the built-in Salesforce and
//! HubSpot mappings and through generated ones (invalid UTF-8, CR/LF mixes, quotes, NUL, very
//! long cells), canonical CSV uploads, and the JSON bodies of record PUTs (any JSON shape, and
//! real records with fields changed). Every input gives a result or an error the caller can act
//! on — never a panic, a hang, or a store or internal error (a 500). PostgreSQL refuses text
//! SQLite stores (NUL), so a value the checks let through shows there. docs/fuzzing.md says how
//! to run them longer.

use std::sync::mpsc;
use std::time::Duration;

use attain_app::import::import_csv_bytes;
use attain_app::import::mapping::{BUILT_IN, Mapping};
use attain_app::records::{editable, record_json};
use attain_app::{Actor, App, AppError, ImportError, ImportOptions, Settings};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::{Db, TestDb};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value as Json, json};
use toml::{Table, Value as TomlValue};

use crate::scope::{Move, org};
use crate::{ACCOUNTS, PEOPLE, PRODUCTS, seed_base};

/// Cases per target: `ATTAIN_FUZZ_CASES` for a long run, else the CI-sized `default` on SQLite
/// and a fifth of it on PostgreSQL, where each case costs several round trips to the server.
fn cases(backend: Db, default: u32) -> u32 {
    let default = match backend {
        Db::Sqlite => default,
        Db::Postgres => default / 5,
    };
    std::env::var("ATTAIN_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// For each target `name(Db)`, a module `name` with one test per backend (`name::sqlite`,
/// `name::postgres`). The targets drive their own runtime, so these are plain tests.
macro_rules! fuzz_on_both {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[test]
            fn sqlite() {
                super::$name(attain_testkit::Db::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name(attain_testkit::Db::Postgres)
            }
        })+
    };
}

fuzz_on_both!(
    csv_through_the_built_in_mappings,
    canonical_csv_uploads,
    csv_through_generated_mappings,
    a_product_too_large_is_a_bad_row,
    json_bodies_of_record_puts,
);

/// How long one case may take before it counts as a hang: far above any real case.
const HANG: Duration = Duration::from_secs(60);

/// A database, a runtime to drive it, and a way to run one case under a watchdog.
struct Harness {
    runtime: tokio::runtime::Runtime,
    backend: Db,
    _db: TestDb,
    store: Store,
}

impl Harness {
    /// `None` when the backend is skipped (PostgreSQL out of reach outside CI).
    fn new(backend: Db) -> Option<Harness> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let db = runtime.block_on(TestDb::new(backend))?;
        let store = runtime.block_on(Store::open(&db.url)).expect("open a fresh store");
        Some(Harness { runtime, backend, _db: db, store })
    }

    /// Runs `case` on its own thread and fails it if it has not finished within [`HANG`]; a
    /// panic inside is passed on, so proptest shrinks it like any failure.
    fn guarded<T: Send + 'static>(&self, what: &str, case: impl Future<Output = T> + Send + 'static) -> T {
        let handle = self.runtime.handle().clone();
        let (done, finished) = mpsc::channel();
        let worker = std::thread::spawn(move || {
            let out = handle.block_on(case);
            let _ = done.send(());
            out
        });
        match finished.recv_timeout(HANG) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
                Ok(out) => out,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("hang: no result after {HANG:?} for {what}"),
        }
    }

    fn close(self) {
        self.runtime.block_on(self.store.close());
    }
}

/// Runs a fuzz target; failures are saved beside this file in `proptest-regressions/` and
/// replayed first on every later run.
fn fuzz<S: Strategy>(
    harness: &Harness,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: cases(harness.backend, default_cases),
        source_file: Some(file!()),
        max_shrink_time: 60_000,
        ..Config::default()
    };
    if let Err(e) = TestRunner::new(config).run(&strategy, test) {
        panic!("{e}");
    }
}

// ---- CSV through mappings -----------------------------------------------------------------

/// A Salesforce Opportunities report and a HubSpot deals export, as the mappings expect them.
const SALESFORCE: &str = "\u{feff}Opportunity Owner,Account Name,Opportunity Name,Type,Amount,Opportunity Currency,Probability (%),Close Date,Created Date,Stage,Loss Reason,Opportunity ID\r
Ann Archer,Acme Corp,Acme - 200 seats,New Business,24000.00,USD,100,3/15/2017,1/10/2017,Closed Won,,0061a00000AbCdE\r
Bob Baker,Globex,\"Globex, upgrade\",Existing Customer - Upgrade,8500.50,EUR,0,4/2/2017,2/1/2017,Closed Lost,Price,0061a00000FgHiJ\r
Ann Archer,Acme Corp,Acme renewal,Renewal,,,60,12/31/2017,6/1/2017,Negotiation,,0061a00000KlMnO\r
";

const HUBSPOT: &str = "Record ID,Deal Name,Associated Company,Deal owner,Currency,Amount,Deal Stage,Close Date,Create Date,Closed Lost Reason,Deal Type
101,Acme expansion,Acme Corp,Ann Archer,USD,12000,Closed Won,2017-03-15 13:45,2017-01-02 09:00,,existingbusiness
102,Globex pilot,Globex,Bob Baker,,500.5,Closed Lost,2017-04-01 00:00,2017-02-01 10:30,Budget,newbusiness
103,\"Quoted, \"\"name\"\"\",Acme Corp,Ann Archer,EUR,,Appointment scheduled,2017-12-31 23:59,2017-06-01 08:00,,
";

/// Values a cell may be replaced with: the edges of numbers, dates and text.
const CELLS: &[&str] = &[
    "",
    " ",
    "-1",
    "0",
    "1e5",
    "NaN",
    "12,5",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "792281625142643375935439503350",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "9223372036854775808",
    "2/29/2017",
    "2/29/2016",
    "13/45/2017",
    "0/0/0",
    "1/1/99999",
    "12/31/9999",
    "2017-02-30 10:00",
    "2017-01-01 25:61",
    "Closed Won",
    "Closed Lost",
    "newbusiness",
    "XXX",
    "usd",
    "Ann Archer",
    "ann-archer",
    "Acme Corp",
    "\"",
    "\"\"",
    "a\"b",
    "a,b",
    "\r",
    "\n",
    "\r\n",
    "\0",
    "é名🎉\u{202e}\u{feff}",
    "=cmd|' /C calc'!A0",
];

/// One change to a CSV file.
#[derive(Debug, Clone)]
enum CsvEdit {
    /// Replace the cell at (row, column) with a value.
    Cell(usize, usize, String),
    /// A cell thousands of characters long.
    Long(usize, usize, usize),
    /// Insert raw bytes (possibly not UTF-8) at an offset.
    Bytes(usize, Vec<u8>),
    /// Delete a byte.
    Delete(usize),
    /// Repeat a line.
    Line(usize, usize),
    /// Turn every line ending into this one.
    Endings(&'static str),
}

fn csv_edit() -> impl Strategy<Value = CsvEdit> {
    let raw = prop_oneof![
        prop::sample::select(vec![
            b"\0".to_vec(),
            b"\xff".to_vec(),
            b"\xc3".to_vec(),
            b"\xed\xa0\x80".to_vec(),
            b"\xef\xbb\xbf".to_vec(),
            b"\r".to_vec(),
            b"\n".to_vec(),
            b"\"".to_vec(),
            b",".to_vec(),
            b"\",\"".to_vec(),
        ]),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        5 => (0usize..6, any::<usize>(), prop_oneof![prop::sample::select(CELLS).prop_map(str::to_owned), ".{0,30}"])
            .prop_map(|(r, c, v)| CsvEdit::Cell(r, c, v)),
        1 => (0usize..6, any::<usize>(), 1_000usize..200_000).prop_map(|(r, c, n)| CsvEdit::Long(r, c, n)),
        2 => (any::<usize>(), raw).prop_map(|(at, b)| CsvEdit::Bytes(at, b)),
        1 => any::<usize>().prop_map(CsvEdit::Delete),
        1 => (any::<usize>(), 1usize..50).prop_map(|(l, n)| CsvEdit::Line(l, n)),
        1 => prop::sample::select(&["\n", "\r\n", "\r", "\n\r"][..]).prop_map(CsvEdit::Endings),
    ]
}

/// Quotes a cell the way a spreadsheet would when it needs to.
fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn apply_csv(text: &str, edits: &[CsvEdit]) -> Vec<u8> {
    // Cell edits work on the parsed grid; byte edits on the written bytes.
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|line| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes())
                .records()
                .next()
                .and_then(Result::ok)
                .map(|r| r.iter().map(str::to_owned).collect())
                .unwrap_or_default()
        })
        .collect();
    let mut ending = "\r\n";
    for edit in edits {
        match edit {
            CsvEdit::Cell(r, c, v) if !rows.is_empty() => {
                let n = rows.len();
                let row = &mut rows[r % n];
                if !row.is_empty() {
                    let len = row.len();
                    row[c % len] = v.clone();
                }
            }
            CsvEdit::Long(r, c, n) if !rows.is_empty() => {
                let count = rows.len();
                let row = &mut rows[r % count];
                if !row.is_empty() {
                    let len = row.len();
                    row[c % len] = "x".repeat(*n);
                }
            }
            CsvEdit::Line(l, n) if !rows.is_empty() => {
                let line = rows[l % rows.len()].clone();
                for _ in 0..*n {
                    rows.push(line.clone());
                }
            }
            CsvEdit::Endings(e) => ending = e,
            _ => {}
        }
    }
    let mut bytes: Vec<u8> = rows
        .iter()
        .map(|row| row.iter().map(|c| quoted(c)).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join(ending)
        .into_bytes();
    for edit in edits {
        match edit {
            CsvEdit::Bytes(at, b) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            CsvEdit::Delete(at) if !bytes.is_empty() => {
                let at = at % bytes.len();
                bytes.remove(at);
            }
            _ => {}
        }
    }
    bytes
}

/// An import error that is the caller's to fix; a store error would be a 500.
fn fixable(result: &Result<attain_app::ImportReport, ImportError>) -> Result<(), TestCaseError> {
    match result {
        // The import checks rows on a blocking task; a panic there surfaces as this error.
        Err(ImportError::File { reason, .. }) if reason.contains("the row check failed") => {
            Err(TestCaseError::fail(format!("a panic while checking rows: {reason}")))
        }
        Ok(_) | Err(ImportError::File { .. } | ImportError::Mapping { .. }) => Ok(()),
        Err(ImportError::Rejected { errors }) => {
            prop_assert!(!errors.is_empty(), "a rejection names its rows");
            for e in errors {
                prop_assert!(!e.reason.is_empty());
            }
            Ok(())
        }
        Err(ImportError::Store(e)) => Err(TestCaseError::fail(format!("a store error (a 500): {e}"))),
        // Version checks belong to single-record edits; a file import never makes them.
        Err(
            e @ (ImportError::Stale { .. }
            | ImportError::VersionRequired { .. }
            | ImportError::NotStored { .. }),
        ) => Err(TestCaseError::fail(format!("an edit's version error from a file import: {e}"))),
    }
}

fn import(harness: &Harness, mapping: Mapping, bytes: Vec<u8>, skip_bad: bool) -> Result<(), TestCaseError> {
    let store = harness.store.clone();
    let what = format!(
        "{} bytes through a {} mapping: {:?}",
        bytes.len(),
        mapping.kind,
        String::from_utf8_lossy(&bytes)
    );
    let result = harness.guarded(&what, async move {
        let options = ImportOptions::default().skip_bad(skip_bad);
        import_csv_bytes(&store, mapping.kind, "fuzz.csv", &bytes, Some(&mapping), options).await
    });
    fixable(&result)
}

fn csv_through_the_built_in_mappings(backend: Db) {
    let Some(harness) = Harness::new(backend) else { return };
    harness.runtime.block_on(seed_base(&harness.store));
    let strategy = (0usize..2, prop::collection::vec(csv_edit(), 0..6), any::<bool>());
    fuzz(&harness, 1500, strategy, |(which, edits, skip_bad)| {
        let (name, sample) = [("salesforce-opportunities", SALESFORCE), ("hubspot-deals", HUBSPOT)][which];
        let mapping = Mapping::built_in(name).expect("a built-in mapping");
        import(&harness, mapping, apply_csv(sample, &edits), skip_bad)
    });
    harness.close();
}

/// Canonical CSV uploads (`POST /api/v1/imports/{resource}` calls `App::import_csv`): the
/// base files of the other app tests, damaged the same ways.
fn canonical_csv_uploads(backend: Db) {
    let Some(harness) = Harness::new(backend) else { return };
    let app = harness.runtime.block_on(async {
        seed_base(&harness.store).await;
        App::new(harness.store.clone(), Settings::default()).await.expect("the app")
    });
    let samples = [(Kind::People, PEOPLE), (Kind::Accounts, ACCOUNTS), (Kind::Products, PRODUCTS)];
    let strategy = (0usize..3, prop::collection::vec(csv_edit(), 0..6), any::<bool>());
    fuzz(&harness, 1000, strategy, |(which, edits, skip_bad)| {
        let (kind, sample) = samples[which];
        let bytes = apply_csv(sample, &edits);
        let what = format!("{kind}: {:?}", String::from_utf8_lossy(&bytes));
        let app = app.clone();
        let result = harness.guarded(&what, async move {
            app.import_csv(&Actor::system(), kind, "upload.csv", &bytes, skip_bad).await
        });
        match result {
            Err(AppError::Import(e)) => fixable(&Err(e)),
            Err(other) => Err(TestCaseError::fail(format!("a 500: {other:?}"))),
            Ok(report) => fixable(&Ok(report)),
        }
    });
    harness.close();
}

// ---- mapping files --------------------------------------------------------------------------

/// Source columns a generated rule may read: the samples' headers, and some that are missing.
const SOURCE_COLUMNS: &[&str] = &[
    "Opportunity Owner",
    "Account Name",
    "Opportunity Name",
    "Type",
    "Amount",
    "Opportunity Currency",
    "Close Date",
    "Stage",
    "Opportunity ID",
    "Record ID",
    "Deal Name",
    "Deal owner",
    "Deal Stage",
    "Create Date",
    "Nope",
    "",
];

const FORMATS: &[&str] = &[
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%y",
    "%j",
    "%s",
    "%",
    "%Q",
    "%Y%Y",
    "%-d/%-m/%Y",
    "%A, %B %e, %Y",
    "%z",
    "",
    "é名",
];

const FACTORS: &[&str] = &[
    "1",
    "1000000",
    "0",
    "-1",
    "0.0000000000000000000000000001",
    "79228162514264337593543950335",
    "10000000000000000000000000000",
    "abc",
    "",
];

/// A rule: a source column name, or a table of the steps a full rule may have.
fn rule() -> impl Strategy<Value = TomlValue> {
    let text = || prop_oneof![prop::sample::select(CELLS).prop_map(str::to_owned), ".{0,12}"];
    let column = prop::sample::select(SOURCE_COLUMNS).prop_map(|c| TomlValue::String(c.to_owned()));
    let full = (
        prop::option::of(prop::sample::select(SOURCE_COLUMNS)),
        prop::option::of(text()),
        prop::option::of(prop::collection::btree_map(text(), text(), 0..3)),
        prop::option::of(text()),
        prop::option::of(prop::sample::select(FORMATS)),
        prop::option::of(prop::sample::select(FACTORS)),
        any::<bool>(),
        prop::option::of(text()),
        prop::option::of((prop::sample::select(SOURCE_COLUMNS), prop::collection::vec(text(), 0..3))),
    )
        .prop_map(|(column, default, map, otherwise, date_format, multiply, slug, prefix, when)| {
            let mut t = Table::new();
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    t.insert(k.into(), TomlValue::String(v));
                }
            };
            put("column", column.map(str::to_owned));
            put("default", default);
            put("otherwise", otherwise);
            put("date_format", date_format.map(str::to_owned));
            put("multiply", multiply.map(str::to_owned));
            put("prefix", prefix);
            if let Some(map) = map {
                t.insert(
                    "map".into(),
                    TomlValue::Table(map.into_iter().map(|(k, v)| (k, TomlValue::String(v))).collect()),
                );
            }
            if slug {
                t.insert("slug".into(), TomlValue::Boolean(true));
            }
            if let Some((column, is)) = when {
                let mut w = Table::new();
                w.insert("column".into(), TomlValue::String(column.to_owned()));
                w.insert("is".into(), TomlValue::Array(is.into_iter().map(TomlValue::String).collect()));
                t.insert("when".into(), TomlValue::Table(w));
            }
            TomlValue::Table(t)
        });
    prop_oneof![1 => column, 3 => full]
}

/// A mapping file: a built-in one with rules replaced, or one built from scratch for any kind.
fn mapping_text() -> impl Strategy<Value = String> {
    let generated = (
        prop::sample::select(Kind::ALL.to_vec()),
        prop::collection::vec((any::<prop::sample::Index>(), rule()), 0..12),
    )
        .prop_map(|(kind, rules)| {
            let spec = kind.spec();
            let mut columns = Table::new();
            // Every required column is mapped, so most files get past validation to the rows.
            for c in spec.columns.iter().filter(|c| c.required) {
                columns.insert(c.name.into(), TomlValue::String("Amount".into()));
            }
            for (i, rule) in rules {
                columns.insert(i.get(spec.columns).name.into(), rule);
            }
            let mut t = Table::new();
            t.insert("kind".into(), TomlValue::String(kind.name().into()));
            t.insert("columns".into(), TomlValue::Table(columns));
            toml::to_string(&t).unwrap_or_default()
        });
    let changed = (0usize..2, prop::collection::vec((any::<prop::sample::Index>(), rule()), 1..4)).prop_map(
        |(which, rules)| {
            let mut t: Table = toml::from_str(BUILT_IN[which].1).expect("a built-in mapping is TOML");
            if let Some(TomlValue::Table(columns)) = t.get_mut("columns") {
                let names: Vec<String> = columns.keys().cloned().collect();
                for (i, rule) in rules {
                    columns.insert(i.get(&names).clone(), rule);
                }
            }
            toml::to_string(&t).unwrap_or_default()
        },
    );
    prop_oneof![3 => generated, 3 => changed, 1 => ".{0,200}"]
}

fn csv_through_generated_mappings(backend: Db) {
    let Some(harness) = Harness::new(backend) else { return };
    harness.runtime.block_on(seed_base(&harness.store));
    let strategy = (mapping_text(), 0usize..2, prop::collection::vec(csv_edit(), 0..3), any::<bool>());
    fuzz(&harness, 1500, strategy, |(text, which, edits, skip_bad)| {
        let mapping = match Mapping::parse(&text) {
            Ok(mapping) => mapping,
            Err(e) => {
                prop_assert!(!e.is_empty());
                return Ok(());
            }
        };
        import(&harness, mapping, apply_csv([SALESFORCE, HUBSPOT][which], &edits), skip_bad)
    });
    harness.close();
}

/// Found by `csv_through_generated_mappings`: a `multiply` whose product overflows a decimal
/// panicked inside the import. It is now a bad row naming the source column and value.
fn a_product_too_large_is_a_bad_row(backend: Db) {
    let Some(harness) = Harness::new(backend) else { return };
    let text = "kind = \"people\"\n[columns]\nid = \"Record ID\"\nname = \"Deal Name\"\n\
                hire_date = { column = \"Create Date\", date_format = \"%Y-%m-%d %H:%M\" }\n\
                [columns.email]\ncolumn = \"Amount\"\nmultiply = \"79228162514264337593543950335\"\n";
    let mapping = Mapping::parse(text).expect("a valid mapping");
    let store = harness.store.clone();
    let result = harness.guarded("multiply overflow", async move {
        import_csv_bytes(
            &store,
            Kind::People,
            "deals.csv",
            HUBSPOT.as_bytes(),
            Some(&mapping),
            ImportOptions::default(),
        )
        .await
    });
    let Err(ImportError::Rejected { errors }) = result else { panic!("expected bad rows, got {result:?}") };
    assert_eq!(errors.len(), 2, "the rows with an amount: {errors:?}");
    assert_eq!(
        (errors[0].line, errors[0].column.as_deref(), errors[0].value.as_deref()),
        (2, Some("Amount"), Some("12000"))
    );
    assert!(errors[0].reason.contains("too large"), "{}", errors[0].reason);
    harness.close();
}

// ---- JSON bodies of record PUTs ---------------------------------------------------------------

const STRINGS: &[&str] = &[
    "",
    " ",
    "-1",
    "1.5",
    "1e5",
    "79228162514264337593543950335",
    "792281625142643375935439503350",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "9223372036854775808",
    "2017-01-01",
    "2017-02-30",
    "9999-12-31",
    "2017-01-01T00:00:00Z",
    "2017-03",
    "2017-Q1",
    "USD",
    "XXX",
    "alice",
    "raj",
    "ghost",
    "won",
    "open",
    "\0",
    "a\0b",
    "é名🎉\u{202e}\u{feff}",
];

/// Any JSON value: every type, the edges of numbers, and nesting.
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(-1i64), Just(0), any::<i64>()].prop_map(Json::from),
        1 => Just(Json::from(u64::MAX)),
        1 => prop_oneof![Just(0.1f64), Just(-0.0), Just(1e308), Just(5e-324), any::<f64>()]
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        4 => prop::sample::select(STRINGS).prop_map(Json::from),
        2 => ".{0,40}".prop_map(Json::String),
        1 => (1_000usize..300_000).prop_map(|n| Json::String("x".repeat(n))),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a record's JSON object.
#[derive(Debug, Clone)]
enum Change {
    Set(prop::sample::Index, Json),
    Remove(prop::sample::Index),
    Unknown(String, Json),
}

/// A value a column might be given: mostly text, the type every column takes.
fn column_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        6 => prop::sample::select(STRINGS).prop_map(Json::from),
        2 => ".{0,20}".prop_map(Json::String),
        1 => any::<i64>().prop_map(Json::from),
        1 => json_value(),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        12 => (any::<prop::sample::Index>(), column_value()).prop_map(|(i, v)| Change::Set(i, v)),
        3 => any::<prop::sample::Index>().prop_map(Change::Remove),
        1 => (".{0,10}", json_value()).prop_map(|(k, v)| Change::Unknown(k, v)),
    ]
}

/// What a PUT sends: a body built on a record that exists (or not), to one id.
#[derive(Debug, Clone)]
struct PutCase {
    kind: prop::sample::Index,
    record: prop::sample::Index,
    base: Option<Json>,
    changes: Vec<Change>,
    id: Option<String>,
    if_match: Option<&'static str>,
}

fn put_case() -> impl Strategy<Value = PutCase> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop_oneof![8 => Just(None), 1 => json_value().prop_map(Some)],
        prop::collection::vec(change(), 0..4),
        prop_oneof![
            3 => Just(None),
            1 => prop::sample::select(STRINGS).prop_map(|s| Some(s.to_owned())),
            1 => ".{0,20}".prop_map(Some),
        ],
        prop::sample::select(vec![Some("*"), Some("*"), Some("*"), None, Some("\"stale\""), Some("")]),
    )
        .prop_map(|(kind, record, base, changes, id, if_match)| PutCase {
            kind,
            record,
            base,
            changes,
            id,
            if_match,
        })
}

/// A PUT's outcome must be a record or an error the caller can act on, never a 500.
fn acceptable(result: &Result<attain_app::records::Put, AppError>) -> Result<(), TestCaseError> {
    match result {
        Ok(_)
        | Err(
            AppError::Invalid { .. }
            | AppError::Conflict(_)
            | AppError::NotFound
            | AppError::Import(ImportError::Rejected { .. }),
        ) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!("a 500: {other:?}"))),
    }
}

async fn put(app: App, case: PutCase) -> Result<attain_app::records::Put, AppError> {
    let admin = Actor::system();
    let kinds: Vec<Kind> = Kind::ALL.into_iter().filter(|k| editable(*k)).collect();
    let kind = *case.kind.get(&kinds);
    let snapshot = app.snapshot();
    let count = snapshot.count(kind);
    let existing = (count > 0).then(|| record_json(kind, &snapshot.values(kind, case.record.index(count))));
    let mut body = case.base.unwrap_or_else(|| existing.clone().unwrap_or_else(|| json!({})));
    let names: Vec<&str> = kind.spec().columns.iter().map(|c| c.name).collect();
    if let Some(object) = body.as_object_mut() {
        for change in &case.changes {
            match change {
                Change::Set(i, v) => {
                    object.insert(i.get(&names).to_string(), v.clone());
                }
                Change::Remove(i) => {
                    object.remove(*i.get(&names));
                }
                Change::Unknown(k, v) => {
                    object.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let id = case.id.unwrap_or_else(|| {
        body.get("id").and_then(Json::as_str).map_or_else(|| "fuzz-new".to_owned(), str::to_owned)
    });
    app.put(&admin, kind, &id, &body, case.if_match).await
}

fn json_bodies_of_record_puts(backend: Db) {
    let Some(harness) = Harness::new(backend) else { return };
    let app = harness.runtime.block_on(async {
        harness.store.save_dataset(&org(Move::NewPosition)).await.expect("save the test company");
        App::new(harness.store.clone(), Settings::default()).await.expect("the app")
    });
    fuzz(&harness, 1500, put_case(), |case| {
        let what = format!("{case:?}");
        let result = harness.guarded(&what, put(app.clone(), case));
        acceptable(&result)
    });
    harness.close();
}
