//! Money facts for won deals: a booking on the close day, an invoice days later, payments
//! (mostly in full, some in instalments or late), partial returns against invoices and the odd
//! cancelled order. Nothing is dated on or after `as_of`: later events have not happened yet.

use attain_core::domain::{DealStatus, Transaction, TransactionKind};
use attain_core::{Currency, Date, Decimal, Money};

use crate::accounts::Book;
use crate::catalog::{ITEMS, usd};
use crate::dates::{Window, add_days, weekday_on_or_after};
use crate::org::Org;
use crate::pipeline::{Pipeline, opp_id};
use crate::rng::{Dice, Stream};

/// A transaction before ids are given out (ids follow date order, as a ledger's would).
struct Draft {
    date: Date,
    kind: TransactionKind,
    deal: usize,
    amount: Money,
    cost: Option<Money>,
    quantity: Option<i64>,
    /// The draft this one reverses.
    original: Option<usize>,
}

/// How an invoice gets paid: shares of the amount in percent (the last takes the remainder,
/// so instalments always add up to the invoice), and the days before the first payment.
fn payment_plan(dice: &mut Dice) -> (&'static [i64], i64) {
    match dice.weighted(&[(0, 75), (1, 12), (2, 8), (3, 5)]) {
        0 => (&[100], dice.between(14, 45)),
        1 => (&[50, 50], dice.between(14, 40)),
        2 => (&[40, 30, 30], dice.between(14, 40)),
        _ => (&[100], dice.between(60, 120)),
    }
}

/// The reversing amount of `money` (what a cancellation books).
fn negated(money: Money) -> Money {
    usd(-money.amount())
}

fn push(drafts: &mut Vec<Draft>, draft: Draft) -> usize {
    drafts.push(draft);
    drafts.len() - 1
}

pub(crate) fn build(
    seed: u64,
    window: &Window,
    org: &Org,
    book: &Book,
    pipeline: &Pipeline,
) -> Vec<Transaction> {
    let mut dice = Dice::new(seed, Stream::Transactions);
    let before_today = |day: Date| day < window.as_of;
    let mut drafts = Vec::new();
    for (i, deal) in pipeline.deals.iter().enumerate() {
        if deal.status != DealStatus::Won {
            continue;
        }
        let quantity = deal.quantity;
        let unit_cost = Decimal::from(ITEMS[deal.item].cost);
        let cost = usd(unit_cost * Decimal::from(quantity));
        let sale = |date, kind| Draft {
            date,
            kind,
            deal: i,
            amount: deal.amount,
            cost: Some(cost),
            quantity: Some(quantity),
            original: None,
        };
        let booking = push(&mut drafts, sale(deal.close, TransactionKind::Booking));

        if dice.chance(2) {
            let cancelled = weekday_on_or_after(add_days(deal.close, dice.between(3, 20)));
            if before_today(cancelled) {
                push(
                    &mut drafts,
                    Draft {
                        date: cancelled,
                        kind: TransactionKind::Cancellation,
                        deal: i,
                        amount: negated(deal.amount),
                        cost: Some(negated(cost)),
                        quantity: Some(-quantity),
                        original: Some(booking),
                    },
                );
                continue;
            }
        }

        let invoiced = weekday_on_or_after(add_days(deal.close, dice.between(0, 5)));
        if !before_today(invoiced) {
            continue;
        }
        let invoice = push(&mut drafts, sale(invoiced, TransactionKind::Invoice));

        let (shares, wait) = payment_plan(&mut dice);
        let mut paid_on = add_days(invoiced, wait);
        let mut paid = Money::zero(Currency::USD);
        for (n, share) in shares.iter().enumerate() {
            let last = n + 1 == shares.len();
            let amount = if last {
                deal.amount.checked_sub(paid).expect("instalments share one currency")
            } else {
                usd(deal.amount.amount() * Decimal::from(*share) / Decimal::ONE_HUNDRED)
            };
            let day = weekday_on_or_after(paid_on);
            if !before_today(day) {
                break;
            }
            paid = paid.checked_add(amount).expect("instalments share one currency");
            push(
                &mut drafts,
                Draft {
                    date: day,
                    kind: TransactionKind::Payment,
                    deal: i,
                    amount,
                    cost: None,
                    // Units belong to the sale, not to one instalment of its payment.
                    quantity: (shares.len() == 1).then_some(quantity),
                    original: None,
                },
            );
            paid_on = add_days(day, dice.between(14, 28));
        }

        if quantity >= 2 && dice.chance(6) {
            let units = dice.between(1, quantity / 2);
            let returned = weekday_on_or_after(add_days(invoiced, dice.between(10, 90)));
            if before_today(returned) {
                push(
                    &mut drafts,
                    Draft {
                        date: returned,
                        kind: TransactionKind::Return,
                        deal: i,
                        amount: usd(-deal.unit_price * Decimal::from(units)),
                        cost: Some(usd(-unit_cost * Decimal::from(units))),
                        quantity: Some(-units),
                        original: Some(invoice),
                    },
                );
            }
        }
    }

    // Stable, so same-day events keep their causal order (a booking before its invoice).
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&d| drafts[d].date);
    let mut rank = vec![0; drafts.len()];
    for (r, &d) in order.iter().enumerate() {
        rank[d] = r;
    }
    let id = |draft: usize| format!("t-{:06}", rank[draft] + 1);
    order
        .iter()
        .map(|&d| {
            let draft = &drafts[d];
            let deal = &pipeline.deals[draft.deal];
            Transaction {
                id: id(d),
                date: draft.date,
                kind: draft.kind,
                account_id: Some(book.accounts[deal.account].id.clone()),
                product_id: Some(ITEMS[deal.item].id.to_string()),
                quantity: draft.quantity.map(Decimal::from),
                currency: Currency::USD,
                amount: draft.amount,
                cost: draft.cost,
                opportunity_id: Some(opp_id(draft.deal)),
                original_id: draft.original.map(id),
                owner_id: Some(org.people[deal.owner.person].id.clone()),
            }
        })
        .collect()
}
