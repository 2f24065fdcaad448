//! Uploading a CSV through the import page: a bad row stops the whole file and is reported by
//! line, column and reason; with "skip bad rows" the good row is written. A file in another
//! layout is read through the uploader's own mapping, previewed in place, then imported.

use std::path::PathBuf;

use attain_app::Role;
use attain_core::Kind;
use attain_testkit::Db;
use attain_testkit::browser;

use super::support::TestApp;
use super::{Outcome, sign_in, texts};

const GOOD_NAME: &str = "Browser Test Lumber";

/// A canonical accounts file: the header from the record spec, a good row on line 2 and, on
/// line 3, a row whose size is not one of the choices.
fn accounts_csv() -> String {
    let header: Vec<&str> = Kind::Accounts.spec().columns.iter().map(|c| c.name).collect();
    let row = |id: &str, name: &str, size: &str| -> String {
        header
            .iter()
            .map(|&column| match column {
                "id" => id,
                "name" => name,
                "size" => size,
                "country" => "US",
                _ => "",
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{}\n{}\n{}\n",
        header.join(","),
        row("acct-browser-good", GOOD_NAME, "small"),
        row("acct-browser-bad", "Browser Test Giants", "gigantic"),
    )
}

/// The rows of the import's error table as (line, column, value, problem).
async fn error_rows(b: &browser::Browser) -> Result<Vec<Vec<String>>, browser::BoxError> {
    let cells = texts(b, "#import-errors tbody td").await?;
    Ok(cells.chunks(5).map(|r| r[1..].to_vec()).collect())
}

async fn upload(b: &browser::Browser, file: &std::path::Path, skip_bad: bool) -> Outcome {
    b.goto("/import").await?;
    b.wait_for("#kind").await?.select_by_value("accounts").await?;
    b.upload_file("#file", file).await?;
    if skip_bad {
        b.click("input[name=skip_bad]").await?;
    }
    b.click("#run-import").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_with_a_bad_row_is_refused_with_the_error_then_imported_skipping_it() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-import-{}", app.addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("accounts.csv");
    std::fs::write(&file, accounts_csv()).unwrap();

    browser::run("a_csv_with_a_bad_row_is_refused_with_the_error_then_imported_skipping_it", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;

        upload(b, &file, false).await?;
        let heading = b.text_of("#import-result.problem h2").await?;
        assert!(heading.starts_with("Nothing was imported"), "{heading}");
        let errors = error_rows(b).await?;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0][0], "3", "the bad row's line: {errors:?}");
        assert_eq!(errors[0][1], "size", "the bad row's column: {errors:?}");
        assert_eq!(errors[0][2], "gigantic", "the bad value: {errors:?}");
        assert!(errors[0][3].contains("small"), "the reason names the choices: {errors:?}");
        b.goto(&format!("/accounts?q={}", GOOD_NAME.replace(' ', "+"))).await?;
        assert_eq!(b.text_of(".count").await?, "No records", "nothing was written");

        upload(b, &file, true).await?;
        let heading = b.text_of("#import-result.highlight h2").await?;
        assert_eq!(heading, "Imported the good rows of accounts.csv; 1 bad row was skipped");
        // Kind, rows, new, updated, unchanged, skipped.
        let counts = texts(b, "#import-result table:not(#import-errors) tbody td").await?;
        assert_eq!(counts, ["accounts", "2", "1", "0", "0", "1"]);
        let errors = error_rows(b).await?;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!((errors[0][0].as_str(), errors[0][1].as_str()), ("3", "size"));

        b.goto(&format!("/accounts?q={}", GOOD_NAME.replace(' ', "+"))).await?;
        assert_eq!(texts(b, "#results tbody td:first-child").await?, [GOOD_NAME]);
        Ok(())
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spreadsheet_uploads_like_its_csv_and_its_errors_name_the_sheet() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-xlsx-{}", app.addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    // The CSV's cells on a sheet named Accounts, beside a notes sheet.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Notes").unwrap().write(0, 0, "for the import").unwrap();
    let sheet = book.add_worksheet().set_name("Accounts").unwrap();
    for (r, line) in accounts_csv().lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write(r as u32, c as u16, cell).unwrap();
        }
    }
    let file = dir.join("accounts.xlsx");
    std::fs::write(&file, book.save_to_buffer().unwrap()).unwrap();

    browser::run("a_spreadsheet_uploads_like_its_csv_and_its_errors_name_the_sheet", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        upload(b, &file, false).await?;
        let heading = b.text_of("#import-result.problem h2").await?;
        assert!(heading.starts_with("Nothing was imported"), "{heading}");
        let cells = texts(b, "#import-errors tbody td").await?;
        assert_eq!(cells[..4], ["accounts.xlsx, sheet Accounts", "3", "size", "gigantic"], "{cells:?}");

        upload(b, &file, true).await?;
        let counts = texts(b, "#import-result table:not(#import-errors) tbody td").await?;
        assert_eq!(counts, ["accounts", "2", "1", "0", "0", "1"]);
        b.goto(&format!("/accounts?q={}", GOOD_NAME.replace(' ', "+"))).await?;
        assert_eq!(texts(b, "#results tbody td:first-child").await?, [GOOD_NAME]);
        Ok(())
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A trade-show list in its own columns, and the mapping that reads it as accounts.
const TRADE_SHOW: &str =
    "Company,Industry,Country\nBrowser Harbor Freight,logistics,US\nBrowser Nordic Mills,manufacturing,SE\n";
const TRADE_SHOW_MAPPING: &str = r#"kind = "accounts"
description = "A trade-show lead list"

[columns]
id = { column = "Company", slug = true }
name = "Company"
industry = "Industry"
country = "Country"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_file_in_its_own_layout_is_previewed_through_a_mapping_then_imported() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-mapping-{}", app.addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, mapping) = (dir.join("tradeshow.csv"), dir.join("tradeshow.toml"));
    std::fs::write(&file, TRADE_SHOW).unwrap();
    std::fs::write(&mapping, TRADE_SHOW_MAPPING).unwrap();

    browser::run("a_file_in_its_own_layout_is_previewed_through_a_mapping_then_imported", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        b.goto("/import").await?;
        b.wait_for("#kind").await?.select_by_value("accounts").await?;
        b.wait_for("#mapping").await?.select_by_value("custom").await?;
        b.upload_file("#mapping-file", &mapping).await?;
        b.upload_file("#file", &file).await?;
        b.click("#preview-import").await?;
        b.wait_for("#import-result[data-preview] .import-sample").await?;
        let heading = b.text_of("#import-result h2").await?;
        assert!(heading.starts_with("Preview of tradeshow.csv: every row is good"), "{heading}");
        // Headings are shown in capitals (the stylesheet's); the names are Attain's columns.
        let columns: Vec<String> =
            texts(b, ".import-sample thead th").await?.iter().map(|c| c.to_lowercase()).collect();
        assert_eq!(columns, ["line", "id", "name", "industry", "country"]);
        let first = texts(b, ".import-sample tbody tr:first-child td").await?;
        assert_eq!(first, ["2", "browser-harbor-freight", "Browser Harbor Freight", "logistics", "US"]);
        // Previewed in place: the chosen files are still chosen, and nothing was written.
        assert!(!b.value_of("#file").await?.is_empty(), "the data file is still chosen");
        b.click("#run-import").await?;
        b.wait_for("#import-result:not([data-preview])").await?;
        let heading = b.text_of("#import-result.highlight h2").await?;
        assert_eq!(heading, "Imported tradeshow.csv");
        let counts = texts(b, "#import-result table tbody td").await?;
        assert_eq!(counts, ["accounts", "2", "2", "0", "0", "0"]);
        b.goto("/accounts?q=Browser+Nordic").await?;
        assert_eq!(texts(b, "#results tbody td:first-child").await?, ["Browser Nordic Mills"]);
        Ok(())
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_layouts_files_are_uploaded_together_previewed_and_imported() {
    let Some(sample) = attain_testkit::sample_data("crm-sales-opportunities") else { return };
    let Some(app) = TestApp::spawn(Db::Sqlite).await else { return };
    browser::run("a_layouts_files_are_uploaded_together_previewed_and_imported", async |b| {
        b.set_base_url(&app.url);
        sign_in(b, &app, Role::CompAdmin).await?;
        b.goto("/import").await?;
        b.wait_for("#mapping").await?.select_by_value("layout:crm-sample").await?;
        for name in ["accounts.csv", "products.csv", "sales_teams.csv", "sales_pipeline.csv"] {
            b.upload_file("#file", &sample.join(name)).await?;
        }
        b.click("#preview-import").await?;
        b.wait_for("#import-result[data-preview]").await?;
        let heading = b.text_of("#import-result h2").await?;
        assert!(heading.starts_with("Preview of the crm-sample files"), "{heading}");
        let kinds = texts(b, "#import-result table:first-of-type tbody td:first-child").await?;
        assert!(kinds.iter().any(|k| k == "opportunities"), "{kinds:?}");
        b.click("#run-import").await?;
        b.wait_for("#import-result:not([data-preview])").await?;
        assert_eq!(b.text_of("#import-result h2").await?, "Imported the crm-sample files");
        Ok(())
    })
    .await;
}
