//! What happened: activities and transactions, as lists and one by one.

use super::*;

pub(crate) async fn activities(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let spec = ListSpec {
        kind: Kind::Activities,
        path: "/activities",
        heading: "Activities",
        columns: &[
            ("When", Some("occurred_at")),
            ("Kind", Some("kind")),
            ("Owner", Some("owner_id")),
            ("Account", Some("account_id")),
            ("Opportunity", Some("opportunity_id")),
            ("Subject", Some("subject")),
            ("Outcome", Some("outcome")),
        ],
        numeric: &[],
        filters: vec![
            FilterSelect::new("kind", "Kind", choice_options::<attain_core::domain::ActivityKind>(), &query),
            FilterSelect::new("owner_id", "Owner", people_options(&state, &viewer.actor), &query),
        ],
        links: vec![],
        default_sort: Some("-occurred_at"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let a = &s.data.activities[i];
        vec![
            Cell::link(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string(), format!("/activities/{}", a.id)),
            Cell::text(words(&a.kind.to_string())),
            s.person(Some(&a.owner_id)),
            s.account(a.account_id.as_deref()),
            s.opportunity(a.opportunity_id.as_deref()),
            Cell::opt(a.subject.clone()),
            Cell::opt(a.outcome.clone()),
        ]
    })
}

pub(crate) async fn activity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Activities, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let a = &s.data.activities[i];
    let facts = vec![
        ("When (UTC)".to_string(), Cell::text(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string())),
        ("Kind".to_string(), Cell::text(words(&a.kind.to_string()))),
        ("Owner".to_string(), s.person(Some(&a.owner_id))),
        ("Account".to_string(), s.account(a.account_id.as_deref())),
        ("Opportunity".to_string(), s.opportunity(a.opportunity_id.as_deref())),
        ("Contact".to_string(), s.contact(a.contact_id.as_deref())),
        ("Outcome".to_string(), Cell::opt(a.outcome.clone())),
    ];
    let heading = a.subject.clone().unwrap_or_else(|| words(&a.kind.to_string()));
    let page = DetailPage {
        chrome: Chrome::signed_in(heading.clone(), actor, &viewer.csrf, "/activities"),
        back: ("Activities".into(), "/activities".into()),
        heading,
        subtitle: a.id.clone(),
        facts,
        sections: vec![],
    };
    render(&page)
}

pub(crate) async fn transactions(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let spec = ListSpec {
        kind: Kind::Transactions,
        path: "/transactions",
        heading: "Transactions",
        columns: &[
            ("Date", Some("date")),
            ("Kind", Some("kind")),
            ("Account", Some("account_id")),
            ("Opportunity", Some("opportunity_id")),
            ("Product", Some("product_id")),
            ("Owner", Some("owner_id")),
            ("Amount", Some("amount")),
        ],
        numeric: &["Amount"],
        filters: vec![FilterSelect::new(
            "kind",
            "Kind",
            choice_options::<attain_core::domain::TransactionKind>(),
            &query,
        )],
        links: vec![],
        default_sort: Some("-date"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let t = s.transaction_at(i);
        let kind = t.kind.to_string();
        vec![
            Cell::link(t.date.to_string(), format!("/transactions/{}", t.id)),
            Cell::badge(words(&kind), kind),
            s.account(t.account_id.as_deref()),
            s.opportunity(t.opportunity_id.as_deref()),
            Cell::text(product_name(s, t.product_id.as_deref())),
            s.person(t.owner_id.as_deref()),
            Cell::money(Some(t.amount)),
        ]
    })
}

pub(crate) async fn transaction(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Transactions, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let t = s.transaction_at(i);
    let kind = t.kind.to_string();
    let facts = vec![
        ("Date".to_string(), Cell::text(t.date.to_string())),
        ("Kind".to_string(), Cell::badge(words(&kind), kind)),
        ("Amount".to_string(), Cell::money(Some(t.amount))),
        ("Cost".to_string(), Cell::money(t.cost)),
        ("Margin".to_string(), Cell::money(t.margin())),
        ("Quantity".to_string(), Cell::opt(t.quantity.map(|q| q.normalize().to_string()))),
        ("Account".to_string(), s.account(t.account_id.as_deref())),
        ("Opportunity".to_string(), s.opportunity(t.opportunity_id.as_deref())),
        ("Product".to_string(), Cell::text(product_name(&s, t.product_id.as_deref()))),
        ("Owner".to_string(), s.person(t.owner_id.as_deref())),
        ("Reverses".to_string(), s.transaction(t.original_id.as_deref())),
    ];
    let mut reversals = Table::plain(&["Date", "Kind", "Amount"]).numeric(&["Amount"]);
    let row = s.transaction_row(i) as u32;
    let visible = s.visible_to(actor);
    let returns = s.transactions_where(|txns, r| txns.original.get(r) == Some(row));
    for r in returns.into_iter().filter(|r| visible.row(Kind::Transactions, *r)) {
        let r = s.transaction_at(r);
        reversals.rows.push(vec![
            Cell::link(r.date.to_string(), format!("/transactions/{}", r.id)),
            Cell::text(words(&r.kind.to_string())),
            Cell::money(Some(r.amount)),
        ]);
    }
    let page = DetailPage {
        chrome: Chrome::signed_in(format!("Transaction {}", t.id), actor, &viewer.csrf, "/transactions"),
        back: ("Transactions".into(), "/transactions".into()),
        heading: format!("{} · {}", words(&t.kind.to_string()), t.date),
        subtitle: t.id.clone(),
        facts,
        sections: vec![Section { heading: "Returns and cancellations of this".into(), table: reversals }],
    };
    render(&page)
}
