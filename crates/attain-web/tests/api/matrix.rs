//! Every route of the API, called by every role and by nobody, against one table of expected
//! statuses. A mismatch anywhere prints the whole grid.

use std::fmt::Write as _;

use attain_app::Role;
use attain_core::Kind;
use attain_testkit::Db;
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Api, Body};
use crate::on_both;
use crate::support::TestApp;

/// Who may call a route, and what they get.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone, signed in or not.
    Public(u16),
    /// Anyone signed in; nobody else (401).
    SignedIn(u16),
    /// Admins; other roles 403.
    Admins(u16),
    /// Admins and comp admins (who edit data); other roles 403.
    Editors(u16),
    /// Admins and comp admins (who manage pay), called in that order: the admin's call
    /// changes the month, so the comp admin's same call then answers `again` (a 409).
    PayManagersInTurn { first: u16, again: u16 },
    /// The roles that see runs (admin, comp admin, finance, executive); managers and reps 403.
    RunReaders(u16),
    /// The roles that export data (admin, comp admin, finance); others 403.
    Exporters(u16),
    /// The whole-company roles, who read the company plan; managers and reps 404 (they
    /// learn nothing of it, not even that it exists).
    PlanReaders(u16),
    /// Each role's own answer, in `Role::ALL` order.
    Each([u16; 6]),
}

impl Access {
    fn expected(self, role: Option<Role>) -> u16 {
        match (self, role) {
            (Access::Public(ok), _) => ok,
            (_, None) => 401,
            (Access::SignedIn(ok), Some(_)) => ok,
            (Access::Admins(ok), Some(Role::Admin)) => ok,
            (Access::Editors(ok), Some(Role::Admin | Role::CompAdmin)) => ok,
            (Access::PayManagersInTurn { first, .. }, Some(Role::Admin)) => first,
            (Access::PayManagersInTurn { again, .. }, Some(Role::CompAdmin)) => again,
            (
                Access::RunReaders(ok),
                Some(Role::Admin | Role::CompAdmin | Role::Finance | Role::Executive),
            ) => ok,
            (Access::Exporters(ok), Some(Role::Admin | Role::CompAdmin | Role::Finance)) => ok,
            (Access::PlanReaders(_), Some(Role::Manager | Role::Rep)) => 404,
            (Access::PlanReaders(ok), Some(_)) => ok,
            (Access::Each(answers), Some(role)) => {
                answers[Role::ALL.iter().position(|r| *r == role).unwrap_or(0)]
            }
            (
                Access::Admins(_)
                | Access::Editors(_)
                | Access::PayManagersInTurn { .. }
                | Access::RunReaders(_)
                | Access::Exporters(_),
                Some(_),
            ) => 403,
        }
    }
}

/// One route as called. `{token}` in the path stands for a spare token of the caller's own.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    /// The route as the router declares it (for the OpenAPI check).
    pub route: String,
    path: String,
    body: Option<Body>,
    headers: Vec<(&'static str, String)>,
    access: Access,
    /// Pay that managers and reps may read only within their scope: their 200s are checked
    /// for other payees and company figures (see [`leaks`]).
    scoped_pay: bool,
}

impl Call {
    fn new(method: Method, route: &str, path: &str, access: Access) -> Call {
        Call {
            method,
            route: route.into(),
            path: path.into(),
            body: None,
            headers: Vec::new(),
            access,
            scoped_pay: false,
        }
    }

    fn scoped_pay(mut self) -> Call {
        self.scoped_pay = true;
        self
    }

    fn json(mut self, body: Value) -> Call {
        self.body = Some(Body::Json(body));
        self
    }

    pub fn method(&self) -> &str {
        self.method.as_str()
    }
}

/// The login the matrix creates, then disables, enables and resets.
const NEW_LOGIN: &str = "matrix.user";

/// Every route in `crates/attain-web/src/api/mod.rs`, with concrete arguments. `product` is
/// the current JSON of one product (catalogues are readable by everyone signed in); `rep` is
/// the demo rep's person id, whose statements every role sees (the demo manager's team
/// includes the rep), and `rep_seat` their position.
pub fn table(product: &Value, rep: &str, rep_seat: &str) -> Vec<Call> {
    use Access::*;
    let product_id = product["id"].as_str().expect("a product id");
    let mut calls = vec![
        Call::new(Method::GET, "/api/health", "/api/health", Public(200)),
        Call::new(Method::GET, "/api/openapi.json", "/api/openapi.json", Public(200)),
        Call::new(Method::GET, "/api/docs", "/api/docs", Public(200)),
        Call::new(Method::GET, "/api/v1/me", "/api/v1/me", SignedIn(200)),
        Call::new(Method::GET, "/api/v1/users", "/api/v1/users", Admins(200)),
        Call::new(Method::POST, "/api/v1/users", "/api/v1/users", Admins(201)).json(json!({
            "login": NEW_LOGIN, "display_name": "Matrix User", "role": "finance",
            "password": "a long enough password",
        })),
        Call::new(Method::GET, "/api/v1/users/{login}", &format!("/api/v1/users/{NEW_LOGIN}"), Admins(200)),
        Call::new(
            Method::POST,
            "/api/v1/users/{login}/disable",
            &format!("/api/v1/users/{NEW_LOGIN}/disable"),
            Admins(200),
        ),
        Call::new(
            Method::POST,
            "/api/v1/users/{login}/enable",
            &format!("/api/v1/users/{NEW_LOGIN}/enable"),
            Admins(200),
        ),
        Call::new(
            Method::POST,
            "/api/v1/users/{login}/password",
            &format!("/api/v1/users/{NEW_LOGIN}/password"),
            Admins(200),
        )
        .json(json!({"password": "another long password"})),
        Call::new(Method::GET, "/api/v1/tokens", "/api/v1/tokens", SignedIn(200)),
        Call::new(Method::POST, "/api/v1/tokens", "/api/v1/tokens", SignedIn(201))
            .json(json!({"name": "from the matrix"})),
        Call::new(Method::DELETE, "/api/v1/tokens/{id}", "/api/v1/tokens/{token}", SignedIn(200)),
        Call::new(Method::GET, "/api/v1/audit", "/api/v1/audit", Admins(200)),
        Call::new(Method::GET, "/api/v1/audit/verify", "/api/v1/audit/verify", Admins(200)),
    ];
    for kind in Kind::ALL {
        let path = format!("/api/v1/{}", kind.name());
        calls.push(Call::new(Method::GET, "/api/v1/{resource}", &path, SignedIn(200)));
    }
    let item = format!("/api/v1/products/{product_id}");
    calls.push(Call::new(Method::GET, "/api/v1/{resource}/{id}", &item, SignedIn(200)));
    let mut put =
        Call::new(Method::PUT, "/api/v1/{resource}/{id}", &item, Editors(200)).json(product.clone());
    put.headers.push(("If-Match", "*".into()));
    calls.push(put);
    let csv = crate::csv_of(std::slice::from_ref(product));
    let mut import =
        Call::new(Method::POST, "/api/v1/imports/{resource}", "/api/v1/imports/products", Editors(200));
    import.body = Some(Body::csv(&csv));
    calls.push(import);
    calls.extend(pay_calls(rep));
    calls.extend(plan_calls());
    calls.extend(quota_calls());
    calls.extend(objective_calls(rep_seat));
    calls.extend(territory_calls(rep_seat));
    calls
}

/// Territory design: read by the whole-company roles (managers and reps 404 where it reads
/// the design), changed by admins and comp admins (the comp admin's same call again: a
/// territory's id is taken, a rule or an owner of the same day is replaced).
fn territory_calls(rep_seat: &str) -> Vec<Call> {
    use Access::*;
    let rule = "tr-country-ca-2018-02-01";
    vec![
        Call::new(Method::POST, "/api/v1/plan/territories", "/api/v1/plan/territories", Each([201, 422, 403, 403, 403, 403]))
            .json(json!({"name": "Matrix Canada", "parent_id": "ter-all", "region": "Canada"})),
        Call::new(Method::PUT, "/api/v1/plan/territories/{id}", "/api/v1/plan/territories/ter-matrix-canada", Each([200, 200, 403, 403, 403, 403]))
            .json(json!({"name": "Matrix Canada", "parent_id": "ter-all"})),
        Call::new(
            Method::POST,
            "/api/v1/plan/territories/{id}/owner",
            "/api/v1/plan/territories/ter-matrix-canada/owner",
            Each([200, 200, 403, 403, 403, 403]),
        )
        .json(json!({"position_id": rep_seat, "valid_from": "2018-02-01"})),
        Call::new(Method::GET, "/api/v1/plan/territories/rules", "/api/v1/plan/territories/rules?history=true", PlanReaders(200)),
        Call::new(Method::POST, "/api/v1/plan/territories/rules", "/api/v1/plan/territories/rules", Each([201, 201, 403, 403, 403, 403]))
            .json(json!({"territory_id": "ter-matrix-canada", "basis": "country", "value": "CA", "valid_from": "2018-02-01"})),
        Call::new(
            Method::POST,
            "/api/v1/plan/territories/rules/{id}/end",
            &format!("/api/v1/plan/territories/rules/{rule}/end"),
            Each([200, 200, 403, 404, 404, 403]),
        )
        .json(json!({"valid_to": "2018-12-01"})),
        Call::new(
            Method::GET,
            "/api/v1/plan/territories/assignment",
            "/api/v1/plan/territories/assignment?on=2018-02-01",
            PlanReaders(200),
        ),
        Call::new(
            Method::POST,
            "/api/v1/plan/territories/assignment",
            "/api/v1/plan/territories/assignment",
            Each([200, 200, 403, 404, 404, 403]),
        )
        .json(json!({"on": "2018-02-01"})),
        Call::new(
            Method::GET,
            "/api/v1/plan/territories/balance",
            "/api/v1/plan/territories/balance?on=2018-02-01&measure=workload",
            PlanReaders(200),
        ),
        Call::new(
            Method::POST,
            "/api/v1/plan/territories/balance/moves",
            "/api/v1/plan/territories/balance/moves",
            Each([201, 201, 403, 404, 404, 403]),
        )
        .json(json!({"on": "2018-03-01", "moves": "3"})),
    ]
}

/// Individual objectives: everyone reads theirs; the rep's seat gets a new call objective from
/// the admin, the comp admin (the same again: it is replaced) and the rep's manager; finance,
/// the executive and the rep themself may not set it. Ending it: the admin does; by then
/// it already ends that day for the comp admin and the manager.
fn objective_calls(rep_seat: &str) -> Vec<Call> {
    use Access::*;
    let id = format!("ob-{rep_seat}-calls-2018-02-01");
    vec![
        // Capacity is company totals, like the plan it reads.
        Call::new(
            Method::GET,
            "/api/v1/plan/capacity/{year}",
            "/api/v1/plan/capacity/2018?attrition=30",
            PlanReaders(200),
        ),
        Call::new(
            Method::GET,
            "/api/v1/plan/objectives",
            "/api/v1/plan/objectives?history=true",
            SignedIn(200),
        ),
        Call::new(
            Method::POST,
            "/api/v1/plan/objectives",
            "/api/v1/plan/objectives",
            Each([201, 201, 403, 201, 403, 403]),
        )
        .json(json!({"seat": rep_seat, "measure": "calls", "cadence": "week", "target": "25",
                "valid_from": "2018-02-01", "note": "the matrix raises it"})),
        Call::new(
            Method::POST,
            "/api/v1/plan/objectives/{id}/end",
            &format!("/api/v1/plan/objectives/{id}/end"),
            Each([200, 422, 403, 422, 403, 403]),
        )
        .json(json!({"valid_to": "2018-06-01"})),
    ]
}

/// The revenue plan's routes: read by the whole-company roles; FY2019 (which has no plan)
/// drafted by the admin, whose same call the comp admin then makes without the draft's ETag
/// (428); approved by finance, after the admin (its preparer) and before the executive (by
/// then approved) are refused.
fn plan_calls() -> Vec<Call> {
    use Access::*;
    let draft = json!({"revenue": "1000000", "margin": "400000", "bookings": "1100000", "new_logos": 12,
        "season": "even", "note": "the matrix plans 2019"});
    vec![
        Call::new(Method::GET, "/api/v1/plan/revenue", "/api/v1/plan/revenue", PlanReaders(200)),
        Call::new(Method::GET, "/api/v1/plan/revenue/{year}", "/api/v1/plan/revenue/2017", PlanReaders(200)),
        Call::new(
            Method::GET,
            "/api/v1/plan/revenue/{year}/learned-shares",
            "/api/v1/plan/revenue/2018/learned-shares",
            PlanReaders(200),
        ),
        Call::new(
            Method::PUT,
            "/api/v1/plan/revenue/{year}/draft",
            "/api/v1/plan/revenue/2019/draft",
            PayManagersInTurn { first: 200, again: 428 },
        )
        .json(draft),
        // Admin, comp admin, finance, manager, rep, executive.
        Call::new(
            Method::POST,
            "/api/v1/plan/revenue/{year}/versions/{version}/approve",
            "/api/v1/plan/revenue/2019/versions/1/approve",
            Each([409, 403, 200, 404, 404, 409]),
        ),
    ]
}

/// The quota routes on FY2018 (whose plan is approved): allocated by the admin, then again by
/// the comp admin (the open drafts are overwritten); the VP's sheet is read by the
/// whole-company roles, changed only with If-Match by those who may (comp admins, its holder,
/// the executive), submitted by the admin, returned by finance (the admin submitted it, comp
/// admins do not approve the plan), and then, a draft again, approved by nobody.
fn quota_calls() -> Vec<Call> {
    use Access::*;
    let sheet = "/api/v1/plan/quotas/sheets/qs-2018-revenue-pos-vp-v1";
    vec![
        Call::new(Method::POST, "/api/v1/plan/quotas/allocate", "/api/v1/plan/quotas/allocate", Editors(200))
            .json(json!({"fiscal_year": "2018", "method": "equal", "over_assignment": ["100", "110"],
                "ramp": "25,50,75", "note": "the matrix allocates"})),
        Call::new(Method::GET, "/api/v1/plan/quotas/{year}", "/api/v1/plan/quotas/2018", SignedIn(200)),
        Call::new(Method::GET, "/api/v1/plan/quotas/sheets/{id}", sheet, PlanReaders(200)),
        Call::new(
            Method::PUT,
            "/api/v1/plan/quotas/sheets/{id}",
            sheet,
            Each([428, 428, 403, 404, 404, 428]),
        )
        .json(json!({"note": "the matrix"})),
        Call::new(
            Method::POST,
            "/api/v1/plan/quotas/sheets/{id}/submit",
            &format!("{sheet}/submit"),
            Each([200, 409, 403, 404, 404, 409]),
        )
        .json(json!({"reason": null})),
        Call::new(
            Method::POST,
            "/api/v1/plan/quotas/sheets/{id}/return",
            &format!("{sheet}/return"),
            Each([409, 403, 200, 404, 404, 409]),
        )
        .json(json!({"reason": "the matrix sends it back"})),
        Call::new(
            Method::POST,
            "/api/v1/plan/quotas/sheets/{id}/approve",
            &format!("{sheet}/approve"),
            Each([409, 409, 409, 404, 404, 409]),
        ),
    ]
}

/// The pay routes, against the demo's pay (2016-01 to 2017-12 closed, 2018-01 a draft), in
/// an order that leaves each call's month as the next one needs it.
fn pay_calls(rep: &str) -> Vec<Call> {
    use Access::*;
    let mut plans: Vec<Value> = attain_demo::plan_files(crate::support::as_of())
        .into_iter()
        .map(|(name, text)| json!({"name": name, "text": text}))
        .collect();
    // A plan nobody holds, which the admin can then remove (the comp admin finds it gone).
    let spare = plans.iter().find(|p| p["name"] == "se.toml").expect("se.toml")["text"]
        .as_str()
        .expect("its text")
        .replacen("id = \"se\"", "id = \"matrix_spare\"", 1);
    plans.push(json!({"name": "matrix-spare.toml", "text": spare}));
    let statement = format!("/api/v1/pay/statements/2017-06/{rep}");
    vec![
        Call::new(Method::GET, "/api/v1/pay/plans", "/api/v1/pay/plans", SignedIn(200)),
        Call::new(Method::PUT, "/api/v1/pay/plans", "/api/v1/pay/plans", Editors(200))
            .json(json!({"files": plans})),
        Call::new(
            Method::DELETE,
            "/api/v1/pay/plans/{name}",
            "/api/v1/pay/plans/matrix-spare.toml",
            PayManagersInTurn { first: 200, again: 404 },
        ),
        Call::new(Method::GET, "/api/v1/pay/runs", "/api/v1/pay/runs", RunReaders(200)),
        Call::new(Method::POST, "/api/v1/pay/runs", "/api/v1/pay/runs", Editors(201))
            .json(json!({"period": "2018-01"})),
        Call::new(
            Method::POST,
            "/api/v1/pay/periods/{period}/close",
            "/api/v1/pay/periods/2018-01/close",
            PayManagersInTurn { first: 200, again: 409 },
        )
        .json(json!({"before_month_end": true, "reason": "the matrix closes it early"})),
        Call::new(
            Method::POST,
            "/api/v1/pay/periods/{period}/reopen",
            "/api/v1/pay/periods/2018-01/reopen",
            PayManagersInTurn { first: 200, again: 409 },
        )
        .json(json!({"reason": "the matrix reopens it"})),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements",
            "/api/v1/pay/statements?period=2017-06",
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements",
            "/api/v1/pay/statements?period=2017-06&format=csv",
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements",
            "/api/v1/pay/statements?period=2017-06&format=xlsx",
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(Method::GET, "/api/v1/pay/statements/{period}/{person_id}", &statement, SignedIn(200))
            .scoped_pay(),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements/{period}/{person_id}",
            &format!("{statement}?format=csv"),
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements/{period}/{person_id}",
            &format!("{statement}?format=xlsx"),
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(
            Method::GET,
            "/api/v1/pay/statements/{period}/{person_id}/trace",
            &format!("{statement}/trace?plan=ae&component=commission"),
            SignedIn(200),
        )
        .scoped_pay(),
        Call::new(Method::GET, "/api/v1/pay/payroll", "/api/v1/pay/payroll?period=2017-06", Exporters(200)),
    ]
}

/// The callers: nobody, then each role with a token, and a spare token id of their own.
async fn callers(app: &TestApp) -> Vec<(Option<Role>, Api, String)> {
    let mut callers = vec![(None, Api::anonymous(app), "not-a-token".to_string())];
    for role in Role::ALL {
        let api = Api::as_role(app, role).await;
        let spare = api.post("/api/v1/tokens", json!({"name": "spare"})).await;
        spare.expect(201);
        let id = spare.json()["token"]["id"].as_str().expect("a token id").to_string();
        callers.push((Some(role), api, id));
    }
    callers
}

/// Whether the OpenAPI document lists `status` among the responses of the operation `call`
/// made at `path` (routes that serve the document itself are not in it).
fn documented(doc: &Value, call: &Call, path: &str, status: u16) -> bool {
    if call.route == "/api/openapi.json" || call.route == "/api/docs" {
        return true;
    }
    // `/api/v1/{resource}/{id}` called as `/api/v1/products/p-1` is `/api/v1/products/{id}`.
    let documented_path: Vec<&str> = call
        .route
        .split('/')
        .zip(path.split('/'))
        .map(|(route, actual)| if route == "{resource}" { actual } else { route })
        .collect();
    let operation = &doc["paths"][documented_path.join("/")][call.method().to_lowercase()];
    operation["responses"].get(status.to_string()).is_some()
}

/// The payees of the month the pay rows read, by id and name, with the ids a manager or rep
/// may see (the app's pay reach, whose team is checked in pay.rs).
struct PayAudience {
    payees: Vec<(String, String)>,
    totals: Vec<String>,
    reach: std::collections::HashMap<Role, std::collections::HashSet<String>>,
}

async fn pay_audience(app: &TestApp, admin: &Api) -> PayAudience {
    let view = admin.get("/api/v1/pay/statements?period=2017-06").await.expect(200).json();
    let payees = view["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| (s["person_id"].as_str().unwrap().to_string(), s["name"].as_str().unwrap().to_string()))
        .collect();
    let totals = view["run"]["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .map(|t| t["payout"].as_str().unwrap().to_string())
        .collect();
    let snapshot = app.app.snapshot();
    let june = snapshot.data.company[0].calendar.bounds(attain_core::Period::Month { year: 2017, month: 6 });
    let mut reach = std::collections::HashMap::new();
    for role in [Role::Manager, Role::Rep] {
        let actor =
            attain_app::Actor { person_id: Some(app.person_of(role)), role, ..attain_app::Actor::system() };
        reach.insert(
            role,
            (*attain_app::scope::pay_reach(&snapshot, &actor, &june).expect("a scoped reach")).clone(),
        );
    }
    PayAudience { payees, totals, reach }
}

/// What a manager's or rep's answer shows that is not theirs: another payee's id or name, or
/// the company's run (its totals and payee count).
fn leaks(audience: &PayAudience, role: Role, text: &str) -> Option<String> {
    let reach = &audience.reach[&role];
    for (id, name) in audience.payees.iter().filter(|(id, _)| !reach.contains(id)) {
        let quoted = [format!("\"{id}\""), format!("\"{name}\"")];
        if quoted.iter().any(|q| text.contains(q.as_str()))
            || text.lines().any(|l| l.starts_with(&format!("{id},")))
        {
            return Some(format!("shows {id} ({name}), outside the caller's scope"));
        }
    }
    for field in ["\"run\"", "\"totals\"", "\"payees\""] {
        if text.contains(field) {
            return Some(format!("has the company's {field}"));
        }
    }
    audience
        .totals
        .iter()
        .find(|t| text.contains(&format!("\"{t}\"")))
        .map(|t| format!("shows the company total {t}"))
}

/// A reply's body as text the leak check reads: a workbook's sheet names and cells each quoted
/// as JSON strings are (so an id or name in any cell is found), anything else as sent.
fn readable(reply: &crate::client::Reply) -> String {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let is_xlsx = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("spreadsheetml"));
    if !is_xlsx {
        return reply.text.clone();
    }
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(reply.bytes.clone())).expect("a workbook");
    let mut text = String::new();
    for name in book.sheet_names() {
        let _ = writeln!(text, "{}", json!(name));
        let range = book.worksheet_range(&name).expect("a sheet");
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| json!(c.to_string()).to_string()).collect();
            let _ = writeln!(text, "{}", cells.join(","));
        }
    }
    assert!(text.lines().count() > 2, "the workbook has rows: {text}");
    text
}

fn label(role: Option<Role>) -> &'static str {
    role.map_or("anonymous", Role::as_str)
}

on_both!(every_route_for_every_role);

async fn every_route_for_every_role(backend: Db) {
    let Some(app) = TestApp::spawn_with_pay(backend).await else { return };
    let callers = callers(&app).await;
    let admin = &callers[1].1;
    let product = admin.get("/api/v1/products?per_page=1").await.data()[0].clone();
    let rep = app.person_of(Role::Rep);
    let rep_seat = {
        let snapshot = app.app.snapshot();
        attain_core::domain::position_of(&snapshot.data.assignments, &rep, crate::support::as_of())
            .expect("the demo rep holds a seat")
            .to_string()
    };
    let calls = table(&product, &rep, &rep_seat);
    let audience = pay_audience(&app, admin).await;
    let doc = attain_web::openapi_document();

    let mut grid: Vec<Vec<(u16, u16, String)>> = Vec::new();
    for call in &calls {
        let mut row = Vec::new();
        for (role, api, spare) in &callers {
            let path = call.path.replace("{token}", spare);
            let headers: Vec<(&str, &str)> = call.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let reply = api.send(call.method.clone(), &path, call.body.clone(), &headers).await;
            let expected = call.access.expected(*role);
            let mut note = String::new();
            if reply.status != expected {
                note = reply.text.chars().take(120).collect();
            } else if reply.status == 401 || reply.status == 403 {
                // Refusals say why, in the one error shape.
                let code = reply.json()["error"]["code"].as_str().unwrap_or_default().to_string();
                let wanted = if reply.status == 401 { "unauthenticated" } else { "forbidden" };
                if code != wanted {
                    note = format!("code {code}, expected {wanted}");
                }
            }
            if note.is_empty()
                && call.scoped_pay
                && reply.status == 200
                && let Some(role @ (Role::Manager | Role::Rep)) = role
                && let Some(leak) = leaks(&audience, *role, &readable(&reply))
            {
                note = leak;
            }
            if note.is_empty() && !documented(&doc, call, &path, reply.status) {
                note = format!("status {} is not in the OpenAPI document", reply.status);
            }
            row.push((expected, reply.status, note));
        }
        grid.push(row);
    }

    let mut failures = Vec::new();
    for (call, row) in calls.iter().zip(&grid) {
        for ((role, ..), (expected, got, note)) in callers.iter().zip(row) {
            if !note.is_empty() {
                let who = label(*role);
                failures.push(format!(
                    "{} {} as {who}: expected {expected}, got {got} — {note}",
                    call.method, call.path
                ));
            }
        }
    }
    if !failures.is_empty() {
        let mut table = format!("{:<44}", "route");
        for (role, ..) in &callers {
            let _ = write!(table, " {:>10}", label(*role));
        }
        for (call, row) in calls.iter().zip(&grid) {
            let _ = write!(table, "\n{:<44}", format!("{} {}", call.method, call.path));
            for (expected, got, note) in row {
                let cell = if note.is_empty() { format!("{got}") } else { format!("{got}≠{expected}") };
                let _ = write!(table, " {cell:>10}");
            }
        }
        panic!(
            "{} cells of the endpoint × role matrix differ (a cell shows got≠expected):\n{table}\n\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
