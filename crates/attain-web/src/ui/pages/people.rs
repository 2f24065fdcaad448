//! People and the org chart as of any date.

use super::*;

pub(crate) async fn people(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let today = jiff::Zoned::now().date();
    let spec = ListSpec {
        kind: Kind::People,
        path: "/people",
        heading: "People",
        columns: &[
            ("Name", Some("name")),
            ("Email", Some("email")),
            ("Position today", None),
            ("Hired", Some("hire_date")),
            ("Left", Some("termination_date")),
        ],
        numeric: &[],
        filters: vec![],
        links: vec![("Org chart".into(), "/org".into())],
        default_sort: Some("name"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let p = &s.data.people[i];
        let position = attain_core::domain::position_of(&s.data.assignments, &p.id, today)
            .and_then(|pos| attain_core::domain::position_on(&s.data.positions, pos, today))
            .map(|pos| pos.title.clone());
        vec![
            Cell::link(p.name.clone(), format!("/people/{}", p.id)),
            Cell::opt(p.email.clone()),
            Cell::opt(position),
            Cell::text(p.hire_date.to_string()),
            Cell::opt(p.termination_date.map(|d| d.to_string())),
        ]
    })
}

pub(crate) async fn person(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::People, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let p = &s.data.people[i];
    let mut facts = vec![
        ("Email".to_string(), Cell::opt(p.email.clone())),
        ("Hired".to_string(), Cell::text(p.hire_date.to_string())),
        ("Left".to_string(), Cell::opt(p.termination_date.map(|d| d.to_string()))),
    ];
    if let Some(c) = p.pay_currency {
        facts.push(("Paid in".to_string(), Cell::text(c.code())));
    }
    let mut positions = Table::plain(&["From", "To", "Position", "Role", "Team", "Region", "Reports to"]);
    for a in visible_where(&s, actor, Kind::Assignments, &s.data.assignments, |a| a.person_id == p.id) {
        let a = &s.data.assignments[a];
        let version = attain_core::domain::position_on(&s.data.positions, &a.position_id, a.validity.from);
        let manager = version
            .and_then(|v| v.reports_to.as_deref())
            .and_then(|boss| attain_core::domain::holder_of(&s.data.assignments, boss, a.validity.from));
        positions.rows.push(vec![
            Cell::text(a.validity.from.to_string()),
            Cell::opt(a.validity.to.map(|d| d.to_string())),
            Cell::text(version.map_or(a.position_id.clone(), |v| v.title.clone())),
            Cell::opt(version.map(|v| words(&v.role.to_string()))),
            Cell::opt(version.and_then(|v| v.team.clone())),
            Cell::opt(version.and_then(|v| v.region.clone())),
            s.person(manager),
        ]);
    }
    let mut opps =
        Table::plain(&["Opportunity", "Account", "Stage", "Status", "Amount", "Closed"]).numeric(&["Amount"]);
    let mine = visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| o.owner_id == p.id);
    for &o in mine.iter().rev().take(25) {
        let o = &s.data.opportunities[o];
        opps.rows.push(vec![
            s.opportunity(Some(&o.id)),
            s.account(o.account_id.as_deref()),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(p.name.clone(), actor, &viewer.csrf, "/people"),
        back: ("People".into(), "/people".into()),
        heading: p.name.clone(),
        subtitle: String::new(),
        facts,
        sections: vec![
            Section { heading: "Positions held".into(), table: positions },
            Section { heading: format!("Opportunities (latest 25 of {})", mine.len()), table: opps },
        ],
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    day: String,
    /// Pre-order walk: (depth, title, holder name, holder link, team/region).
    nodes: Vec<OrgNode>,
}

struct OrgNode {
    depth: usize,
    title: String,
    /// The holder through the viewer's scope: a visible position's holder may still be out of
    /// view (a seat below a manager, on a day before the manager ran it), and is then named by
    /// id and not linked.
    holder: Option<crate::ui::view::Cell>,
    detail: String,
}

pub(crate) async fn org_chart(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let actor = &viewer.actor;
    let s = Refs::new(state.app.snapshot(), &viewer.actor);
    let day = match query.get("on").filter(|d| !d.is_empty()) {
        Some(text) => match attain_core::dating::parse_date(text) {
            Ok(d) => d,
            Err(e) => {
                return crate::ui::error_page(
                    axum::http::StatusCode::BAD_REQUEST,
                    "Not a date",
                    &format!("on: {e}"),
                );
            }
        },
        None => jiff::Zoned::now().date(),
    };
    let visible_positions = s.visible_to(actor);
    let current: Vec<usize> = (0..s.data.positions.len())
        .filter(|&i| s.data.positions[i].validity.contains(day) && visible_positions.row(Kind::Positions, i))
        .collect();
    let ids: std::collections::HashSet<&str> =
        current.iter().map(|&i| s.data.positions[i].id.as_str()).collect();
    let mut children: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
    for &i in &current {
        let p = &s.data.positions[i];
        // A position whose manager is outside the viewer's reach is a root of their chart.
        let parent = p.reports_to.as_deref().filter(|r| ids.contains(r));
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by(|&a, &b| s.data.positions[a].title.cmp(&s.data.positions[b].title));
    }
    let mut nodes = Vec::new();
    let mut stack: Vec<(usize, usize)> =
        children.get(&None).map_or(vec![], |r| r.iter().rev().map(|&i| (i, 0)).collect());
    while let Some((i, depth)) = stack.pop() {
        let p = &s.data.positions[i];
        let holder = attain_core::domain::holder_of(&s.data.assignments, &p.id, day)
            .map(|person| s.person(Some(person)));
        let detail = [p.team.clone(), p.region.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
        nodes.push(OrgNode { depth, title: p.title.clone(), holder, detail });
        if let Some(kids) = children.get(&Some(p.id.as_str())) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    let page = OrgPage {
        chrome: Chrome::signed_in("Org chart", actor, &viewer.csrf, "/org"),
        day: day.to_string(),
        nodes,
    };
    render(&page)
}
