//! The scaled company's transactions, made row by row from each row's own words (`rows.rs`),
//! and the opportunities and credit splits of the bookings that are split or overlaid.
//!
//! Row `i` is dated on day `⌊i × days ÷ N⌋`, so ids follow date order as a ledger's would and
//! every day has the same number of rows. A cancellation reverses a booking, a return an
//! invoice, and a payment pays part of an invoice, each dated on an earlier day: the row looks
//! for one from a random row before its day onwards (and backwards if none is left), reading
//! only the candidates' words. A row with no such original (on the first day) stays what its
//! original would have been: a booking for a cancellation, an invoice for the others.

use attain_core::domain::{CreditRole, CreditSplit, DealStatus, Opportunity, Transaction, TransactionKind};
use attain_core::{Currency, Decimal, Money};

use super::catalog::{PRODUCTS, product_id};
use super::org::{MANAGERS, Org, person_id};
use super::rows::{self, ACCOUNT, CURRENCY, DEAL, PICK, PRODUCT, SHARE, WORDS, Words, below};
use super::territories::{ACCOUNTS_PER_TERRITORY, Turf, account_id};
use super::{ScaledConfig, Year};
use crate::stages::CLOSED_WON;

/// Bookings split 60/40, in parts per million of bookings.
const SPLIT_PPM: u64 = 50_000;
/// Bookings with a sales engineer overlay, in parts per million of bookings (company-wide).
const OVERLAY_PPM: u64 = 100_000;
const EUR_PERCENT: u64 = 10;

/// Who is credited for a split or overlaid booking, as person indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deal {
    Plain,
    /// 60% to the territory's rep, 40% to a teammate.
    Split {
        owner: u32,
        partner: u32,
    },
    /// The territory's rep as primary (by the territory rule), a sales engineer at 100% on top.
    Overlay {
        owner: u32,
        engineer: u32,
    },
}

/// One row, before it becomes a `Transaction`.
#[derive(Debug, Clone, Copy)]
struct Facts {
    row: u64,
    day: u32,
    kind: TransactionKind,
    currency: Currency,
    account: u32,
    product: u32,
    amount: i64,
    deal: Deal,
    /// The row of the booking whose opportunity this row belongs to.
    opportunity: Option<u64>,
    original: Option<u64>,
}

/// The opportunities and splits of the split and overlaid bookings.
#[derive(Debug, Default)]
pub(crate) struct Deals {
    pub opportunities: Vec<Opportunity>,
    pub splits: Vec<CreditSplit>,
}

/// What a row needs to look up.
#[derive(Debug)]
pub(crate) struct Tables {
    seed: u64,
    rows: u64,
    pub year: Year,
    pub org: Org,
    pub turf: Turf,
    /// The overlay share among bookings of teams that have a sales engineer, so that overlays
    /// are 10% of all bookings although not every manager has one.
    overlay_ppm: u64,
}

fn row_id(row: u64) -> String {
    format!("t-{:09}", row + 1)
}

fn opportunity_id(row: u64) -> String {
    format!("opp-{:09}", row + 1)
}

impl Tables {
    pub fn new(config: &ScaledConfig, year: Year, org: Org, turf: Turf) -> Tables {
        let served = org.engineers.iter().filter(|e| !e.is_empty()).count() as u64;
        let overlay_ppm = match served {
            0 => 0,
            n => (OVERLAY_PPM * MANAGERS as u64 / n).min(1_000_000 - SPLIT_PPM),
        };
        Tables { seed: config.seed, rows: config.transactions, year, org, turf, overlay_ppm }
    }

    fn day(&self, row: u64) -> u32 {
        (u128::from(row) * u128::from(self.year.days()) / u128::from(self.rows)) as u32
    }

    /// The first row dated on `day` or later.
    fn first_row(&self, day: u32) -> u64 {
        (u128::from(day) * u128::from(self.rows)).div_ceil(u128::from(self.year.days())) as u64
    }

    /// Whom a booking on `day` for `account` credits beyond the territory rule.
    fn deal(&self, day: u32, account: u32, words: &[u64; WORDS]) -> Deal {
        let roll = below(words[DEAL], 1_000_000);
        if roll >= SPLIT_PPM + self.overlay_ppm {
            return Deal::Plain;
        }
        let rep = self.turf.owners[account as usize / ACCOUNTS_PER_TERRITORY].rep_on(day);
        let owner = self.org.seats[rep as usize].holder_on(day);
        let manager = self.org.manager_on(rep, day) as usize;
        if roll < SPLIT_PPM {
            let teammates: Vec<u32> =
                self.org.steady[manager].iter().copied().filter(|&r| r != rep).collect();
            if teammates.is_empty() {
                return Deal::Plain;
            }
            let partner = teammates[below(words[PICK], teammates.len() as u64) as usize];
            return Deal::Split { owner, partner: self.org.seats[partner as usize].holder };
        }
        let engineers = &self.org.engineers[manager];
        if engineers.is_empty() {
            return Deal::Plain;
        }
        Deal::Overlay { owner, engineer: engineers[below(words[PICK], engineers.len() as u64) as usize] }
    }

    /// A row as drawn, taking nothing from another row: right for bookings and invoices (the
    /// only rows that are originals), and the starting point for the others.
    fn own(&self, row: u64, kind: TransactionKind, words: &[u64; WORDS]) -> Facts {
        let day = self.day(row);
        let account = below(words[ACCOUNT], self.turf.accounts() as u64) as u32;
        let deal = match kind {
            TransactionKind::Booking => self.deal(day, account, words),
            _ => Deal::Plain,
        };
        Facts {
            row,
            day,
            kind,
            currency: if below(words[CURRENCY], 100) < EUR_PERCENT { Currency::EUR } else { Currency::USD },
            account,
            product: below(words[PRODUCT], PRODUCTS as u64) as u32,
            amount: rows::amount(words),
            deal,
            opportunity: (deal != Deal::Plain).then_some(row),
            original: None,
        }
    }

    /// A row of kind `want` dated before `day`, looked for from the row `pick` chooses.
    fn original(
        &self,
        peek: &mut Words,
        day: u32,
        want: TransactionKind,
        pick: u64,
    ) -> Option<(u64, [u64; WORDS])> {
        let before = self.first_row(day);
        if before == 0 {
            return None;
        }
        let start = below(pick, before);
        peek.seek(start);
        for j in start..before {
            let words = peek.next_row();
            if rows::kind(&words) == want {
                return Some((j, words));
            }
        }
        for j in (0..start).rev() {
            peek.seek(j);
            let words = peek.next_row();
            if rows::kind(&words) == want {
                return Some((j, words));
            }
        }
        None
    }

    /// Row `row` as it is written, its original (if any) read through `peek`.
    fn facts(&self, row: u64, words: &[u64; WORDS], peek: &mut Words) -> Facts {
        let drawn = rows::kind(words);
        let (want, fallback) = match drawn {
            TransactionKind::Booking | TransactionKind::Invoice => return self.own(row, drawn, words),
            TransactionKind::Cancellation => (TransactionKind::Booking, TransactionKind::Booking),
            TransactionKind::Return | TransactionKind::Payment => {
                (TransactionKind::Invoice, TransactionKind::Invoice)
            }
        };
        let day = self.day(row);
        let Some((j, original_words)) = self.original(peek, day, want, words[PICK]) else {
            // A fallback is never an original (others look for rows drawn as bookings or
            // invoices), so it carries no deal: nothing else depends on it.
            return Facts { deal: Deal::Plain, opportunity: None, ..self.own(row, fallback, words) };
        };
        let original = self.own(j, want, &original_words);
        let share = |max: u64| original.amount * (10 + below(words[SHARE], max - 9) as i64) / 100;
        let (amount, opportunity, reverses) = match drawn {
            TransactionKind::Cancellation => (-original.amount, original.opportunity, true),
            TransactionKind::Return => (-share(100), None, true),
            _ => (share(90), None, false),
        };
        Facts {
            row,
            day,
            kind: drawn,
            currency: original.currency,
            account: original.account,
            product: original.product,
            amount,
            deal: Deal::Plain,
            opportunity,
            original: reverses.then_some(j),
        }
    }

    fn transaction(&self, f: &Facts) -> Transaction {
        Transaction {
            id: row_id(f.row),
            date: self.year.date(f.day),
            kind: f.kind,
            account_id: Some(account_id(f.account)),
            product_id: Some(product_id(f.product)),
            quantity: None,
            currency: f.currency,
            amount: Money::from_minor(f.amount, f.currency),
            cost: None,
            opportunity_id: f.opportunity.map(opportunity_id),
            original_id: f.original.map(row_id),
            owner_id: None,
        }
    }

    /// The transactions of rows `from..to`.
    pub fn rows(&self, from: u64, to: u64) -> Vec<Transaction> {
        let mut words = Words::new(self.seed);
        let mut peek = Words::new(self.seed);
        words.seek(from);
        (from..to)
            .map(|row| {
                let w = words.next_row();
                self.transaction(&self.facts(row, &w, &mut peek))
            })
            .collect()
    }

    /// Sweeps every row's words once for the bookings with a deal: an opportunity each, and
    /// its split or overlay rows.
    pub fn deals(&self) -> Deals {
        let mut out = Deals::default();
        let mut words = Words::new(self.seed);
        words.seek(0);
        for row in 0..self.rows {
            let w = words.next_row();
            if rows::kind(&w) != TransactionKind::Booking
                || below(w[DEAL], 1_000_000) >= SPLIT_PPM + self.overlay_ppm
            {
                continue;
            }
            let f = self.own(row, TransactionKind::Booking, &w);
            let (owner, shares) = match f.deal {
                Deal::Plain => continue,
                Deal::Split { owner, partner } => {
                    (owner, vec![(owner, CreditRole::Primary, 60), (partner, CreditRole::Primary, 40)])
                }
                Deal::Overlay { owner, engineer } => (owner, vec![(engineer, CreditRole::Overlay, 100)]),
            };
            let id = opportunity_id(row);
            let date = self.year.date(f.day);
            for (n, (person, role, percent)) in shares.into_iter().enumerate() {
                out.splits.push(CreditSplit {
                    id: format!("split-{:09}-{}", row + 1, n + 1),
                    opportunity_id: id.clone(),
                    person_id: person_id(person),
                    role,
                    percent: Decimal::from(percent),
                });
            }
            out.opportunities.push(Opportunity {
                id,
                name: None,
                account_id: Some(account_id(f.account)),
                owner_id: person_id(owner),
                product_id: Some(product_id(f.product)),
                currency: f.currency,
                amount: Some(Money::from_minor(f.amount, f.currency)),
                stage: CLOSED_WON.to_string(),
                status: DealStatus::Won,
                probability: None,
                expected_close: None,
                deal_type: None,
                channel: None,
                created_on: Some(date),
                closed_on: Some(date),
                close_reason: None,
            });
        }
        out
    }
}
