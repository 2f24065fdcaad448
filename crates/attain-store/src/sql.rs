//! The SQL text for generic record access, built from a `RecordSpec`. Every statement here runs
//! unchanged on SQLite (3.39+) and PostgreSQL; identifiers are quoted so column names such as
//! `date` never collide with keywords.

use attain_core::record::RecordSpec;

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn column_list(spec: &RecordSpec) -> String {
    spec.columns.iter().map(|c| quoted(c.name)).collect::<Vec<_>>().join(", ")
}

fn key_list(spec: &RecordSpec) -> String {
    spec.key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
}

/// Rows per multi-row INSERT: large batches amortise statement overhead, while staying far
/// below SQLite's 32,766 and PostgreSQL's 65,535 bound-parameter limits.
pub(crate) fn rows_per_batch(spec: &RecordSpec) -> usize {
    (4000 / spec.columns.len()).max(1)
}

/// `INSERT … ON CONFLICT (key) DO UPDATE … WHERE something changed`, so a re-import of an
/// unchanged row writes nothing and `rows_affected` counts only real inserts and updates.
pub(crate) fn upsert(spec: &RecordSpec, rows: usize, postgres: bool) -> String {
    let mut sql = insert_values(spec, rows, postgres);
    let non_key: Vec<_> = spec.columns.iter().filter(|c| !spec.key.contains(&c.name)).collect();
    sql.push_str(&format!(" ON CONFLICT ({}) ", key_list(spec)));
    if non_key.is_empty() {
        sql.push_str("DO NOTHING");
        return sql;
    }
    let sets: Vec<String> =
        non_key.iter().map(|c| format!("{} = excluded.{}", quoted(c.name), quoted(c.name))).collect();
    let changed: Vec<String> = non_key
        .iter()
        .map(|c| {
            format!("{}.{} IS DISTINCT FROM excluded.{}", quoted(spec.table), quoted(c.name), quoted(c.name))
        })
        .collect();
    sql.push_str(&format!("DO UPDATE SET {} WHERE {}", sets.join(", "), changed.join(" OR ")));
    sql
}

/// `INSERT … ON CONFLICT (key) DO NOTHING`: rows whose key is stored are left as they are,
/// and `rows_affected` counts the rows inserted.
pub(crate) fn insert_new(spec: &RecordSpec, rows: usize, postgres: bool) -> String {
    format!("{} ON CONFLICT ({}) DO NOTHING", insert_values(spec, rows, postgres), key_list(spec))
}

/// `INSERT INTO table (columns) VALUES (…), (…)` with one placeholder per cell.
fn insert_values(spec: &RecordSpec, rows: usize, postgres: bool) -> String {
    let n = spec.columns.len();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", quoted(spec.table), column_list(spec));
    let mut param = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..n {
            if c > 0 {
                sql.push_str(", ");
            }
            param += 1;
            // The Any driver speaks each backend's own placeholder syntax.
            if postgres {
                sql.push_str(&format!("${param}"));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

pub(crate) fn select_all(spec: &RecordSpec) -> String {
    format!("SELECT {} FROM {} ORDER BY {}", column_list(spec), quoted(spec.table), key_list(spec))
}

/// The rows with one id (every version, for a versioned kind), locked on PostgreSQL.
pub(crate) fn select_one(spec: &RecordSpec, postgres: bool) -> String {
    let (placeholder, lock) = if postgres { ("$1", " FOR UPDATE") } else { ("?", "") };
    format!(
        "SELECT {} FROM {} WHERE {} = {placeholder} ORDER BY {}{lock}",
        column_list(spec),
        quoted(spec.table),
        quoted(spec.key[0]),
        key_list(spec)
    )
}

pub(crate) fn select_ids(spec: &RecordSpec) -> String {
    format!("SELECT DISTINCT {} FROM {}", quoted(spec.key[0]), quoted(spec.table))
}

pub(crate) fn select_keys(spec: &RecordSpec) -> String {
    format!("SELECT {} FROM {}", key_list(spec), quoted(spec.table))
}

pub(crate) fn count(spec: &RecordSpec) -> String {
    format!("SELECT COUNT(*) FROM {}", quoted(spec.table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_core::Kind;

    #[test]
    fn upsert_updates_only_changed_rows() {
        let sql = upsert(Kind::Territories.spec(), 2, false);
        assert_eq!(
            sql,
            "INSERT INTO \"territories\" (\"id\", \"name\", \"parent_id\", \"region\") VALUES (?, ?, ?, ?), \
             (?, ?, ?, ?) ON CONFLICT (\"id\") DO UPDATE SET \"name\" = excluded.\"name\", \"parent_id\" = \
             excluded.\"parent_id\", \"region\" = excluded.\"region\" WHERE \"territories\".\"name\" IS \
             DISTINCT FROM excluded.\"name\" OR \"territories\".\"parent_id\" IS DISTINCT FROM \
             excluded.\"parent_id\" OR \"territories\".\"region\" IS DISTINCT FROM excluded.\"region\""
        );
        assert!(upsert(Kind::Territories.spec(), 1, true).contains("VALUES ($1, $2, $3, $4) ON"));
    }

    #[test]
    fn insert_new_leaves_stored_keys_alone() {
        assert_eq!(
            insert_new(Kind::Territories.spec(), 1, true),
            "INSERT INTO \"territories\" (\"id\", \"name\", \"parent_id\", \"region\") VALUES ($1, $2, $3, $4) \
             ON CONFLICT (\"id\") DO NOTHING"
        );
    }

    #[test]
    fn batches_stay_under_parameter_limits() {
        for kind in Kind::ALL {
            let spec = kind.spec();
            assert!(rows_per_batch(spec) * spec.columns.len() <= 4000);
        }
    }
}
