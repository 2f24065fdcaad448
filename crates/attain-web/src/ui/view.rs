//! The building blocks every page is made of: the page chrome (title, role-fitted navigation,
//! the signed-in user, the CSRF token), table cells, sortable column heads and pagers. Pages
//! fill these; two generic templates (list and detail) render them, so every list sorts,
//! searches and paginates the same way.

use attain_app::Actor;
use attain_app::AppError;
use attain_app::records::Listing;
use attain_core::{Money, Period};

use super::menu::{MenuGroup, menu_for};
use crate::api::QueryPairs;

#[derive(Debug, Clone)]
pub struct UserBadge {
    pub name: String,
    pub role: &'static str,
}

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    /// The main menu's groups as the actor sees them (empty before signing in).
    pub nav: Vec<MenuGroup>,
    /// Whether the page is the start page (the menu's Home link).
    pub home: bool,
    pub user: Option<UserBadge>,
    pub csrf: String,
    pub notices: Vec<String>,
    pub version: &'static str,
}

impl Chrome {
    /// Chrome for a signed-in page; `current` is the page's path or the menu entry's it
    /// belongs under.
    pub fn signed_in(title: impl Into<String>, actor: &Actor, csrf: &str, current: &str) -> Chrome {
        Chrome {
            title: title.into(),
            nav: menu_for(actor, current),
            home: current == "/",
            user: Some(UserBadge { name: actor.display_name.clone(), role: actor.role.label() }),
            csrf: csrf.to_string(),
            notices: Vec::new(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Chrome for pages seen before signing in (sign-in, setup, errors).
    pub fn public(title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            nav: Vec::new(),
            home: false,
            user: None,
            csrf: String::new(),
            notices: Vec::new(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// One table cell: text, maybe a link, maybe shown as a coloured badge.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub badge: Option<String>,
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), ..Cell::default() }
    }

    pub fn opt(text: Option<impl Into<String>>) -> Cell {
        Cell::text(text.map(Into::into).unwrap_or_default())
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell { text: text.into(), href: Some(href.into()), ..Cell::default() }
    }

    pub fn badge(text: impl Into<String>, class: impl Into<String>) -> Cell {
        Cell { text: text.into(), badge: Some(class.into()), ..Cell::default() }
    }

    pub fn number(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), numeric: true, ..Cell::default() }
    }

    pub fn money(money: Option<Money>) -> Cell {
        Cell::number(money.map(format_money).unwrap_or_default())
    }
}

/// An amount with thousands separators and its currency code: `12,500.00 USD`.
pub fn format_money(money: Money) -> String {
    // Every minor digit, as on a statement: 500.00, not 500.
    let text = attain_core::Decimal::new(money.minor(), money.currency().minor_units()).to_string();
    format!("{} {}", group_digits(&text), money.currency().code())
}

/// A decimal's text with thousands separators in its whole part: `-12500.5` → `-12,500.5`.
pub fn group_digits(text: &str) -> String {
    let (sign, digits) = text.strip_prefix('-').map_or(("", text), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[derive(Debug, Clone)]
pub struct ColumnHead {
    pub label: &'static str,
    pub sort_href: Option<String>,
    /// `ascending` or `descending` when the list is sorted by this column.
    pub sorted: Option<&'static str>,
    pub numeric: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<ColumnHead>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table whose columns do not sort (detail pages).
    pub fn plain(columns: &[&'static str]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|&label| ColumnHead { label, sort_href: None, sorted: None, numeric: false })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Marks which columns hold numbers (right-aligned).
    pub fn numeric(mut self, labels: &[&str]) -> Table {
        for c in &mut self.columns {
            c.numeric = labels.contains(&c.label);
        }
        self
    }
}

/// A list column: its label and the record column it sorts by, if any.
pub type ListColumn = (&'static str, Option<&'static str>);

/// The query string of a list page with some parameters replaced.
pub fn href_with(path: &str, query: &QueryPairs, changes: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> =
        query.0.iter().filter(|(n, _)| !changes.iter().any(|(c, _)| c == n)).cloned().collect();
    for (name, value) in changes {
        if let Some(v) = value {
            pairs.push((name.to_string(), v.clone()));
        }
    }
    pairs.retain(|(_, v)| !v.is_empty());
    if pairs.is_empty() {
        return path.to_string();
    }
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{path}?{query}")
}

/// Column heads that link to sorting by them (again to reverse). Without a `sort` parameter the
/// list is in `default_sort` order, and that column says so.
pub fn heads(
    path: &str,
    query: &QueryPairs,
    columns: &[ListColumn],
    numeric: &[&str],
    default_sort: Option<&str>,
) -> Vec<ColumnHead> {
    let current = query.get("sort").filter(|s| !s.is_empty()).or(default_sort).unwrap_or("");
    columns
        .iter()
        .map(|&(label, sort)| {
            let (sort_href, sorted) = match sort {
                Some(column) => {
                    let ascending = current == column;
                    let descending = current.strip_prefix('-') == Some(column);
                    let next = if ascending { format!("-{column}") } else { column.to_string() };
                    let sorted = if ascending {
                        Some("ascending")
                    } else if descending {
                        Some("descending")
                    } else {
                        None
                    };
                    (Some(href_with(path, query, &[("sort", Some(next)), ("page", None)])), sorted)
                }
                None => (None, None),
            };
            ColumnHead { label, sort_href, sorted, numeric: numeric.contains(&label) }
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn of(path: &str, query: &QueryPairs, listing: &Listing) -> Pager {
        let pages = listing.pages();
        let page = listing.page.min(pages);
        let to = |p: u32| href_with(path, query, &[("page", Some(p.to_string()))]);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| to(page - 1)),
            next: (page < pages).then(|| to(page + 1)),
        }
    }
}

/// A drop-down filter above a list.
#[derive(Debug, Clone)]
pub struct FilterSelect {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<(String, String)>,
    pub selected: String,
}

impl FilterSelect {
    pub fn new(
        name: &'static str,
        label: &'static str,
        options: Vec<(String, String)>,
        query: &QueryPairs,
    ) -> FilterSelect {
        FilterSelect { name, label, options, selected: query.get(name).unwrap_or("").to_string() }
    }
}

/// "1–50 of 1,487" for a list.
pub fn summary(listing: &Listing) -> String {
    if listing.total == 0 {
        return "No records".into();
    }
    let first = (listing.page as usize - 1) * listing.per_page as usize + 1;
    let last = (first + listing.rows.len()).saturating_sub(1);
    format!("{}–{} of {}", group(first), group(last), group(listing.total))
}

pub fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A choice's stored snake_case name as words: `closed_won` → `Closed won`.
pub fn words(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars.next().map(|f| f.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// `June 2017` for `2017-06`.
pub(crate) fn month_name(m: Period) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match m {
        Period::Month { year, month } if (1..=12).contains(&month) => {
            format!("{} {year}", NAMES[(month - 1) as usize])
        }
        other => other.to_string(),
    }
}

/// A stored instant (RFC 3339, UTC) to the minute: `2018-01-15 09:30 UTC`.
pub(crate) fn instant(text: &str) -> String {
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) if text.ends_with('Z') && text.as_bytes().get(10) == Some(&b'T') => {
            format!("{day} {time} UTC")
        }
        _ => text.to_string(),
    }
}

/// A refused change as a message for the page, or `None` when it is not the form's fault.
pub(crate) fn form_error(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { field: Some(f), message } if f == "plans" => Some(message.clone()),
        AppError::Invalid { field: Some(f), message } => Some(format!("{}: {message}", f.replace('_', " "))),
        AppError::Invalid { field: None, message } | AppError::Conflict(message) => Some(message.clone()),
        _ => None,
    }
}

/// A path segment, percent-encoded (everything but letters, digits and `-._~`).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use attain_core::Currency;

    #[test]
    fn money_is_grouped_with_its_code() {
        let usd = Currency::parse("USD").unwrap();
        assert_eq!(format_money(Money::from_minor(123456789, usd)), "1,234,567.89 USD");
        assert_eq!(format_money(Money::from_minor(-50000, usd)), "-500.00 USD");
        assert_eq!(format_money(Money::from_minor(5, usd)), "0.05 USD");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(format_money(Money::from_minor(1000, jpy)), "1,000 JPY");
    }

    #[test]
    fn links_keep_other_parameters() {
        let q = QueryPairs(vec![("q".into(), "acme".into()), ("page".into(), "3".into())]);
        assert_eq!(href_with("/accounts", &q, &[("page", Some("4".into()))]), "/accounts?q=acme&page=4");
        assert_eq!(href_with("/accounts", &q, &[("page", None), ("q", None)]), "/accounts");
        assert_eq!(words("closed_won"), "Closed won");
        assert_eq!(group(1487), "1,487");
    }
}
