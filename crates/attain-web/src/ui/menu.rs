//! The main menu, organised by the jobs people come for — Plan, Track, Pay, Develop — then
//! Data and Admin. Each role sees only the entries it may use, and a group with none is left
//! out (Develop has no pages yet). On a wide screen each group opens as a drop-down; on a
//! phone the whole menu folds behind one Menu button (`app.css`, `app.js`).

use attain_app::{Actor, Permission};

/// Whether an actor sees an entry. The pages enforce access themselves; the menu only leaves
/// out what would answer "Not allowed".
type Shown = fn(&Actor) -> bool;

fn everyone(_: &Actor) -> bool {
    true
}

fn editors(actor: &Actor) -> bool {
    actor.may(Permission::EditData)
}

fn user_admins(actor: &Actor) -> bool {
    actor.may(Permission::ManageUsers)
}

fn auditors(actor: &Actor) -> bool {
    actor.may(Permission::ViewAudit)
}

/// The company plan is company totals: whole-company roles only.
fn plan_readers(actor: &Actor) -> bool {
    actor.may(Permission::ViewPlan)
}

/// A menu entry: its label, its path, who sees it.
type Entry = (&'static str, &'static str, Shown);

/// The groups in menu order, each with its entries.
const GROUPS: [(&str, &[Entry]); 6] = [
    (
        "Plan",
        &[
            ("Revenue plan", "/plan/revenue", plan_readers),
            ("Org chart", "/org", everyone),
            ("People", "/people", everyone),
            ("Territories", "/territories", everyone),
            ("Territory design", "/plan/territories", plan_readers),
            ("Quotas", "/plan/quotas", everyone),
            ("Objectives", "/plan/objectives", everyone),
            ("Capacity", "/plan/capacity", plan_readers),
        ],
    ),
    (
        "Track",
        &[
            ("Accounts", "/accounts", everyone),
            ("Opportunities", "/opportunities", everyone),
            ("Activities", "/activities", everyone),
            ("Transactions", "/transactions", everyone),
        ],
    ),
    (
        "Pay",
        &[
            ("Statements", "/pay/statements", everyone),
            ("Runs", "/pay/runs", super::pay::sees_runs),
            ("Plans", "/pay/plans", everyone),
            ("Compensation data", "/compensation", everyone),
        ],
    ),
    ("Develop", &[]),
    ("Data", &[("Import", "/import", editors)]),
    ("Admin", &[("Users", "/admin/users", user_admins), ("Audit log", "/admin/audit", auditors)]),
];

/// One entry of a group.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

/// One group of the menu, holding the current page's entry or not.
#[derive(Debug, Clone)]
pub struct MenuGroup {
    pub label: &'static str,
    pub items: Vec<MenuItem>,
    pub current: bool,
}

/// The menu as `actor` sees it on the page at `current` (the page's own path or the path of
/// the entry it belongs under).
pub fn menu_for(actor: &Actor, current: &str) -> Vec<MenuGroup> {
    let here = current_entry(current);
    GROUPS
        .iter()
        .filter_map(|(label, entries)| {
            let items: Vec<MenuItem> = entries
                .iter()
                .filter(|(_, _, shown)| shown(actor))
                .map(|&(label, href, _)| MenuItem { label, href, current: here == Some(href) })
                .collect();
            let current = items.iter().any(|i| i.current);
            (!items.is_empty()).then_some(MenuGroup { label, items, current })
        })
        .collect()
}

/// The entry a page at `current` belongs to: the one whose path is the page's or the longest
/// that the page's path lies under (`/plan/quotas/sheets/qs-1` is under Quotas; the quota
/// records at `/compensation/quotas` are under Compensation data).
fn current_entry(current: &str) -> Option<&'static str> {
    GROUPS
        .iter()
        .flat_map(|(_, entries)| entries.iter().map(|(_, href, _)| *href))
        .filter(|href| in_section(href, current))
        .max_by_key(|href| href.len())
}

/// Whether the page at `current` is the entry `href` or a page under it.
fn in_section(href: &str, current: &str) -> bool {
    href == current || current.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_belongs_to_the_longest_entry_it_lies_under() {
        assert_eq!(current_entry("/plan/quotas/sheets/qs-1"), Some("/plan/quotas"));
        assert_eq!(current_entry("/plan/territories/balance"), Some("/plan/territories"));
        assert_eq!(current_entry("/territories/ter-all"), Some("/territories"));
        assert_eq!(current_entry("/compensation/quotas/q-1"), Some("/compensation"));
        assert_eq!(current_entry("/compensation/credit-splits"), Some("/compensation"));
        assert_eq!(current_entry("/pay/statements/2025-01/p-1/explain"), Some("/pay/statements"));
        assert_eq!(current_entry("/opportunities/board"), Some("/opportunities"));
        assert_eq!(current_entry("/account"), None, "/account is not /accounts");
        assert_eq!(current_entry("/"), None);
    }

    #[test]
    fn every_entry_is_in_one_group_once() {
        let mut hrefs: Vec<&str> = GROUPS.iter().flat_map(|(_, e)| e.iter().map(|(_, h, _)| *h)).collect();
        let n = hrefs.len();
        hrefs.sort_unstable();
        hrefs.dedup();
        assert_eq!(hrefs.len(), n);
    }
}
