//! The two real samples in ../shared/data, imported through their built-in layouts, checked
//! against totals computed independently from the raw files.

use std::path::Path;

use attain_app::import::{DirMapping, import_dir};
use attain_app::{ImportOptions, NoProgress};
use attain_core::Kind;
use attain_core::domain::{DealStatus, Role, TransactionKind};
use attain_store::Store;
use attain_testkit::{Db, sample_data};
use rust_decimal::Decimal;

use crate::{on_both, total};

/// The records of a raw sample file, as header-keyed maps.
fn raw_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

async fn crm_sample_imports_exactly(store: Store, _: Db) {
    let Some(dir) = sample_data("crm-sales-opportunities") else { return };
    let report =
        import_dir(&store, &dir, DirMapping::CrmSample, ImportOptions::default(), &NoProgress).await.unwrap();
    assert!(report.bad_rows.is_empty(), "{:?}", report.bad_rows);
    assert_eq!(report.count(Kind::Opportunities).unwrap().written.inserted, 8_800);
    let data = store.dataset().await.unwrap();

    assert_eq!(data.opportunities.len(), 8_800);
    let won: Vec<_> = data.opportunities.iter().filter(|o| o.status == DealStatus::Won).collect();
    assert_eq!(won.len(), 4_238);
    assert_eq!(total(won.iter().filter_map(|o| o.amount)), Decimal::from(10_005_534));

    assert_eq!(data.transactions.len(), 4_238);
    assert!(data.transactions.iter().all(|t| t.kind == TransactionKind::Booking));
    assert_eq!(total(data.transactions.iter().map(|t| t.amount)), Decimal::from(10_005_534));
    // Every booking belongs to a won deal of the same amount.
    let won_by_id: std::collections::HashMap<_, _> = won.iter().map(|o| (o.id.as_str(), o.amount)).collect();
    for t in &data.transactions {
        let deal = t.opportunity_id.as_deref().and_then(|id| won_by_id.get(id)).expect("a won deal");
        assert_eq!(*deal, Some(t.amount), "booking {}", t.id);
    }

    assert_eq!(data.people.len(), 41);
    let titled = |title: &str| data.positions.iter().filter(|p| p.title == title).count();
    assert_eq!(titled("Sales Agent"), 35);
    assert_eq!(titled("Sales Manager"), 6);
    assert_eq!(data.assignments.len(), 41);
    assert_eq!(data.positions.iter().filter(|p| p.role == Role::Rep).count(), 35);
    // Agents report to their manager's position, which exists.
    let moses = data.positions.iter().find(|p| p.id == "pos-moses-frase").unwrap();
    let manager = moses.reports_to.as_deref().unwrap();
    assert!(data.positions.iter().any(|p| p.id == manager && p.title == "Sales Manager"));

    // `GTXPro` in the pipeline is the product `GTX Pro`.
    assert_eq!(data.products.len(), 7);
    let gtx_pro = data.products.iter().find(|p| p.id == "gtx-pro").unwrap();
    assert_eq!(gtx_pro.name, "GTX Pro");
    let pipeline = raw_rows(&dir.join("sales_pipeline.csv"));
    let spelt_gtxpro = pipeline.iter().filter(|r| r["product"] == "GTXPro").count();
    assert!(spelt_gtxpro > 1_000, "the sample spells it GTXPro {spelt_gtxpro} times");
    let linked = data.opportunities.iter().filter(|o| o.product_id.as_deref() == Some("gtx-pro")).count();
    assert_eq!(linked, spelt_gtxpro);

    // Open deals with no account are accepted as they are.
    let no_account: Vec<_> = data.opportunities.iter().filter(|o| o.account_id.is_none()).collect();
    assert_eq!(no_account.len(), 1_425);
    assert!(no_account.iter().all(|o| o.status == DealStatus::Open));

    // The sector typo is fixed.
    assert!(data.accounts.iter().all(|a| a.industry.as_deref() != Some("technolgy")));
    let technology = data.accounts.iter().filter(|a| a.industry.as_deref() == Some("technology")).count();
    assert_eq!(technology, 12);
    let acme = data.accounts.iter().find(|a| a.name == "Acme Corporation").unwrap();
    assert_eq!(acme.industry.as_deref(), Some("technology"));
    // Revenue is given in millions.
    assert_eq!(acme.annual_revenue.unwrap().amount(), Decimal::from(1_100_040_000));
}

async fn northwind_imports_exactly(store: Store, _: Db) {
    let Some(dir) = sample_data("northwind") else { return };
    let report =
        import_dir(&store, &dir, DirMapping::Northwind, ImportOptions::default(), &NoProgress).await.unwrap();
    assert!(report.bad_rows.is_empty(), "{:?}", report.bad_rows);
    let data = store.dataset().await.unwrap();

    assert_eq!(data.opportunities.len(), 830);
    assert_eq!(data.transactions.len(), 2_155);
    let lines = total(data.transactions.iter().map(|t| t.amount));
    assert_eq!(lines, "1265793.02".parse::<Decimal>().unwrap());
    assert_ne!(lines, "1265793.0395".parse::<Decimal>().unwrap());
    // Each order (a won deal) is worth the sum of its lines.
    assert!(data.opportunities.iter().all(|o| o.status == DealStatus::Won));
    assert_eq!(total(data.opportunities.iter().filter_map(|o| o.amount)), lines);
    let order = data.opportunities.iter().find(|o| o.id == "ord-10248").unwrap();
    let order_lines = data.transactions.iter().filter(|t| t.opportunity_id.as_deref() == Some("ord-10248"));
    assert_eq!(Some(total(order_lines.map(|t| t.amount))), order.amount.map(|m| m.amount()));

    assert_eq!(data.people.len(), 9);
    assert_eq!(data.positions.len(), 9);
    let reports_to = |employee: u32| {
        let id = format!("pos-emp-{employee}");
        data.positions.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("{id}")).reports_to.clone()
    };
    assert_eq!(reports_to(2), None, "employee 2 (the VP) is the root");
    assert_eq!(reports_to(5).as_deref(), Some("pos-emp-2"));
    assert_eq!(reports_to(6).as_deref(), Some("pos-emp-5"));
    assert_eq!(data.positions.iter().filter(|p| p.reports_to.is_none()).count(), 1);
    // And every employee's line matches the raw file.
    for raw in raw_rows(&dir.join("employees.csv")) {
        let id: u32 = raw["employee_id"].parse().unwrap();
        let expected = (!raw["reports_to"].is_empty()).then(|| format!("pos-emp-{}", raw["reports_to"]));
        assert_eq!(reports_to(id), expected, "employee {id}");
    }
}

/// A copy of the CRM sample whose pipeline names a product products.csv does not have: the
/// whole directory is refused, naming the row; with skip_bad only that deal (and its booking
/// and stage history, which come from the same row) is left out.
async fn crm_sample_with_an_unknown_product(store: Store, _: Db) {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&sample).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    let pipeline = copy.path().join("sales_pipeline.csv");
    let text = std::fs::read_to_string(&pipeline).unwrap();
    let original = "Z063OYW0,Darcel Schlecht,GTXPro,";
    assert!(text.contains(original), "the sample changed; update this test");
    let line = text.lines().position(|l| l.starts_with(original)).unwrap() as u64 + 1;
    std::fs::write(&pipeline, text.replace(original, "Z063OYW0,Darcel Schlecht,GTX Ultra,")).unwrap();

    let result =
        import_dir(&store, copy.path(), DirMapping::CrmSample, ImportOptions::default(), &NoProgress).await;
    let error = match result {
        Err(attain_app::ImportError::Rejected { errors }) if errors.len() == 1 => {
            errors.into_iter().next().unwrap()
        }
        other => panic!("expected one bad row, got {other:?}"),
    };
    assert_eq!(error.file, pipeline.display().to_string());
    assert_eq!(error.line, line);
    assert_eq!(error.column.as_deref(), Some("product"));
    assert_eq!(error.value.as_deref(), Some("GTX Ultra"));
    assert!(error.reason.contains("not in products.csv"), "{}", error.reason);
    assert!(store.dataset().await.unwrap().is_empty(), "a refused directory wrote something");

    let options = ImportOptions::SKIP_BAD;
    let report = import_dir(&store, copy.path(), DirMapping::CrmSample, options, &NoProgress).await.unwrap();
    assert_eq!(report.bad_rows.len(), 1);
    let deals = report.count(Kind::Opportunities).unwrap();
    assert_eq!((deals.rows, deals.written.inserted, deals.skipped), (8_800, 8_799, 1), "{report}");
    assert_eq!(store.count(Kind::Opportunities).await.unwrap(), 8_799);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 4_237);
}

on_both!(crm_sample_imports_exactly, northwind_imports_exactly, crm_sample_with_an_unknown_product);
