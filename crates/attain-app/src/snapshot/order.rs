//! The transactions sorted by a column, for list pages: the default transactions page is
//! "newest first", and sorting ten million rows on each request would take seconds. The order
//! is built once per snapshot from the columns (no record is made) and shared; a page is then
//! a walk along it.

use std::sync::Arc;

use attain_core::Kind;
use attain_core::domain::TransactionKind;
use attain_core::record::Choice;
use attain_facts::Transactions;
use rayon::prelude::*;

use super::Snapshot;

/// Key-order indexes of the transactions in a column's order.
pub(super) type Order = Arc<Vec<u32>>;

/// A column's sort key for one fact-store row, ordered as the column's cells compare.
type Key = fn(&Transactions, usize) -> i64;

fn key_of(column: &str) -> Option<Key> {
    Some(match column {
        // Key order itself: every key ties, so the order is the index order.
        "id" => |_, _| 0,
        // Dates are ISO text in cells: day order is text order.
        "date" => |t, r| i64::from(t.day[r]),
        // Money cells hold minor units.
        "amount" => |t, r| t.amount[r],
        // Kinds are text in cells: by name.
        "kind" => |t, r| kind_rank(t.kind(r)),
        _ => return None,
    })
}

fn kind_rank(kind: TransactionKind) -> i64 {
    TransactionKind::ALL.iter().filter(|k| k.name() < kind.name()).count() as i64
}

impl Snapshot {
    /// The key-order indexes of every transaction sorted by `column` (ties in key order, also
    /// when descending), or `None` for a column that is sorted the general way.
    pub fn transactions_by(&self, column: &str, descending: bool) -> Option<Order> {
        let key = key_of(column)?;
        let mut cache = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let name = (column.to_string(), descending);
        if let Some(order) = cache.get(&name) {
            return Some(order.clone());
        }
        let txns = &self.facts.transactions;
        let mut keyed: Vec<(i64, u32)> = (0..self.count(Kind::Transactions))
            .map(|i| (key(txns, self.transaction_row(i)), i as u32))
            .collect();
        // (key, index) pairs are unique, so an unstable sort is as good as a stable one.
        if descending {
            keyed.par_sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        } else {
            keyed.par_sort_unstable();
        }
        let order = Arc::new(keyed.into_iter().map(|(_, i)| i).collect::<Vec<u32>>());
        cache.insert(name, order.clone());
        Some(order)
    }
}
