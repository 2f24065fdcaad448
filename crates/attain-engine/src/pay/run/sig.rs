//! Measure signatures: every distinct way the plan book sums transactions (credit basis,
//! filter, value), compiled once so the bulk pass tests a transaction against a measure with
//! a few array reads. Two plans (or two versions) that measure the same thing share one
//! signature, so their credits are summed once.

use attain_facts::{FactStore, NONE};
use rust_decimal::Decimal;

use super::EngineError;
use super::txn::{Txn, basis_bit};
use crate::pay::plan::{Filter, Measure, MeasureValue, PlanBook};

/// A compiled measure: which transactions count and what each adds.
#[derive(Debug)]
pub(crate) struct Sig<'p> {
    pub measure: &'p Measure,
    basis: u8,
    /// By product number: whether the product and its family pass (`None`: every product).
    products: Option<Vec<bool>>,
    /// Whether a transaction with no product passes.
    no_product: bool,
    deal_types: Option<u32>,
    channels: Option<u32>,
    days: Option<(i32, i32)>,
    /// The value is the amount, margin or deal count, so an unsplit credit is an integer.
    pub integral: bool,
    /// Integral, and nothing but the basis and dates decides which rows count: the pass then
    /// reads neither products nor opportunities for it (`Sig::counts`).
    pub plain: bool,
}

/// The distinct signatures of a plan book, and which one each (plan version, measure) uses.
#[derive(Debug)]
pub(crate) struct Sigs<'p> {
    pub list: Vec<Sig<'p>>,
    /// By plan version index in the book, by measure index.
    pub of: Vec<Vec<u16>>,
    /// Every signature is plain (and there are at most 64): the pass's short way is open.
    pub plain: bool,
}

/// What makes two measures sum the same thing: the basis, the filter and the value, as text.
fn key(basis: &str, m: &Measure) -> String {
    let f = &m.filter;
    let value = match &m.value {
        MeasureValue::Amount => "amount".to_string(),
        MeasureValue::Margin => "margin".to_string(),
        MeasureValue::Quantity => "quantity".to_string(),
        MeasureValue::Deals => "deals".to_string(),
        MeasureValue::Formula(formula) => format!("formula {}", formula.source()),
    };
    format!(
        "{basis}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{value}",
        f.products,
        f.families,
        f.deal_types,
        f.channels,
        f.dates.map(|d| (d.from, d.to)),
        f.condition.as_ref().map(|c| c.source())
    )
}

fn mask<C: attain_core::record::Choice>(list: &[C]) -> Option<u32> {
    (!list.is_empty()).then(|| {
        list.iter().filter_map(|c| C::ALL.iter().position(|x| x.same(*c))).fold(0u32, |m, i| m | (1 << i))
    })
}

impl<'p> Sig<'p> {
    pub fn compile(store: &FactStore, basis: crate::pay::plan::CreditBasis, m: &'p Measure) -> Sig<'p> {
        let f: &Filter = &m.filter;
        let listed = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x == v))
        };
        let products = (!f.products.is_empty() || !f.families.is_empty()).then(|| {
            (0..store.products.len() as u32)
                .map(|n| {
                    let family = store.product_family.get(n as usize).copied().unwrap_or(NONE);
                    listed(&f.products, Some(store.products.name(n)))
                        && listed(&f.families, store.labels.name_opt(family))
                })
                .collect()
        });
        let integral = f.condition.is_none()
            && matches!(m.value, MeasureValue::Amount | MeasureValue::Margin | MeasureValue::Deals);
        let (deal_types, channels) = (mask(&f.deal_types), mask(&f.channels));
        Sig {
            measure: m,
            basis: basis_bit(basis),
            plain: integral && products.is_none() && deal_types.is_none() && channels.is_none(),
            products,
            no_product: f.products.is_empty() && f.families.is_empty(),
            deal_types,
            channels,
            days: f.dates.map(|d| (attain_facts::day::day_of(d.from), attain_facts::day::end_of(d.to))),
            integral,
        }
    }

    /// Whether a row with these flags and this day passes the basis and the dates: all of the
    /// filter of a plain signature.
    pub fn counts(&self, flags: u8, day: i32) -> bool {
        flags & self.basis != 0 && self.days.is_none_or(|(from, to)| from <= day && day < to)
    }

    /// Whether the transaction passes the measure's basis and filter.
    pub fn passes(&self, t: &Txn<'_>) -> Result<bool, EngineError> {
        if !self.counts(t.flags, t.day) {
            return Ok(false);
        }
        if let Some(products) = &self.products {
            if t.product == NONE {
                if !self.no_product {
                    return Ok(false);
                }
            } else if !products.get(t.product as usize).copied().unwrap_or(false) {
                return Ok(false);
            }
        }
        let chosen = |mask: Option<u32>, index: Option<usize>| match mask {
            None => true,
            Some(m) => index.is_some_and(|i| m & (1 << i) != 0),
        };
        if self.deal_types.is_some() {
            let index = t.deal_type().and_then(|d| {
                use attain_core::record::Choice;
                attain_core::domain::DealType::ALL.iter().position(|x| x.same(d))
            });
            if !chosen(self.deal_types, index) {
                return Ok(false);
            }
        }
        if self.channels.is_some() {
            let index = t.channel().and_then(|c| {
                use attain_core::record::Choice;
                attain_core::domain::Channel::ALL.iter().position(|x| x.same(c))
            });
            if !chosen(self.channels, index) {
                return Ok(false);
            }
        }
        match &self.measure.filter.condition {
            None => Ok(true),
            Some(f) => f.eval_bool(t).map_err(|e| EngineError::Formula(e.to_string())),
        }
    }

    /// An unsplit credit's value in minor units of the transaction's currency (or a count of
    /// deals), for the integer accumulators; `None` when the value is not an integer.
    pub fn integral_value(&self, t: &Txn<'_>) -> Option<i64> {
        self.integral_of(t.amount, t.cost, t.original.is_some())
    }

    /// The same from a row's amount and cost in minor units and whether it is a reversal.
    pub fn integral_of(&self, amount: i64, cost: Option<i64>, reversal: bool) -> Option<i64> {
        if !self.integral {
            return None;
        }
        Some(match &self.measure.value {
            MeasureValue::Amount => amount,
            MeasureValue::Margin => cost.map_or(0, |c| amount - c),
            MeasureValue::Deals => {
                if reversal || amount < 0 {
                    -1
                } else {
                    1
                }
            }
            _ => return None,
        })
    }

    /// Whether an integral value is in minor units (money) or a plain count.
    pub fn is_money(&self) -> bool {
        self.measure.value.is_money()
    }

    /// The value of a share of the transaction, exactly.
    pub fn value(&self, t: &Txn<'_>, share: Decimal) -> Result<Decimal, EngineError> {
        t.value_of(self.measure, share)
    }
}

impl<'p> Sigs<'p> {
    pub fn compile(store: &FactStore, book: &'p PlanBook) -> Sigs<'p> {
        let mut keys: Vec<String> = Vec::new();
        let mut list = Vec::new();
        let mut of = Vec::new();
        for plan in book.plans() {
            let mut mine = Vec::new();
            for m in &plan.measures {
                let k = key(plan.credit_on.name(), m);
                let i = match keys.iter().position(|x| *x == k) {
                    Some(i) => i,
                    None => {
                        keys.push(k);
                        list.push(Sig::compile(store, plan.credit_on, m));
                        list.len() - 1
                    }
                };
                mine.push(i as u16);
            }
            of.push(mine);
        }
        let plain = list.iter().all(|s| s.plain) && list.len() <= 64;
        Sigs { list, of, plain }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}
