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

on_both!(schema_matches_the_record_specs, migrating_twice_is_harmless);

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
