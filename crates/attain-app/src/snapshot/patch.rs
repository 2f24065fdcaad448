//! The read model after a write of this process, made from the one before it rather than read
//! whole again: a write of transactions patches their columns (new ones appended, changed ones
//! overwritten in place), a write of another kind reads that kind again and rebuilds the
//! reference facts over the same transaction columns. At ten million transactions the whole
//! read takes minutes; a patch costs a copy of the columns and the rows written.

use std::sync::Arc;

use attain_core::domain::Transaction;
use attain_core::{Dataset, Kind};
use attain_facts::FactStore;
use attain_store::Store;

use super::Snapshot;
use super::load::read_kind;
use crate::error::AppResult;

/// What a write changed, as the read model needs to know it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Kinds other than the transactions that had records inserted or updated.
    pub kinds: Vec<Kind>,
    /// The transactions the write checked and stored (new, changed or unchanged), as stored.
    pub transactions: Vec<Transaction>,
}

impl Written {
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.transactions.is_empty()
    }
}

impl Snapshot {
    /// This snapshot with `written` applied, as of the audit log's entry `audit_seq`.
    pub(crate) async fn patched(
        &self,
        store: &Store,
        written: Written,
        audit_seq: i64,
    ) -> AppResult<Snapshot> {
        let mut data = self.data.clone();
        if !written.kinds.is_empty() {
            let changed: &mut Dataset = Arc::make_mut(&mut data);
            for kind in written.kinds.iter().copied().filter(|k| *k != Kind::Transactions) {
                changed.clear(kind);
                read_kind(store, changed, kind).await?;
                changed.sort_kind(kind);
            }
        }
        let mut facts = FactStore::clone(&self.facts);
        if !written.kinds.is_empty() {
            facts = facts.with_new_reference_data(&data);
        }
        patch_transactions(&mut facts, written.transactions);
        Ok(Snapshot::from_parts(data, Arc::new(facts), audit_seq))
    }
}

/// Appends the transactions `facts` does not hold and overwrites those it holds differently;
/// rows equal to what is held (a re-import of the same file) cost a comparison.
fn patch_transactions(facts: &mut FactStore, written: Vec<Transaction>) {
    if written.is_empty() {
        return;
    }
    let index = facts.transactions.index();
    let names = facts.names();
    let (mut new, mut changed) = (Vec::new(), Vec::new());
    for t in written {
        match index.find(&facts.transactions, &t.id) {
            Some(row) if facts.transactions.record(row as usize, &names) == t => {}
            Some(_) => changed.push(t),
            None => new.push(t),
        }
    }
    // New rows first: an edited row may now name one of them as its original.
    facts.push_transactions(&new);
    facts.replace_transactions(&changed);
}
