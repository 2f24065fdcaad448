//! Reading and editing records of any kind, within the actor's scope: filtered, searched,
//! sorted and paginated lists; one record by id; and whole-record replacement (PUT) with
//! optimistic concurrency. Edits go through the import checks, so a record written here
//! obeys exactly the rules a file import does.

use std::cmp::Ordering;
use std::sync::Arc;

use attain_core::Kind;
use attain_core::record::{ColumnType, Value, cells_to_text};

use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, ImportError, ImportOptions, Origin, SourceRow, apply};
use crate::snapshot::{Snapshot, Verdict};

/// The largest page a caller may ask for.
pub const MAX_PER_PAGE: u32 = 500;
pub const DEFAULT_PER_PAGE: u32 = 50;

/// How a filter compares a column with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Gte,
    Lt,
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Case-insensitive text that must appear in some column.
    pub q: Option<String>,
    /// `(column, op, value)`: every one must hold.
    pub filters: Vec<(String, Op, String)>,
    /// A column, `-column` for descending; key order when absent.
    pub sort: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

impl ListQuery {
    /// Reads a filter parameter: `column=value`, `column__gte=value` or `column__lt=value`.
    pub fn filter_param(name: &str, value: &str) -> (String, Op, String) {
        let (column, op) = match name.rsplit_once("__") {
            Some((column, "gte")) => (column, Op::Gte),
            Some((column, "lt")) => (column, Op::Lt),
            _ => (name, Op::Eq),
        };
        (column.to_string(), op, value.to_string())
    }
}

/// A page of records: row indexes into the snapshot it was taken from.
#[derive(Debug, Clone)]
pub struct Listing {
    pub snapshot: Arc<Snapshot>,
    pub kind: Kind,
    pub rows: Vec<usize>,
    /// Matching records in all pages.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
}

impl Listing {
    pub fn pages(&self) -> u32 {
        (self.total as u32).div_ceil(self.per_page.max(1)).max(1)
    }
}

/// One record (every version, for versioned kinds) within scope.
#[derive(Debug, Clone)]
pub struct Found {
    pub snapshot: Arc<Snapshot>,
    pub kind: Kind,
    pub rows: Vec<usize>,
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        // Empty cells sort last either way round.
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Int(_), Value::Text(_)) => Ordering::Less,
        (Value::Text(_), Value::Int(_)) => Ordering::Greater,
    }
}

fn column_index(kind: Kind, name: &str, field: &str) -> AppResult<usize> {
    kind.spec().index_of(name).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("{kind} have no column '{name}'; see docs/workspace.md for the columns"),
        )
    })
}

/// A filter value must be comparable with its column: a number for amounts and numbers, a
/// date for dates, a period name for periods (empty means "no value"). Otherwise the filter would silently match nothing.
fn check_filter_value(kind: Kind, column: usize, name: &str, value: &str) -> AppResult<()> {
    let value = value.trim();
    let ok = match kind.spec().columns[column].ty {
        _ if value.is_empty() => true,
        ColumnType::Int | ColumnType::Money { .. } | ColumnType::Decimal => {
            value.parse::<rust_decimal::Decimal>().is_ok()
        }
        ColumnType::Date => attain_core::dating::parse_date(value).is_ok(),
        ColumnType::Period => attain_core::Period::parse(value).is_ok(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(name, format!("'{value}' cannot be compared with {kind}.{name}")))
    }
}

/// A cell's text as shown and filtered on (money as a decimal in its currency).
fn cell_texts(kind: Kind, values: &[Value]) -> Vec<String> {
    cells_to_text(kind.spec(), values)
}

/// Whether `text` holds `needle` (already lower case), ignoring case. ASCII text is compared
/// byte by byte, without the lower-case copy other text needs: a search reads millions.
fn holds(text: &str, needle: &str) -> bool {
    if !text.is_ascii() {
        return text.to_lowercase().contains(needle);
    }
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    needle.is_empty()
        || text.windows(needle.len()).any(|w| w.iter().zip(needle).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// Whether a cell (its value and its text) passes one filter on its column.
fn cell_passes(kind: Kind, column: usize, value: &Value, text: &str, op: Op, wanted: &str) -> bool {
    let spec = kind.spec();
    let numeric =
        matches!(spec.columns[column].ty, ColumnType::Int | ColumnType::Money { .. } | ColumnType::Decimal);
    let ordering = if numeric && !value.is_null() {
        match (text.parse::<rust_decimal::Decimal>(), wanted.trim().parse::<rust_decimal::Decimal>()) {
            (Ok(have), Ok(want)) => have.cmp(&want),
            _ => return false,
        }
    } else if value.is_null() {
        return op == Op::Eq && wanted.is_empty();
    } else if op == Op::Eq {
        return text.eq_ignore_ascii_case(wanted.trim());
    } else {
        text.cmp(wanted.trim())
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Gte => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
    }
}

/// A record as JSON: column names to values, money and decimals as exact decimal strings,
/// whole numbers as numbers, empty cells as `null`.
pub fn record_json(kind: Kind, values: &[Value]) -> serde_json::Value {
    let spec = kind.spec();
    let texts = cell_texts(kind, values);
    let map = spec
        .columns
        .iter()
        .zip(values.iter().zip(texts))
        .map(|(column, (value, text))| {
            let json = match (value, column.ty) {
                (Value::Null, _) => serde_json::Value::Null,
                (Value::Int(i), ColumnType::Int) => serde_json::Value::from(*i),
                _ => serde_json::Value::String(text),
            };
            (column.name.to_string(), json)
        })
        .collect();
    serde_json::Value::Object(map)
}

/// The version tag of a record's current content: equal content, equal tag. A PUT must carry
/// the tag it read (`If-Match`); a different tag means someone changed the record since.
pub fn etag(kind: Kind, values: &[Value]) -> String {
    let digest = crate::access::secret::digest(&record_json(kind, values).to_string());
    format!("\"{}\"", &digest[..20])
}

/// Kinds whose records are replaced whole by id. Positions are versioned (one id, several
/// dated rows) and the company row is settings: both change through imports. Revenue plans
/// and quota sheets change through their workflows (`plan::revenue`, `plan::quota_sheets`),
/// which keep approved versions fixed.
pub fn editable(kind: Kind) -> bool {
    !matches!(kind, Kind::Positions | Kind::Company | Kind::RevenuePlans | Kind::QuotaSheets)
}

/// The outcome of a PUT.
#[derive(Debug, Clone)]
pub struct Put {
    pub created: bool,
    pub changed: bool,
    pub record: serde_json::Value,
    pub etag: String,
}

impl App {
    /// A page of the records of `kind` the actor may see, matching `query`.
    pub fn list(&self, actor: &Actor, kind: Kind, query: &ListQuery) -> AppResult<Listing> {
        let snapshot = self.snapshot();
        let visible = snapshot.visible_to(actor);
        let filters = query
            .filters
            .iter()
            .map(|(name, op, value)| {
                let column = column_index(kind, name, name)?;
                check_filter_value(kind, column, name, value)?;
                Ok((column, *op, value.as_str()))
            })
            .collect::<AppResult<Vec<_>>>()?;
        let sort = match query.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                let (name, descending) = s.strip_prefix('-').map_or((s, false), |n| (n, true));
                Some((column_index(kind, name, "sort")?, descending))
            }
            None => None,
        };
        let needle = query.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        let per_page = if query.per_page == 0 { DEFAULT_PER_PAGE } else { query.per_page.min(MAX_PER_PAGE) };
        let page = query.page.max(1);
        let start = ((page - 1) as usize).saturating_mul(per_page as usize);
        if needle.is_none() && filters.is_empty() && sort.is_none() {
            // Key order, unfiltered: only the page's own rows are looked at, so the first
            // page of ten million transactions costs what the first page of fifty does.
            let (rows, total) = visible.page(kind, snapshot.count(kind), start, per_page as usize);
            return Ok(Listing { snapshot, kind, rows, total, page, per_page });
        }
        if let Some((column, descending)) = sort.filter(|_| needle.is_none() && filters.is_empty())
            && kind == Kind::Transactions
            && let Some(order) = snapshot.transactions_by(kind.spec().columns[column].name, descending)
        {
            // Sorted by a column the fact store orders: a walk along that order.
            let seen = order.iter().map(|i| *i as usize).filter(|i| visible.row(kind, *i));
            let rows: Vec<usize> = seen.skip(start).take(per_page as usize).collect();
            let total = visible.count(kind, snapshot.count(kind));
            return Ok(Listing { snapshot, kind, rows, total, page, per_page });
        }
        let mut matching: Vec<usize> = if kind == Kind::Transactions {
            // Millions of rows: judged from the fact store's columns, on every core.
            // A number's text is digits, a point and a sign: a needle with any other character
            // cannot be in it, so number columns are read only when filtered on.
            let spec = kind.spec();
            let numeric = |c: usize| {
                matches!(spec.columns[c].ty, ColumnType::Int | ColumnType::Money { .. } | ColumnType::Decimal)
            };
            let wordy =
                needle.as_ref().is_some_and(|n| n.chars().any(|ch| !matches!(ch, '0'..='9' | '.' | '-')));
            let mut columns: Vec<usize> = match needle {
                Some(_) => (0..spec.columns.len()).filter(|&c| !(wordy && numeric(c))).collect(),
                None => Vec::new(),
            };
            columns.extend(filters.iter().map(|f| f.0));
            columns.sort_unstable();
            columns.dedup();
            snapshot.transactions_matching(&visible, &columns, needle.is_some(), |column, cell, text| {
                Verdict {
                    hit: needle.as_ref().is_some_and(|n| holds(text, n)),
                    pass: filters
                        .iter()
                        .filter(|f| f.0 == column)
                        .all(|&(_, op, wanted)| cell_passes(kind, column, cell, text, op, wanted)),
                }
            })
        } else {
            visible
                .rows(kind, snapshot.count(kind))
                .filter(|&i| {
                    if needle.is_none() && filters.is_empty() {
                        return true;
                    }
                    let values = snapshot.values(kind, i);
                    let texts = cell_texts(kind, &values);
                    let found = needle.as_ref().is_none_or(|n| texts.iter().any(|t| holds(t, n)));
                    found
                        && filters
                            .iter()
                            .all(|&(c, op, v)| cell_passes(kind, c, &values[c], &texts[c], op, v))
                })
                .collect()
        };
        if let Some((column, descending)) = sort {
            // Each row's cell once, not once per comparison.
            let cells: Vec<Value> =
                matching.iter().map(|&i| snapshot.values(kind, i)[column].clone()).collect();
            // Decimals are stored as text; they must sort as numbers ("20" before "100").
            let numbers: Vec<Option<rust_decimal::Decimal>> =
                if matches!(kind.spec().columns[column].ty, ColumnType::Decimal) {
                    cells.iter().map(|c| c.as_text().and_then(|t| t.parse().ok())).collect()
                } else {
                    Vec::new()
                };
            let mut order: Vec<usize> = (0..matching.len()).collect();
            // Stable, so ties keep key order.
            order.sort_by(|&a, &b| {
                let (x, y) = (&cells[a], &cells[b]);
                if x.is_null() || y.is_null() {
                    // Empty cells last, descending too: not reversed.
                    return compare(x, y);
                }
                let ordering = match (numbers.get(a).copied().flatten(), numbers.get(b).copied().flatten()) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => compare(x, y),
                };
                if descending { ordering.reverse() } else { ordering }
            });
            matching = order.into_iter().map(|i| matching[i]).collect();
        }
        let total = matching.len();
        let start = start.min(total);
        let end = (start + per_page as usize).min(total);
        let rows = matching[start..end].to_vec();
        Ok(Listing { snapshot, kind, rows, total, page, per_page })
    }

    /// The record of `kind` with `id`, if the actor may see it; otherwise not found.
    pub fn get(&self, actor: &Actor, kind: Kind, id: &str) -> AppResult<Found> {
        let snapshot = self.snapshot();
        let visible = snapshot.visible_to(actor);
        let rows: Vec<usize> =
            snapshot.find(kind, id).iter().copied().filter(|&i| visible.row(kind, i)).collect();
        if rows.is_empty() {
            return Err(AppError::NotFound);
        }
        Ok(Found { snapshot, kind, rows })
    }

    /// Creates or replaces the record of `kind` with `id` from a JSON object of its columns.
    /// Replacing needs `if_match` equal to the record's current [`etag`], else
    /// [`AppError::Conflict`]; the same body twice is a no-op the second time.
    pub async fn put(
        &self,
        actor: &Actor,
        kind: Kind,
        id: &str,
        body: &serde_json::Value,
        if_match: Option<&str>,
    ) -> AppResult<Put> {
        actor.require(Permission::EditData)?;
        if !editable(kind) {
            return Err(AppError::Invalid {
                field: None,
                message: format!("{kind} are changed by importing them, not one by one"),
            });
        }
        // Imports trim every cell, so a padded id would be written as the trimmed one while
        // the checks below look the padded one up: an existing record would be replaced
        // without its If-Match and scope checks (and the PUT then fail to find what it wrote).
        if id.trim().is_empty() || id.trim() != id {
            return Err(AppError::invalid("id", "must not be empty or begin or end with spaces"));
        }
        let spec = kind.spec();
        // The path id is a cell like any other, checked before the database is asked for it
        // (the version check reads the stored row first; PostgreSQL refuses a NUL outright).
        if let Some(i) = spec.index_of("id") {
            attain_core::record::check_cell(spec, i, id)
                .map_err(|e| AppError::invalid("id", format!("'{}' {}", e.value, e.reason)))?;
        }
        let object = body.as_object().ok_or_else(|| AppError::Invalid {
            field: None,
            message: "the body must be a JSON object of the record's columns".into(),
        })?;
        for name in object.keys() {
            if spec.index_of(name).is_none() {
                return Err(AppError::invalid(name.clone(), format!("{kind} have no column '{name}'")));
            }
        }
        let mut pairs: Vec<(&str, Option<String>)> = Vec::new();
        for column in spec.columns {
            let text = match object.get(column.name) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(_) => {
                    return Err(AppError::invalid(column.name, "must be a string, a number or null"));
                }
            };
            pairs.push((column.name, text));
        }
        match pairs.iter().find(|(name, _)| *name == "id").and_then(|(_, v)| v.as_deref()) {
            Some(body_id) if body_id != id => {
                return Err(AppError::invalid(
                    "id",
                    format!("'{body_id}' differs from the id in the path, '{id}'"),
                ));
            }
            _ => {}
        }
        for pair in pairs.iter_mut().filter(|(name, _)| *name == "id") {
            pair.1 = Some(id.to_string());
        }
        self.write_record(actor, kind, id, &pairs, "record.put", if_match).await
    }

    /// Writes one record from its cells as text, checked like an imported row, audited as
    /// `action` with the whole record before and after, and refused unless `if_match` (when
    /// given) is the stored version's. The caller has checked what the actor may do; this
    /// checks only that they can see the record they overwrite.
    pub(crate) async fn write_record(
        &self,
        actor: &Actor,
        kind: Kind,
        id: &str,
        pairs: &[(&str, Option<String>)],
        action: &'static str,
        if_match: Option<&str>,
    ) -> AppResult<Put> {
        let _writing = self.writer().await;
        let snapshot = self.snapshot();
        // Someone who cannot see a record cannot learn it exists by overwriting it. The version
        // is checked by `apply`, against the stored row, inside the write's transaction.
        if let Some(&index) = snapshot.find(kind, id).first()
            && !snapshot.visible_to(actor).row(kind, index)
        {
            return Err(AppError::NotFound);
        }
        let origin = Origin::canonical("request body", kind);
        let mut batch = Batch::default();
        batch.push(kind, SourceRow::build(kind, &origin, 1, pairs));
        let mut options = ImportOptions::by(actor, action, kind.name()).keeping_written();
        if let Some(audit) = options.audit.as_mut() {
            audit.record = Some(crate::import::RecordAudit {
                kind,
                id: id.to_string(),
                if_match: if_match.map(str::to_string),
            });
        }
        let mut report = match apply(self.store(), batch, options, &crate::NoProgress).await {
            Ok(report) => report,
            Err(e) => {
                if matches!(
                    e,
                    ImportError::Stale { .. }
                        | ImportError::VersionRequired { .. }
                        | ImportError::NotStored { .. }
                ) {
                    // Refused for a version the read model may not have yet (another process
                    // wrote it): the editor is told to read the record again, so that read
                    // must give the stored version, not the cached one.
                    self.refresh_if_written_elsewhere().await?;
                }
                return Err(put_error(e));
            }
        };
        let written = report.written();
        let changed = written.inserted + written.updated > 0;
        // Also when nothing changed, if another process wrote since the snapshot was taken:
        // the answer must show the stored record and its version, not the cached copy.
        if changed {
            self.refresh_after(std::mem::take(&mut report.written)).await?;
        } else {
            self.refresh_if_written_elsewhere().await?;
        }
        let snapshot = self.snapshot();
        let index =
            *snapshot.find(kind, id).first().ok_or(AppError::Internal("a written record vanished".into()))?;
        let values = snapshot.values(kind, index);
        Ok(Put {
            created: written.inserted > 0,
            changed,
            record: record_json(kind, &values),
            etag: etag(kind, &values),
        })
    }

    /// Reloads the read model if records were changed since it was read; the caller holds
    /// the write lock.
    async fn refresh_if_written_elsewhere(&self) -> AppResult<()> {
        if self.store().data_changes_after(self.snapshot().audit_seq).await? > 0 {
            self.refresh().await?;
        }
        Ok(())
    }
}

/// What a refused PUT tells its caller.
fn put_error(e: ImportError) -> AppError {
    match e {
        ImportError::Rejected { errors } => match errors.into_iter().next() {
            Some(first) => AppError::Invalid { field: first.column, message: first.reason },
            None => AppError::Internal("the record was refused without a reason".into()),
        },
        stale @ (ImportError::Stale { .. } | ImportError::NotStored { .. }) => {
            AppError::Conflict(stale.to_string())
        }
        missing @ ImportError::VersionRequired { .. } => {
            AppError::Invalid { field: Some("If-Match".into()), message: missing.to_string() }
        }
        other => AppError::Import(other),
    }
}

/// The audit change a one-record write records: the whole record before and after. A plain
/// PUT (`record.put`) is recorded as a create or an update; a use-case's write keeps its own
/// action (`revenue_plan.approve`), which says more than "update".
pub(crate) fn put_change(
    requested: &'static str,
    kind: Kind,
    id: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Change {
    let action = match requested {
        "record.put" if before.is_some() => "record.update",
        "record.put" => "record.create",
        other => other,
    };
    Change {
        action,
        entity: kind.name().to_string(),
        entity_id: Some(id.to_string()),
        before,
        after: Some(after),
    }
}

#[cfg(test)]
mod tests {
    use super::holds;

    #[test]
    fn holds_ignores_case_in_ascii_and_other_text_alike() {
        for (text, needle, want) in [
            ("T-000466", "t-0004", true),
            ("t-000466", "t-0004", true),
            ("Acme GmbH", "gmbh", true),
            ("Acme GmbH", "gmbx", false),
            ("Müller AG", "mül", true),
            ("MÜLLER AG", "mül", true),
            ("Muller", "mül", false),
            ("", "a", false),
            ("ab", "abc", false),
        ] {
            assert_eq!(holds(text, needle), want, "{text} / {needle}");
            assert_eq!(holds(text, needle), text.to_lowercase().contains(needle), "{text} / {needle}");
        }
    }
}
