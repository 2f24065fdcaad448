//! The transactions as column vectors: one entry per row in each column, ids interned, dates
//! as day numbers, money as `i64` minor units of the row's currency. Optional columns that no
//! row uses take no memory (`Opt`), so a source without costs or owners pays nothing for them.

use attain_core::domain::{Transaction, TransactionKind, TransactionRef};
use attain_core::record::Choice;
use attain_core::{Currency, Money};
use rust_decimal::Decimal;

use crate::day::{date_of, day_of};
use crate::ids::Ids;
use crate::intern::{Interner, NONE};
use crate::pipeline::currency_index;

/// Which credit bases count a row: what it counts as (a cancellation as what it cancels).
pub const BOOKING: u8 = 1 << 3;
pub const INVOICE: u8 = 1 << 4;
pub const PAYMENT: u8 = 1 << 5;
const KIND_BITS: u8 = 0b111;

/// An optional column, allocated the first time a row has a value.
#[derive(Debug, Clone)]
pub struct Opt<T: Copy> {
    none: T,
    values: Vec<T>,
}

impl<T: Copy + PartialEq> Opt<T> {
    fn new(none: T) -> Self {
        Opt { none, values: Vec::new() }
    }

    fn push(&mut self, row: usize, value: Option<T>) {
        if value.is_some() || !self.values.is_empty() {
            self.values.resize(row, self.none);
            self.values.push(value.unwrap_or(self.none));
        }
    }

    pub fn get(&self, row: usize) -> Option<T> {
        self.values.get(row).copied().filter(|v| *v != self.none)
    }

    /// `other`'s rows after this column's first `rows` rows, each value through `map`.
    fn append(&mut self, rows: usize, other: Opt<T>, map: impl Fn(T) -> T) {
        if other.values.is_empty() {
            return;
        }
        self.values.resize(rows, self.none);
        let none = other.none;
        self.values.extend(other.values.into_iter().map(|v| if v == none { self.none } else { map(v) }));
    }

    /// Sets or clears row `row`'s value in place (an edit).
    fn replace(&mut self, row: usize, value: Option<T>) {
        match value {
            Some(v) => self.set(row, v),
            None => {
                if let Some(slot) = self.values.get_mut(row) {
                    *slot = self.none;
                }
            }
        }
    }

    fn set(&mut self, row: usize, value: T) {
        if self.values.len() <= row {
            self.values.resize(row + 1, self.none);
        }
        self.values[row] = value;
    }

    fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<T>()
    }
}

/// Every transaction, in the order added.
#[derive(Debug, Clone)]
pub struct Transactions {
    pub ids: Ids,
    pub day: Vec<i32>,
    /// Bits 0–2: the kind (`TransactionKind::ALL` index); `BOOKING`/`INVOICE`/`PAYMENT`: the
    /// credit bases that count the row.
    pub flags: Vec<u8>,
    pub account: Vec<u32>,
    pub product: Vec<u32>,
    /// Index into the store's currency list.
    pub currency: Vec<u8>,
    pub amount: Vec<i64>,
    pub cost: Opt<i64>,
    /// Quantities are decimals and rare: kept by row, sorted.
    pub quantity: Vec<(u32, Decimal)>,
    pub opportunity: Opt<u32>,
    /// The row a return or cancellation reverses.
    pub original: Opt<u32>,
    pub owner: Opt<u32>,
}

impl Default for Transactions {
    fn default() -> Self {
        Transactions {
            ids: Ids::default(),
            day: Vec::new(),
            flags: Vec::new(),
            account: Vec::new(),
            product: Vec::new(),
            currency: Vec::new(),
            amount: Vec::new(),
            cost: Opt::new(i64::MIN),
            quantity: Vec::new(),
            opportunity: Opt::new(NONE),
            original: Opt::new(NONE),
            owner: Opt::new(NONE),
        }
    }
}

/// A row's references as the store's interners number them (`NONE` where the row has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbers {
    pub account: u32,
    pub product: u32,
    pub opportunity: u32,
    pub owner: u32,
}

/// The interners a transaction's references go into.
#[derive(Debug)]
pub struct Refs<'a> {
    pub accounts: &'a mut Interner,
    pub products: &'a mut Interner,
    pub opportunities: &'a mut Interner,
    pub people: &'a mut Interner,
    pub currencies: &'a mut Vec<Currency>,
}

pub fn kind_of(flags: u8) -> TransactionKind {
    TransactionKind::ALL[(flags & KIND_BITS) as usize]
}

/// The bases a row of `kind` counts on, when it reverses a row of `original` (if any).
pub fn bases(kind: TransactionKind, original: Option<TransactionKind>) -> u8 {
    let counted_as = match (kind, original) {
        (TransactionKind::Cancellation, Some(o)) => o,
        (k, _) => k,
    };
    match counted_as {
        TransactionKind::Booking => BOOKING,
        TransactionKind::Invoice => INVOICE,
        TransactionKind::Payment => PAYMENT,
        // A return takes back what was invoiced and, as a refund, what was paid.
        TransactionKind::Return | TransactionKind::Cancellation => INVOICE | PAYMENT,
    }
}

fn kind_index(kind: TransactionKind) -> u8 {
    TransactionKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8
}

impl Transactions {
    pub fn len(&self) -> usize {
        self.day.len()
    }

    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// Appends a row. Its original (for a reversal) is linked by [`Transactions::link`] once
    /// every row is in, since a file need not list originals first. The row is borrowed, so a
    /// reader can push ids straight from the buffers it read them into.
    pub fn push(&mut self, t: TransactionRef<'_>, refs: &mut Refs<'_>) {
        let numbers = Numbers {
            account: refs.accounts.intern_opt(t.account_id),
            product: refs.products.intern_opt(t.product_id),
            opportunity: refs.opportunities.intern_opt(t.opportunity_id),
            owner: refs.people.intern_opt(t.owner_id),
        };
        self.push_numbered(t, numbers, refs.currencies);
    }

    /// Appends a row whose references a reader has already looked up in the store's interners
    /// (on every core, while checking them), so the push hashes no id but the row's own.
    pub fn push_numbered(&mut self, t: TransactionRef<'_>, numbers: Numbers, currencies: &mut Vec<Currency>) {
        let row = self.len();
        let some = |n: u32| (n != NONE).then_some(n);
        self.ids.push(t.id);
        self.day.push(day_of(t.date));
        self.flags.push(kind_index(t.kind) | bases(t.kind, None));
        self.account.push(numbers.account);
        self.product.push(numbers.product);
        self.currency.push(currency_index(currencies, t.currency));
        self.amount.push(t.amount.minor());
        self.cost.push(row, t.cost.map(|c| c.minor()));
        if let Some(q) = t.quantity {
            self.quantity.push((row as u32, q));
        }
        self.opportunity.push(row, some(numbers.opportunity));
        self.owner.push(row, some(numbers.owner));
        self.original.push(row, None);
    }

    /// Appends the rows of `other`, built apart (a reader checks a batch per core into its own
    /// columns): `other_currencies` is the currency list `other`'s indices point into, and
    /// `currencies` the list this store's do (grown as needed). Reversal links within `other`
    /// are kept, moved by this column's length.
    pub fn append(
        &mut self,
        other: Transactions,
        other_currencies: &[Currency],
        currencies: &mut Vec<Currency>,
    ) {
        let rows = self.len();
        let map: Vec<u8> = other_currencies.iter().map(|c| currency_index(currencies, *c)).collect();
        let Transactions {
            ids,
            day,
            flags,
            account,
            product,
            currency,
            amount,
            cost,
            quantity,
            opportunity,
            original,
            owner,
        } = other;
        self.ids.append(&ids);
        self.day.extend_from_slice(&day);
        self.flags.extend_from_slice(&flags);
        self.account.extend_from_slice(&account);
        self.product.extend_from_slice(&product);
        if map.iter().enumerate().all(|(i, m)| usize::from(*m) == i) {
            self.currency.extend_from_slice(&currency);
        } else {
            self.currency.extend(currency.iter().map(|c| map.get(usize::from(*c)).copied().unwrap_or(*c)));
        }
        self.amount.extend_from_slice(&amount);
        self.cost.append(rows, cost, |v| v);
        self.quantity.extend(quantity.into_iter().map(|(r, q)| (r + rows as u32, q)));
        self.opportunity.append(rows, opportunity, |v| v);
        self.original.append(rows, original, |v| v + rows as u32);
        self.owner.append(rows, owner, |v| v);
    }

    /// Overwrites row `row` with `t` in place (an edit: the id stays), then links it to its
    /// original again and recomputes the credit bases of the rows that reverse it, which
    /// follow its kind. Returns those rows: their credits read this row's facts.
    pub fn replace(&mut self, row: usize, t: &Transaction, refs: &mut Refs<'_>) -> Vec<u32> {
        self.replace_many(&[(row, t)], refs)
    }

    /// [`Transactions::replace`] for several rows, linking and scanning for their reversals
    /// once for all of them (a re-import changing thousands of rows must not scan 10M links
    /// per row). Returns the rows that reverse any of them.
    pub fn replace_many(&mut self, edits: &[(usize, &Transaction)], refs: &mut Refs<'_>) -> Vec<u32> {
        let mut pending = Vec::new();
        for (row, t) in edits {
            pending.extend(self.overwrite(*row, t, refs));
        }
        self.link(&pending);
        let mut edited: Vec<u32> = edits.iter().map(|(row, _)| *row as u32).collect();
        edited.sort_unstable();
        let reversals: Vec<u32> = (0..self.len() as u32)
            .filter(|r| self.original.get(*r as usize).is_some_and(|o| edited.binary_search(&o).is_ok()))
            .collect();
        for r in &reversals {
            let kind = kind_of(self.flags[*r as usize]);
            let of = self.original.get(*r as usize).map(|o| kind_of(self.flags[o as usize]));
            self.flags[*r as usize] = kind_index(kind) | bases(kind, of);
        }
        reversals
    }

    /// Sets every column of `row` from `t` but the reversal link, which it returns to be
    /// linked once every edit is in.
    fn overwrite(&mut self, row: usize, t: &Transaction, refs: &mut Refs<'_>) -> Option<(u32, String)> {
        self.day[row] = day_of(t.date);
        self.flags[row] = kind_index(t.kind) | bases(t.kind, None);
        self.account[row] = refs.accounts.intern_opt(t.account_id.as_deref());
        self.product[row] = refs.products.intern_opt(t.product_id.as_deref());
        self.currency[row] = currency_index(refs.currencies, t.currency);
        self.amount[row] = t.amount.minor();
        self.cost.replace(row, t.cost.map(|c| c.minor()));
        let at = self.quantity.partition_point(|(r, _)| (*r as usize) < row);
        if self.quantity.get(at).is_some_and(|(r, _)| *r as usize == row) {
            self.quantity.remove(at);
        }
        if let Some(q) = t.quantity {
            self.quantity.insert(at, (row as u32, q));
        }
        self.opportunity.replace(row, t.opportunity_id.as_deref().map(|o| refs.opportunities.intern(o)));
        self.owner.replace(row, t.owner_id.as_deref().map(|o| refs.people.intern(o)));
        self.original.replace(row, None);
        t.original_id.as_ref().map(|o| (row as u32, o.clone()))
    }

    /// Links each reversal in `rows` to the row it reverses (by `originals[i]`, the id it
    /// names) and sets its credit bases from the original's kind. An original that is not
    /// here stays unlinked, as the engine treats a dangling reference.
    pub fn link(&mut self, pending: &[(u32, String)]) {
        if pending.is_empty() {
            return;
        }
        let index = self.index();
        for (row, original) in pending {
            let Some(o) = index.find(self, original) else { continue };
            self.original.set(*row as usize, o);
            let kind = kind_of(self.flags[*row as usize]);
            let of = kind_of(self.flags[o as usize]);
            self.flags[*row as usize] = kind_index(kind) | bases(kind, Some(of));
        }
    }

    /// A lookup from id to row: the id column itself when it is numbered in ascending order
    /// (a binary search), a sorted permutation otherwise.
    pub fn index(&self) -> RowIndex {
        if self.ids.is_ascending() {
            return RowIndex::Sorted;
        }
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.ids.cmp_rows(*a as usize, *b as usize));
        RowIndex::Permutation(order)
    }

    pub fn kind(&self, row: usize) -> TransactionKind {
        kind_of(self.flags[row])
    }

    pub fn quantity(&self, row: usize) -> Option<Decimal> {
        self.quantity.binary_search_by_key(&(row as u32), |(r, _)| *r).ok().map(|i| self.quantity[i].1)
    }

    /// Row `row` as the record it was built from.
    pub fn record(&self, row: usize, names: &Names<'_>) -> Transaction {
        let currency = names.currencies[self.currency[row] as usize];
        Transaction {
            id: self.ids.get(row),
            date: date_of(self.day[row]),
            kind: self.kind(row),
            account_id: names.accounts.name_opt(self.account[row]).map(str::to_string),
            product_id: names.products.name_opt(self.product[row]).map(str::to_string),
            quantity: self.quantity(row),
            currency,
            amount: Money::from_minor(self.amount[row], currency),
            cost: self.cost.get(row).map(|c| Money::from_minor(c, currency)),
            opportunity_id: self.opportunity.get(row).map(|o| names.opportunities.name(o).to_string()),
            original_id: self.original.get(row).map(|o| self.ids.get(o as usize)),
            owner_id: self.owner.get(row).map(|p| names.people.name(p).to_string()),
        }
    }

    /// Gives back the room the columns grew into while rows were appended (a `Vec` doubles,
    /// so a store filled chunk by chunk may hold up to twice what it needs).
    pub fn shrink_to_fit(&mut self) {
        match &mut self.ids {
            Ids::Numbered { numbers, .. } => numbers.shrink_to_fit(),
            Ids::Text { bytes, ends } => {
                bytes.shrink_to_fit();
                ends.shrink_to_fit();
            }
        }
        self.day.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.account.shrink_to_fit();
        self.product.shrink_to_fit();
        self.currency.shrink_to_fit();
        self.amount.shrink_to_fit();
        self.cost.values.shrink_to_fit();
        self.quantity.shrink_to_fit();
        self.opportunity.values.shrink_to_fit();
        self.original.values.shrink_to_fit();
        self.owner.values.shrink_to_fit();
    }

    /// Room for `rows` more rows in every column in use, so a resident store takes late rows
    /// without moving its columns (the first push after `shrink_to_fit` would otherwise
    /// reallocate and copy every column).
    pub fn reserve(&mut self, rows: usize) {
        match &mut self.ids {
            Ids::Numbered { numbers, .. } => numbers.reserve_exact(rows),
            Ids::Text { ends, .. } => ends.reserve_exact(rows),
        }
        self.day.reserve_exact(rows);
        self.flags.reserve_exact(rows);
        self.account.reserve_exact(rows);
        self.product.reserve_exact(rows);
        self.currency.reserve_exact(rows);
        self.amount.reserve_exact(rows);
        for opt in [&mut self.opportunity.values, &mut self.original.values, &mut self.owner.values] {
            if !opt.is_empty() {
                opt.reserve_exact(rows);
            }
        }
        if !self.cost.values.is_empty() {
            self.cost.values.reserve_exact(rows);
        }
    }

    /// Heap bytes held, for the memory figures (bytes per transaction).
    pub fn heap_bytes(&self) -> usize {
        self.ids.heap_bytes()
            + self.day.capacity() * 4
            + self.flags.capacity()
            + self.account.capacity() * 4
            + self.product.capacity() * 4
            + self.currency.capacity()
            + self.amount.capacity() * 8
            + self.cost.heap_bytes()
            + self.quantity.capacity() * 20
            + self.opportunity.heap_bytes()
            + self.original.heap_bytes()
            + self.owner.heap_bytes()
    }
}

/// How ids are found: see [`Transactions::index`].
#[derive(Debug)]
pub enum RowIndex {
    Sorted,
    Permutation(Vec<u32>),
}

impl RowIndex {
    pub fn find(&self, txns: &Transactions, id: &str) -> Option<u32> {
        self.position(txns, id).map(|at| self.row(at) as u32)
    }

    /// Where the row with `id` stands in id order.
    pub fn position(&self, txns: &Transactions, id: &str) -> Option<usize> {
        match self {
            RowIndex::Sorted => {
                let n = txns.ids.number_of(id)?;
                txns.ids.row_of_number(n)
            }
            RowIndex::Permutation(order) => {
                let i = order.partition_point(|r| txns.ids.get(*r as usize).as_str() < id);
                order.get(i).filter(|r| txns.ids.is(**r as usize, id)).map(|_| i)
            }
        }
    }

    /// The row that stands `at` in id order.
    pub fn row(&self, at: usize) -> usize {
        match self {
            RowIndex::Sorted => at,
            RowIndex::Permutation(order) => order[at] as usize,
        }
    }
}

/// The interners read back to ids.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub accounts: &'a Interner,
    pub products: &'a Interner,
    pub opportunities: &'a Interner,
    pub people: &'a Interner,
    pub currencies: &'a [Currency],
}
