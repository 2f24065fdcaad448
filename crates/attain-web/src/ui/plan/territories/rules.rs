//! The Rules tab: the assignment rules in precedence order with what each decides today, the
//! form to add one (comp admins and admins), and ending one behind a confirmation page. A
//! refused rule comes back above the form, naming the field, with what was typed kept.

use std::collections::BTreeSet;

use askama::Template;
use attain_app::plan::{RuleRequest, RuleRow};
use attain_app::snapshot::Snapshot;
use attain_app::{AppError, Permission};
use attain_core::domain::{AccountSize, RuleBasis};
use attain_core::record::Choice;
use attain_core::{Date, Kind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{ASSIGN, HOME, Tab, TerritoryChoice, tabs, territory_choices};
use crate::api::QueryPairs;
use crate::auth::Viewer;
use crate::server::AppState;
use crate::ui::view::{Chrome, form_error, group, segment};
use crate::ui::{FormData, render};

fn end_href(id: &str) -> String {
    format!("{HOME}/rules/{}/end", segment(id))
}

struct Row {
    id: String,
    precedence: String,
    basis: &'static str,
    value: String,
    /// The account a named-account or override rule names: (name, link).
    account: Option<(String, String)>,
    territory: String,
    territory_href: String,
    from: String,
    to: String,
    status: (&'static str, &'static str),
    note: String,
    decides: String,
    end: Option<String>,
}

fn row(snapshot: &Snapshot, r: &RuleRow, today: Date, may_manage: bool) -> Row {
    let rule = &r.rule;
    let account = rule.basis.names_account().then(|| {
        let id = rule.value.trim();
        let name = snapshot.find(Kind::Accounts, id).first().map(|&i| snapshot.data.accounts[i].name.clone());
        (name.unwrap_or_else(|| id.to_string()), format!("/accounts/{}", segment(id)))
    });
    let status = if r.in_force {
        ("In force", "won")
    } else if rule.validity.from > today {
        ("Starts later", "open")
    } else {
        ("Ended", "superseded")
    };
    Row {
        id: rule.id.clone(),
        precedence: format!("{} · {}", rule.basis.precedence(), rule.basis.label()),
        basis: rule.basis.label(),
        value: rule.value.clone(),
        account,
        territory: r.territory.clone(),
        territory_href: format!("/territories/{}", segment(&rule.territory_id)),
        from: rule.validity.from.to_string(),
        to: rule.validity.to.map(|d| d.to_string()).unwrap_or_default(),
        status,
        note: rule.note.clone().unwrap_or_default(),
        decides: if r.in_force { group(r.decides) } else { "—".into() },
        end: (may_manage && rule.validity.to.is_none_or(|to| to > today)).then(|| end_href(&rule.id)),
    }
}

/// The form's fields as typed (kept when the form comes back with an error).
struct Typed {
    territory: String,
    basis: String,
    value: String,
    from: String,
    to: String,
    note: String,
}

#[derive(Template)]
#[template(path = "plan_territory_rules.html")]
struct RulesPage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    history: bool,
    may_manage: bool,
    territories: Vec<TerritoryChoice>,
    bases: Vec<(&'static str, String)>,
    /// Values a rule may match, offered as the value field's suggestions: (value, what it is).
    values: Vec<(String, String)>,
    typed: Typed,
    notice: Option<String>,
    error: Option<String>,
    /// The form field the error is about, marked invalid.
    error_field: String,
}

/// The values of the demo's or the company's accounts a rule could match, for the value
/// field's suggestions: account ids (named, override), countries, regions, industries, sizes.
fn values(snapshot: &Snapshot) -> Vec<(String, String)> {
    let accounts = &snapshot.data.accounts;
    let mut out: Vec<(String, String)> =
        accounts.iter().map(|a| (a.id.clone(), format!("account: {}", a.name))).collect();
    let distinct = |field: fn(&attain_core::domain::Account) -> Option<&str>| -> BTreeSet<String> {
        accounts.iter().filter_map(field).map(str::to_string).collect()
    };
    for (what, set) in [
        ("country", distinct(|a| a.country.as_deref())),
        ("region", distinct(|a| a.region.as_deref())),
        ("industry", distinct(|a| a.industry.as_deref())),
    ] {
        out.extend(set.into_iter().map(|v| (v, what.to_string())));
    }
    out.extend(AccountSize::NAMES.iter().map(|s| (s.to_string(), "size band".to_string())));
    out
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    rules: &[RuleRow],
    history: bool,
    typed: Option<&FormData>,
    notice: Option<String>,
    error: Option<(String, String)>,
) -> RulesPage {
    let today = state.app.pay_today();
    let may_manage = viewer.actor.may(Permission::ManagePlan);
    let get = |name: &str, default: &str| typed.and_then(|f| f.get(name)).unwrap_or(default).to_string();
    let (error, error_field) = error.map_or((None, String::new()), |(m, f)| (Some(m), f));
    let snapshot = state.app.snapshot();
    RulesPage {
        chrome: Chrome::signed_in("Territory rules", &viewer.actor, &viewer.csrf, HOME),
        tabs: tabs(HOME),
        rows: rules.iter().map(|r| row(&snapshot, r, today, may_manage)).collect(),
        history,
        may_manage,
        territories: if may_manage { territory_choices(&snapshot.data) } else { Vec::new() },
        bases: RuleBasis::ALL
            .iter()
            .map(|b| (b.name(), format!("{} · {}", b.precedence(), b.label())))
            .collect(),
        values: if may_manage { values(&snapshot) } else { Vec::new() },
        typed: Typed {
            territory: get("territory_id", ""),
            basis: get("basis", "country"),
            value: get("value", ""),
            from: get("valid_from", &today.to_string()),
            to: get("valid_to", ""),
            note: get("note", ""),
        },
        notice,
        error,
        error_field,
    }
}

/// `GET /plan/territories[?history=1]`.
pub(crate) async fn rules_page(State(state): State<AppState>, viewer: Viewer, query: QueryPairs) -> Response {
    let history = matches!(query.get("history"), Some("1" | "true"));
    let rules = match state.app.territory_rules(&viewer.actor, history) {
        Ok(r) => r,
        Err(e) => return viewer.error(e),
    };
    let named = |id: &str| rules.iter().find(|r| r.rule.id == id);
    let saved = query.get("saved").and_then(named).map(|r| {
        format!(
            "Rule saved: {} → {}, from {}. The Assign tab shows which accounts it moves.",
            r.rule.condition(),
            r.territory,
            r.rule.validity.from
        )
    });
    let ended = query.get("ended").map(|id| match named(id) {
        Some(r) => format!(
            "Rule {} → {} ends on {}.",
            r.rule.condition(),
            r.territory,
            r.rule.validity.to.map(|d| d.to_string()).unwrap_or_default()
        ),
        None => "Rule ended: it shows under “Show ended ones too”.".to_string(),
    });
    let notice = saved.or(ended);
    render(&page(&state, &viewer, &rules, history, None, notice, None)).into_response()
}

/// `POST /plan/territories`: saves the rule, then back to the list.
pub(crate) async fn save_rule(State(state): State<AppState>, viewer: Viewer, form: FormData) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let optional = |name: &str| form.get(name).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    let request = RuleRequest {
        territory_id: form.text("territory_id"),
        basis: form.text("basis"),
        value: form.text("value"),
        valid_from: form.text("valid_from"),
        valid_to: optional("valid_to"),
        note: optional("note"),
    };
    match state.app.save_territory_rule(&viewer.actor, &request).await {
        Ok(rule) => Redirect::to(&format!("{HOME}?saved={}#rules-card", segment(&rule.id))).into_response(),
        Err(e) => {
            let field = match &e {
                AppError::Invalid { field: Some(f), .. } => f.clone(),
                _ => String::new(),
            };
            let Some(message) = form_error(&e) else { return viewer.error(e) };
            let code = crate::error::classify(e).0.status;
            match state.app.territory_rules(&viewer.actor, false) {
                Ok(rules) => {
                    let page =
                        page(&state, &viewer, &rules, false, Some(&form), None, Some((message, field)));
                    (code, render(&page)).into_response()
                }
                Err(e) => viewer.error(e),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "plan_territory_rule_end.html")]
struct EndPage {
    chrome: Chrome,
    action: String,
    condition: String,
    territory: String,
    from: String,
    decides: String,
    to: String,
    assign: String,
    error: Option<String>,
}

fn end_page(
    viewer: &Viewer,
    state: &AppState,
    id: &str,
    to: Option<&str>,
    error: Option<String>,
    code: StatusCode,
) -> Response {
    let rules = match state.app.territory_rules(&viewer.actor, true) {
        Ok(r) => r,
        Err(e) => return viewer.error(e),
    };
    let Some(r) = rules.iter().find(|r| r.rule.id == id) else { return viewer.error(AppError::NotFound) };
    if !viewer.actor.may(Permission::ManagePlan) {
        return viewer.error(AppError::Forbidden);
    }
    let to = to.map_or_else(|| state.app.pay_today().to_string(), str::to_string);
    let page = EndPage {
        chrome: Chrome::signed_in("End an assignment rule", &viewer.actor, &viewer.csrf, HOME),
        action: end_href(id),
        condition: r.rule.condition(),
        territory: r.territory.clone(),
        from: r.rule.validity.from.to_string(),
        decides: super::accounts(r.decides),
        assign: format!("{ASSIGN}?on={to}"),
        to,
        error,
    };
    (code, render(&page)).into_response()
}

/// `GET /plan/territories/rules/{id}/end`: the confirmation, with the day it ends.
pub(crate) async fn end_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    end_page(&viewer, &state, &id, None, None, StatusCode::OK)
}

/// `POST /plan/territories/rules/{id}/end`.
pub(crate) async fn end_rule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormData,
) -> Response {
    if let Err(page) = viewer.check_csrf(form.get("_csrf")) {
        return *page;
    }
    let to = form.text("valid_to");
    match state.app.end_territory_rule(&viewer.actor, &id, &to).await {
        Ok(rule) => Redirect::to(&format!("{HOME}?ended={}#rules-card", segment(&rule.id))).into_response(),
        Err(e) => match form_error(&e) {
            Some(message) => {
                let code = crate::error::classify(e).0.status;
                end_page(&viewer, &state, &id, Some(&to), Some(message), code)
            }
            None => viewer.error(e),
        },
    }
}
