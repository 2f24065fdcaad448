//! The customer book: accounts spread evenly over the rep patches, with firmographics, a few
//! parent-subsidiary links, and the contacts (with buying roles) deals are worked through.

use std::ops::Range;

use attain_core::domain::{Account, AccountSize, BuyingRole, Contact};
use attain_core::{Currency, Decimal};

use crate::catalog::usd;
use crate::dates::Window;
use crate::names;
use crate::org::Org;
use crate::rng::{Dice, Stream};
use crate::territories::Territories;

/// Accounts at scale 1.
const ACCOUNTS_PER_SCALE: usize = 100;

/// Phone area codes per region, in `REGIONS` order.
const AREA_CODES: [[u16; 3]; 3] = [[212, 617, 404], [312, 214, 612], [415, 206, 303]];

/// What later stages need to know about an account without re-reading its record.
#[derive(Debug)]
pub(crate) struct AccountInfo {
    pub patch: usize,
    pub size: AccountSize,
    /// Its contacts, as a range of indexes into `Book::contacts`.
    pub contacts: Range<usize>,
}

#[derive(Debug)]
pub(crate) struct Book {
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub info: Vec<AccountInfo>,
}

pub(crate) fn build(seed: u64, window: &Window, org: &Org, territories: &Territories, scale: usize) -> Book {
    let mut dice = Dice::new(seed, Stream::Accounts);
    let count = ACCOUNTS_PER_SCALE * scale;
    let patches = org.patches.len();
    // Where in the name sequence this seed starts, so different seeds name accounts differently.
    let name_salt = dice.index(1_000);
    let mut book =
        Book { accounts: Vec::with_capacity(count), contacts: Vec::new(), info: Vec::with_capacity(count) };
    for i in 0..count {
        // Dealt out in turn, so every patch (and so every rep) has a similar book.
        let patch = i % patches;
        let region = org.patches[patch].region;
        let (name, industry) = names::account(i, name_salt);
        let size =
            dice.weighted(&[(AccountSize::Small, 50), (AccountSize::Mid, 35), (AccountSize::Enterprise, 15)]);
        let employees = match size {
            AccountSize::Small => dice.between(20, 199),
            AccountSize::Mid => dice.between(200, 1_999),
            AccountSize::Enterprise => dice.between(2_000, 40_000),
        };
        let revenue_per_employee = dice.between(120, 450) * 1_000;
        let parent_id = (i >= patches && dice.chance(6)).then(|| book.accounts[i - patches].id.clone());
        let owner_id = org.patch_owner(patch, window.last_day()).map(|o| org.people[o.person].id.clone());
        let id = format!("acc-{:04}", i + 1);

        let first_contact = book.contacts.len();
        let wanted = match size {
            AccountSize::Small => dice.between(1, 2),
            AccountSize::Mid => dice.between(2, 3),
            AccountSize::Enterprise => dice.between(3, 4),
        };
        let domain = format!("{}.example.com", names::slug(&name));
        for n in 0..wanted {
            let role = if n == 0 {
                dice.weighted(&[(BuyingRole::DecisionMaker, 60), (BuyingRole::EconomicBuyer, 40)])
            } else {
                dice.weighted(&[
                    (BuyingRole::Influencer, 30),
                    (BuyingRole::Champion, 25),
                    (BuyingRole::User, 25),
                    (BuyingRole::EconomicBuyer, 10),
                    (BuyingRole::Other, 10),
                ])
            };
            let c = book.contacts.len();
            // Offset from employees' names so contacts rarely share a name with a rep.
            let person = names::person(c, 700 + name_salt);
            let area = AREA_CODES[region][dice.index(3)];
            book.contacts.push(Contact {
                id: format!("c-{:05}", c + 1),
                account_id: id.clone(),
                name: person.full,
                title: Some((*dice.pick(names::titles(role))).to_string()),
                email: Some(format!("{}@{domain}", person.handle)),
                // 555-0100 to 555-0199 are reserved for fiction.
                phone: Some(format!("+1-{area}-555-01{:02}", dice.between(0, 99))),
                buying_role: role,
            });
        }

        book.accounts.push(Account {
            id,
            name,
            industry: Some(industry.to_string()),
            country: Some(if dice.chance(8) { "CA" } else { "US" }.to_string()),
            region: Some(crate::org::REGIONS[region].name.to_string()),
            size: Some(size),
            revenue_currency: Some(Currency::USD),
            annual_revenue: Some(usd(Decimal::from(employees * revenue_per_employee))),
            employees: Some(employees),
            parent_id,
            territory_id: Some(territories.leaf_ids[patch].clone()),
            owner_id,
        });
        book.info.push(AccountInfo { patch, size, contacts: first_contact..book.contacts.len() });
    }
    book
}
