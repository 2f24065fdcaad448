//! An upload read through a mapping, or a layout's several files, previewed first as the
//! browser's import page does: the preview runs every check and shows the first rows as read,
//! and stores and audits nothing; the import that follows writes what the preview showed.

use attain_app::import::mapping::Mapping;
use attain_app::{App, Role, UploadOptions};
use attain_core::Kind;
use attain_store::{AuditFilter, Store};
use attain_testkit::Db;

use crate::mappings::SALESFORCE;
use crate::scope::as_person;
use crate::{on_both, seed_base};

fn reader(text: &str) -> Box<dyn std::io::Read + Send> {
    Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))
}

async fn a_mapped_upload_is_previewed_then_imported(store: Store, _: Db) {
    seed_base(&store).await;
    let app = App::new(store.clone(), attain_app::Settings::default()).await.unwrap();
    let ops = as_person(Role::CompAdmin, None);
    let mapping = Mapping::chosen(Some("salesforce-opportunities"), None).unwrap();
    let preview = UploadOptions { mapping: mapping.clone(), skip_bad: false, preview: true };
    let grant = app.authorize_upload(&ops).unwrap();
    let report = app
        .import_upload(grant, Kind::Opportunities, "report.csv", reader(SALESFORCE), 4, &preview)
        .await
        .unwrap();
    let opportunities = report.count(Kind::Opportunities).unwrap();
    assert_eq!(opportunities.written.inserted, 3, "the preview says what the import would write");
    assert_eq!(report.sample.len(), 3);
    let spec = Kind::Opportunities.spec();
    let id = spec.index_of("id").unwrap();
    let owner = spec.index_of("owner_id").unwrap();
    let first = &report.sample[0];
    assert_eq!((first.file.as_str(), first.line), ("report.csv", 2));
    assert_eq!((first.cells[id].as_str(), first.cells[owner].as_str()), ("0061a00000AbCdE", "ann-archer"));
    assert_eq!(store.count(Kind::Opportunities).await.unwrap(), 0, "a preview stores nothing");
    let (entries, _) = store.audit_page(&AuditFilter::default(), 100, 0).await.unwrap();
    assert!(entries.iter().all(|e| e.action != "import.upload"), "nor is it audited");

    // A bad row is listed by the preview, not refused.
    let bad = SALESFORCE.replace("24000.00", "lots");
    let grant = app.authorize_upload(&ops).unwrap();
    let report =
        app.import_upload(grant, Kind::Opportunities, "report.csv", reader(&bad), 4, &preview).await.unwrap();
    assert_eq!(report.bad_rows.len(), 1, "{:?}", report.bad_rows);
    assert_eq!(report.bad_rows[0].line, 2);

    let import = UploadOptions { mapping, skip_bad: false, preview: false };
    let grant = app.authorize_upload(&ops).unwrap();
    let report = app
        .import_upload(grant, Kind::Opportunities, "report.csv", reader(SALESFORCE), 4, &import)
        .await
        .unwrap();
    assert_eq!(report.written().inserted, 3);
    assert!(report.sample.is_empty());
    assert_eq!(app.snapshot().count(Kind::Opportunities), 3);
    let (entries, _) = store.audit_page(&AuditFilter::default(), 100, 0).await.unwrap();
    assert!(entries.iter().any(|e| e.action == "import.upload"));
}

#[test]
fn a_mapping_is_named_or_sent_never_both() {
    assert!(Mapping::chosen(None, None).unwrap().is_none());
    let e = Mapping::chosen(Some("sap-deals"), None).unwrap_err();
    assert!(e.contains("'sap-deals' is not a built-in mapping") && e.contains("hubspot-deals"), "{e}");
    assert!(Mapping::chosen(Some("hubspot-deals"), Some("kind = \"opportunities\"")).is_err());
    assert!(Mapping::chosen(None, Some("not toml at all [")).is_err());
}

/// The CRM sample's files, uploaded as a layout: the preview counts what the import writes
/// (8,800 opportunities) and stores nothing; the import then writes exactly that.
async fn a_layouts_files_are_previewed_then_imported(store: Store, _: Db) {
    let Some(dir) = attain_testkit::sample_data("crm-sales-opportunities") else { return };
    let app = App::new(store.clone(), attain_app::Settings::default()).await.unwrap();
    let ops = as_person(Role::CompAdmin, None);
    let layout = attain_app::import::DirMapping::CrmSample;
    let preview = UploadOptions { mapping: None, skip_bad: false, preview: true };
    let report =
        app.import_upload_dir(app.authorize_upload(&ops).unwrap(), &dir, layout, &preview).await.unwrap();
    assert_eq!(report.count(Kind::Opportunities).unwrap().written.inserted, 8_800);
    assert!(report.sample.iter().any(|r| r.kind == Kind::Opportunities));
    assert!(report.sample.iter().filter(|r| r.kind == Kind::Opportunities).count() <= 10);
    assert_eq!(store.count(Kind::Opportunities).await.unwrap(), 0, "a preview stores nothing");

    let import = UploadOptions { preview: false, ..preview };
    let report =
        app.import_upload_dir(app.authorize_upload(&ops).unwrap(), &dir, layout, &import).await.unwrap();
    assert_eq!(report.count(Kind::Opportunities).unwrap().written.inserted, 8_800);
    assert_eq!(app.snapshot().count(Kind::Opportunities), 8_800);
}

on_both!(a_mapped_upload_is_previewed_then_imported, a_layouts_files_are_previewed_then_imported);
