//! Account assignment: which territory each account belongs in by the rules in force, in
//! precedence order (named account, override, country, region, industry, size band). The
//! first basis with a rule matching an account decides; two rules of that basis naming
//! different territories for one account is a conflict, reported with both rules and the
//! account, and nothing is decided. An account no rule matches stays where it is.

use std::collections::HashMap;

use attain_core::domain::{AccountSize, RuleBasis, TerritoryRule, normalise};
use attain_core::record::Choice;

/// An account as the rules read it.
#[derive(Debug, Clone, Copy)]
pub struct AccountFields<'a> {
    pub id: &'a str,
    pub country: Option<&'a str>,
    pub region: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub size: Option<AccountSize>,
}

/// Where the rules put one account: the rule (an index into the rules given) that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub rule: usize,
}

/// Two rules of one precedence claiming one account for different territories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Index into the accounts given.
    pub account: usize,
    pub basis: RuleBasis,
    /// Indexes into the rules given, in the order given.
    pub rules: [usize; 2],
}

impl Conflict {
    /// The conflict in words: "rules tr-a (country = US → West) and tr-b (country = us →
    /// East) have the same precedence (country) and both claim account acc-1 (Acme)", with
    /// `rules` the rules its indexes point into and `territory` naming a territory id.
    pub fn describe(
        &self,
        rules: &[TerritoryRule],
        account: (&str, &str),
        territory: impl Fn(&str) -> String,
    ) -> String {
        let rule = |i: usize| {
            let r = &rules[i];
            format!("{} ({} → {})", r.id, r.condition(), territory(&r.territory_id))
        };
        format!(
            "rules {} and {} have the same precedence ({}) and both claim account {} ({}): end or change one of them",
            rule(self.rules[0]),
            rule(self.rules[1]),
            self.basis.label(),
            account.0,
            account.1
        )
    }
}

/// The rules in force, indexed by basis and compared value.
#[derive(Debug)]
pub struct RuleBook<'r> {
    rules: &'r [TerritoryRule],
    /// Per basis (by precedence − 1): normalised value → the rules with it, in order given.
    by_value: [HashMap<String, Vec<usize>>; 6],
}

impl<'r> RuleBook<'r> {
    /// Indexes `rules` (those in force on the day being decided; the caller filters).
    pub fn new(rules: &'r [TerritoryRule]) -> RuleBook<'r> {
        let mut by_value: [HashMap<String, Vec<usize>>; 6] = Default::default();
        for (i, r) in rules.iter().enumerate() {
            let key = if r.basis.names_account() { r.value.trim().to_string() } else { r.key() };
            by_value[usize::from(r.basis.precedence() - 1)].entry(key).or_default().push(i);
        }
        RuleBook { rules, by_value }
    }

    /// The rule deciding `account`'s territory, `Ok(None)` when none matches, or the conflict
    /// of the first basis where two rules disagree.
    pub fn place(&self, account: &AccountFields<'_>, index: usize) -> Result<Option<Placement>, Conflict> {
        let fields: [Option<String>; 6] = [
            Some(account.id.to_string()),
            Some(account.id.to_string()),
            account.country.map(normalise),
            account.region.map(normalise),
            account.industry.map(normalise),
            account.size.map(|s| s.name().to_string()),
        ];
        for (basis, field) in RuleBasis::ALL.iter().zip(fields) {
            let Some(value) = field else { continue };
            let Some(matching) = self.by_value[usize::from(basis.precedence() - 1)].get(&value) else {
                continue;
            };
            let first = matching[0];
            if let Some(other) =
                matching.iter().find(|i| self.rules[**i].territory_id != self.rules[first].territory_id)
            {
                return Err(Conflict { account: index, basis: *basis, rules: [first, *other] });
            }
            return Ok(Some(Placement { rule: first }));
        }
        Ok(None)
    }

    pub fn rules(&self) -> &'r [TerritoryRule] {
        self.rules
    }
}

/// Every account's placement (`None` where no rule matches), or every conflict.
pub fn place_all(
    rules: &[TerritoryRule],
    accounts: &[AccountFields<'_>],
) -> Result<Vec<Option<Placement>>, Vec<Conflict>> {
    let book = RuleBook::new(rules);
    let mut placed = Vec::with_capacity(accounts.len());
    let mut conflicts = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        match book.place(a, i) {
            Ok(p) => placed.push(p),
            Err(c) => conflicts.push(c),
        }
    }
    if conflicts.is_empty() { Ok(placed) } else { Err(conflicts) }
}

/// A conflict a new rule takes part in, on the first day it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Index into the new rules.
    pub new_rule: usize,
    pub day: attain_core::Date,
    /// The rules of that day (the kept ones and the new ones in force), which the conflict's
    /// indexes point into.
    pub rules: Vec<TerritoryRule>,
    pub conflict: Conflict,
}

/// The first conflict a rule of `new` takes part in, when `new` joins `kept` (a kept rule
/// with the id of a new one is replaced by it): checked on each new rule's first day and on
/// every later day another rule starts while it is in force — the days the set can change.
pub fn first_claim(
    accounts: &[AccountFields<'_>],
    kept: &[TerritoryRule],
    new: &[TerritoryRule],
) -> Option<Claim> {
    let replaced: std::collections::HashSet<&str> = new.iter().map(|r| r.id.as_str()).collect();
    let all: Vec<&TerritoryRule> =
        kept.iter().filter(|r| !replaced.contains(r.id.as_str())).chain(new).collect();
    let overlaps = |a: &TerritoryRule, b: &TerritoryRule| {
        a.validity.to.is_none_or(|to| to > b.validity.from)
            && b.validity.to.is_none_or(|to| to > a.validity.from)
    };
    let mut days: Vec<attain_core::Date> = Vec::new();
    for rule in new {
        days.push(rule.validity.from);
        days.extend(
            all.iter()
                .filter(|r| overlaps(r, rule) && r.validity.from > rule.validity.from)
                .map(|r| r.validity.from),
        );
    }
    days.sort();
    days.dedup();
    for day in days {
        let rules: Vec<TerritoryRule> =
            all.iter().filter(|r| r.validity.contains(day)).map(|r| (*r).clone()).collect();
        let book = RuleBook::new(&rules);
        for (i, a) in accounts.iter().enumerate() {
            let Err(conflict) = book.place(a, i) else { continue };
            let new_rule = conflict.rules.iter().find_map(|r| new.iter().position(|n| n.id == rules[*r].id));
            if let Some(new_rule) = new_rule {
                return Some(Claim { new_rule, day, rules, conflict });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use attain_core::Validity;
    use jiff::civil::date;

    use super::*;

    fn rule(id: &str, territory: &str, basis: RuleBasis, value: &str) -> TerritoryRule {
        TerritoryRule {
            id: id.into(),
            territory_id: territory.into(),
            basis,
            value: value.into(),
            validity: Validity { from: date(2018, 1, 1), to: None },
            note: None,
        }
    }

    fn account<'a>(id: &'a str, country: &'a str, industry: &'a str, size: AccountSize) -> AccountFields<'a> {
        AccountFields {
            id,
            country: Some(country),
            region: Some("Americas"),
            industry: Some(industry),
            size: Some(size),
        }
    }

    #[test]
    fn the_first_basis_matching_decides_in_precedence_order() {
        let rules = vec![
            rule("size", "T-size", RuleBasis::Size, "enterprise"),
            rule("industry", "T-ind", RuleBasis::Industry, "Healthcare"),
            rule("region", "T-reg", RuleBasis::Region, "americas"),
            rule("country", "T-us", RuleBasis::Country, " United States "),
            rule("override", "T-over", RuleBasis::Override, "a2"),
            rule("named", "T-named", RuleBasis::Named, "a1"),
            rule("override-1", "T-over", RuleBasis::Override, "a1"),
        ];
        let accounts = [
            account("a1", "United States", "Healthcare", AccountSize::Enterprise),
            account("a2", "United States", "Healthcare", AccountSize::Enterprise),
            account("a3", "united states", "Healthcare", AccountSize::Enterprise),
            account("a4", "Canada", "Healthcare", AccountSize::Enterprise),
            AccountFields { id: "a5", country: None, region: None, industry: Some("healthcare"), size: None },
            AccountFields {
                id: "a6",
                country: None,
                region: None,
                industry: None,
                size: Some(AccountSize::Enterprise),
            },
            AccountFields {
                id: "a7",
                country: None,
                region: None,
                industry: None,
                size: Some(AccountSize::Small),
            },
        ];
        let placed = place_all(&rules, &accounts).unwrap();
        let territory = |i: usize| placed[i].map(|p| rules[p.rule].territory_id.as_str());
        assert_eq!(territory(0), Some("T-named"), "named beats override");
        assert_eq!(territory(1), Some("T-over"), "override beats country");
        assert_eq!(territory(2), Some("T-us"), "country matches ignoring case and spaces");
        assert_eq!(territory(3), Some("T-reg"), "region when no country rule matches");
        assert_eq!(territory(4), Some("T-ind"));
        assert_eq!(territory(5), Some("T-size"));
        assert_eq!(territory(6), None, "no rule: the account stays where it is");
    }

    #[test]
    fn two_rules_of_one_precedence_claiming_an_account_conflict() {
        let rules = vec![
            rule("us-1", "T-east", RuleBasis::Country, "US"),
            rule("us-same", "T-east", RuleBasis::Country, "us"),
            rule("us-2", "T-west", RuleBasis::Country, "us "),
            rule("named", "T-named", RuleBasis::Named, "a1"),
        ];
        let accounts = [
            AccountFields { id: "a1", country: Some("US"), region: None, industry: None, size: None },
            AccountFields { id: "a2", country: Some("US"), region: None, industry: None, size: None },
        ];
        let conflicts = place_all(&rules, &accounts).unwrap_err();
        assert_eq!(conflicts, vec![Conflict { account: 1, basis: RuleBasis::Country, rules: [0, 2] }]);
        // Two rules agreeing on the territory are no conflict.
        let agreeing = &rules[..2];
        assert!(place_all(agreeing, &accounts).is_ok());
    }
}
