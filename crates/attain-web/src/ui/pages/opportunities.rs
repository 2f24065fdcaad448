//! Opportunities: the filtered list, the pipeline board by stage, and each deal with its
//! stage history, transactions and activities.

use super::*;

/// Stages in pipeline order: by the average position at which each is entered in the stage
/// histories (stages are free text, so the order is learnt from the data).
fn stage_order(s: &Snapshot) -> Vec<String> {
    let mut by_opp: HashMap<&str, Vec<(attain_core::Date, &str)>> = HashMap::new();
    for c in &s.data.stage_history {
        by_opp.entry(c.opportunity_id.as_str()).or_default().push((c.entered_on, c.stage.as_str()));
    }
    let mut positions: HashMap<&str, (usize, usize)> = HashMap::new();
    for history in by_opp.values_mut() {
        history.sort();
        for (n, (_, stage)) in history.iter().enumerate() {
            let entry = positions.entry(stage).or_default();
            entry.0 += n;
            entry.1 += 1;
        }
    }
    for o in &s.data.opportunities {
        positions.entry(o.stage.as_str()).or_insert((usize::MAX / 2, 1));
    }
    let mut stages: Vec<(&str, (usize, usize))> = positions.into_iter().collect();
    // Compare sum_a/count_a with sum_b/count_b exactly, by cross-multiplying.
    stages.sort_by(|a, b| {
        let left = (a.1.0 as u128) * (b.1.1 as u128);
        let right = (b.1.0 as u128) * (a.1.1 as u128);
        left.cmp(&right).then(a.0.cmp(b.0))
    });
    stages.into_iter().map(|(s, _)| s.to_string()).collect()
}

pub(crate) async fn opportunities(
    State(state): State<AppState>,
    viewer: Viewer,
    query: QueryPairs,
) -> Response {
    let snapshot = state.app.snapshot();
    let stages: Vec<(String, String)> = stage_order(&snapshot).into_iter().map(|s| (s.clone(), s)).collect();
    let spec = ListSpec {
        kind: Kind::Opportunities,
        path: "/opportunities",
        heading: "Opportunities",
        columns: &[
            ("Opportunity", Some("name")),
            ("Account", Some("account_id")),
            ("Owner", Some("owner_id")),
            ("Stage", Some("stage")),
            ("Status", Some("status")),
            ("Amount", Some("amount")),
            ("Expected close", Some("expected_close")),
            ("Closed", Some("closed_on")),
        ],
        numeric: &["Amount"],
        filters: vec![
            FilterSelect::new(
                "status",
                "Status",
                choice_options::<attain_core::domain::DealStatus>(),
                &query,
            ),
            FilterSelect::new("stage", "Stage", stages, &query),
            FilterSelect::new("owner_id", "Owner", people_options(&state, &viewer.actor), &query),
            FilterSelect::new("deal_type", "Type", choice_options::<attain_core::domain::DealType>(), &query),
        ],
        links: vec![("Board by stage".into(), "/opportunities/board".into())],
        default_sort: Some("-created_on"),
    };
    list_page(&state, &viewer, &query, spec, |s, i| {
        let o = &s.data.opportunities[i];
        vec![
            Cell::link(o.name.clone().unwrap_or_else(|| o.id.clone()), format!("/opportunities/{}", o.id)),
            s.account(o.account_id.as_deref()),
            s.person(Some(&o.owner_id)),
            Cell::text(o.stage.clone()),
            status_badge(o.status),
            Cell::money(o.amount),
            Cell::opt(o.expected_close.map(|d| d.to_string())),
            Cell::opt(o.closed_on.map(|d| d.to_string())),
        ]
    })
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    owner_filter: FilterSelect,
    columns: Vec<BoardColumn>,
}

struct BoardColumn {
    stage: String,
    count: usize,
    total: String,
    cards: Vec<BoardCard>,
    more: usize,
    more_href: String,
}

struct BoardCard {
    href: String,
    name: String,
    account: String,
    owner: String,
    amount: String,
    close: String,
}

/// Amounts summed per currency, shown as `1,000.00 USD + 500.00 EUR`.
fn sum_by_currency(amounts: impl Iterator<Item = attain_core::Money>) -> String {
    let mut totals: Vec<(attain_core::Currency, i64)> = Vec::new();
    for m in amounts {
        match totals.iter_mut().find(|(c, _)| *c == m.currency()) {
            Some(t) => t.1 = t.1.saturating_add(m.minor()),
            None => totals.push((m.currency(), m.minor())),
        }
    }
    totals
        .into_iter()
        .map(|(c, minor)| crate::ui::view::format_money(attain_core::Money::from_minor(minor, c)))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Cards shown per stage; the rest are a link to the filtered list.
const CARDS_PER_STAGE: usize = 30;

pub(crate) async fn board(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let actor = &viewer.actor;
    let s = Refs::new(state.app.snapshot(), actor);
    let owner = query.get("owner_id").filter(|o| !o.is_empty());
    let open = visible_where(&s, actor, Kind::Opportunities, &s.data.opportunities, |o| {
        o.status == attain_core::domain::DealStatus::Open && owner.is_none_or(|w| o.owner_id == w)
    });
    let mut columns = Vec::new();
    for stage in stage_order(&s) {
        let mut in_stage: Vec<usize> =
            open.iter().copied().filter(|&i| s.data.opportunities[i].stage == stage).collect();
        if in_stage.is_empty() {
            continue;
        }
        in_stage.sort_by(|&a, &b| {
            s.data.opportunities[b]
                .amount
                .map(|m| m.minor())
                .cmp(&s.data.opportunities[a].amount.map(|m| m.minor()))
        });
        let total = sum_by_currency(in_stage.iter().filter_map(|&i| s.data.opportunities[i].amount));
        let cards = in_stage
            .iter()
            .take(CARDS_PER_STAGE)
            .map(|&i| {
                let o = &s.data.opportunities[i];
                BoardCard {
                    href: format!("/opportunities/{}", o.id),
                    name: o.name.clone().unwrap_or_else(|| o.id.clone()),
                    account: s.account(o.account_id.as_deref()).text,
                    owner: s.person_name(&o.owner_id),
                    amount: o.amount.map(crate::ui::view::format_money).unwrap_or_default(),
                    close: o.expected_close.map(|d| d.to_string()).unwrap_or_default(),
                }
            })
            .collect();
        let more_query = QueryPairs(
            [("status", "open".to_string()), ("stage", stage.clone())]
                .into_iter()
                .chain(owner.map(|o| ("owner_id", o.to_string())))
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        columns.push(BoardColumn {
            count: in_stage.len(),
            total,
            cards,
            more: in_stage.len().saturating_sub(CARDS_PER_STAGE),
            more_href: crate::ui::view::href_with("/opportunities", &more_query, &[]),
            stage,
        });
    }
    let page = BoardPage {
        chrome: Chrome::signed_in("Pipeline board", actor, &viewer.csrf, "/opportunities"),
        owner_filter: FilterSelect::new("owner_id", "Owner", people_options(&state, actor), &query),
        columns,
    };
    render(&page)
}

pub(crate) async fn opportunity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let actor = &viewer.actor;
    let (s, i) = match found(&state, &viewer, Kind::Opportunities, &id) {
        Ok(f) => f,
        Err(page) => return *page,
    };
    let o = &s.data.opportunities[i];
    let facts = vec![
        ("Account".to_string(), s.account(o.account_id.as_deref())),
        ("Owner".to_string(), s.person(Some(&o.owner_id))),
        ("Product".to_string(), Cell::text(product_name(&s, o.product_id.as_deref()))),
        ("Amount".to_string(), Cell::money(o.amount)),
        ("Stage".to_string(), Cell::text(o.stage.clone())),
        ("Status".to_string(), status_badge(o.status)),
        // Stored as a percentage already (0–100).
        ("Probability".to_string(), Cell::opt(o.probability.map(|p| format!("{}%", p.normalize())))),
        ("Type".to_string(), Cell::opt(o.deal_type.map(|t| words(&t.to_string())))),
        ("Channel".to_string(), Cell::opt(o.channel.map(|c| words(&c.to_string())))),
        ("Created".to_string(), Cell::opt(o.created_on.map(|d| d.to_string()))),
        ("Expected close".to_string(), Cell::opt(o.expected_close.map(|d| d.to_string()))),
        ("Closed".to_string(), Cell::opt(o.closed_on.map(|d| d.to_string()))),
        ("Reason".to_string(), Cell::opt(o.close_reason.clone())),
    ];
    let mut history = Table::plain(&["Entered", "Stage"]);
    let mut changes =
        visible_where(&s, actor, Kind::StageHistory, &s.data.stage_history, |c| c.opportunity_id == o.id);
    changes.sort_by_key(|&c| s.data.stage_history[c].entered_on);
    for c in changes {
        let c = &s.data.stage_history[c];
        history.rows.push(vec![Cell::text(c.entered_on.to_string()), Cell::text(c.stage.clone())]);
    }
    let mut transactions = Table::plain(&["Date", "Kind", "Amount", "Reverses"]).numeric(&["Amount"]);
    let visible = s.visible_to(actor);
    let number = s.facts.opportunities.get(&o.id);
    let of_deal = s.transactions_where(|txns, r| number.is_some() && txns.opportunity.get(r) == number);
    for t in of_deal.into_iter().filter(|t| visible.row(Kind::Transactions, *t)) {
        let t = s.transaction_at(t);
        transactions.rows.push(vec![
            Cell::link(t.date.to_string(), format!("/transactions/{}", t.id)),
            Cell::text(words(&t.kind.to_string())),
            Cell::money(Some(t.amount)),
            match &t.original_id {
                Some(orig) => Cell::link(orig.clone(), format!("/transactions/{orig}")),
                None => Cell::default(),
            },
        ]);
    }
    let mut activities = Table::plain(&["When", "Kind", "Subject", "Outcome"]);
    for a in visible_where(&s, actor, Kind::Activities, &s.data.activities, |a| {
        a.opportunity_id.as_deref() == Some(&o.id)
    }) {
        let a = &s.data.activities[a];
        activities.rows.push(vec![
            Cell::link(a.occurred_at.strftime("%Y-%m-%d %H:%M").to_string(), format!("/activities/{}", a.id)),
            Cell::text(words(&a.kind.to_string())),
            Cell::opt(a.subject.clone()),
            Cell::opt(a.outcome.clone()),
        ]);
    }
    let name = o.name.clone().unwrap_or_else(|| o.id.clone());
    let page = DetailPage {
        chrome: Chrome::signed_in(name.clone(), actor, &viewer.csrf, "/opportunities"),
        back: ("Opportunities".into(), "/opportunities".into()),
        heading: name,
        subtitle: o.id.clone(),
        facts,
        sections: vec![
            Section { heading: "Stage history".into(), table: history },
            Section { heading: "Transactions".into(), table: transactions },
            Section { heading: "Activities".into(), table: activities },
        ],
    };
    render(&page)
}
