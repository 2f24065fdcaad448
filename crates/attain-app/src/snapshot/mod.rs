//! The read model: the company's records in memory, loaded from the store once and then kept
//! up to date by each write (`patch.rs`: a write of transactions patches their columns, a write
//! of other kinds reloads those kinds only). Pages and API reads are served from here, so
//! listing, searching and sorting cost no database round trips.
//!
//! The transactions are held only as the fact store's columns (about 40 bytes each, where
//! records and their cells took several hundred: issue E1), and a page's rows are made from
//! them on demand. Everything else is held as records, also turned into cells a row at a time.

mod cells;
mod load;
mod order;
mod patch;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use attain_core::Currency;
use attain_core::domain::Transaction;
use attain_core::record::{Record, Value};
use attain_core::{Dataset, Kind};
use attain_engine::pay::plan::PlanBook;
use attain_engine::pay::run::{EngineError, Prepared};
use attain_engine::track::{ActualsError, MonthActuals, months_of_year};
use attain_facts::transactions::RowIndex;
use attain_facts::{FactStore, Transactions};

use crate::access::Actor;
use crate::scope::Visible;

pub use cells::Verdict;
pub use patch::Written;

/// At most this many people's views are cached per snapshot: a view holds a bit per record,
/// and a server at 10M transactions visited by thousands of reps must not keep them all.
const VIEWS_KEPT: usize = 256;

/// A fiscal year's actuals, month by month, shared between the page views of one snapshot.
pub type YearActuals = Arc<Vec<MonthActuals>>;

/// An immutable view of every record, with indexes built on first use.
#[derive(Debug)]
pub struct Snapshot {
    /// Every kind but the transactions (those are `facts`' columns), each list in key order.
    /// Shared with the next snapshot when a write leaves it unchanged.
    pub data: Arc<Dataset>,
    /// The transactions as columns, in key order until a write appends one out of order,
    /// beside the reference facts the engine reads.
    pub facts: Arc<FactStore>,
    /// The audit log's last entry when the data was read: changes after it are not in here.
    pub audit_seq: i64,
    ids: [OnceLock<HashMap<String, Vec<usize>>>; Kind::ALL.len()],
    /// Transaction rows in id (key) order: the id column itself when it is numbered in order,
    /// else a sorted permutation; finds a row by id with a binary search either way.
    transaction_order: OnceLock<RowIndex>,
    /// What each manager or rep may see, computed once per snapshot and person.
    visible: Mutex<HashMap<String, Arc<Visible>>>,
    /// Transactions sorted by a column (`order.rs`), by column and direction.
    orders: Mutex<HashMap<(String, bool), order::Order>>,
    /// Whose pay each manager or rep may see in a month (`scope::pay_reach`).
    pay_reaches: Mutex<HashMap<String, Arc<HashSet<String>>>>,
    /// The company's actuals per fiscal year and currency: a pass over every transaction
    /// (about 70 ms at ten million), made once per snapshot rather than once per page view.
    actuals: Mutex<HashMap<(i16, Currency), YearActuals>>,
}

pub(crate) fn slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Snapshot {
    /// A snapshot of `data` (tests and tools that hold a dataset already).
    pub fn new(mut data: Dataset) -> Snapshot {
        data.sort();
        let facts = FactStore::from_dataset(&data);
        data.clear(Kind::Transactions);
        Snapshot::from_parts(Arc::new(data), Arc::new(facts), 0)
    }

    pub(crate) fn from_parts(data: Arc<Dataset>, facts: Arc<FactStore>, audit_seq: i64) -> Snapshot {
        Snapshot {
            data,
            facts,
            audit_seq,
            ids: std::array::from_fn(|_| OnceLock::new()),
            transaction_order: OnceLock::new(),
            visible: Mutex::new(HashMap::new()),
            orders: Mutex::new(HashMap::new()),
            pay_reaches: Mutex::new(HashMap::new()),
            actuals: Mutex::new(HashMap::new()),
        }
    }

    /// The company's revenue, margin, bookings and new logos per month of `fiscal_year`, in
    /// `currency` (`attain_engine::track`), computed on first use and kept with the snapshot.
    pub fn company_actuals(&self, fiscal_year: i16, currency: Currency) -> Result<YearActuals, ActualsError> {
        let key = (fiscal_year, currency);
        if let Some(found) = self.actuals.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(Arc::clone(found));
        }
        // Computed outside the lock: two first readers may both compute it, never wait on it.
        let months = Arc::new(months_of_year(&self.facts, fiscal_year, currency, &self.data.fx_rates)?);
        self.actuals.lock().unwrap_or_else(|p| p.into_inner()).insert(key, Arc::clone(&months));
        Ok(months)
    }

    /// The engine's inputs prepared from this snapshot: its reference data and its
    /// transaction columns (the one way to run plans over the read model; `data` alone has no
    /// transactions).
    pub fn prepared<'a>(&'a self, book: &'a PlanBook) -> Result<Prepared<'a>, EngineError> {
        Prepared::with_store(&self.data, &self.facts, book)
    }

    /// How many records of `kind` there are.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Transactions => self.facts.transactions.len(),
            _ => self.data.len(kind),
        }
    }

    /// Record `index` of `kind` as cells; `index` counts in the kind's key order.
    pub fn values(&self, kind: Kind, index: usize) -> Vec<Value> {
        let values = match kind {
            Kind::Transactions => Some(self.transaction_at(index).to_values()),
            _ => self.data.row(kind, index),
        };
        values.unwrap_or_default()
    }

    /// Transaction `index` (in key order) as a record.
    pub fn transaction_at(&self, index: usize) -> Transaction {
        let row = self.transaction_row(index);
        self.facts.transactions.record(row, &self.facts.names())
    }

    /// Every transaction as a record, in key order, one at a time.
    pub fn transactions(&self) -> impl Iterator<Item = Transaction> + '_ {
        (0..self.count(Kind::Transactions)).map(|i| self.transaction_at(i))
    }

    /// The fact store's row of the transaction `index` places in key order.
    pub fn transaction_row(&self, index: usize) -> usize {
        self.transaction_order().row(index)
    }

    fn transaction_order(&self) -> &RowIndex {
        self.transaction_order.get_or_init(|| self.facts.transactions.index())
    }

    /// Indexes (in key order) of the transactions whose fact-store row satisfies `keep`: a
    /// scan of columns (an opportunity's transactions, a sale's returns) that never builds a
    /// record for a row it does not keep.
    pub fn transactions_where(&self, keep: impl Fn(&Transactions, usize) -> bool) -> Vec<usize> {
        let txns = &self.facts.transactions;
        (0..txns.len()).filter(|i| keep(txns, self.transaction_row(*i))).collect()
    }

    /// Indexes (in key order) of the records of `kind` with this `id` (several for versioned
    /// kinds).
    pub fn find(&self, kind: Kind, id: &str) -> Vec<usize> {
        if kind == Kind::Transactions {
            return self.transaction_order().position(&self.facts.transactions, id).into_iter().collect();
        }
        let index = self.ids[slot(kind)].get_or_init(|| {
            let column = kind.spec().index_of("id").unwrap_or(0);
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for i in 0..self.data.len(kind) {
                if let Some(id) = self.data.row(kind, i).and_then(|r| r[column].as_text().map(str::to_string))
                {
                    map.entry(id).or_default().push(i);
                }
            }
            map
        });
        index.get(id).cloned().unwrap_or_default()
    }

    /// The pay reach cached under `key`, computed by `compute` the first time.
    pub(crate) fn pay_reach_cached(
        &self,
        key: String,
        compute: impl FnOnce() -> HashSet<String>,
    ) -> Arc<HashSet<String>> {
        if let Some(found) = self.pay_reaches.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return found.clone();
        }
        // Computed without the lock held: another page may need another person's meanwhile.
        let reach = Arc::new(compute());
        let mut cache = self.pay_reaches.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= VIEWS_KEPT {
            cache.clear();
        }
        cache.insert(key, reach.clone());
        reach
    }

    /// What `actor` may see here.
    pub fn visible_to(&self, actor: &Actor) -> Arc<Visible> {
        let Some(key) = crate::scope::cache_key(actor) else {
            return Arc::new(Visible::All);
        };
        let mut cache = self.visible.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = cache.get(&key) {
            return found.clone();
        }
        if cache.len() >= VIEWS_KEPT {
            cache.clear();
        }
        let view = Arc::new(crate::scope::compute(self, actor));
        cache.insert(key, view.clone());
        view
    }
}
