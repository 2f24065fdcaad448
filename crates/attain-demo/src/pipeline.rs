//! The pipeline: deals drawn per account over the window, owned by whoever worked the
//! account's patch the day each was created, with amounts, outcomes and stage history.
//!
//! Each deal is drawn from its (planned) close day backwards: close days spread evenly from
//! three weeks into the window to five months past `as_of`, so every month of the window has
//! closings from its start, and deals whose close is still ahead become the open pipeline.

use attain_core::domain::{AccountSize, Channel, DealStatus, DealType, Opportunity, StageChange};
use attain_core::{Currency, Date, Decimal, Money};

use crate::accounts::Book;
use crate::catalog::{ITEMS, Line, usd};
use crate::dates::{Window, add_days, days_between, weekday_on_or_after, weekday_on_or_before};
use crate::org::{Org, Owner};
use crate::rng::{Dice, Stream};
use crate::stages::{CLOSED_LOST, CLOSED_WON, OPEN_STAGES, PROBABILITY, entered};

/// How far past `as_of` planned closes reach: the longest cycle, so the open pipeline holds
/// every deal that could have been created by then.
const HORIZON_DAYS: i64 = 150;
/// The shortest cycle, and so the earliest close after the window starts.
const MIN_CYCLE_DAYS: i64 = 20;

const WIN_REASONS: [(&str, u32); 5] =
    [("Product fit", 35), ("Relationship", 20), ("Price", 15), ("Integration", 15), ("Time to value", 15)];
const LOSS_REASONS: [(&str, u32); 6] = [
    ("Price", 25),
    ("Competitor", 25),
    ("No decision", 25),
    ("Product fit", 10),
    ("Timing", 10),
    ("Budget", 5),
];

/// What activities and transactions need to know about a deal.
#[derive(Debug)]
pub(crate) struct Deal {
    pub account: usize,
    /// Index into `catalog::ITEMS`.
    pub item: usize,
    pub owner: Owner,
    pub created: Date,
    /// The close day, or the expected one while the deal is open.
    pub close: Date,
    pub status: DealStatus,
    /// The last open stage reached (index into `OPEN_STAGES`).
    pub reached: usize,
    pub quantity: i64,
    /// Price per unit after discount.
    pub unit_price: Decimal,
    pub amount: Money,
    pub deal_type: DealType,
    pub channel: Channel,
    pub reason: Option<&'static str>,
}

#[derive(Debug)]
pub(crate) struct Pipeline {
    /// In id order: `deals[i]` is opportunity `opp_id(i)`.
    pub deals: Vec<Deal>,
    pub opportunities: Vec<Opportunity>,
    pub stage_history: Vec<StageChange>,
}

pub(crate) fn opp_id(index: usize) -> String {
    format!("opp-{:06}", index + 1)
}

/// Deals a year per account of each size, in thousandths.
fn yearly_rate_milli(size: AccountSize) -> i64 {
    match size {
        AccountSize::Small => 5_000,
        AccountSize::Mid => 7_500,
        AccountSize::Enterprise => 10_500,
    }
}

fn cycle_range(deal_type: DealType) -> (i64, i64) {
    match deal_type {
        DealType::NewBusiness => (45, 150),
        DealType::Expansion => (25, 90),
        DealType::Renewal => (MIN_CYCLE_DAYS, 45),
    }
}

fn win_percent(deal_type: DealType) -> u32 {
    match deal_type {
        DealType::NewBusiness => 22,
        DealType::Expansion => 36,
        DealType::Renewal => 66,
    }
}

/// Which product a deal is for: new logos buy the platform, expansions mostly add-ons and
/// services, renewals the platform or support.
fn draw_item(dice: &mut Dice, deal_type: DealType, size: AccountSize) -> usize {
    let line = match deal_type {
        DealType::NewBusiness => {
            dice.weighted(&[(Line::Platform, 70), (Line::AddOn, 15), (Line::Service, 15)])
        }
        DealType::Expansion => dice.weighted(&[(Line::Platform, 30), (Line::AddOn, 45), (Line::Service, 25)]),
        DealType::Renewal => dice.weighted(&[(Line::Platform, 60), (Line::Service, 40)]),
    };
    match line {
        Line::Platform => {
            let enterprise = match size {
                AccountSize::Small => 0,
                AccountSize::Mid => 30,
                AccountSize::Enterprise => 70,
            };
            if dice.chance(enterprise) { 1 } else { 0 }
        }
        Line::AddOn => 2 + dice.index(3),
        Line::Service if deal_type == DealType::Renewal => 7,
        Line::Service => 5 + dice.index(2),
    }
}

fn draw_quantity(dice: &mut Dice, item: usize, size: AccountSize) -> i64 {
    let (small, mid, enterprise) = match ITEMS[item].line {
        Line::Platform => ((1, 3), (2, 8), (5, 25)),
        Line::AddOn => ((1, 2), (1, 5), (3, 15)),
        Line::Service if item == 6 => ((2, 4), (2, 6), (4, 10)),
        Line::Service => ((1, 1), (1, 2), (2, 5)),
    };
    let (lo, hi) = match size {
        AccountSize::Small => small,
        AccountSize::Mid => mid,
        AccountSize::Enterprise => enterprise,
    };
    dice.between(lo, hi)
}

/// Draws one deal for `account` planned to close on `close`; `None` if it would be created
/// on or after `as_of` (it does not exist yet) or nobody works the patch that day.
fn draw_deal(
    dice: &mut Dice,
    window: &Window,
    org: &Org,
    book: &Book,
    account: usize,
    close: Date,
) -> Option<Deal> {
    let info = &book.info[account];
    let deal_type =
        dice.weighted(&[(DealType::NewBusiness, 62), (DealType::Expansion, 24), (DealType::Renewal, 14)]);
    // Early in the window the cycle is cut short rather than starting before the window.
    let (lo, hi) = cycle_range(deal_type);
    let longest = hi.min(days_between(window.start, close));
    let cycle = dice.between(lo.min(longest), longest);
    let created = weekday_on_or_after(add_days(close, -cycle));
    if created >= window.as_of {
        return None;
    }
    let close = weekday_on_or_before(close);
    let owner = org.patch_owner(info.patch, created)?;

    let item = draw_item(dice, deal_type, info.size);
    let quantity = draw_quantity(dice, item, info.size);
    let channel = if dice.chance(18) { Channel::Partner } else { Channel::Direct };
    let discount = match (deal_type, channel) {
        (DealType::Renewal, _) => dice.between(0, 2) * 5,
        (_, Channel::Direct) => dice.between(0, 4) * 5,
        (_, Channel::Partner) => dice.between(1, 5) * 5,
    };
    let unit_price = Decimal::from(ITEMS[item].price * (100 - discount)) / Decimal::ONE_HUNDRED;
    let amount = usd(unit_price * Decimal::from(quantity));

    let (status, reached, reason) = if close >= window.as_of {
        let last = window.last_day();
        let reached = (0..OPEN_STAGES.len())
            .rev()
            .find(|s| entered(created, close, *s, OPEN_STAGES.len() - 1) <= last)
            .unwrap_or(0);
        (DealStatus::Open, reached, None)
    } else if dice.chance(win_percent(deal_type)) {
        (DealStatus::Won, OPEN_STAGES.len() - 1, Some(dice.weighted(&WIN_REASONS)))
    } else {
        let reached = dice.weighted(&[(0, 30), (1, 25), (2, 20), (3, 15), (4, 10)]);
        (DealStatus::Lost, reached, Some(dice.weighted(&LOSS_REASONS)))
    };
    Some(Deal {
        account,
        item,
        owner,
        created,
        close,
        status,
        reached,
        quantity,
        unit_price,
        amount,
        deal_type,
        channel,
        reason,
    })
}

pub(crate) fn build(seed: u64, window: &Window, org: &Org, book: &Book) -> Pipeline {
    let mut dice = Dice::new(seed, Stream::Pipeline);
    let first_close = add_days(window.start, MIN_CYCLE_DAYS);
    let last_close = add_days(window.as_of, HORIZON_DAYS - 1);
    let span = days_between(first_close, last_close) + 1;
    let mut deals = Vec::new();
    for (account, info) in book.info.iter().enumerate() {
        // Accounts differ in appetite around their segment's norm.
        let rate = yearly_rate_milli(info.size) * dice.between(75, 125) / 100;
        let expected = rate * span / 365;
        let count = expected / 1_000 + i64::from(dice.between(0, 999) < expected % 1_000);
        for _ in 0..count {
            let close = dice.day(first_close, last_close);
            deals.extend(draw_deal(&mut dice, window, org, book, account, close));
        }
    }
    // Ids follow creation, as a CRM's would; the sort is stable, so ties keep draw order.
    deals.sort_by_key(|d| d.created);

    let mut opportunities = Vec::with_capacity(deals.len());
    let mut stage_history = Vec::with_capacity(deals.len() * 5);
    for (i, deal) in deals.iter().enumerate() {
        let id = opp_id(i);
        let through = match deal.status {
            DealStatus::Lost => deal.reached,
            _ => OPEN_STAGES.len() - 1,
        };
        for (stage, name) in OPEN_STAGES.iter().enumerate().take(deal.reached + 1) {
            let on = entered(deal.created, deal.close, stage, through);
            stage_history.push(change(&id, name, on));
        }
        let (stage, probability, closed_on) = match deal.status {
            DealStatus::Open => (OPEN_STAGES[deal.reached], PROBABILITY[deal.reached], None),
            DealStatus::Won => (CLOSED_WON, 100, Some(deal.close)),
            DealStatus::Lost => (CLOSED_LOST, 0, Some(deal.close)),
        };
        if closed_on.is_some() {
            stage_history.push(change(&id, stage, deal.close));
        }
        let account = &book.accounts[deal.account];
        let item = &ITEMS[deal.item];
        let name = match deal.deal_type {
            DealType::NewBusiness => format!("{}: {}", account.name, item.name),
            DealType::Expansion => format!("{}: {} expansion", account.name, item.name),
            DealType::Renewal => format!("{}: {} renewal", account.name, item.name),
        };
        opportunities.push(Opportunity {
            id,
            name: Some(name),
            account_id: Some(account.id.clone()),
            owner_id: org.people[deal.owner.person].id.clone(),
            product_id: Some(item.id.to_string()),
            currency: Currency::USD,
            amount: Some(deal.amount),
            stage: stage.to_string(),
            status: deal.status,
            probability: Some(Decimal::from(probability)),
            expected_close: Some(deal.close),
            deal_type: Some(deal.deal_type),
            channel: Some(deal.channel),
            created_on: Some(deal.created),
            closed_on,
            close_reason: deal.reason.map(str::to_string),
        });
    }
    Pipeline { deals, opportunities, stage_history }
}

fn change(opportunity_id: &str, stage: &str, entered_on: Date) -> StageChange {
    StageChange {
        id: StageChange::derived_id(opportunity_id, stage, entered_on),
        opportunity_id: opportunity_id.to_string(),
        stage: stage.to_string(),
        entered_on,
    }
}
