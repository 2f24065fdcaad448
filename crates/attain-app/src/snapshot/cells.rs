//! Search and filters over the transactions without making their records: a list asking for
//! text or a filter over 10M transactions made each row's record and every cell's text, about
//! a microsecond a row (10 s a request). Here each column's cell is made from the fact store's
//! columns alone, and only for the columns the query reads. A column whose cell depends on one
//! small number (a day, a kind, a currency, an interned account, product, opportunity or
//! owner) is judged once per distinct number, not once per row. The rows are then scanned on
//! every core. The judgement itself (what the needle and the filters make of a cell) is the
//! caller's, so the lists keep one meaning for every kind.

use attain_core::Kind;
use attain_core::domain::TransactionKind;
use attain_core::domain::transaction_column::{
    ACCOUNT, AMOUNT, COLUMNS, COST, CURRENCY, DATE, ID, KIND, OPPORTUNITY, ORIGINAL, OWNER, PRODUCT, QUANTITY,
};
use attain_core::record::{Choice, Value, cell_to_text};
use attain_facts::day::date_of;
use attain_facts::transactions::kind_of;
use attain_facts::{FactStore, NONE};
use rayon::prelude::*;

use super::Snapshot;
use crate::scope::Visible;

/// What a query makes of one cell: whether it holds the searched text, whether it passes the
/// filters on its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub hit: bool,
    pub pass: bool,
}

/// A column judged once per distinct number: `verdicts[key]`, the last entry for an empty cell.
struct Table {
    column: usize,
    /// The first day of the date column's keys.
    first_day: i32,
    verdicts: Vec<Verdict>,
}

impl Snapshot {
    /// Cell `column` of the fact store's transaction `row`, as `Transaction::to_values` makes it.
    pub fn transaction_cell(&self, row: usize, column: usize) -> Value {
        let t = &self.facts.transactions;
        let names = self.facts.names();
        let text = |name: Option<&str>| name.map_or(Value::Null, |n| Value::Text(n.to_string()));
        match column {
            ID => Value::Text(t.ids.get(row)),
            DATE => Value::Text(date_of(t.day[row]).to_string()),
            KIND => Value::Text(kind_of(t.flags[row]).to_string()),
            ACCOUNT => text(names.accounts.name_opt(t.account[row])),
            PRODUCT => text(names.products.name_opt(t.product[row])),
            QUANTITY => t.quantity(row).map_or(Value::Null, |q| Value::Text(q.to_string())),
            CURRENCY => Value::Text(names.currencies[t.currency[row] as usize].to_string()),
            AMOUNT => Value::Int(t.amount[row]),
            COST => t.cost.get(row).map_or(Value::Null, Value::Int),
            OPPORTUNITY => text(t.opportunity.get(row).map(|o| names.opportunities.name(o))),
            ORIGINAL => t.original.get(row).map_or(Value::Null, |o| Value::Text(t.ids.get(o as usize))),
            OWNER => text(t.owner.get(row).map(|p| names.people.name(p))),
            _ => Value::Null,
        }
    }

    /// Indexes (in key order) of the visible transactions that match: every column in
    /// `columns` passes, and, when `needle` is set, one of them is a hit. `judge` is given a
    /// column, its cell and the cell's text.
    pub fn transactions_matching(
        &self,
        visible: &Visible,
        columns: &[usize],
        needle: bool,
        judge: impl Fn(usize, &Value, &str) -> Verdict + Sync,
    ) -> Vec<usize> {
        let judge_cell = |row: usize, column: usize| {
            let cell = self.transaction_cell(row, column);
            // A text cell's text is the text itself and an empty cell's is empty (as
            // `cell_to_text` says): only numbers are written out.
            match &cell {
                Value::Text(text) => judge(column, &cell, text),
                Value::Null => judge(column, &cell, ""),
                Value::Int(_) => judge(column, &cell, &self.cell_text(row, column, &cell)),
            }
        };
        // A table costs a judgement per distinct number: worth it only when more rows than
        // that are read (a manager's few thousand rows are judged one by one, not against a
        // million opportunities).
        let rows = visible.count(Kind::Transactions, self.count(Kind::Transactions));
        let tables: Vec<Table> = columns
            .iter()
            .filter_map(|&c| self.table(c, rows, &|c, cell, text| judge(c, cell, text)))
            .collect();
        let per_row: Vec<usize> =
            columns.iter().copied().filter(|c| tables.iter().all(|t| t.column != *c)).collect();
        let store: &FactStore = &self.facts;
        let count = self.count(Kind::Transactions);
        (0..count)
            .into_par_iter()
            .with_min_len(1 << 14)
            .filter(|&i| {
                if !visible.row(Kind::Transactions, i) {
                    return false;
                }
                let row = self.transaction_row(i);
                let mut hit = !needle;
                for t in &tables {
                    let v = t.verdicts[t.key(store, row)];
                    if !v.pass {
                        return false;
                    }
                    hit |= v.hit;
                }
                for &c in &per_row {
                    let v = judge_cell(row, c);
                    if !v.pass {
                        return false;
                    }
                    hit |= v.hit;
                }
                hit
            })
            .collect()
    }

    /// A cell's text as lists show and filter it (money needs the row's currency).
    fn cell_text(&self, row: usize, column: usize, cell: &Value) -> String {
        let mut cells = vec![Value::Null; COLUMNS];
        if matches!(column, AMOUNT | COST) {
            cells[CURRENCY] = self.transaction_cell(row, CURRENCY);
        }
        cells[column] = cell.clone();
        cell_to_text(Kind::Transactions.spec(), &cells, column)
    }

    /// The column's verdicts per distinct number, for the columns that have one, when they
    /// are no more than `rows`.
    fn table(
        &self,
        column: usize,
        rows: usize,
        judge: &(dyn Fn(usize, &Value, &str) -> Verdict + Sync),
    ) -> Option<Table> {
        let t = &self.facts.transactions;
        let names = self.facts.names();
        let days = || Some((*t.day.iter().min()?, *t.day.iter().max()?));
        let keys = match column {
            DATE => days().map_or(0, |(first, last)| (last - first + 1) as usize),
            KIND => TransactionKind::ALL.len(),
            CURRENCY => names.currencies.len(),
            ACCOUNT => names.accounts.len() + 1,
            PRODUCT => names.products.len() + 1,
            OPPORTUNITY => names.opportunities.len() + 1,
            OWNER => names.people.len() + 1,
            _ => return None,
        };
        if keys > rows {
            return None;
        }
        let spec = Kind::Transactions.spec();
        let text_cell = |text: Option<String>| {
            let cell = text.map_or(Value::Null, Value::Text);
            let mut cells = vec![Value::Null; COLUMNS];
            cells[column] = cell.clone();
            let text = cell_to_text(spec, &cells, column);
            judge(column, &cell, &text)
        };
        let named = |len: usize, name: &(dyn Fn(u32) -> String + Sync)| -> Vec<Verdict> {
            let mut v: Vec<Verdict> =
                (0..len as u32).into_par_iter().map(|n| text_cell(Some(name(n)))).collect();
            v.push(text_cell(None));
            v
        };
        let mut first_day = 0;
        let verdicts = match column {
            DATE => {
                let (first, last) = days()?;
                first_day = first;
                (first..=last).map(|d| text_cell(Some(date_of(d).to_string()))).collect()
            }
            KIND => TransactionKind::ALL.iter().map(|k| text_cell(Some(k.to_string()))).collect(),
            CURRENCY => names.currencies.iter().map(|c| text_cell(Some(c.to_string()))).collect(),
            ACCOUNT => named(names.accounts.len(), &|n| names.accounts.name(n).to_string()),
            PRODUCT => named(names.products.len(), &|n| names.products.name(n).to_string()),
            OPPORTUNITY => named(names.opportunities.len(), &|n| names.opportunities.name(n).to_string()),
            OWNER => named(names.people.len(), &|n| names.people.name(n).to_string()),
            _ => return None,
        };
        Some(Table { column, first_day, verdicts })
    }
}

impl Table {
    /// Row `row`'s key into `verdicts`.
    fn key(&self, store: &FactStore, row: usize) -> usize {
        let t = &store.transactions;
        let empty = self.verdicts.len() - 1;
        let interned = |n: u32| if n == NONE { empty } else { n as usize };
        match self.column {
            DATE => (t.day[row] - self.first_day) as usize,
            KIND => {
                let kind = kind_of(t.flags[row]);
                TransactionKind::ALL.iter().position(|k| *k == kind).unwrap_or(empty)
            }
            CURRENCY => t.currency[row] as usize,
            ACCOUNT => interned(t.account[row]),
            PRODUCT => interned(t.product[row]),
            OPPORTUNITY => interned(t.opportunity.get(row).unwrap_or(NONE)),
            _ => interned(t.owner.get(row).unwrap_or(NONE)),
        }
    }
}
