//! `skip_bad`: the good rows are written, every bad row is reported, and rows that refer to a
//! skipped row are skipped too rather than left dangling.

use attain_app::import::{DirMapping, import_dir};
use attain_app::{ImportOptions, NoProgress};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;

use crate::{import_text, on_both, rejected, seed_base, write};

const SKIP: ImportOptions = ImportOptions::SKIP_BAD;

async fn good_rows_are_written_and_bad_rows_listed(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let text = "\
id,date,kind,account_id,currency,amount,owner_id
t1,2017-03-01,booking,acme-corp,USD,200.00,ann-archer
t2,2017-03-02,booking,globex,USD,abc,bob-baker
t3,2017-03-03,booking,globex,USD,300,bob-baker
t4,2017-03-04,booking,globex,USD,400,bob-baker,surplus
";
    // Without skip_bad nothing is written.
    let errors =
        rejected(import_text(&store, dir.path(), Kind::Transactions, text, ImportOptions::default()).await);
    assert_eq!(errors.len(), 2);
    assert_eq!(store.count(Kind::Transactions).await.unwrap(), 0);

    let report = import_text(&store, dir.path(), Kind::Transactions, text, SKIP).await.unwrap();
    let ids: Vec<_> = store.dataset().await.unwrap().transactions.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["t1", "t3"]);
    let bad: Vec<_> = report.bad_rows.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(bad, [(3, Some("amount")), (5, None)]);
    let kind = report.count(Kind::Transactions).unwrap();
    assert_eq!(kind.written.inserted, 2);
    assert_eq!(kind.rows, 4, "every data row of the file was read: {report}");
    assert_eq!(kind.skipped, 2, "{report}");
}

async fn rows_referring_to_skipped_rows_are_skipped(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "opportunities.csv",
        "\
id,account_id,owner_id,currency,amount,stage,status,closed_on
o1,acme-corp,ann-archer,USD,1000,Closed Won,won,2017-03-01
o2,globex,bob-baker,USD,500,Closed Won,maybe,2017-03-02
",
    );
    write(
        dir.path(),
        "stage_history.csv",
        "\
id,opportunity_id,stage,entered_on
s1,o1,Closed Won,2017-03-01
s2,o2,Closed Won,2017-03-02
",
    );
    // b2 books the bad deal; r2 returns b2: both go, one because of the other.
    write(
        dir.path(),
        "transactions.csv",
        "\
id,date,kind,account_id,currency,amount,opportunity_id,original_id,owner_id
b1,2017-03-01,booking,acme-corp,USD,1000,o1,,ann-archer
b2,2017-03-02,booking,globex,USD,500,o2,,bob-baker
r2,2017-03-09,return,globex,USD,-500,,b2,bob-baker
",
    );
    let before = store.dataset().await.unwrap();
    let errors = rejected(
        import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress).await,
    );
    assert!(errors.len() >= 2, "{errors:#?}");
    assert!(store.dataset().await.unwrap() == before, "a rejected directory wrote something");

    let report = import_dir(&store, dir.path(), DirMapping::Workspace, SKIP, &NoProgress).await.unwrap();
    let data = store.dataset().await.unwrap();
    assert_eq!(data.opportunities.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["o1"]);
    assert_eq!(data.stage_history.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["s1"]);
    assert_eq!(data.transactions.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["b1"]);

    let mut bad: Vec<_> =
        report.bad_rows.iter().map(|e| (file_name(&e.file), e.line, e.reason.clone())).collect();
    bad.sort();
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert_eq!((bad[0].0.as_str(), bad[0].1), ("opportunities.csv", 3));
    assert!(bad[0].2.contains("'maybe' is not one of"), "{}", bad[0].2);
    assert_eq!(bad[1], ("stage_history.csv".into(), 3, "opportunity 'o2' does not exist".into()));
    assert_eq!(bad[2], ("transactions.csv".into(), 3, "opportunity 'o2' does not exist".into()));
    assert_eq!(bad[3], ("transactions.csv".into(), 4, "transaction 'b2' does not exist".into()));
    assert_eq!(report.count(Kind::Transactions).unwrap().skipped, 2);
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path).file_name().unwrap().to_string_lossy().into_owned()
}

on_both!(good_rows_are_written_and_bad_rows_listed, rows_referring_to_skipped_rows_are_skipped);
