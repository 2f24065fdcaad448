//! The pipeline as columns: opportunities (owner, account, product, amount, stage, status,
//! dates, deal type, channel), their stage history, and activities. What the KPIs of the Track
//! issues count (win rates, cycle lengths, stage conversion, activity against objectives) and
//! what crediting reads of a deal (its owner, deal type and channel).

use attain_core::domain::{Activity, Channel, DealStatus, DealType, Opportunity, StageChange};
use attain_core::record::Choice;
use attain_core::{Currency, Dataset};

use crate::day::day_of;
use crate::intern::{Interner, NONE};

/// "No value" in a `u8` choice column and an `i32` day column.
pub const NO_CHOICE: u8 = u8::MAX;
pub const NO_DAY: i32 = i32::MIN;

#[derive(Debug)]
pub struct PipelineIds<'a> {
    pub people: &'a mut Interner,
    pub accounts: &'a mut Interner,
    pub products: &'a mut Interner,
    pub opportunities: &'a mut Interner,
    pub labels: &'a mut Interner,
    pub currencies: &'a mut Vec<Currency>,
}

fn choice_index<C: Choice>(c: Option<C>) -> u8 {
    c.and_then(|c| C::ALL.iter().position(|x| x.same(c))).map_or(NO_CHOICE, |i| i as u8)
}

/// The choice behind an index, if any.
pub fn choice_of<C: Choice>(i: u8) -> Option<C> {
    C::ALL.get(i as usize).copied()
}

/// `c`'s place in the store's currency list, added at the end when new.
pub(crate) fn currency_index(list: &mut Vec<Currency>, c: Currency) -> u8 {
    match list.iter().position(|x| *x == c) {
        Some(i) => i as u8,
        None => {
            list.push(c);
            (list.len() - 1) as u8
        }
    }
}

/// Opportunities by opportunity number (the store's `opportunities` interner).
#[derive(Debug, Clone, Default)]
pub struct Opportunities {
    /// Whether number `n` is a known opportunity (a transaction may name one that is not).
    pub known: Vec<bool>,
    pub owner: Vec<u32>,
    pub account: Vec<u32>,
    pub product: Vec<u32>,
    pub currency: Vec<u8>,
    /// Minor units; `i64::MIN` when the deal has no amount.
    pub amount: Vec<i64>,
    pub stage: Vec<u32>,
    pub status: Vec<u8>,
    pub deal_type: Vec<u8>,
    pub channel: Vec<u8>,
    pub created: Vec<i32>,
    pub expected_close: Vec<i32>,
    pub closed: Vec<i32>,
}

impl Opportunities {
    /// Heap bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        let wide = [&self.owner, &self.account, &self.product, &self.stage].map(|c| c.capacity() * 4);
        let days = [&self.created, &self.expected_close, &self.closed].map(|c| c.capacity() * 4);
        let narrow = [&self.currency, &self.status, &self.deal_type, &self.channel].map(|c| c.capacity());
        self.known.capacity()
            + self.amount.capacity() * 8
            + wide.iter().chain(&days).chain(&narrow).sum::<usize>()
    }

    pub fn build(data: &Dataset, ids: &mut PipelineIds<'_>) -> Opportunities {
        let mut out = Opportunities::default();
        for o in &data.opportunities {
            out.push(o, ids);
        }
        out
    }

    fn grow(&mut self, n: usize) {
        if self.known.len() <= n {
            let len = n + 1;
            self.known.resize(len, false);
            self.owner.resize(len, NONE);
            self.account.resize(len, NONE);
            self.product.resize(len, NONE);
            self.currency.resize(len, 0);
            self.amount.resize(len, i64::MIN);
            self.stage.resize(len, NONE);
            self.status.resize(len, NO_CHOICE);
            self.deal_type.resize(len, NO_CHOICE);
            self.channel.resize(len, NO_CHOICE);
            self.created.resize(len, NO_DAY);
            self.expected_close.resize(len, NO_DAY);
            self.closed.resize(len, NO_DAY);
        }
    }

    /// Gives back the room the columns grew into.
    pub fn shrink_to_fit(&mut self) {
        self.known.shrink_to_fit();
        for column in [&mut self.owner, &mut self.account, &mut self.product, &mut self.stage] {
            column.shrink_to_fit();
        }
        for column in [&mut self.currency, &mut self.status, &mut self.deal_type, &mut self.channel] {
            column.shrink_to_fit();
        }
        for column in [&mut self.created, &mut self.expected_close, &mut self.closed] {
            column.shrink_to_fit();
        }
        self.amount.shrink_to_fit();
    }

    /// Adds or replaces an opportunity.
    pub fn push(&mut self, o: &Opportunity, ids: &mut PipelineIds<'_>) {
        let n = ids.opportunities.intern(&o.id) as usize;
        self.grow(n);
        self.known[n] = true;
        self.owner[n] = ids.people.intern(&o.owner_id);
        self.account[n] = ids.accounts.intern_opt(o.account_id.as_deref());
        self.product[n] = ids.products.intern_opt(o.product_id.as_deref());
        self.currency[n] = currency_index(ids.currencies, o.currency);
        self.amount[n] = o.amount.map_or(i64::MIN, |a| a.minor());
        self.stage[n] = ids.labels.intern(&o.stage);
        self.status[n] = choice_index::<DealStatus>(Some(o.status));
        self.deal_type[n] = choice_index::<DealType>(o.deal_type);
        self.channel[n] = choice_index::<Channel>(o.channel);
        self.created[n] = o.created_on.map_or(NO_DAY, day_of);
        self.expected_close[n] = o.expected_close.map_or(NO_DAY, day_of);
        self.closed[n] = o.closed_on.map_or(NO_DAY, day_of);
    }

    pub fn is_known(&self, n: u32) -> bool {
        self.known.get(n as usize).copied().unwrap_or(false)
    }
}

/// Stage changes, in the order added.
#[derive(Debug, Clone, Default)]
pub struct StageChanges {
    pub opportunity: Vec<u32>,
    pub stage: Vec<u32>,
    pub day: Vec<i32>,
}

impl StageChanges {
    pub fn build(data: &Dataset, ids: &mut PipelineIds<'_>) -> StageChanges {
        let mut out = StageChanges::default();
        for s in &data.stage_history {
            out.push(s, ids);
        }
        out
    }

    pub fn push(&mut self, s: &StageChange, ids: &mut PipelineIds<'_>) {
        self.opportunity.push(ids.opportunities.intern(&s.opportunity_id));
        self.stage.push(ids.labels.intern(&s.stage));
        self.day.push(day_of(s.entered_on));
    }

    pub fn len(&self) -> usize {
        self.day.len()
    }

    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }
}

/// Activities, in the order added. `at` is the instant in seconds since 1970 UTC.
#[derive(Debug, Clone, Default)]
pub struct Activities {
    pub kind: Vec<u8>,
    pub owner: Vec<u32>,
    pub account: Vec<u32>,
    pub opportunity: Vec<u32>,
    pub at: Vec<i64>,
}

impl Activities {
    pub fn build(data: &Dataset, ids: &mut PipelineIds<'_>) -> Activities {
        let mut out = Activities::default();
        for a in &data.activities {
            out.push(a, ids);
        }
        out
    }

    pub fn push(&mut self, a: &Activity, ids: &mut PipelineIds<'_>) {
        self.kind.push(choice_index(Some(a.kind)));
        self.owner.push(ids.people.intern(&a.owner_id));
        self.account.push(ids.accounts.intern_opt(a.account_id.as_deref()));
        self.opportunity.push(ids.opportunities.intern_opt(a.opportunity_id.as_deref()));
        self.at.push(a.occurred_at.as_second());
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }
}
