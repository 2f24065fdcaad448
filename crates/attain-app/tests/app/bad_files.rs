//! A file with any bad row writes nothing, and each problem names the file, line, column,
//! value and reason, the way a user sees them in their own file.

use attain_app::import::import_file;
use attain_app::import::mapping::Mapping;
use attain_app::{ImportError, ImportOptions, ImportReport, NoProgress, RowError};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;

use crate::{counts, on_both, rejected, seed_base, write};

/// Imports `text` as a file of `kind` (through `mapping` if given) into a store holding the
/// base records, asserts that nothing at all changed, and returns the outcome and file name.
async fn import_bad(
    store: &Store,
    kind: Kind,
    text: &str,
    mapping: Option<&Mapping>,
) -> (Result<ImportReport, ImportError>, String) {
    seed_base(store).await;
    let before = (store.dataset().await.unwrap(), counts(store).await);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "upload.csv", text);
    let result = import_file(store, kind, &path, mapping, ImportOptions::default(), &NoProgress).await;
    let after = (store.dataset().await.unwrap(), counts(store).await);
    assert_eq!(after.1, before.1, "a refused import changed the counts");
    assert!(after.0 == before.0, "a refused import changed the data");
    (result, path.display().to_string())
}

/// The one error of a rejected import.
fn only(errors: Vec<RowError>) -> RowError {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

const HEADER: &str = "id,date,kind,account_id,product_id,quantity,currency,amount,original_id,owner_id\n";
const GOOD: &str = "t1,2017-03-01,booking,acme-corp,widget,2,USD,200.00,,ann-archer\n";

async fn amount_that_is_not_a_number(store: Store, _: Db) {
    let text = format!("{HEADER}{GOOD}t2,2017-03-02,booking,globex,gadget,1,USD,abc,,bob-baker\n");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!(
        error,
        RowError {
            file: file.clone(),
            line: 3,
            column: Some("amount".into()),
            value: Some("abc".into()),
            reason: "'abc' is not a number".into(),
        }
    );
    assert_eq!(error.to_string(), format!("{file}: line 3, column amount: 'abc' is not a number"));
}

async fn impossible_date(store: Store, _: Db) {
    let text = format!("{HEADER}{GOOD}t2,2017-02-30,booking,globex,gadget,1,USD,250,,bob-baker\n");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column.as_deref(), Some("date"));
    assert_eq!(error.value.as_deref(), Some("2017-02-30"));
    assert!(error.reason.contains("'2017-02-30' is not a valid date"), "{}", error.reason);
}

async fn unknown_currency(store: Store, _: Db) {
    let text = format!("{HEADER}t0,2017-03-02,booking,globex,gadget,1,XYZ,250,,bob-baker\n{GOOD}");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 2));
    assert_eq!(error.column.as_deref(), Some("currency"));
    assert_eq!(error.value.as_deref(), Some("XYZ"));
    assert!(error.reason.contains("'XYZ' is not a known ISO 4217 currency"), "{}", error.reason);
}

async fn duplicate_ids_in_one_file(store: Store, _: Db) {
    let text = format!(
        "{HEADER}{GOOD}t2,2017-03-02,booking,globex,gadget,1,USD,250,,bob-baker\n\
         t1,2017-03-05,booking,globex,gadget,1,USD,99,,bob-baker\n"
    );
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    // The second occurrence is the one reported, and it names the first.
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 4));
    assert_eq!(error.column.as_deref(), Some("id"));
    assert_eq!(error.value.as_deref(), Some("t1"));
    assert!(error.reason.contains("duplicate id 't1'"), "{}", error.reason);
    assert!(error.reason.contains("line 2"), "{}", error.reason);
}

async fn missing_required_column(store: Store, _: Db) {
    let text = "id,date,kind,currency,owner_id\nt1,2017-03-01,booking,USD,ann-archer\n";
    let (result, file) = import_bad(&store, Kind::Transactions, text, None).await;
    match result {
        Err(ImportError::File { path, reason }) => {
            assert_eq!(path, file);
            assert!(reason.contains("missing required column"), "{reason}");
            assert!(reason.contains("amount"), "{reason}");
        }
        other => panic!("expected a file error, got {other:?}"),
    }
}

async fn unknown_column(store: Store, _: Db) {
    // A misspelt optional column would otherwise drop its data without a word.
    let text = format!("{}{GOOD}", HEADER.replace("owner_id", "owner"));
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    match result {
        Err(ImportError::File { path, reason }) => {
            assert_eq!(path, file);
            assert!(reason.contains("unknown column 'owner'"), "{reason}");
        }
        other => panic!("expected a file error, got {other:?}"),
    }
}

async fn deal_owned_by_a_person_who_does_not_exist(store: Store, _: Db) {
    let text = "\
id,name,account_id,owner_id,currency,amount,stage,status
o1,Widgets for Acme,acme-corp,ann-archer,USD,1000,Qualify,open
o2,Gadgets for Globex,globex,zed-zimmer,USD,500,Qualify,open
";
    let (result, file) = import_bad(&store, Kind::Opportunities, text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column.as_deref(), Some("owner_id"));
    assert_eq!(error.value.as_deref(), Some("zed-zimmer"));
    assert_eq!(error.reason, "person 'zed-zimmer' does not exist");
}

async fn return_with_a_positive_amount(store: Store, _: Db) {
    let text = format!("{HEADER}{GOOD}r1,2017-03-09,return,acme-corp,widget,1,USD,100.00,t1,ann-archer\n");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column.as_deref(), Some("amount"));
    assert_eq!(error.value.as_deref(), Some("100"));
    assert!(error.reason.contains("negative"), "{}", error.reason);
}

async fn nul_in_a_cell(store: Store, _: Db) {
    // SQLite would store it and PostgreSQL refuse it: both databases refuse it the same way.
    let text = format!("{HEADER}{GOOD}t2\0x,2017-03-02,booking,globex,gadget,1,USD,250,,bob-baker\n");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column.as_deref(), Some("id"));
    assert_eq!(error.value.as_deref(), Some("t2\\0x"), "the NUL is shown, not printed");
    assert_eq!(error.reason, "must not contain NUL characters");
}

async fn cells_longer_than_their_column_takes(store: Store, _: Db) {
    let long_id = "t".repeat(201);
    let text = format!("{HEADER}{GOOD}{long_id},2017-03-02,booking,globex,gadget,1,USD,250,,bob-baker\n");
    let (result, _) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!(error.column.as_deref(), Some("id"));
    assert_eq!(error.reason, "is longer than 200 characters (201 characters)");
    assert!(error.value.as_deref().is_some_and(|v| v.chars().count() == 61), "the value is cut short");
}

async fn negative_quantity_with_a_positive_amount(store: Store, _: Db) {
    let text = format!("{HEADER}{GOOD}t2,2017-03-02,booking,globex,gadget,-3,USD,250,,bob-baker\n");
    let (result, _) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.column.as_deref(), error.value.as_deref()), (Some("quantity"), Some("-3")));
}

async fn row_with_the_wrong_number_of_fields(store: Store, _: Db) {
    let text = format!("{HEADER}{GOOD}t2,2017-03-02,booking,globex,gadget,1,USD,250,,bob-baker,extra\n");
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column, None);
    assert!(error.reason.contains("11 fields"), "{}", error.reason);
    assert!(error.reason.contains("header has 10"), "{}", error.reason);
}

async fn every_bad_row_is_reported_in_line_order(store: Store, _: Db) {
    let text = format!(
        "{HEADER}t9,2017-02-30,booking,globex,gadget,1,USD,1,,bob-baker\n{GOOD}\
         t3,2017-03-02,booking,globex,gadget,1,USD,abc,,bob-baker\n\
         t4,2017-03-02,booking,nobody-inc,gadget,1,USD,5,,bob-baker\n"
    );
    let (result, file) = import_bad(&store, Kind::Transactions, &text, None).await;
    let errors = rejected(result);
    let lines: Vec<_> = errors.iter().map(|e| (e.line, e.column.clone().unwrap_or_default())).collect();
    assert_eq!(lines, [(2, "date".into()), (4, "amount".into()), (5, "account_id".into())]);
    assert!(errors.iter().all(|e| e.file == file));
    assert!(errors[2].reason.contains("account 'nobody-inc' does not exist"), "{}", errors[2].reason);
    // The message a user sees lists every row and says nothing was written.
    let message = ImportError::Rejected { errors }.to_string();
    assert!(message.starts_with("3 bad rows; nothing was written"), "{message}");
    assert!(message.contains("line 4, column amount: 'abc' is not a number"), "{message}");
}

/// Lines are the lines a text editor shows, whatever the line endings (Windows exports use
/// CRLF), blank lines and line breaks inside quoted values.
async fn line_numbers_match_the_file(store: Store, _: Db) {
    let text = format!(
        "{}\r\n{}\r\n\r\nt2,2017-02-30,booking,globex,gadget,1,USD,1,,bob-baker\r\n\n\
         \"t3\r\nsecond line\",2017-03-02,booking,globex,gadget,1,USD,1,,bob-baker\r\n\
         t4,2017-03-02,booking,globex,gadget,1,USD,x,,bob-baker\r\n",
        HEADER.trim_end(),
        GOOD.trim_end()
    );
    let (result, _) = import_bad(&store, Kind::Transactions, &text, None).await;
    let lines: Vec<_> = rejected(result).iter().map(|e| (e.line, e.column.clone())).collect();
    assert_eq!(lines, [(4, Some("date".to_string())), (8, Some("amount".to_string()))]);
}

/// A Salesforce report with a date that is not in its date format: the error names the
/// report's own column, not Attain's.
async fn mapped_file_reports_the_source_column(store: Store, _: Db) {
    let text = "\
Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Amount,Stage,Close Date,Created Date,Type
006A,Acme renewal,Acme Corp,Ann Archer,1200.00,Closed Won,3/15/2017,1/10/2017,Renewal
006B,Globex expansion,Globex,Bob Baker,800.00,Negotiation,2017-04-30,2/01/2017,Existing Business
";
    let mapping = Mapping::built_in("salesforce-opportunities").unwrap();
    let (result, file) = import_bad(&store, Kind::Opportunities, text, Some(&mapping)).await;
    let error = only(rejected(result));
    assert_eq!((error.file.as_str(), error.line), (file.as_str(), 3));
    assert_eq!(error.column.as_deref(), Some("Close Date"));
    assert_eq!(error.value.as_deref(), Some("2017-04-30"));
    assert!(error.reason.contains("date format"), "{}", error.reason);
    assert!(error.to_string().contains("line 3, column Close Date:"), "{error}");
}

/// A value that passes the mapping but breaks a domain rule is also named by its source column.
async fn mapped_file_domain_error_names_the_source_column(store: Store, _: Db) {
    let text = "\
Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Amount,Stage,Close Date,Created Date,Type
006A,Acme renewal,Acme Corp,Ann Archer,12OO.00,Closed Won,3/15/2017,1/10/2017,Renewal
";
    let mapping = Mapping::built_in("salesforce-opportunities").unwrap();
    let (result, _) = import_bad(&store, Kind::Opportunities, text, Some(&mapping)).await;
    let error = only(rejected(result));
    assert_eq!(error.line, 2);
    assert_eq!(error.column.as_deref(), Some("Amount"));
    assert_eq!(error.value.as_deref(), Some("12OO.00"));
}

async fn company_settings_are_checked(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let header = "id,name,base_currency,fiscal_year_start_month,fiscal_year_naming,time_zone\n";
    let cases = [
        (
            "company,Acme,USD,2,end_year,Mars/Olympus_Mons",
            "time_zone",
            "'Mars/Olympus_Mons' is not a known time zone",
        ),
        ("company,Acme,USD,13,end_year,Europe/Berlin", "fiscal_year_start_month", "must be 1 to 12, not 13"),
        (
            "company,Acme,USD,2,middle,Europe/Berlin",
            "fiscal_year_naming",
            "is not one of: end_year, start_year",
        ),
    ];
    for (row, column, reason) in cases {
        let path = write(dir.path(), "company.csv", &format!("{header}{row}\n"));
        let errors = rejected(
            import_file(&store, Kind::Company, &path, None, ImportOptions::default(), &NoProgress).await,
        );
        assert_eq!(errors.len(), 1, "{row}: {errors:?}");
        assert_eq!(errors[0].column.as_deref(), Some(column), "{row}");
        assert!(errors[0].reason.contains(reason), "{row}: {}", errors[0].reason);
    }
    assert_eq!(store.count(Kind::Company).await.unwrap(), 0);
    let good =
        write(dir.path(), "company.csv", &format!("{header}company,Acme,USD,2,end_year,Europe/Berlin\n"));
    import_file(&store, Kind::Company, &good, None, ImportOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(store.count(Kind::Company).await.unwrap(), 1);
}

on_both!(
    company_settings_are_checked,
    amount_that_is_not_a_number,
    impossible_date,
    unknown_currency,
    duplicate_ids_in_one_file,
    missing_required_column,
    unknown_column,
    deal_owned_by_a_person_who_does_not_exist,
    return_with_a_positive_amount,
    row_with_the_wrong_number_of_fields,
    nul_in_a_cell,
    cells_longer_than_their_column_takes,
    negative_quantity_with_a_positive_amount,
    every_bad_row_is_reported_in_line_order,
    line_numbers_match_the_file,
    mapped_file_reports_the_source_column,
    mapped_file_domain_error_names_the_source_column,
);
