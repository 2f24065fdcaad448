//! One transaction as the engine reads it, straight from the fact store's columns: its own
//! values, falling back to the transaction it reverses (a return need not repeat the deal's
//! account or product) and to its opportunity. Nothing is copied per transaction; formula
//! variables are read slot by slot when a formula asks for them.

use attain_core::domain::{Channel, DealType, TransactionKind};
use attain_core::record::Choice;
use attain_core::{Currency, Date};
use attain_facts::pipeline::choice_of;
use attain_facts::{FactStore, NONE};
use rust_decimal::Decimal;

use super::EngineError;
use crate::formula::{Value, Vars};
use crate::pay::plan::{CreditBasis, Measure, MeasureValue};

/// Row `row`'s facts, resolved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Txn<'s> {
    pub store: &'s FactStore,
    pub row: u32,
    pub day: i32,
    pub flags: u8,
    pub currency: u8,
    pub amount: i64,
    pub cost: Option<i64>,
    /// The row it reverses.
    pub original: Option<u32>,
    pub account: u32,
    pub product: u32,
    pub opportunity: u32,
    pub owner: u32,
}

impl<'s> Txn<'s> {
    pub fn at(store: &'s FactStore, row: u32) -> Txn<'s> {
        let t = &store.transactions;
        let r = row as usize;
        let original = t.original.get(r);
        let own_or_original = |own: u32, column: &[u32]| match (own, original) {
            (NONE, Some(o)) => column[o as usize],
            _ => own,
        };
        let opt_or_original = |col: &attain_facts::transactions::Opt<u32>| {
            col.get(r).or_else(|| original.and_then(|o| col.get(o as usize))).unwrap_or(NONE)
        };
        let opportunity = opt_or_original(&t.opportunity);
        let opp = |column: &[u32]| {
            if store.pipeline.is_known(opportunity) { column[opportunity as usize] } else { NONE }
        };
        let mut account = own_or_original(t.account[r], &t.account);
        if account == NONE {
            account = opp(&store.pipeline.account);
        }
        let mut product = own_or_original(t.product[r], &t.product);
        if product == NONE {
            product = opp(&store.pipeline.product);
        }
        Txn {
            store,
            row,
            day: t.day[r],
            flags: t.flags[r],
            currency: t.currency[r],
            amount: t.amount[r],
            cost: t.cost.get(r),
            original,
            account,
            product,
            opportunity,
            owner: opt_or_original(&t.owner),
        }
    }

    pub fn date(&self) -> Date {
        attain_facts::day::date_of(self.day)
    }

    pub fn currency(&self) -> Currency {
        self.store.currencies[self.currency as usize]
    }

    fn minor(&self, units: i64) -> Decimal {
        Decimal::new(units, self.currency().minor_units()).normalize()
    }

    pub fn amount(&self) -> Decimal {
        self.minor(self.amount)
    }

    /// Amount less cost; zero when the cost is unknown.
    pub fn margin(&self) -> Decimal {
        self.cost.map_or(Decimal::ZERO, |c| self.minor(self.amount) - self.minor(c))
    }

    pub fn quantity(&self) -> Decimal {
        self.store.transactions.quantity(self.row as usize).unwrap_or_default()
    }

    pub fn kind(&self) -> TransactionKind {
        attain_facts::transactions::kind_of(self.flags)
    }

    fn opportunity_choice<C: Choice>(&self, column: &[u8]) -> Option<C> {
        if self.store.pipeline.is_known(self.opportunity) {
            choice_of(column[self.opportunity as usize])
        } else {
            None
        }
    }

    pub fn deal_type(&self) -> Option<DealType> {
        self.opportunity_choice(&self.store.pipeline.deal_type)
    }

    pub fn channel(&self) -> Option<Channel> {
        self.opportunity_choice(&self.store.pipeline.channel)
    }

    pub fn family(&self) -> u32 {
        self.store.product_family.get(self.product as usize).copied().unwrap_or(NONE)
    }

    fn account_label(&self, pick: impl Fn(&attain_facts::AccountFacts) -> u32) -> Value {
        let n = self.store.account.get(self.account as usize).map_or(NONE, pick);
        text(self.store.labels.name_opt(n))
    }

    /// What one credited share adds to a measure, in the transaction's currency.
    pub fn value_of(&self, measure: &Measure, share: Decimal) -> Result<Decimal, EngineError> {
        let whole = match &measure.value {
            MeasureValue::Amount => self.amount(),
            MeasureValue::Margin => self.margin(),
            MeasureValue::Quantity => self.quantity(),
            MeasureValue::Deals => {
                return Ok(if self.original.is_some() || self.amount < 0 { -share } else { share });
            }
            MeasureValue::Formula(f) => {
                f.eval_number(self).map_err(|e| EngineError::Formula(e.to_string()))?
            }
        };
        Ok(whole * share)
    }
}

pub(crate) fn basis_bit(basis: CreditBasis) -> u8 {
    use attain_facts::transactions::{BOOKING, INVOICE, PAYMENT};
    match basis {
        CreditBasis::Booking => BOOKING,
        CreditBasis::Invoice => INVOICE,
        CreditBasis::Payment => PAYMENT,
    }
}

fn text(s: Option<&str>) -> Value {
    Value::Text(s.unwrap_or_default().to_string())
}

/// The variables of docs/plans.md's transaction schema (`plan::schema::TRANSACTION`), by slot.
impl Vars for Txn<'_> {
    fn get(&self, slot: usize) -> Value {
        let s = self.store;
        match slot {
            0 => Value::Number(self.amount()),
            1 => Value::Number(self.cost.map_or(Decimal::ZERO, |c| self.minor(c))),
            2 => Value::Number(self.margin()),
            3 => Value::Number(self.quantity()),
            4 => Value::Text(self.kind().name().to_string()),
            5 => text(s.products.name_opt(self.product)),
            6 => text(s.labels.name_opt(self.family())),
            7 => text(self.deal_type().map(|d| d.name())),
            8 => text(self.channel().map(|c| c.name())),
            9 => self.account_label(|a| a.industry),
            10 => self.account_label(|a| a.country),
            11 => self.account_label(|a| a.region),
            _ => self.account_label(|a| a.size),
        }
    }

    fn try_get(&self, slot: usize) -> Option<Value> {
        (slot < crate::pay::plan::schema::TRANSACTION.len()).then(|| self.get(slot))
    }
}
