//! The read model: the company's records in memory, loaded from the store and replaced whole
//! after every write. Pages and API reads are served from here, so listing, searching and
//! sorting cost no database round trips (the demo company's pages take a few milliseconds).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use attain_core::record::Value;
use attain_core::{Dataset, Kind};
use attain_store::Store;

use crate::access::Actor;
use crate::error::AppResult;
use crate::scope::Visible;

/// An immutable view of every record, with indexes built on first use.
#[derive(Debug)]
pub struct Snapshot {
    pub data: Dataset,
    /// The audit log's last entry when the data was read: changes after it are not in here.
    pub audit_seq: i64,
    rows: [OnceLock<Vec<Vec<Value>>>; Kind::ALL.len()],
    ids: [OnceLock<HashMap<String, Vec<usize>>>; Kind::ALL.len()],
    /// What each manager or rep may see, computed once per snapshot and person.
    visible: Mutex<HashMap<String, Arc<Visible>>>,
}

pub(crate) fn slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Snapshot {
    pub fn new(mut data: Dataset) -> Snapshot {
        data.sort();
        Snapshot {
            data,
            audit_seq: 0,
            rows: std::array::from_fn(|_| OnceLock::new()),
            ids: std::array::from_fn(|_| OnceLock::new()),
            visible: Mutex::new(HashMap::new()),
        }
    }

    pub async fn load(store: &Store) -> AppResult<Snapshot> {
        // The head is read first: a change landing during the read is then seen as newer and
        // causes one more refresh, never a missed one.
        let (audit_seq, _) = store.audit_head().await?;
        Ok(Snapshot { audit_seq, ..Snapshot::new(store.dataset().await?) })
    }

    /// Every record of `kind` as cells, in key order.
    pub fn rows(&self, kind: Kind) -> &[Vec<Value>] {
        self.rows[slot(kind)].get_or_init(|| self.data.rows(kind))
    }

    /// Row indexes of the records of `kind` with this `id` (several for versioned kinds).
    pub fn find(&self, kind: Kind, id: &str) -> &[usize] {
        let index = self.ids[slot(kind)].get_or_init(|| {
            let column = kind.spec().index_of("id").unwrap_or(0);
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, row) in self.rows(kind).iter().enumerate() {
                if let Some(id) = row[column].as_text() {
                    map.entry(id.to_string()).or_default().push(i);
                }
            }
            map
        });
        index.get(id).map_or(&[], Vec::as_slice)
    }

    /// What `actor` may see here.
    pub fn visible_to(&self, actor: &Actor) -> Arc<Visible> {
        let Some(key) = crate::scope::cache_key(actor) else {
            return Arc::new(Visible::All);
        };
        let mut cache = self.visible.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.entry(key).or_insert_with(|| Arc::new(crate::scope::compute(self, actor))).clone()
    }
}
