//! Territories: the list, and each territory's owners over time, sub-territories and accounts.

use super::*;

pub(crate) async fn territories(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let today = jiff::Zoned::now().date();
    let spec = ListSpec {
        kind: Kind::Territories,
        path: "/territories",
        heading: "Territories",
        columns: &[
            ("Name", Some("name")),
            ("Parent", Some("parent_id")),
            ("Region", Some("region")),
            ("Owner today", None),
        ],
        numeric: &[],
        filters: vec![],
        links: vec![],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let t = &s.data.territories[i];
        let owner = territory_owner(s, &t.id, today);
        vec![
            Cell::link(t.name.clone(), format!("/territories/{}", t.id)),
            s.territory(t.parent_id.as_deref()),
            Cell::opt(t.region.clone()),
            s.person(owner),
        ]
    })
}

/// Who holds the position owning `territory` on `day`.
fn territory_owner<'a>(s: &'a Snapshot, territory: &str, day: attain_core::Date) -> Option<&'a str> {
    s.data
        .territory_owners
        .iter()
        .find(|o| o.territory_id == territory && o.validity.contains(day))
        .and_then(|o| attain_core::domain::holder_of(&s.data.assignments, &o.position_id, day))
}

pub(crate) async fn territory(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Territories, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let t = &s.data.territories[i];
    let facts = vec![
        ("Parent".to_string(), s.territory(t.parent_id.as_deref())),
        ("Region".to_string(), Cell::opt(t.region.clone())),
    ];
    let mut owners = Table::plain(&["From", "To", "Position", "Held by (at start)"]);
    for o in
        visible_where(&s, actor, Kind::TerritoryOwners, &s.data.territory_owners, |o| o.territory_id == t.id)
    {
        let o = &s.data.territory_owners[o];
        let title = attain_core::domain::position_on(&s.data.positions, &o.position_id, o.validity.from)
            .map_or(o.position_id.clone(), |p| p.title.clone());
        let holder = attain_core::domain::holder_of(&s.data.assignments, &o.position_id, o.validity.from);
        owners.rows.push(vec![
            Cell::text(o.validity.from.to_string()),
            Cell::opt(o.validity.to.map(|d| d.to_string())),
            Cell::text(title),
            s.person(holder),
        ]);
    }
    let mut subs = Table::plain(&["Territory", "Region"]);
    for c in visible_where(&s, actor, Kind::Territories, &s.data.territories, |c| {
        c.parent_id.as_deref() == Some(&t.id)
    }) {
        let c = &s.data.territories[c];
        subs.rows.push(vec![s.territory(Some(&c.id)), Cell::opt(c.region.clone())]);
    }
    let mut accounts = Table::plain(&["Account", "Industry", "Country"]);
    for a in visible_where(&s, actor, Kind::Accounts, &s.data.accounts, |a| {
        a.territory_id.as_deref() == Some(&t.id)
    }) {
        let a = &s.data.accounts[a];
        accounts.rows.push(vec![
            s.account(Some(&a.id)),
            Cell::opt(a.industry.clone()),
            Cell::opt(a.country.clone()),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(t.name.clone(), actor, &viewer.csrf, "/territories"),
        back: ("Territories".into(), "/territories".into()),
        heading: t.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Owners".into(), table: owners },
            Section { heading: "Sub-territories".into(), table: subs },
            Section { heading: "Accounts".into(), table: accounts },
        ],
    };
    render(&page)
}
