//! CSV imports through the API: every row checked, bad rows reported by line and column, all
//! or nothing unless `skip_bad=true`, and the records readable right after.

use attain_app::Role;
use attain_testkit::Db;
use serde_json::Value;

use crate::client::{Api, Body};
use crate::on_both;
use crate::support::TestApp;

const HEADER: &str = "id,name,industry,country,region,size,revenue_currency,annual_revenue,employees,parent_id,territory_id,owner_id";

fn csv(rows: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

fn row(id: &str, name: &str, size: &str, territory: &str) -> String {
    format!("{id},{name},Software,US,East,{size},USD,1250000.50,42,,{territory},")
}

fn counts(report: &Value) -> (u64, u64, u64, u64) {
    let kind = &report["kinds"][0];
    assert_eq!(kind["kind"], "accounts");
    let n = |name: &str| kind[name].as_u64().unwrap_or_else(|| panic!("{name} in {report}"));
    (n("inserted"), n("updated"), n("unchanged"), n("skipped"))
}

on_both!(csv_imports_check_every_row);

async fn csv_imports_check_every_row(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let territory = app.app.snapshot().data.territories[0].id.clone();

    // One bad row (line 3: a size that is not a choice): refused whole, the row named.
    let file = csv(&[
        row("acc-imp-1", "Imported One", "small", &territory),
        row("acc-imp-2", "Imported Two", "gigantic", &territory),
        row("acc-imp-3", "Imported Three", "mid", &territory),
    ]);
    let refused = admin.post_csv("/api/v1/imports/accounts", &file).await;
    let body = refused.expect_error(422, "rejected_rows", Some("size"));
    let rows = body["error"]["rows"].as_array().expect("the bad rows");
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["line"], 3, "the header is line 1: {body}");
    assert_eq!(rows[0]["column"], "size");
    assert_eq!(rows[0]["value"], "gigantic");
    assert_eq!(rows[0]["file"], "accounts.csv");
    assert!(body["error"]["message"].as_str().unwrap().contains("nothing was written"));
    admin.get("/api/v1/accounts/acc-imp-1").await.expect(404);

    // Several problems: every one reported, in line order, under the file name given.
    let worse = csv(&[
        row("acc-imp-1", "Imported One", "small", "ter-nowhere"),
        row("acc-imp-2", "Imported Two", "gigantic", &territory),
        "acc-imp-4,,Software,US,East,small,USD,12.345,1,,,".to_string(),
    ]);
    let body = admin.post_csv("/api/v1/imports/accounts?file=mine.csv", &worse).await.expect_error(
        422,
        "rejected_rows",
        None,
    );
    let bad: Vec<(u64, String)> = body["error"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(bad.first(), Some(&(2, "territory_id".to_string())), "{body}");
    assert!(bad.contains(&(3, "size".to_string())), "{body}");
    assert!(bad.iter().any(|(line, _)| *line == 4), "{body}");
    assert!(body["error"]["rows"].as_array().unwrap().iter().all(|r| r["file"] == "mine.csv"));

    // skip_bad=true writes the good rows and lists the rest.
    let partial = admin.post_csv("/api/v1/imports/accounts?skip_bad=true", &file).await;
    let report = partial.expect(200).json();
    assert_eq!(counts(&report), (2, 0, 0, 1));
    let skipped = report["skipped_rows"].as_array().expect("skipped rows");
    assert_eq!(skipped.len(), 1);
    assert_eq!((skipped[0]["line"].as_u64(), skipped[0]["column"].as_str()), (Some(3), Some("size")));
    let one = admin.get("/api/v1/accounts/acc-imp-1").await.expect(200).json();
    assert_eq!(one["name"], "Imported One");
    assert_eq!(one["annual_revenue"], "1250000.50");
    assert_eq!(one["employees"], 42);
    assert_eq!(one["territory_id"], territory.as_str());
    admin.get("/api/v1/accounts/acc-imp-2").await.expect(404);
    admin.get("/api/v1/accounts/acc-imp-3").await.expect(200);

    // A good file: written; the same file again changes nothing; a changed row is an update.
    let good = csv(&[
        row("acc-imp-2", "Imported Two", "enterprise", &territory),
        row("acc-imp-3", "Imported Three", "mid", &territory),
    ]);
    assert_eq!(
        counts(&admin.post_csv("/api/v1/imports/accounts", &good).await.expect(200).json()),
        (1, 0, 1, 0)
    );
    assert_eq!(admin.get("/api/v1/accounts/acc-imp-2").await.json()["size"], "enterprise");
    // A preview says what an import would write and shows the rows as read; it stores nothing.
    let fresh = csv(&[row("acc-imp-9", "Previewed Nine", "small", &territory)]);
    let preview = admin.post_csv("/api/v1/imports/accounts?preview=true", &fresh).await.expect(200).json();
    assert_eq!((preview["preview"].clone(), counts(&preview)), (serde_json::json!(true), (1, 0, 0, 0)));
    assert_eq!(preview["sample"][0]["row"]["name"], "Previewed Nine", "{preview}");
    assert_eq!(preview["sample"][0]["line"], 2);
    admin.get("/api/v1/accounts/acc-imp-9").await.expect_error(404, "not_found", None);
    let bad = admin.post_csv("/api/v1/imports/accounts?preview=true", &file).await.expect(200).json();
    assert_eq!(bad["skipped_rows"].as_array().map(Vec::len), Some(1), "a preview lists bad rows: {bad}");
    admin.post_csv("/api/v1/imports/accounts?mapping=hubspot-deals", &fresh).await.expect_error(
        422,
        "invalid_mapping",
        Some("mapping"),
    );
    admin.post_csv("/api/v1/imports/accounts?mapping=sap", &fresh).await.expect_error(
        422,
        "invalid_mapping",
        Some("mapping"),
    );
    assert_eq!(
        counts(&admin.post_csv("/api/v1/imports/accounts", &good).await.expect(200).json()),
        (0, 0, 2, 0)
    );
    let edited = csv(&[row("acc-imp-3", "Imported Three Renamed", "mid", &territory)]);
    assert_eq!(
        counts(&admin.post_csv("/api/v1/imports/accounts", &edited).await.expect(200).json()),
        (0, 1, 0, 0)
    );
    let three = admin.get("/api/v1/accounts/acc-imp-3").await;
    assert_eq!(three.json()["name"], "Imported Three Renamed");
    // Lists see it at once (the read model is refreshed).
    assert_eq!(admin.get("/api/v1/accounts?q=Imported%20Three%20Renamed").await.total(), 1);
    // Byte-order mark and CRLF line endings, and a header in another order.
    let windows = "\u{feff}name,id\r\nCRLF Co,acc-imp-5\r\n";
    admin.post_csv("/api/v1/imports/accounts", windows).await.expect(200);
    assert_eq!(admin.get("/api/v1/accounts/acc-imp-5").await.json()["name"], "CRLF Co");

    // Each import is audited with its file and counts.
    let log = admin.get("/api/v1/audit?action=import.upload&per_page=50").await.json();
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "one entry per accepted import, none for refused ones: {log}");
    assert_eq!(entries[0]["entity"], "import");
    assert_eq!(entries[0]["entity_id"], "accounts.csv");
    assert_eq!(entries[0]["after"]["accounts"]["inserted"], 1);

    // Files that are not canonical CSV of the kind.
    for (text, what) in [
        ("", "an empty body"),
        ("id,name,colour\nacc-x,X,teal\n", "an unknown column"),
        ("name\nNo Id Co\n", "a missing key column"),
    ] {
        let reply = admin.post_csv("/api/v1/imports/accounts", text).await;
        assert_eq!(reply.status, 422, "{what}: {}", reply.text);
    }
    let binary = Body::Raw { content_type: Some("text/csv"), bytes: vec![0xff, 0xfe, 0x00, 0x41, 0x0a] };
    let reply = admin.send(reqwest::Method::POST, "/api/v1/imports/accounts", Some(binary), &[]).await;
    assert_eq!(reply.status, 422, "bytes that are not UTF-8 text: {}", reply.text);
    admin.post_csv("/api/v1/imports/accounts?skip_bad=maybe", &good).await.expect_error(
        400,
        "invalid",
        Some("skip_bad"),
    );
    // Uploads may be larger than JSON bodies (64 MiB against 1 MiB).
    let industry = "i".repeat(100);
    let rows: String = (0..11_000).map(|i| format!("acc-imp-big-{i},Big Co {i},{industry}\n")).collect();
    let big = format!("id,name,industry\n{rows}");
    assert!(big.len() > 1024 * 1024);
    let report = admin.post_csv("/api/v1/imports/accounts", &big).await.expect(200).json();
    assert_eq!(report["kinds"][0]["inserted"], 11_000, "{report}");

    // Versioned records: a position with two versions answers with both, oldest first; one
    // with a single version has the same shape.
    let positions = "id,valid_from,valid_to,title,role,region,reports_to\n\
        pos-imp,2017-07-01,,Account Executive,rep,East,pos-vp\n\
        pos-imp,2017-01-01,2017-07-01,Account Executive,rep,East,pos-east-mgr\n";
    let report = admin.post_csv("/api/v1/imports/positions", positions).await.expect(200).json();
    assert_eq!(report["kinds"][0]["inserted"], 2, "{report}");
    let versions = admin.get("/api/v1/positions/pos-imp").await.expect(200).json();
    let froms: Vec<&str> =
        versions["versions"].as_array().unwrap().iter().map(|v| v["valid_from"].as_str().unwrap()).collect();
    assert_eq!(froms, ["2017-01-01", "2017-07-01"]);
    let single = admin.get("/api/v1/positions/pos-vp").await.expect(200).json();
    assert_eq!(single["versions"].as_array().map(Vec::len), Some(1), "{single}");
    let overlapping = "id,valid_from,valid_to,title,role\npos-imp,2017-03-01,,Overlap,rep\n";
    admin.post_csv("/api/v1/imports/positions", overlapping).await.expect_error(422, "rejected_rows", None);

    // Only data editors import.
    for role in [Role::Rep, Role::Manager, Role::Finance, Role::Executive] {
        let api = Api::as_role(&app, role).await;
        api.post_csv("/api/v1/imports/accounts", &good).await.expect_error(403, "forbidden", None);
    }
    Api::as_role(&app, Role::CompAdmin).await.post_csv("/api/v1/imports/accounts", &good).await.expect(200);
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook whose sheet `sheet` holds the accounts' header and `rows` (cells that read as
/// numbers written as numbers, as a spreadsheet holds them).
fn workbook(sheet: &str, rows: &[String]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let page = book.add_worksheet();
    page.set_name(sheet).expect("a sheet name");
    for (r, line) in std::iter::once(HEADER).chain(rows.iter().map(String::as_str)).enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) => page.write(r, c, n),
                Err(_) => page.write(r, c, cell),
            }
            .expect("a cell");
        }
    }
    book.save_to_buffer().expect("a workbook")
}

on_both!(spreadsheet_imports_name_the_sheet_row_and_column);

async fn spreadsheet_imports_name_the_sheet_row_and_column(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let admin = Api::as_role(&app, Role::Admin).await;
    let territory = app.app.snapshot().data.territories[0].id.clone();
    let xlsx = |bytes: Vec<u8>| Body::Raw { content_type: Some(XLSX), bytes };

    // A text cell in the revenue column (row 3 of the sheet): refused whole, the place named.
    let bad = row("acc-xl-2", "Sheet Two", "mid", &territory).replace("1250000.50", "lots");
    let refused = admin
        .send(
            reqwest::Method::POST,
            "/api/v1/imports/accounts?file=Q1%20accounts.xlsx",
            Some(xlsx(workbook("Accounts", &[row("acc-xl-1", "Sheet One", "small", &territory), bad]))),
            &[],
        )
        .await;
    let body = refused.expect_error(422, "rejected_rows", Some("annual_revenue"));
    let rows = body["error"]["rows"].as_array().expect("the bad rows");
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["file"], "Q1 accounts.xlsx, sheet Accounts", "{body}");
    assert_eq!(rows[0]["line"], 3, "the sheet's own row number: {body}");
    assert_eq!(rows[0]["value"], "lots");
    admin.get("/api/v1/accounts/acc-xl-1").await.expect(404);

    // Named only by its content type; numbers typed into cells read exactly.
    let good = workbook("Sheet1", &[row("acc-xl-1", "Sheet One", "small", &territory)]);
    let report = admin
        .send(reqwest::Method::POST, "/api/v1/imports/accounts", Some(xlsx(good)), &[])
        .await
        .expect(200)
        .json();
    assert_eq!(counts(&report), (1, 0, 0, 0));
    let one = admin.get("/api/v1/accounts/acc-xl-1").await.expect(200).json();
    assert_eq!(
        (one["name"].as_str(), one["annual_revenue"].as_str()),
        (Some("Sheet One"), Some("1250000.50"))
    );
    assert_eq!(one["employees"], 42);
}
