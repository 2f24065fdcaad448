//! The fact store: a company's facts as column vectors with dense interned ids, the shape the
//! engine, the read model and the KPIs aggregate over (issue E1; ARCHITECTURE.md, "The fact
//! store"). Transactions, opportunities, stage changes and activities are columns; the
//! effective-dated org is interval tables answered by binary search. Pure: no I/O; it is built
//! from a [`Dataset`] or row by row (`push_*`) as a reader streams records in.

pub mod credit_splits;
pub mod day;
pub mod id_numbers;
mod ids;
pub mod intern;
pub mod intervals;
pub mod org;
pub mod pipeline;
pub mod transactions;

use attain_core::domain::Transaction;
use attain_core::{Currency, Dataset, FiscalCalendar};

pub use credit_splits::CreditSplits;
pub use day::OPEN as OPEN_DAY;
pub use ids::{Ids, number_in, split as split_numbered};
pub use intern::{Interner, NONE};
pub use intervals::{Intervals, Row};
pub use org::Org;
pub use pipeline::{Activities, Opportunities, StageChanges};
pub use transactions::{Names, Numbers, Transactions};

/// An account's facts: where it sits and what crediting and formulas read of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    pub territory: u32,
    /// The named owner (a person), `NONE` when not named.
    pub owner: u32,
    /// Labels (into `FactStore::labels`): industry, country, region, size.
    pub industry: u32,
    pub country: u32,
    pub region: u32,
    pub size: u32,
}

/// Every fact of one company.
#[derive(Debug, Clone, Default)]
pub struct FactStore {
    pub base: Option<Currency>,
    pub calendar: FiscalCalendar,
    pub people: Interner,
    pub positions: Interner,
    pub territories: Interner,
    pub accounts: Interner,
    pub products: Interner,
    pub opportunities: Interner,
    /// Free-text values facts are grouped by (stage names, industries, product families...).
    pub labels: Interner,
    pub currencies: Vec<Currency>,
    /// By account number.
    pub account: Vec<AccountFacts>,
    /// By account number: its territory on any day — the rows applying the assignment rules
    /// wrote, else the account's own `territory_id` (what the CRM gave it).
    pub account_territory: Intervals,
    /// By product number: its family label.
    pub product_family: Vec<u32>,
    pub org: Org,
    pub transactions: Transactions,
    pub pipeline: Opportunities,
    pub stages: StageChanges,
    pub activities: Activities,
    pub credit_splits: CreditSplits,
}

impl FactStore {
    /// Heap bytes of the parts that grow with the transactions, by part, for the memory
    /// figures (the org, accounts and products are small beside them).
    pub fn heap_parts(&self) -> [(&'static str, usize); 4] {
        let ids =
            [&self.people, &self.positions, &self.territories, &self.accounts, &self.products, &self.labels];
        [
            ("transaction columns", self.transactions.heap_bytes()),
            ("opportunity ids", self.opportunities.heap_bytes()),
            (
                "opportunity columns and split rows",
                self.pipeline.heap_bytes() + self.credit_splits.heap_bytes(),
            ),
            ("other ids", ids.iter().map(|i| i.heap_bytes()).sum()),
        ]
    }

    /// Everything but the transactions, which follow with [`FactStore::push_transactions`].
    pub fn with_reference_data(data: &Dataset) -> FactStore {
        FactStore::default().reference_from(data)
    }

    /// These transactions over changed reference data (an import or edit of anything but the
    /// transactions): the interners keep every number they gave, so the transaction columns
    /// stay valid as they are and only the reference parts are built again, never the
    /// transactions (the read model's write path, issue E1).
    pub fn with_new_reference_data(self, data: &Dataset) -> FactStore {
        let seeded = FactStore {
            people: self.people,
            positions: self.positions,
            territories: self.territories,
            accounts: self.accounts,
            products: self.products,
            opportunities: self.opportunities,
            labels: self.labels,
            currencies: self.currencies,
            ..Default::default()
        };
        FactStore { transactions: self.transactions, ..seeded.reference_from(data) }
    }

    /// Builds the reference parts from `data` into `self`'s interners (empty, or seeded with
    /// the numbers an earlier build gave).
    fn reference_from(self, data: &Dataset) -> FactStore {
        let mut store = FactStore {
            base: data.company.first().map(|c| c.base_currency),
            calendar: data.company.first().map(|c| c.calendar).unwrap_or_default(),
            ..self
        };
        for p in &data.people {
            store.people.intern(&p.id);
        }
        for t in &data.territories {
            store.territories.intern(&t.id);
        }
        store.org = Org::build(
            data,
            &mut org::OrgIds {
                people: &mut store.people,
                positions: &mut store.positions,
                territories: &mut store.territories,
            },
        );
        // Room for every id at once: growing the tables step by step rehashes every id's
        // text at each doubling (1.1M opportunities at 10M transactions).
        store.accounts.reserve(data.accounts.len());
        store.opportunities.reserve(data.opportunities.len());
        for a in &data.accounts {
            let n = store.accounts.intern(&a.id) as usize;
            let facts = AccountFacts {
                territory: store.territories.intern_opt(a.territory_id.as_deref()),
                owner: store.people.intern_opt(a.owner_id.as_deref()),
                industry: store.labels.intern_opt(a.industry.as_deref()),
                country: store.labels.intern_opt(a.country.as_deref()),
                region: store.labels.intern_opt(a.region.as_deref()),
                size: store.labels.intern_opt(a.size.map(attain_core::record::Choice::name)),
            };
            // Seeded numbers need not come in order: grow, never shrink.
            if store.account.len() <= n {
                store.account.resize(n + 1, AccountFacts::default());
            }
            store.account[n] = facts;
        }
        store.account_territory = account_territories(data, &mut store);
        for p in &data.products {
            let n = store.products.intern(&p.id) as usize;
            if store.product_family.len() <= n {
                store.product_family.resize(n + 1, NONE);
            }
            store.product_family[n] = store.labels.intern_opt(p.family.as_deref());
        }
        store.pipeline = Opportunities::build(data, &mut store.ids());
        store.stages = StageChanges::build(data, &mut store.ids());
        store.activities = Activities::build(data, &mut store.ids());
        store.credit_splits = CreditSplits::build(data, &mut store.opportunities, &store.people);
        store
    }

    /// The whole dataset.
    pub fn from_dataset(data: &Dataset) -> FactStore {
        let mut store = FactStore::with_reference_data(data);
        store.push_transactions(&data.transactions);
        store.shrink_to_fit();
        store
    }

    /// Gives back the room kept for more rows and ids, once a build is done (a server's
    /// store still takes appends, at the cost of one copy when a column next grows).
    pub fn shrink_to_fit(&mut self) {
        self.transactions.shrink_to_fit();
        self.pipeline.shrink_to_fit();
        let ids = [
            &mut self.people,
            &mut self.positions,
            &mut self.territories,
            &mut self.accounts,
            &mut self.products,
            &mut self.opportunities,
            &mut self.labels,
        ];
        for interner in ids {
            interner.shrink_to_fit();
        }
    }

    /// Appends transactions and links their reversals (to rows already here or among them).
    pub fn push_transactions(&mut self, rows: &[Transaction]) {
        let mut pending = Vec::new();
        for t in rows {
            let (transactions, mut refs) = self.columns_and_refs();
            if let Some(o) = &t.original_id {
                pending.push((transactions.len() as u32, o.clone()));
            }
            transactions.push(t.borrowed(), &mut refs);
        }
        self.transactions.link(&pending);
    }

    /// Replaces the stored transaction with `t`'s id by `t`, in place. Returns its row and the
    /// rows that reverse it, or `None` when no transaction has that id.
    pub fn replace_transaction(&mut self, t: &Transaction) -> Option<(u32, Vec<u32>)> {
        let row = self.transactions.index().find(&self.transactions, &t.id)?;
        let (transactions, mut refs) = self.columns_and_refs();
        let reversals = transactions.replace(row as usize, t, &mut refs);
        Some((row, reversals))
    }

    /// Replaces each stored transaction with the same id as one of `rows` (ids not stored are
    /// skipped), finding rows and reversals once for the whole batch. Returns how many were
    /// replaced.
    pub fn replace_transactions(&mut self, rows: &[Transaction]) -> usize {
        let index = self.transactions.index();
        let found: Vec<(usize, &Transaction)> = rows
            .iter()
            .filter_map(|t| index.find(&self.transactions, &t.id).map(|row| (row as usize, t)))
            .collect();
        if !found.is_empty() {
            let (transactions, mut refs) = self.columns_and_refs();
            transactions.replace_many(&found, &mut refs);
        }
        found.len()
    }

    /// The transaction columns and the interners a row's references go into, borrowed apart
    /// (a reader that links reversals itself pushes rows through these).
    pub fn columns_and_refs(&mut self) -> (&mut Transactions, transactions::Refs<'_>) {
        let refs = transactions::Refs {
            accounts: &mut self.accounts,
            products: &mut self.products,
            opportunities: &mut self.opportunities,
            people: &mut self.people,
            currencies: &mut self.currencies,
        };
        (&mut self.transactions, refs)
    }

    pub(crate) fn ids(&mut self) -> pipeline::PipelineIds<'_> {
        pipeline::PipelineIds {
            people: &mut self.people,
            accounts: &mut self.accounts,
            products: &mut self.products,
            opportunities: &mut self.opportunities,
            labels: &mut self.labels,
            currencies: &mut self.currencies,
        }
    }

    /// The interners, for reading ids back.
    pub fn names(&self) -> Names<'_> {
        Names {
            accounts: &self.accounts,
            products: &self.products,
            opportunities: &self.opportunities,
            people: &self.people,
            currencies: &self.currencies,
        }
    }

    /// The transactions as records again, in the order added.
    pub fn transaction_records(&self) -> Vec<Transaction> {
        let names = self.names();
        (0..self.transactions.len()).map(|r| self.transactions.record(r, &names)).collect()
    }
}

impl Default for AccountFacts {
    fn default() -> Self {
        AccountFacts { territory: NONE, owner: NONE, industry: NONE, country: NONE, region: NONE, size: NONE }
    }
}

/// Each account's territory over time: its dated rows first (they win where they cover a
/// day), then its own `territory_id` over every day as the fallback.
fn account_territories(data: &Dataset, store: &mut FactStore) -> Intervals {
    let mut rows = Vec::with_capacity(data.account_territories.len() + store.account.len());
    for a in &data.account_territories {
        let key = store.accounts.intern(&a.account_id);
        let value = store.territories.intern(&a.territory_id);
        rows.push(Row { key, from: day::day_of(a.validity.from), to: day::end_of(a.validity.to), value });
    }
    for (key, facts) in store.account.iter().enumerate() {
        if facts.territory != NONE {
            rows.push(Row { key: key as u32, from: i32::MIN, to: OPEN_DAY, value: facts.territory });
        }
    }
    Intervals::build(store.accounts.len(), &rows)
}
