//! The no-overlap rule (see `attain_core::record::NoOverlap`): versions of a position, or
//! rates for one currency pair, must not hold on the same day. Checked across the batch and
//! what is stored, where a batch row replaces the stored row with the same key.

use std::sync::Arc;

use attain_core::Kind;
use attain_core::record::{Value, key_of};
use rustc_hash::FxHashMap;

use super::batch::Origin;
use super::report::{ImportError, RowError};

/// One dated row: where it came from (None when stored), its group, key and range.
struct Dated<'a> {
    source: Option<(&'a Arc<Origin>, u64)>,
    group: String,
    key: String,
    from: String,
    to: Option<String>,
}

fn text(values: &[Value], index: usize) -> Option<String> {
    values.get(index).and_then(|v| v.as_text()).map(str::to_string)
}

/// Returns the batch rows (by index into `rows`) that overlap another row of their group
/// (in the batch or among the `stored` rows of the kind), with the error to report for each.
pub fn overlapping(
    stored: &[Vec<Value>],
    kind: Kind,
    rows: &[(Arc<Origin>, u64, &[Value])],
) -> Result<Vec<(usize, RowError)>, ImportError> {
    let Some(rule) = kind.no_overlap() else { return Ok(Vec::new()) };
    let spec = kind.spec();
    let group_at: Vec<usize> = rule.group.iter().filter_map(|c| spec.index_of(c)).collect();
    let (Some(from_at), Some(to_at)) = (spec.index_of(rule.from), spec.index_of(rule.to)) else {
        return Ok(Vec::new());
    };
    let dated = |values: &[Value], source| Dated {
        source,
        group: group_at.iter().filter_map(|&i| text(values, i)).collect::<Vec<_>>().join(" → "),
        key: key_of(spec, values),
        from: text(values, from_at).unwrap_or_default(),
        to: text(values, to_at),
    };
    let mut by_key: FxHashMap<String, Dated> = FxHashMap::default();
    for values in stored {
        let d = dated(values, None);
        by_key.insert(d.key.clone(), d);
    }
    let mut index_of_key: FxHashMap<String, usize> = FxHashMap::default();
    for (i, (origin, line, values)) in rows.iter().enumerate() {
        let d = dated(values, Some((origin, *line)));
        index_of_key.insert(d.key.clone(), i);
        by_key.insert(d.key.clone(), d);
    }
    let mut groups: FxHashMap<&str, Vec<&Dated>> = FxHashMap::default();
    for d in by_key.values() {
        groups.entry(d.group.as_str()).or_default().push(d);
    }
    let mut found = Vec::new();
    for (group, mut versions) in groups {
        // ISO dates sort as text; an open end sorts last.
        versions.sort_by(|a, b| a.from.cmp(&b.from));
        // Sweep in start order against the last accepted version (accepted versions do not
        // overlap, so it ends latest): a row that breaks in is blamed once, and its innocent
        // neighbours are not. A stored version is never blamed while an imported one can be.
        let mut last: Option<&Dated> = None;
        for current in versions {
            let Some(previous) = last else {
                last = Some(current);
                continue;
            };
            if previous.to.as_deref().is_some_and(|to| current.from.as_str() >= to) {
                last = Some(current);
                continue;
            }
            let (blamed, other) = match (current.source, previous.source) {
                (Some(_), _) => (current, previous),
                (None, Some(_)) => {
                    last = Some(current);
                    (previous, current)
                }
                (None, None) => {
                    last = Some(current);
                    continue;
                }
            };
            let Some((origin, line)) = blamed.source else { continue };
            let range = |d: &Dated| format!("[{}, {})", d.from, d.to.as_deref().unwrap_or("…"));
            let reason = format!(
                "{} {} overlaps {} of the same {}{}",
                rule.from,
                range(blamed),
                range(other),
                group,
                other
                    .source
                    .map(|(_, l)| format!(" (line {l})"))
                    .unwrap_or_else(|| " (already stored)".into()),
            );
            let error = RowError {
                file: origin.file.clone(),
                line,
                column: Some(origin.column_name(kind, rule.from)),
                value: Some(blamed.from.clone()),
                reason,
            };
            if let Some(&i) = index_of_key.get(&blamed.key) {
                found.push((i, error));
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.dedup_by_key(|(i, _)| *i);
    Ok(found)
}
