//! Made-up names: people, companies, job titles. Names are picked by index through a
//! fixed permutation, so they look shuffled yet stay unique until the lists run out.

use attain_core::domain::BuyingRole;

const FIRST: [&str; 48] = [
    "Ava", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonah", "Kira", "Liam", "Maya",
    "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wes", "Ximena", "Yusuf", "Zoe",
    "Aaron", "Bianca", "Caleb", "Dana", "Emil", "Fiona", "Gabe", "Hana", "Ivan", "Julia", "Kofi", "Lena",
    "Marco", "Nina", "Oscar", "Priya", "Rafael", "Sofia", "Theo", "Uma", "Victor", "Wren",
];

const LAST: [&str; 48] = [
    "Abbott",
    "Bauer",
    "Castillo",
    "Dalton",
    "Ekwueme",
    "Fischer",
    "Garcia",
    "Hale",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Sato",
    "Thompson",
    "Ueda",
    "Varga",
    "Whitaker",
    "Xu",
    "Yilmaz",
    "Zimmerman",
    "Alvarez",
    "Brennan",
    "Chen",
    "Dubois",
    "Engel",
    "Flores",
    "Grant",
    "Hughes",
    "Iyer",
    "Jovanovic",
    "Keller",
    "Larsen",
    "Mendez",
    "Novak",
    "Ortiz",
    "Patel",
    "Reyes",
    "Schmidt",
    "Tanaka",
    "Vance",
    "Walsh",
    "Young",
];

const ACCOUNT_PREFIX: [&str; 40] = [
    "Acorn",
    "Bluefin",
    "Cedar",
    "Driftwood",
    "Ember",
    "Foxglove",
    "Granite",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeshore",
    "Maple",
    "Northgate",
    "Oakline",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Silverline",
    "Tidewater",
    "Union Square",
    "Vantage",
    "Westbrook",
    "Yellowstone",
    "Zephyr",
    "Alder",
    "Beacon Hill",
    "Copperfield",
    "Dunmore",
    "Evergreen",
    "Fairview",
    "Goldcrest",
    "Highland",
    "Indigo",
    "Jasper",
    "Kingsley",
    "Larkspur",
    "Meridian",
    "Newhaven",
    "Orchard",
];

/// Second words of account names, with the industry they suggest.
const ACCOUNT_NOUN: [(&str, &str); 30] = [
    ("Logistics", "Logistics"),
    ("Freight", "Logistics"),
    ("Shipping", "Logistics"),
    ("Health", "Healthcare"),
    ("Clinics", "Healthcare"),
    ("Medical", "Healthcare"),
    ("Bank", "Financial Services"),
    ("Capital", "Financial Services"),
    ("Insurance", "Financial Services"),
    ("Foods", "Retail"),
    ("Outfitters", "Retail"),
    ("Markets", "Retail"),
    ("Manufacturing", "Manufacturing"),
    ("Tooling", "Manufacturing"),
    ("Plastics", "Manufacturing"),
    ("Software", "Technology"),
    ("Networks", "Technology"),
    ("Labs", "Technology"),
    ("Energy", "Energy"),
    ("Solar", "Energy"),
    ("Utilities", "Energy"),
    ("Media", "Media"),
    ("Studios", "Media"),
    ("Publishing", "Media"),
    ("Academy", "Education"),
    ("Learning", "Education"),
    ("University Press", "Education"),
    ("Builders", "Construction"),
    ("Construction", "Construction"),
    ("Engineering", "Construction"),
];

/// Multipliers coprime with the list products, so `i * STRIDE mod n` visits every combination
/// once before repeating.
const PERSON_STRIDE: usize = 1009;
const ACCOUNT_STRIDE: usize = 467;

/// A full name and the two parts an email address is made of, for the `i`-th person drawn
/// from `salt`'s sequence. Employees and contacts use different salts so they rarely share
/// names.
pub(crate) struct PersonName {
    pub full: String,
    /// `first.last`, plus a number once the combinations have all been used.
    pub handle: String,
}

pub(crate) fn person(i: usize, salt: usize) -> PersonName {
    let combos = FIRST.len() * LAST.len();
    let k = i + salt;
    let combo = (k % combos) * PERSON_STRIDE % combos;
    let round = k / combos;
    let (first, last) = (FIRST[combo % FIRST.len()], LAST[combo / FIRST.len()]);
    let mut handle = format!("{}.{}", first.to_ascii_lowercase(), last.to_ascii_lowercase());
    if round > 0 {
        handle.push_str(&(round + 1).to_string());
    }
    PersonName { full: format!("{first} {last}"), handle }
}

/// The `i`-th account name and its industry.
pub(crate) fn account(i: usize, salt: usize) -> (String, &'static str) {
    let combos = ACCOUNT_PREFIX.len() * ACCOUNT_NOUN.len();
    let k = i + salt;
    let combo = (k % combos) * ACCOUNT_STRIDE % combos;
    let round = k / combos;
    let (noun, industry) = ACCOUNT_NOUN[combo / ACCOUNT_PREFIX.len()];
    let mut name = format!("{} {}", ACCOUNT_PREFIX[combo % ACCOUNT_PREFIX.len()], noun);
    if round > 0 {
        name.push_str(&format!(" {}", round + 1));
    }
    (name, industry)
}

/// A lower-case, hyphenated form of a name for use in a domain (`bluefin-logistics`).
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Job titles typical of each buying role.
pub(crate) fn titles(role: BuyingRole) -> &'static [&'static str] {
    match role {
        BuyingRole::DecisionMaker => &["VP of Operations", "Chief Operating Officer", "Head of IT"],
        BuyingRole::EconomicBuyer => &["Chief Financial Officer", "VP of Finance", "Controller"],
        BuyingRole::Influencer => &["Director of IT", "Senior Analyst", "Operations Manager"],
        BuyingRole::Champion => {
            &["Sales Operations Manager", "Director of Revenue Operations", "Business Systems Lead"]
        }
        BuyingRole::User => &["Sales Analyst", "Account Manager", "Operations Specialist"],
        BuyingRole::Other => &["Procurement Specialist", "Legal Counsel", "Executive Assistant"],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn names_are_unique_until_the_combinations_run_out() {
        let people: BTreeSet<String> = (0..FIRST.len() * LAST.len()).map(|i| person(i, 0).full).collect();
        assert_eq!(people.len(), FIRST.len() * LAST.len());
        let combos = ACCOUNT_PREFIX.len() * ACCOUNT_NOUN.len();
        let accounts: BTreeSet<String> = (0..combos).map(|i| account(i, 0).0).collect();
        assert_eq!(accounts.len(), combos);
    }

    #[test]
    fn handles_stay_unique_past_the_first_round() {
        let combos = FIRST.len() * LAST.len();
        assert_ne!(person(3, 0).handle, person(3 + combos, 0).handle);
        assert_eq!(person(3, 0).full, person(3 + combos, 0).full);
    }

    #[test]
    fn slugs_are_domain_safe() {
        assert_eq!(slug("Union Square University Press 2"), "union-square-university-press-2");
    }
}
