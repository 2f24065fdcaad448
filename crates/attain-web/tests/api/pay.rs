//! Pay over HTTP against the demo's pay (plans stored, 2016-01 to 2017-12 run and closed,
//! 2018-01 a draft): what each role may read and do, scope on statements and traces, the
//! statement and payroll files, and the run → close → reopen rules with their 409s (plan files:
//! `pay_plans`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use attain_app::Role;
use attain_testkit::Db;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Api, Auth, Body, Reply};
use crate::on_both;
use crate::support::TestApp;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MONTH: &str = "2017-06";

/// The records of a CSV text (quoted fields may hold commas, quotes and newlines).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Cent amounts of exact decimal text (`-12.5` → -1250), so sums are exact.
fn cents(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let negative = whole.starts_with('-');
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap_or_else(|_| panic!("an amount: {text}"));
    let fraction = format!("{fraction:0<2}");
    assert!(fraction.len() == 2 || fraction[2..].chars().all(|c| c == '0'), "{text} has more than cents");
    let fraction: i64 = fraction[..2].parse().unwrap();
    let value = whole * 100 + fraction;
    if negative { -value } else { value }
}

/// Every cell of a worksheet as text.
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    book.sheet_names()
}

/// The person ids of a statement list answer.
fn payees(reply: &Reply) -> BTreeSet<String> {
    reply.json()["statements"]
        .as_array()
        .unwrap_or_else(|| panic!("no statements: {}", reply.text))
        .iter()
        .map(|s| s["person_id"].as_str().expect("a person id").to_string())
        .collect()
}

/// A downloaded file: its content type, that it is an attachment, and its name's extension.
#[track_caller]
fn expect_file(reply: &Reply, content_type: &str, extension: &str) {
    reply.expect(200);
    let got = reply.header("content-type").unwrap_or_default();
    assert!(got.starts_with(content_type), "{}: content type {got}", reply.path);
    let disposition = reply.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(&format!(".{extension}\"")),
        "{}: {disposition}",
        reply.path
    );
}

/// The members of `answer` are exactly the properties of the OpenAPI schema `schema` (less
/// `optional` ones it may leave out), so the document cannot drift from what the server says.
#[track_caller]
pub(crate) fn conforms(schema: &str, answer: &Value, optional: &[&str]) {
    let doc = attain_web::openapi_document();
    let documented: BTreeSet<&str> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("a schema {schema}"))
        .keys()
        .map(String::as_str)
        .collect();
    let sent: BTreeSet<&str> = answer.as_object().expect("an object").keys().map(String::as_str).collect();
    let undocumented: Vec<_> = sent.difference(&documented).collect();
    let absent: Vec<_> = documented.difference(&sent).filter(|k| !optional.contains(k)).collect();
    assert!(
        undocumented.is_empty() && absent.is_empty(),
        "{schema}: sent but not documented {undocumented:?}; documented but not sent {absent:?}"
    );
}

on_both!(pay_reads_follow_role_and_scope);

async fn pay_reads_follow_role_and_scope(backend: Db) {
    let Some(app) = TestApp::spawn_with_pay(backend).await else { return };
    let rep_id = app.person_of(Role::Rep);
    let manager_id = app.person_of(Role::Manager);
    let mut api = BTreeMap::new();
    for role in Role::ALL {
        api.insert(role.as_str(), Api::as_role(&app, role).await);
    }
    let list = format!("/api/v1/pay/statements?period={MONTH}");

    // Statements within scope: everyone else in the company for the whole-company roles, the
    // team for the manager, only themselves for the rep.
    let all = api["comp_admin"].get(&list).await;
    all.expect(200);
    let everyone = payees(&all);
    assert_eq!(all.json()["run"]["period"], MONTH);
    assert_eq!(all.json()["run"]["status"], "closed");
    assert_eq!(
        everyone.len() as u64,
        all.json()["run"]["payees"].as_u64().unwrap(),
        "all of the run's payees"
    );
    for role in ["admin", "finance", "executive"] {
        assert_eq!(payees(api[role].get(&list).await.expect(200)), everyone, "{role} sees every payee");
    }
    let team = payees(api["manager"].get(&list).await.expect(200));
    assert!(team.contains(&manager_id) && team.contains(&rep_id), "the manager's team: {team:?}");
    assert!(team.len() < everyone.len() && team.is_subset(&everyone), "{team:?} within {everyone:?}");
    let own = payees(api["rep"].get(&list).await.expect(200));
    assert_eq!(own, BTreeSet::from([rep_id.clone()]), "the rep sees one statement, their own");

    // What a rep's or a manager's answer holds, byte for byte: their statements and the
    // month's status; no other payee's id, name or amount, and none of the company's totals.
    let names: BTreeMap<String, String> = all.json()["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["person_id"].as_str().unwrap().into(), s["name"].as_str().unwrap().into()))
        .collect();
    let company_totals: Vec<String> = all.json()["run"]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["payout"].as_str().unwrap().to_string())
        .collect();
    assert!(!company_totals.is_empty());
    for (role, seen) in [("rep", &own), ("manager", &team)] {
        for path in
            [list.clone(), format!("{list}&format=csv"), format!("/api/v1/pay/statements/{MONTH}/{rep_id}")]
        {
            let reply = api[role].get(&path).await;
            reply.expect(200);
            let body = &reply.text;
            for (person, name) in names.iter().filter(|(p, _)| !seen.contains(*p)) {
                assert!(
                    !body.contains(&format!("\"{person}\"")) && !body.contains(&format!("{person},")),
                    "{role}: {path} holds {person}, outside their scope"
                );
                assert!(!body.contains(&format!("\"{name}\"")), "{role}: {path} names {name}");
            }
            for total in &company_totals {
                assert!(
                    !body.contains(&format!("\"{total}\"")),
                    "{role}: {path} shows the company total {total}"
                );
            }
            for field in ["\"run\"", "\"totals\"", "\"payees\"", "\"input_hash\"", "\"created_by\""] {
                assert!(!body.contains(field), "{role}: {path} carries {field}: {body:.300}");
            }
        }
        let json = api[role].get(&list).await.json();
        assert_eq!(json["month"]["period"], MONTH, "{role} still learns the month's status");
        assert_eq!(json["month"]["status"], "closed");
    }

    // One statement: the rep's own opens, another's looks exactly like a missing one.
    let mine = api["rep"].get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}")).await;
    mine.expect(200);
    assert_eq!(mine.json()["statement"]["person_id"], rep_id.as_str());
    assert_eq!(mine.json()["month"]["period"], MONTH);
    assert_eq!(mine.json()["month"]["status"], "closed");
    assert!(mine.json().get("run").is_none(), "one statement never carries the run: {}", mine.text);
    let missing = api["rep"].get(&format!("/api/v1/pay/statements/{MONTH}/no-such-person")).await;
    missing.expect_error(404, "not_found", None);
    let outsider = everyone.iter().find(|p| !team.contains(*p)).expect("a payee outside the team").clone();
    for (role, person) in [("rep", &manager_id), ("rep", &outsider), ("manager", &outsider)] {
        for suffix in ["", "/trace?plan=ae&component=commission", "?format=csv"] {
            let path = format!("/api/v1/pay/statements/{MONTH}/{person}{suffix}");
            let reply = api[role].get(&path).await;
            assert_eq!((reply.status, &reply.text), (404, &missing.text), "{role}: {path} must look missing");
        }
    }
    for role in ["manager", "admin", "executive"] {
        api[role].get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}")).await.expect(200);
    }

    // What only some roles may do.
    for role in Role::ALL {
        let runs = api[role.as_str()].get("/api/v1/pay/runs").await;
        let payroll = api[role.as_str()].get(&format!("/api/v1/pay/payroll?period={MONTH}")).await;
        match role {
            Role::Manager | Role::Rep => {
                runs.expect_error(403, "forbidden", None);
            }
            _ => {
                let listed = runs.expect(200).json();
                let months: Vec<&str> =
                    listed.as_array().unwrap().iter().map(|r| r["period"].as_str().unwrap()).collect();
                assert_eq!(months.first(), Some(&"2018-01"), "newest month first");
                assert_eq!(months.len(), 25, "2016-01 to 2018-01, one run each");
            }
        }
        match role {
            Role::Admin | Role::CompAdmin | Role::Finance => {
                expect_file(&payroll, "text/csv", "csv");
            }
            _ => {
                payroll.expect_error(403, "forbidden", None);
            }
        }
    }

    // A commission line's trace lists the credited transactions that make its measure.
    let statement = mine.json()["statement"].clone();
    let line = statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "component" && l["component"] == "commission")
        .expect("a commission line")
        .clone();
    let trace = api["rep"]
        .get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}/trace?plan=ae&component=commission"))
        .await;
    let trace = trace.expect(200).json();
    let credits = trace["credits"].as_array().expect("credits");
    assert!(!credits.is_empty(), "the commission's trace lists credits: {trace}");
    for c in credits {
        for field in ["transaction", "date", "kind", "amount", "share", "why", "value", "counted"] {
            assert!(!c[field].is_null(), "a credit has {field}: {c}");
        }
    }
    let counted: i64 = credits
        .iter()
        .filter(|c| c["counted"] == "in the measure")
        .map(|c| cents(c["value"].as_str().unwrap()))
        .sum();
    assert_eq!(counted, cents(trace["measure_total"].as_str().unwrap()), "the credits add up to the measure");
    assert_eq!(trace["measure_total"], line["measure"], "the trace explains the line's measure");
    assert_eq!(trace["plan"].as_str().unwrap().split('@').next(), Some("ae"));
    conforms("Trace", &trace, &[]);
    conforms("CompanyStatements", &all.json(), &[]);
    conforms("MonthStatus", &all.json()["month"], &[]);
    conforms("TeamStatements", &api["manager"].get(&list).await.json(), &[]);
    conforms("TeamStatements", &api["rep"].get(&list).await.json(), &[]);
    conforms("Statement", &statement, &[]);
    conforms("StatementLine", &line, &["of_period"]);
    conforms("Run", &all.json()["run"], &[]);
    let plans = api["rep"].get("/api/v1/pay/plans").await.expect(200).json();
    conforms("PlanFile", &plans[0], &[]);
    conforms("PlanSummary", &plans[0]["plan"], &[]);
    api["rep"]
        .get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}/trace?plan=ae&component=no_such"))
        .await
        .expect_error(404, "not_found", None);
    api["rep"].get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}/trace?plan=ae")).await.expect_error(
        400,
        "invalid",
        Some("component"),
    );

    files(&api["comp_admin"], &api["rep"], &rep_id, &all.json()).await;

    // Malformed months and formats are the request's fault; a month never run is not found.
    let admin = &api["admin"];
    admin.get("/api/v1/pay/statements?period=2017-13").await.expect_error(400, "invalid", Some("period"));
    admin.get("/api/v1/pay/statements?period=2017-Q2").await.expect_error(400, "invalid", Some("period"));
    admin.get("/api/v1/pay/statements").await.expect_error(400, "invalid", Some("period"));
    admin.get(&format!("{list}&format=pdf")).await.expect_error(400, "invalid", Some("format"));
    admin.get("/api/v1/pay/statements?period=2019-01").await.expect_error(404, "not_found", None);
    admin.get(&format!("/api/v1/pay/statements/June/{rep_id}")).await.expect_error(
        400,
        "invalid",
        Some("period"),
    );
    admin.get("/api/v1/pay/payroll?period=2019-01").await.expect_error(404, "not_found", None);
    let anonymous = Api::anonymous(&app);
    anonymous.get(&list).await.expect_error(401, "unauthenticated", None);

    pages(&app, &team, &outsider).await;
}

/// The Pay pages of the UI answer with the same scope as the API.
async fn pages(app: &TestApp, team: &BTreeSet<String>, outsider: &str) {
    let rep_id = app.person_of(Role::Rep);
    let manager_id = app.person_of(Role::Manager);
    let rep = Api::session(app, Role::Rep).await;
    let manager = Api::session(app, Role::Manager).await;
    let finance = Api::session(app, Role::Finance).await;
    let comp_admin = Api::session(app, Role::CompAdmin).await;

    // A rep goes straight to their own statement; another's is not found, as are its lines.
    let newest = rep.get("/pay/statements").await;
    newest.expect(303);
    assert_eq!(newest.header("location"), Some(format!("/pay/statements/2018-01/{rep_id}")));
    let june = rep.get(&format!("/pay/statements?period={MONTH}")).await;
    assert_eq!(june.expect(303).header("location"), Some(format!("/pay/statements/{MONTH}/{rep_id}")));
    let own = rep.get(&format!("/pay/statements/{MONTH}/{rep_id}")).await;
    assert!(own.expect(200).text.contains("Closed (final)"), "the statement says it is final");
    let explain =
        rep.get(&format!("/pay/statements/{MONTH}/{rep_id}/explain?plan=ae&component=commission")).await;
    assert!(explain.expect(200).text.contains("Credited transactions"));
    for path in [
        format!("/pay/statements/{MONTH}/{manager_id}"),
        format!("/pay/statements/{MONTH}/{manager_id}/explain?plan=manager&component=override"),
        format!("/pay/statements/{MONTH}/{outsider}"),
    ] {
        rep.get(&path).await.expect(404);
    }
    rep.get("/pay/statements?period=2017-13").await.expect(400);
    rep.get("/pay/runs").await.expect(403);
    assert!(
        !rep.get("/pay/plans").await.expect(200).text.contains("plans-form"),
        "a rep cannot upload plans"
    );

    // A manager lists their team; runs are not theirs to see.
    let listed = manager.get(&format!("/pay/statements?period={MONTH}")).await;
    let html = &listed.expect(200).text;
    for person in team {
        assert!(html.contains(&format!("/pay/statements/{MONTH}/{person}\"")), "{person} is listed");
    }
    assert!(!html.contains(&format!("/pay/statements/{MONTH}/{outsider}\"")), "{outsider} is not listed");
    assert!(!html.contains("/api/v1/pay/payroll"), "a manager does not export payroll");
    manager.get(&format!("/pay/statements/{MONTH}/{outsider}")).await.expect(404);
    manager.get("/pay/runs").await.expect(403);

    // Finance sees runs and exports payroll, but does not run months.
    let runs = finance.get("/pay/runs").await;
    assert!(!runs.expect(200).text.contains("run-form"), "finance does not run months");
    let listed = finance.get(&format!("/pay/statements?period={MONTH}")).await;
    assert!(listed.expect(200).text.contains(&format!("/api/v1/pay/payroll?period={MONTH}")));
    assert!(comp_admin.get("/pay/runs").await.expect(200).text.contains("run-form"));

    // Closing starts at a confirmation page naming the month, its version and total; January
    // has not ended, so the page asks for the override and its reason.
    let runs = comp_admin.get("/pay/runs").await;
    assert!(
        runs.text.contains("href=\"/pay/periods/2018-01/close\""),
        "the runs page links to the confirmation"
    );
    assert!(!runs.text.contains("action=\"/pay/periods/2018-01/close\""), "no one-click close");
    let confirm = comp_admin.get("/pay/periods/2018-01/close").await;
    let html = &confirm.expect(200).text;
    assert!(html.contains("Close January 2018?") && html.contains(" USD"), "{html}");
    assert!(html.contains("has not ended") && html.contains("name=\"before_month_end\""), "{html}");
    assert!(html.contains("name=\"version\" value=\"1\""), "the confirmed version is carried");
    finance.get("/pay/periods/2018-01/close").await.expect(403);
    // A post without the confirmation shows the confirmation; nothing closes.
    let Auth::Session { csrf, .. } = &comp_admin.auth else { panic!("a browser session") };
    let form = |fields: &str| Body::Raw {
        content_type: Some("application/x-www-form-urlencoded"),
        bytes: format!("_csrf={csrf}{fields}").into_bytes(),
    };
    let unconfirmed = comp_admin.send(Method::POST, "/pay/periods/2018-01/close", Some(form("")), &[]).await;
    assert!(unconfirmed.expect(200).text.contains("Close January 2018?"));
    let no_override = comp_admin
        .send(Method::POST, "/pay/periods/2018-01/close", Some(form("&confirm=yes&version=1")), &[])
        .await;
    assert!(no_override.expect(409).text.contains("has not ended"), "{}", no_override.text);
    let view = comp_admin.get("/api/v1/pay/statements?period=2018-01").await.expect(200).json();
    assert_eq!(view["month"]["status"], "draft", "nothing was closed");
}

/// The statement CSV and workbook, a single statement's workbook with its traces, and the
/// payroll file, checked against the JSON statements.
async fn files(comp_admin: &Api, rep: &Api, rep_id: &str, view: &Value) {
    let payouts: BTreeMap<String, i64> = view["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["person_id"].as_str().unwrap().to_string(), cents(s["payout"].as_str().unwrap())))
        .collect();

    let csv = comp_admin.get(&format!("/api/v1/pay/statements?period={MONTH}&format=csv")).await;
    expect_file(&csv, "text/csv", "csv");
    let records = csv_records(&csv.text);
    assert_eq!(records[0][..3], ["payee_id", "period", "row"], "{:?}", records[0]);
    let column = |name: &str| records[0].iter().position(|c| c == name).expect(name);
    let (row, amount) = (column("row"), column("amount"));
    let mut lines: BTreeMap<&str, i64> = BTreeMap::new();
    let mut stated: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &records[1..] {
        match r[row].as_str() {
            "line" => *lines.entry(&r[0]).or_default() += cents(&r[amount]),
            "payout" => {
                stated.insert(&r[0], cents(&r[amount]));
            }
            _ => {}
        }
    }
    assert_eq!(stated.len(), payouts.len(), "one payout row per statement");
    for (person, payout) in &stated {
        assert_eq!(lines.get(person).copied().unwrap_or(0), *payout, "{person}'s lines sum to the payout");
        assert_eq!(payouts[*person], *payout, "{person}'s CSV payout is the statement's");
    }
    assert!(payouts.values().any(|p| *p != 0), "some payout is not zero, so the sums mean something");

    let xlsx = comp_admin.get(&format!("/api/v1/pay/statements?period={MONTH}&format=xlsx")).await;
    expect_file(&xlsx, XLSX, "xlsx");
    let names = sheet_names(&xlsx.bytes);
    assert_eq!(names[0], "Summary");
    assert_eq!(names.len(), payouts.len() + 1, "a summary and one sheet per statement: {names:?}");

    // A single statement's workbook carries the trace of each of its components.
    let one = rep.get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}?format=xlsx")).await;
    expect_file(&one, XLSX, "xlsx");
    let cells: Vec<String> = sheet(&one.bytes, rep_id).into_iter().flatten().collect();
    assert!(cells.iter().any(|c| c == "How each number was made"), "the traces: {cells:?}");
    for component in ["ae@2 / commission", "ae@2 / quarter_bonus"] {
        assert!(cells.iter().any(|c| c == component), "{component} is traced: {cells:?}");
    }
    assert!(cells.iter().any(|c| c.starts_with("t-")), "credited transactions are listed");
    let own_csv = rep.get(&format!("/api/v1/pay/statements/{MONTH}/{rep_id}?format=csv")).await;
    expect_file(&own_csv, "text/csv", "csv");
    assert!(csv_records(&own_csv.text)[1..].iter().all(|r| r[0] == rep_id), "only the rep's statement");

    let payroll = comp_admin.get(&format!("/api/v1/pay/payroll?period={MONTH}")).await;
    expect_file(&payroll, "text/csv", "csv");
    let rows = csv_records(&payroll.text);
    assert_eq!(rows[0], ["payee_id", "name", "currency", "amount", "period"]);
    assert_eq!(rows.len() - 1, payouts.len(), "one row per payee");
    for r in &rows[1..] {
        assert_eq!(cents(&r[3]), payouts[&r[0]], "{}'s payroll amount", r[0]);
        assert_eq!(r[4], MONTH);
    }
}

on_both!(a_month_runs_closes_and_reopens_in_order);

async fn a_month_runs_closes_and_reopens_in_order(backend: Db) {
    let Some(app) = TestApp::spawn_with_pay(backend).await else { return };
    let comp_admin = Api::as_role(&app, Role::CompAdmin).await;
    let run = |period: &str| json!({ "period": period });

    // Running the open month again makes a new draft and supersedes the old one.
    let outcome = comp_admin.post("/api/v1/pay/runs", run("2018-01")).await;
    let outcome = outcome.expect(201).json();
    assert_eq!(outcome["run"]["version"], 2);
    assert_eq!(outcome["run"]["status"], "draft");
    assert_eq!(outcome["previous"]["version"], 1);
    assert_eq!(outcome["changed_payees"], 0, "nothing changed since the first run: {outcome}");
    assert_eq!(outcome["run"]["created_by"], "compadmin");
    conforms("RunOutcome", &outcome, &[]);
    let runs = comp_admin.get("/api/v1/pay/runs").await.expect(200).json();
    let january: Vec<(i64, &str)> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["period"] == "2018-01")
        .map(|r| (r["version"].as_i64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        january.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from([(1, "superseded"), (2, "draft")])
    );

    // Months run and close in order.
    comp_admin.post("/api/v1/pay/runs", run("2018-03")).await.expect_error(409, "conflict", None);
    comp_admin.post("/api/v1/pay/runs", run("2018-13")).await.expect_error(400, "invalid", Some("period"));
    comp_admin.post("/api/v1/pay/runs", json!({})).await.expect_error(400, "invalid", Some("period"));
    // January has not ended (the demo's today is 2018-01-15): closing it needs the override.
    let early = comp_admin.post("/api/v1/pay/periods/2018-01/close", json!({})).await;
    let message = early.expect_error(409, "conflict", None)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("2018-01 has not ended") && message.contains("2018-02-01"), "{message}");
    comp_admin
        .post("/api/v1/pay/periods/2018-01/close", json!({"before_month_end": true}))
        .await
        .expect_error(422, "invalid", Some("reason"));
    comp_admin
        .post(
            "/api/v1/pay/periods/2018-01/close",
            json!({"before_month_end": true, "reason": "x", "version": 1}),
        )
        .await
        .expect_error(409, "conflict", None);
    let early = json!({"before_month_end": true, "reason": "payroll cut-off", "version": 2});
    let closed = comp_admin.post("/api/v1/pay/periods/2018-01/close", early.clone()).await;
    let closed = closed.expect(200).json();
    assert_eq!((closed["status"].as_str(), closed["version"].as_i64()), (Some("closed"), Some(2)));
    assert_eq!(closed["closed_by"], "compadmin");
    let twice = comp_admin.post("/api/v1/pay/periods/2018-01/close", early.clone()).await;
    let message = twice.expect_error(409, "conflict", None)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("already closed"), "{message}");
    let again = comp_admin.post("/api/v1/pay/runs", run("2018-01")).await;
    let message = again.expect_error(409, "conflict", None)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("closed"), "{message}");
    comp_admin.post("/api/v1/pay/periods/2018-02/close", json!({})).await.expect_error(409, "conflict", None);

    // Only the last closed month reopens, and only with a reason.
    let earlier = comp_admin.post("/api/v1/pay/periods/2017-12/reopen", json!({"reason": "late deal"})).await;
    let message =
        earlier.expect_error(409, "conflict", None)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("2018-01"), "names the later closed month: {message}");
    comp_admin.post("/api/v1/pay/periods/2018-01/reopen", json!({"reason": "  "})).await.expect_error(
        422,
        "invalid",
        Some("reason"),
    );
    comp_admin.post("/api/v1/pay/periods/2018-01/reopen", json!({})).await.expect_error(
        400,
        "invalid",
        Some("reason"),
    );
    for role in [Role::Rep, Role::Manager, Role::Finance, Role::Executive] {
        let other = Api::as_role(&app, role).await;
        other.post("/api/v1/pay/runs", run("2018-01")).await.expect_error(403, "forbidden", None);
        other.post("/api/v1/pay/periods/2018-01/close", json!({})).await.expect_error(403, "forbidden", None);
        other.post("/api/v1/pay/periods/2018-01/reopen", json!({"reason": "mine"})).await.expect_error(
            403,
            "forbidden",
            None,
        );
    }
    let reopened =
        comp_admin.post("/api/v1/pay/periods/2018-01/reopen", json!({"reason": "late deal"})).await;
    let reopened = reopened.expect(200).json();
    assert_eq!(reopened["status"], "reopened");
    assert_eq!(reopened["reopen_reason"], "late deal");
    comp_admin
        .post("/api/v1/pay/periods/2018-01/reopen", json!({"reason": "again"}))
        .await
        .expect_error(409, "conflict", None);

    // The reopened month runs again as a new version, which the statements then come from.
    let third = comp_admin.post("/api/v1/pay/runs", run("2018-01")).await.expect(201).json();
    assert_eq!(third["run"]["version"], 3);
    assert_eq!(third["previous"]["status"], "reopened");
    let view = comp_admin.get("/api/v1/pay/statements?period=2018-01").await.expect(200).json();
    assert_eq!((view["run"]["version"].as_i64(), view["run"]["status"].as_str()), (Some(3), Some("draft")));

    // A browser session must send its CSRF token with every write.
    let session = Api::session(&app, Role::CompAdmin).await;
    let refused = session.without_csrf().post("/api/v1/pay/periods/2018-01/close", early.clone()).await;
    refused.expect_error(403, "csrf", Some("X-CSRF-Token"));
    session.without_csrf().post("/api/v1/pay/runs", run("2018-01")).await.expect_error(403, "csrf", None);
    let view = comp_admin.get("/api/v1/pay/statements?period=2018-01").await.expect(200).json();
    assert_eq!(view["run"]["status"], "draft", "the refused close changed nothing");
    let early = json!({"before_month_end": true, "reason": "payroll cut-off"});
    let done = session.post("/api/v1/pay/periods/2018-01/close", early).await.expect(200).json();
    assert_eq!((done["status"].as_str(), done["version"].as_i64()), (Some("closed"), Some(3)));
}
