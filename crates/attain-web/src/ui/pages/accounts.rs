//! Accounts: the list, and each account with its contacts (buying roles) and deals.

use super::*;

pub(crate) async fn accounts(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let spec = ListSpec {
        kind: Kind::Accounts,
        path: "/accounts",
        heading: "Accounts",
        columns: &[
            ("Name", Some("name")),
            ("Industry", Some("industry")),
            ("Country", Some("country")),
            ("Size", Some("size")),
            ("Territory", Some("territory_id")),
            ("Owner", Some("owner_id")),
            ("Annual revenue", Some("annual_revenue")),
        ],
        numeric: &["Annual revenue"],
        filters: vec![FilterSelect::new(
            "size",
            "Size",
            choice_options::<attain_core::domain::AccountSize>(),
            &query,
        )],
        links: vec![],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.accounts[i];
        vec![
            Cell::link(a.name.clone(), format!("/accounts/{}", a.id)),
            Cell::opt(a.industry.clone()),
            Cell::opt(a.country.clone()),
            Cell::opt(a.size.map(|z| words(&z.to_string()))),
            s.territory(a.territory_id.as_deref()),
            s.person(a.owner_id.as_deref()),
            Cell::money(a.annual_revenue),
        ]
    })
}

pub(crate) async fn account(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Accounts, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.accounts[i];
    // Where the assignment rules put it today (a dated row), else where the CRM put it.
    let today = state.app.pay_today();
    let territory_today = s
        .data
        .account_territories
        .iter()
        .find(|r| r.account_id == a.id && r.validity.contains(today))
        .map_or(a.territory_id.as_deref(), |r| Some(r.territory_id.as_str()));
    let facts = vec![
        ("Industry".to_string(), Cell::opt(a.industry.clone())),
        ("Country".to_string(), Cell::opt(a.country.clone())),
        ("Region".to_string(), Cell::opt(a.region.clone())),
        ("Size".to_string(), Cell::opt(a.size.map(|z| words(&z.to_string())))),
        ("Employees".to_string(), Cell::opt(a.employees.map(|e| group(e.max(0) as usize)))),
        ("Annual revenue".to_string(), Cell::money(a.annual_revenue)),
        ("Parent account".to_string(), s.account(a.parent_id.as_deref())),
        ("Territory".to_string(), s.territory(territory_today)),
        ("Owner".to_string(), s.person(a.owner_id.as_deref())),
    ];
    let mut contacts = Table::plain(&["Name", "Title", "Buying role", "Email", "Phone"]);
    for c in visible_where(&s, actor, Kind::Contacts, &s.data.contacts, |c| c.account_id == a.id) {
        let c = &s.data.contacts[c];
        let role = c.buying_role.to_string();
        contacts.rows.push(vec![
            Cell::text(c.name.clone()),
            Cell::opt(c.title.clone()),
            Cell::badge(words(&role), role),
            Cell::opt(c.email.clone()),
            Cell::opt(c.phone.clone()),
        ]);
    }
    let mut opps =
        Table::plain(&["Opportunity", "Owner", "Stage", "Status", "Amount", "Closed"]).numeric(&["Amount"]);
    for o in visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| {
        o.account_id.as_deref() == Some(&a.id)
    }) {
        let o = &s.data.opportunities[o];
        opps.rows.push(vec![
            s.opportunity(Some(&o.id)),
            s.person(Some(&o.owner_id)),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(a.name.clone(), actor, &viewer.csrf, "/accounts"),
        back: ("Accounts".into(), "/accounts".into()),
        heading: a.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Contacts and buying roles".into(), table: contacts },
            Section { heading: "Opportunities".into(), table: opps },
        ],
    };
    render(&page)
}
