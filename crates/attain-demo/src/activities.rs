//! Sales activities on each deal: calls, emails, meetings and demos on weekdays in business
//! hours, prospecting and qualification early in the cycle, demos often run by a sales
//! engineer, all by people who held their seat at the time.

use attain_core::domain::{Activity, ActivityKind, DealStatus};

use crate::accounts::Book;
use crate::catalog::ITEMS;
use crate::dates::{
    Window, add_days, company_zone, days_between, local_instant, weekday_on_or_after, weekday_on_or_before,
};
use crate::org::Org;
use crate::pipeline::{Pipeline, opp_id};
use crate::rng::{Dice, Stream};

const EARLY: [(ActivityKind, u32); 4] = [
    (ActivityKind::Prospecting, 30),
    (ActivityKind::Qualification, 25),
    (ActivityKind::Call, 25),
    (ActivityKind::Email, 20),
];
const LATER: [(ActivityKind, u32); 4] = [
    (ActivityKind::Call, 25),
    (ActivityKind::Email, 30),
    (ActivityKind::Meeting, 25),
    (ActivityKind::Demo, 20),
];

fn outcomes(kind: ActivityKind) -> &'static [&'static str] {
    match kind {
        ActivityKind::Call => {
            &["Connected, follow-up booked", "Left voicemail", "Discussed requirements", "No answer"]
        }
        ActivityKind::Email => {
            &["Replied, interested", "No reply yet", "Sent proposal draft", "Shared a case study"]
        }
        ActivityKind::Meeting => {
            &["Agreed next steps", "Met a new stakeholder", "Walked through the proposal", "Rescheduled"]
        }
        ActivityKind::Demo => &[
            "Demo went well",
            "Technical questions to answer",
            "Asked for a trial",
            "Needs integration details",
        ],
        ActivityKind::Prospecting => {
            &["Interested, meeting booked", "Not right now", "Referred to a colleague", "No response"]
        }
        ActivityKind::Qualification => {
            &["Budget confirmed", "Timeline is next quarter", "Decision maker identified", "Not a fit yet"]
        }
        ActivityKind::Other => &["Done"],
    }
}

fn subject(
    kind: ActivityKind,
    variant: usize,
    account: &str,
    product: &str,
    contact: Option<&str>,
) -> String {
    let who = contact.unwrap_or(account);
    match kind {
        ActivityKind::Call => format!("Call with {who}"),
        ActivityKind::Email => match variant {
            0 => format!("Follow-up on {product}"),
            1 => format!("Pricing for {product}"),
            _ => format!("Next steps with {account}"),
        },
        ActivityKind::Meeting => match variant {
            0 => format!("Discovery meeting at {account}"),
            1 => format!("Business review with {who}"),
            _ => format!("Stakeholder meeting: {product}"),
        },
        ActivityKind::Demo => format!("{product} demo for {account}"),
        ActivityKind::Prospecting => match variant {
            0 => format!("Intro email to {who}"),
            1 => format!("Cold call to {account}"),
            _ => format!("Event follow-up with {who}"),
        },
        ActivityKind::Qualification => format!("Qualification: budget and timeline for {product}"),
        ActivityKind::Other => format!("Note on {account}"),
    }
}

pub(crate) fn build(
    seed: u64,
    window: &Window,
    org: &Org,
    book: &Book,
    pipeline: &Pipeline,
) -> Vec<Activity> {
    let mut dice = Dice::new(seed, Stream::Activities);
    let zone = company_zone();
    let last = window.last_day();
    let mut activities = Vec::with_capacity(pipeline.deals.len() * 5);
    for (i, deal) in pipeline.deals.iter().enumerate() {
        let count = match deal.status {
            DealStatus::Won => dice.between(4, 8),
            DealStatus::Lost => dice.between(2, 5),
            DealStatus::Open => dice.between(1, 4),
        };
        // Work happens between creation and close, before today, and only while the owner
        // still holds the seat the deal was created under.
        let mut end = deal.close.min(last);
        if let Some(until) = deal.owner.until {
            end = end.min(add_days(until, -1));
        }
        let cycle = days_between(deal.created, deal.close).max(1);
        let account = &book.accounts[deal.account];
        let contacts = book.info[deal.account].contacts.clone();
        let opportunity_id = opp_id(i);
        for _ in 0..count {
            let drawn = dice.day(deal.created, end);
            let day = match (weekday_on_or_after(drawn), weekday_on_or_before(drawn)) {
                (after, _) if after <= end => after,
                (_, before) if before >= deal.created => before,
                // Creation days are weekdays, so this always is one.
                _ => deal.created,
            };
            let early = days_between(deal.created, day) * 100 / cycle < 30;
            let kind = dice.weighted(if early { &EARLY } else { &LATER });
            let owner = if kind == ActivityKind::Demo && dice.chance(60) && !org.sales_engineers.is_empty() {
                *dice.pick(&org.sales_engineers)
            } else {
                deal.owner.person
            };
            let contact = (!contacts.is_empty() && dice.chance(65))
                .then(|| &book.contacts[contacts.start + dice.index(contacts.len())]);
            let minute = dice.between(32, 71) * 15;
            let variant = dice.index(3);
            let outcome = *dice.pick(outcomes(kind));
            activities.push(Activity {
                id: format!("act-{:07}", activities.len() + 1),
                kind,
                owner_id: org.people[owner].id.clone(),
                account_id: Some(account.id.clone()),
                opportunity_id: Some(opportunity_id.clone()),
                contact_id: contact.map(|c| c.id.clone()),
                occurred_at: local_instant(&zone, day, minute),
                subject: Some(subject(
                    kind,
                    variant,
                    &account.name,
                    ITEMS[deal.item].name,
                    contact.map(|c| c.name.as_str()),
                )),
                outcome: Some(outcome.to_string()),
            });
        }
    }
    activities
}
