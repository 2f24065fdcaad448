//! The migrated schema equals attain-core's record specs on both backends, and the two
//! migration folders stay equivalent.

use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;
use sqlx::Row;

use crate::on_both;

/// (name, is_integer, not_null) per column, as the database reports them.
async fn columns(store: &Store, backend: Db, table: &str) -> Vec<(String, bool, bool)> {
    let sql = match backend {
        Db::Sqlite => {
            format!("SELECT name, type, \"notnull\" FROM pragma_table_info('{table}') ORDER BY cid")
        }
        Db::Postgres => format!(
            "SELECT column_name::TEXT, data_type::TEXT, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END \
             FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    let rows = sqlx::query(&sql).fetch_all(store.pool()).await.unwrap();
    rows.iter()
        .map(|r| {
            let ty: String = r.get(1);
            let not_null: i32 = r.try_get::<i32, _>(2).unwrap_or_else(|_| r.get::<i64, _>(2) as i32);
            (r.get::<String, _>(0), ty.eq_ignore_ascii_case("bigint"), not_null == 1)
        })
        .collect()
}

async fn schema_matches_the_record_specs(store: Store, backend: Db) {
    for kind in Kind::ALL {
        let spec = kind.spec();
        let expected: Vec<(String, bool, bool)> =
            spec.columns.iter().map(|c| (c.name.to_string(), c.is_integer(), c.required)).collect();
        assert_eq!(columns(&store, backend, spec.table).await, expected, "table {}", spec.table);
    }
}

async fn migrating_twice_is_harmless(store: Store, _backend: Db) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.count(Kind::People).await.unwrap(), 0);
}

/// (name, type, not_null) per column, the type as declared, in lower case.
async fn typed_columns(store: &Store, backend: Db, table: &str) -> Vec<(String, String, bool)> {
    let sql = match backend {
        Db::Sqlite => {
            format!("SELECT name, type, \"notnull\" FROM pragma_table_info('{table}') ORDER BY cid")
        }
        Db::Postgres => format!(
            "SELECT column_name::TEXT, data_type::TEXT, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END \
             FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    let rows = sqlx::query(&sql).fetch_all(store.pool()).await.unwrap();
    rows.iter()
        .map(|r| {
            let not_null: i32 = r.try_get::<i32, _>(2).unwrap_or_else(|_| r.get::<i64, _>(2) as i32);
            (r.get::<String, _>(0), r.get::<String, _>(1).to_lowercase(), not_null == 1)
        })
        .collect()
}

/// The web platform's tables (migration 0002) are the same on both backends: the same
/// columns, in the same order, with the same types and nullability.
async fn platform_tables_are_the_same_on_both_backends(store: Store, backend: Db) {
    const T: &str = "text";
    const BIG: &str = "bigint";
    const INT: &str = "integer";
    type Columns = &'static [(&'static str, &'static str, bool)];
    let expected: [(&str, Columns); 6] = [
        (
            "users",
            &[
                ("id", T, true),
                ("login", T, true),
                ("display_name", T, true),
                ("role", T, true),
                ("person_id", T, false),
                ("password_hash", T, true),
                ("disabled", INT, true),
                ("created_at", T, true),
                ("updated_at", T, true),
            ],
        ),
        (
            "sessions",
            &[
                ("id_hash", T, true),
                ("user_id", T, true),
                ("csrf_token", T, true),
                ("created_at", T, true),
                ("expires_at", T, true),
            ],
        ),
        (
            "api_tokens",
            &[
                ("id", T, true),
                ("user_id", T, true),
                ("name", T, true),
                ("token_hash", T, true),
                ("prefix", T, true),
                ("created_at", T, true),
                ("last_used_at", T, false),
                ("revoked_at", T, false),
            ],
        ),
        (
            "sign_in_throttle",
            &[
                ("subject", T, true),
                ("attempts", BIG, true),
                ("last_attempt_at", T, true),
                ("locked_until", T, false),
                ("lockouts", BIG, true),
            ],
        ),
        (
            "audit_log",
            &[
                ("seq", BIG, true),
                ("at", T, true),
                ("actor_id", T, false),
                ("actor_login", T, true),
                ("via", T, true),
                ("ip", T, false),
                ("action", T, true),
                ("entity", T, true),
                ("entity_id", T, false),
                ("before_json", T, false),
                ("after_json", T, false),
                ("prev_hash", T, true),
                ("hash", T, true),
            ],
        ),
        ("audit_head", &[("id", INT, true), ("seq", BIG, true), ("hash", T, true)]),
    ];
    for (table, columns) in expected {
        let expected: Vec<(String, String, bool)> =
            columns.iter().map(|(n, t, r)| (n.to_string(), t.to_string(), *r)).collect();
        assert_eq!(typed_columns(&store, backend, table).await, expected, "table {table} on {backend:?}");
    }
    // The head starts at the genesis hash, before any entry.
    let head = sqlx::query("SELECT id, seq, hash FROM audit_head").fetch_all(store.pool()).await.unwrap();
    assert_eq!(head.len(), 1, "exactly one head row");
    assert_eq!(store.audit_head().await.unwrap(), (0, "0".repeat(64)));
}

fn a_run(id: &str, period: &str, digests: Option<&str>) -> attain_store::RunRow {
    attain_store::RunRow {
        id: id.into(),
        period: period.into(),
        version: 1,
        status: "closed".into(),
        input_hash: "h".into(),
        based_on: None,
        plans: "[]".into(),
        payees: 0,
        totals: "[]".into(),
        created_by: "admin".into(),
        created_at: "2017-02-01T00:00:00Z".into(),
        closed_by: None,
        closed_at: None,
        reopened_by: None,
        reopened_at: None,
        reopen_reason: None,
        input_digests: digests.map(str::to_string),
    }
}

/// Migration 0006 adds the runs' per-month input digests as nullable text (runs stored before
/// it have none), and a run round trips with and without them.
async fn runs_keep_their_input_digests(store: Store, backend: Db) {
    let cols = typed_columns(&store, backend, "comp_runs").await;
    let last = cols.last().unwrap();
    assert_eq!((last.0.as_str(), last.1.as_str(), last.2), ("input_digests", "text", false));
    let old = a_run("run-2017-01-v1", "2017-01", None);
    let new = a_run("run-2017-02-v1", "2017-02", Some(r#"{"2017-01":"ab","2017-02":"cd"}"#));
    let mut tx = store.begin().await.unwrap();
    store.insert_run(&mut tx, &old, "{}", &[]).await.unwrap();
    store.insert_run(&mut tx, &new, "{}", &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.run_by_id(&old.id).await.unwrap(), Some(old));
    assert_eq!(store.run_by_id(&new.id).await.unwrap(), Some(new));
}

on_both!(
    schema_matches_the_record_specs,
    migrating_twice_is_harmless,
    platform_tables_are_the_same_on_both_backends,
    runs_keep_their_input_digests
);

#[test]
fn migration_folders_are_equivalent() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let list = |b: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(b))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    assert_eq!(sqlite, postgres, "both backends need the same migration files");
    // Statements must match; only the leading comment naming the backend may differ.
    let statements = |b: &str, f: &str| -> String {
        std::fs::read_to_string(root.join(b).join(f))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for file in &sqlite {
        assert_eq!(statements("sqlite", file), statements("postgres", file), "{file}");
    }
}
