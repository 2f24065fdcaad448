//! Column mappings: the built-in Salesforce and HubSpot mappings on realistic exports, a custom
//! mapping file, and mappings that must be refused.

use attain_app::import::mapping::Mapping;
use attain_app::import::{import_csv_bytes, import_file};
use attain_app::{ImportError, ImportOptions, NoProgress};
use attain_core::domain::{DealStatus, DealType, Opportunity};
use attain_core::{Currency, Kind};
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::{on_both, seed_base, write};

fn find<'a>(deals: &'a [Opportunity], id: &str) -> &'a Opportunity {
    deals.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("no deal {id}"))
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// An Opportunities report as Salesforce exports it ("Details only", US dates), with columns
/// the mapping does not use and a quoted amount-free open deal.
pub(crate) const SALESFORCE: &str = "\
\u{feff}Opportunity Owner,Account Name,Opportunity Name,Type,Lead Source,Amount,Opportunity Currency,Probability (%),Close Date,Created Date,Stage,Loss Reason,Opportunity ID\r
Ann Archer,Acme Corp,Acme - 200 seats,New Business,Web,24000.00,USD,100,3/15/2017,1/10/2017,Closed Won,,0061a00000AbCdE\r
Bob Baker,Globex,\"Globex, upgrade\",Existing Customer - Upgrade,Partner,8500.50,EUR,0,4/2/2017,2/1/2017,Closed Lost,Price,0061a00000FgHiJ\r
Ann Archer,Acme Corp,Acme renewal,Renewal,,,,60,12/31/2017,6/1/2017,Negotiation,,0061a00000KlMnO\r
";

async fn salesforce_report(store: Store, _: Db) {
    seed_base(&store).await;
    let mapping = Mapping::built_in("salesforce-opportunities").unwrap();
    let report = import_csv_bytes(
        &store,
        Kind::Opportunities,
        "report.csv",
        SALESFORCE.as_bytes(),
        Some(&mapping),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.written().inserted, 3, "{report}");
    let deals = store.dataset().await.unwrap().opportunities;

    let won = find(&deals, "0061a00000AbCdE");
    assert_eq!(won.status, DealStatus::Won);
    assert_eq!(won.stage, "Closed Won");
    assert_eq!(won.closed_on, Some(date(2017, 3, 15)));
    assert_eq!(won.expected_close, Some(date(2017, 3, 15)));
    assert_eq!(won.created_on, Some(date(2017, 1, 10)));
    assert_eq!(won.deal_type, Some(DealType::NewBusiness));
    assert_eq!((won.owner_id.as_str(), won.account_id.as_deref()), ("ann-archer", Some("acme-corp")));
    assert_eq!(won.name.as_deref(), Some("Acme - 200 seats"));
    assert_eq!(won.amount.map(|m| m.amount()), Some(dec("24000")));
    assert_eq!(won.probability, Some(dec("100")));

    let lost = find(&deals, "0061a00000FgHiJ");
    assert_eq!(lost.status, DealStatus::Lost);
    assert_eq!(lost.closed_on, Some(date(2017, 4, 2)));
    assert_eq!(lost.deal_type, Some(DealType::Expansion));
    assert_eq!(lost.close_reason.as_deref(), Some("Price"));
    assert_eq!(lost.currency, Currency::EUR);
    assert_eq!(lost.amount.map(|m| m.amount()), Some(dec("8500.50")));
    assert_eq!(lost.name.as_deref(), Some("Globex, upgrade"));

    let open = find(&deals, "0061a00000KlMnO");
    assert_eq!(open.status, DealStatus::Open);
    assert_eq!(open.stage, "Negotiation");
    assert_eq!(open.closed_on, None, "an open deal has no close date");
    assert_eq!(open.expected_close, Some(date(2017, 12, 31)));
    assert_eq!(open.deal_type, Some(DealType::Renewal));
    assert_eq!(open.currency, Currency::USD, "the currency defaults to USD");
    assert_eq!(open.amount, None);
}

/// A HubSpot deals view exported as CSV: date-times, internal deal-type names, no currency.
const HUBSPOT: &str = "\
Record ID,Deal Name,Deal Stage,Close Date,Create Date,Deal owner,Associated Company,Amount,Deal Type,Closed Lost Reason
9431001,Acme expansion,Closed Won,2017-03-15 13:45,2017-01-10 09:00,Ann Archer,Acme Corp,5000,existingbusiness,
9431002,Globex pilot,Closed lost,2017-04-02 08:30,2017-02-01 10:15,Bob Baker,Globex,1200.25,newbusiness,Went with a competitor
9431003,Acme add-on,appointmentscheduled,2017-06-30 00:00,2017-03-01 11:11,Ann Archer,,750,,
";

async fn hubspot_deals(store: Store, _: Db) {
    seed_base(&store).await;
    let mapping = Mapping::built_in("hubspot-deals").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "deals.csv", HUBSPOT);
    let report = import_file(
        &store,
        Kind::Opportunities,
        &path,
        Some(&mapping),
        ImportOptions::default(),
        &NoProgress,
    )
    .await
    .unwrap();
    assert_eq!(report.written().inserted, 3, "{report}");
    let deals = store.dataset().await.unwrap().opportunities;

    let won = find(&deals, "hs-9431001");
    assert_eq!(won.status, DealStatus::Won);
    assert_eq!(won.closed_on, Some(date(2017, 3, 15)));
    assert_eq!(won.created_on, Some(date(2017, 1, 10)));
    assert_eq!(won.deal_type, Some(DealType::Expansion));
    assert_eq!((won.owner_id.as_str(), won.account_id.as_deref()), ("ann-archer", Some("acme-corp")));
    assert_eq!(won.currency, Currency::USD);

    let lost = find(&deals, "hs-9431002");
    assert_eq!(lost.status, DealStatus::Lost);
    assert_eq!(lost.closed_on, Some(date(2017, 4, 2)));
    assert_eq!(lost.deal_type, Some(DealType::NewBusiness));
    assert_eq!(lost.close_reason.as_deref(), Some("Went with a competitor"));
    assert_eq!(lost.amount.map(|m| m.amount()), Some(dec("1200.25")));

    let open = find(&deals, "hs-9431003");
    assert_eq!(open.status, DealStatus::Open);
    assert_eq!(open.stage, "appointmentscheduled");
    assert_eq!(open.closed_on, None);
    assert_eq!(open.expected_close, Some(date(2017, 6, 30)));
    assert_eq!(open.account_id, None);
    assert_eq!(open.deal_type, None);
}

/// A mapping of the user's own: an HR spreadsheet with day-first dates becomes people.
async fn custom_mapping_file(store: Store, _: Db) {
    let mapping = Mapping::parse(
        r#"
kind = "people"
description = "HR spreadsheet"

[columns]
id = { column = "Employee", slug = true, prefix = "hr-" }
name = "Employee"
email = "Mail"
hire_date = { column = "Start", date_format = "%d/%m/%Y" }
pay_currency = { column = "Paid in", default = "GBP" }
"#,
    )
    .unwrap();
    let text = "Employee,Start,Mail,Paid in,Desk\nZoë O'Brien,31/01/2016,zoe@example.com,,4F\nAl Kay,01/02/2017,,EUR,2A\n";
    let report = import_csv_bytes(
        &store,
        Kind::People,
        "hr.csv",
        text.as_bytes(),
        Some(&mapping),
        ImportOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.written().inserted, 2);
    let people = store.dataset().await.unwrap().people;
    let zoe = people.iter().find(|p| p.id == "hr-zoë-o-brien").unwrap();
    assert_eq!(zoe.name, "Zoë O'Brien");
    assert_eq!(zoe.hire_date, date(2016, 1, 31));
    assert_eq!(zoe.pay_currency, Some(Currency::GBP));
    let al = people.iter().find(|p| p.id == "hr-al-kay").unwrap();
    assert_eq!(
        (al.hire_date, al.pay_currency, al.email.as_deref()),
        (date(2017, 2, 1), Some(Currency::EUR), None)
    );
}

async fn mapping_for_another_kind_is_refused(store: Store, _: Db) {
    let mapping = Mapping::built_in("hubspot-deals").unwrap();
    let result = import_csv_bytes(
        &store,
        Kind::People,
        "deals.csv",
        HUBSPOT.as_bytes(),
        Some(&mapping),
        ImportOptions::default(),
    )
    .await;
    match result {
        Err(ImportError::Mapping { path, reason }) => {
            assert_eq!(path, "deals.csv");
            assert!(reason.contains("opportunities") && reason.contains("people"), "{reason}");
        }
        other => panic!("expected a mapping error, got {other:?}"),
    }
    assert!(store.dataset().await.unwrap().is_empty());
}

async fn file_without_a_mapped_required_column_is_refused(store: Store, _: Db) {
    seed_base(&store).await;
    let mapping = Mapping::built_in("salesforce-opportunities").unwrap();
    let text = SALESFORCE.replace("Opportunity Owner", "Owner");
    let before = store.dataset().await.unwrap();
    let result = import_csv_bytes(
        &store,
        Kind::Opportunities,
        "report.csv",
        text.as_bytes(),
        Some(&mapping),
        ImportOptions::default(),
    )
    .await;
    match result {
        Err(ImportError::File { path, reason }) => {
            assert_eq!(path, "report.csv");
            assert!(reason.contains("'Opportunity Owner'"), "{reason}");
            assert!(reason.contains("owner_id"), "{reason}");
        }
        other => panic!("expected a file error, got {other:?}"),
    }
    assert!(store.dataset().await.unwrap() == before);
}

on_both!(
    salesforce_report,
    hubspot_deals,
    custom_mapping_file,
    mapping_for_another_kind_is_refused,
    file_without_a_mapped_required_column_is_refused,
);

#[test]
fn mapping_with_an_unknown_column_is_refused() {
    let error = Mapping::parse(
        "kind = \"opportunities\"\n[columns]\nid = \"ID\"\nowner_id = \"Owner\"\ncurrency = \"Cur\"\n\
         stage = \"Stage\"\nstatus = \"Status\"\nrevenue_band = \"Band\"\n",
    )
    .unwrap_err();
    assert!(error.contains("'revenue_band' is not a column of opportunities"), "{error}");
    assert!(error.contains("close_reason"), "the message lists the real columns: {error}");
}

#[test]
fn mapping_with_unknown_settings_is_refused() {
    let error = Mapping::parse(
        "kind = \"people\"\n[columns]\nid = { column = \"ID\", slugify = true }\nname = \"Name\"\nhire_date = \"Start\"\n",
    )
    .unwrap_err();
    // The untagged rule cannot say which setting is wrong, but it points at the line.
    assert!(error.contains("line 3") && error.contains("slugify = true"), "{error}");
    let error = Mapping::parse("kind = \"people\"\n[columns]\nid = \"ID\"\nname = \"Name\"\n").unwrap_err();
    assert!(error.contains("required column 'hire_date'"), "{error}");
}

#[test]
fn built_in_mappings_are_listed() {
    for name in ["salesforce-opportunities", "hubspot-deals"] {
        assert_eq!(Mapping::built_in(name).map(|m| m.kind), Some(Kind::Opportunities), "{name}");
    }
    assert!(Mapping::built_in("crm-sample").is_none(), "directory layouts are not file mappings");
}
