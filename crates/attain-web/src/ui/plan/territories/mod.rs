//! Plan → Territory design, one menu entry with three tabs: the assignment rules
//! (`rules.rs`), applying them on a day (`assign.rs`) and the balance report with its
//! suggested moves (`balance.rs`). Whole-company roles read them (the app answers 404 to
//! managers and reps); comp admins and admins also see the forms that write, and every write
//! that moves accounts goes through a confirmation page saying which accounts move where.

pub(crate) mod assign;
pub(crate) mod balance;
pub(crate) mod rules;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use attain_core::Dataset;

/// The Rules tab, and the menu entry all three tabs sit under.
pub(crate) const HOME: &str = "/plan/territories";
const ASSIGN: &str = "/plan/territories/assign";
const BALANCE: &str = "/plan/territories/balance";

/// One tab of the section.
pub(crate) struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// The section's tabs, `current` being the tab's path.
fn tabs(current: &str) -> Vec<Tab> {
    [("Rules", HOME), ("Assign", ASSIGN), ("Balance", BALANCE)]
        .into_iter()
        .map(|(label, href)| Tab { label, href, current: href == current })
        .collect()
}

/// A territory as a drop-down offers it: indented by its depth in the hierarchy.
pub(crate) struct TerritoryChoice {
    pub id: String,
    pub label: String,
    /// Whether no territory sits under it (the balance report compares leaves).
    pub leaf: bool,
}

/// Every territory in hierarchy order (each after its parent, siblings by name), indented
/// two no-break spaces per level. A territory whose parent is missing, or that sits in a
/// cycle, is listed at the top level rather than left out.
pub(crate) fn territory_choices(data: &Dataset) -> Vec<TerritoryChoice> {
    let ids: HashSet<&str> = data.territories.iter().map(|t| t.id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for (i, t) in data.territories.iter().enumerate() {
        let parent = t.parent_id.as_deref().filter(|p| ids.contains(p) && *p != t.id);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            let (a, b) = (&data.territories[*a], &data.territories[*b]);
            (&a.name, &a.id).cmp(&(&b.name, &b.id))
        });
    }
    let mut out = Vec::with_capacity(data.territories.len());
    let mut seen = vec![false; data.territories.len()];
    let mut stack: Vec<(usize, usize)> =
        children.get(&None).map(|roots| roots.iter().rev().map(|&i| (i, 0)).collect()).unwrap_or_default();
    let mut visit = |stack: &mut Vec<(usize, usize)>, out: &mut Vec<TerritoryChoice>| {
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let t = &data.territories[i];
            let kids = children.get(&Some(t.id.as_str()));
            out.push(TerritoryChoice {
                id: t.id.clone(),
                label: format!("{}{}", "\u{a0}\u{a0}".repeat(depth), t.name),
                leaf: kids.is_none_or(Vec::is_empty),
            });
            if let Some(kids) = kids {
                stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
            }
        }
    };
    visit(&mut stack, &mut out);
    // Territories only reachable through a cycle: listed at the top level.
    for i in 0..data.territories.len() {
        stack.push((i, 0));
        visit(&mut stack, &mut out);
    }
    out
}

/// A short fingerprint of a list of moves (account, destination): the confirmation page
/// carries it, and the write is refused when what it would do is no longer what was shown.
fn fingerprint<'a>(moves: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (account, to) in moves {
        account.hash(&mut hasher);
        to.hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// "1 account" / "12 accounts".
fn accounts(n: usize) -> String {
    match n {
        1 => "1 account".to_string(),
        n => format!("{} accounts", crate::ui::view::group(n)),
    }
}

/// A territory and who owns it, as a move's side reads: "Ontario 2 (Jane Doe)".
fn with_owner(name: &str, owner: Option<&str>) -> String {
    match owner {
        Some(o) => format!("{name} ({o})"),
        None => format!("{name} (no owner)"),
    }
}

/// Counts of moves by (from, to), in first-seen order: "3 accounts from A (x) to B (y)".
fn move_groups<'a>(pairs: impl IntoIterator<Item = (String, String)> + 'a) -> Vec<String> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for pair in pairs {
        let n = counts.entry(pair.clone()).or_default();
        if *n == 0 {
            order.push(pair);
        }
        *n += 1;
    }
    order.into_iter().map(|p| format!("{} from {} to {}", accounts(counts[&p]), p.0, p.1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_core::domain::Territory;

    fn territory(id: &str, name: &str, parent: Option<&str>) -> Territory {
        Territory { id: id.into(), name: name.into(), parent_id: parent.map(Into::into), region: None }
    }

    #[test]
    fn choices_follow_the_hierarchy_and_keep_every_territory() {
        let data = Dataset {
            territories: vec![
                territory("w", "West", Some("all")),
                territory("all", "All", None),
                territory("e", "East", Some("all")),
                territory("e1", "East 1", Some("e")),
                territory("x", "Loop x", Some("y")),
                territory("y", "Loop y", Some("x")),
            ],
            ..Dataset::default()
        };
        let choices = territory_choices(&data);
        let labels: Vec<&str> = choices.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels[..4],
            ["All", "\u{a0}\u{a0}East", "\u{a0}\u{a0}\u{a0}\u{a0}East 1", "\u{a0}\u{a0}West"]
        );
        assert_eq!(choices.len(), 6, "the cycle's territories are listed too: {labels:?}");
        let leaves: Vec<&str> = choices.iter().filter(|c| c.leaf).map(|c| c.id.as_str()).collect();
        assert_eq!(leaves[..2], ["e1", "w"]);
    }

    #[test]
    fn moves_are_counted_by_from_and_to() {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let groups = move_groups([pair("A (x)", "B (y)"), pair("C (z)", "B (y)"), pair("A (x)", "B (y)")]);
        assert_eq!(groups, ["2 accounts from A (x) to B (y)", "1 account from C (z) to B (y)"]);
        assert_ne!(fingerprint([("a", "b")]), fingerprint([("a", "c")]));
    }
}
