//! The scaled company's territories, their owners over the year and their accounts: each
//! territory is owned by one rep seat (the territories are dealt out evenly over the seats in a
//! shuffled order, two per seat at the default sizes), 5% change owner to another seat on a
//! random day between 1 March and 30 November, and each holds ten accounts that name it.

use attain_core::Validity;
use attain_core::domain::{Account, Territory, TerritoryOwner};

use super::Year;
use super::org::{Org, rep_position_id};
use crate::names;
use crate::rng::{Dice, Stream};

/// Accounts per territory.
pub(crate) const ACCOUNTS_PER_TERRITORY: usize = 10;
/// Percent of territories that change owner mid-year.
const HANDOVER_PERCENT: usize = 5;

pub(crate) fn account_id(account: u32) -> String {
    format!("acc-{:07}", account + 1)
}

/// One territory's owning rep seat over the year.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    pub rep: u32,
    /// The day another seat takes over, and that seat.
    pub handover: Option<(u32, u32)>,
}

impl Owner {
    pub fn rep_on(&self, day: u32) -> u32 {
        match self.handover {
            Some((from, rep)) if day >= from => rep,
            _ => self.rep,
        }
    }
}

/// The territory records, moved into the dataset.
#[derive(Debug, Default)]
pub(crate) struct Land {
    pub territories: Vec<Territory>,
    pub owners: Vec<TerritoryOwner>,
    pub accounts: Vec<Account>,
}

/// Who owns each territory when, by territory index; account `a` is in territory
/// `a / ACCOUNTS_PER_TERRITORY`.
#[derive(Debug)]
pub(crate) struct Turf {
    pub owners: Vec<Owner>,
}

impl Turf {
    pub fn accounts(&self) -> usize {
        self.owners.len() * ACCOUNTS_PER_TERRITORY
    }
}

fn shuffled(dice: &mut Dice, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, dice.index(i + 1));
    }
    order
}

pub(crate) fn build(seed: u64, year: &Year, org: &Org, territories: usize) -> (Land, Turf) {
    let mut dice = Dice::new(seed, Stream::ScaledTerritories);
    let reps = org.reps();
    let mut owners = vec![Owner { rep: 0, handover: None }; territories];
    for (k, &t) in shuffled(&mut dice, territories).iter().enumerate() {
        owners[t].rep = (k % reps) as u32;
    }
    let handovers = territories * HANDOVER_PERCENT / 100;
    let (first_day, last_day) = (year.day_of(3, 1), year.day_of(11, 30));
    for &t in &shuffled(&mut dice, territories)[..handovers] {
        let day = dice.between(i64::from(first_day), i64::from(last_day)) as u32;
        let other = dice.index(reps - 1);
        let rep = (owners[t].rep as usize + 1 + other) % reps;
        owners[t].handover = Some((day, rep as u32));
    }

    let mut land = Land::default();
    let (first, end) = (year.first(), year.end());
    for (t, owner) in owners.iter().enumerate() {
        let id = format!("ter-{:06}", t + 1);
        land.territories.push(Territory {
            id: id.clone(),
            name: format!("Territory {:06}", t + 1),
            parent_id: None,
            region: None,
        });
        let mut own = |rep: u32, validity: Validity| {
            let row = land.owners.len() + 1;
            land.owners.push(TerritoryOwner {
                id: format!("tow-{row:06}"),
                territory_id: id.clone(),
                position_id: rep_position_id(rep),
                validity,
            });
        };
        match owner.handover {
            None => own(owner.rep, Validity { from: first, to: Some(end) }),
            Some((day, rep)) => {
                let change = year.date(day);
                own(owner.rep, Validity { from: first, to: Some(change) });
                own(rep, Validity { from: change, to: Some(end) });
            }
        }
        for k in 0..ACCOUNTS_PER_TERRITORY {
            let a = t * ACCOUNTS_PER_TERRITORY + k;
            let (name, industry) = names::account(a, 0);
            land.accounts.push(Account {
                id: account_id(a as u32),
                name,
                industry: Some(industry.to_string()),
                country: None,
                region: None,
                size: None,
                revenue_currency: None,
                annual_revenue: None,
                employees: None,
                parent_id: None,
                territory_id: Some(id.clone()),
                owner_id: None,
            });
        }
    }
    (land, Turf { owners })
}
