//! Importing the same data twice changes nothing; changing one value changes one record.

use attain_app::import::{DirMapping, import_dir};
use attain_app::{ImportOptions, NoProgress};
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::{Db, sample_data};
use rust_decimal::Decimal;

use crate::{assert_same, import_text, on_both, seed_base};

async fn crm_sample_reimport_is_a_no_op(store: Store, _: Db) {
    let Some(sample) = sample_data("crm-sales-opportunities") else { return };
    let options = ImportOptions::default();
    let first =
        import_dir(&store, &sample, DirMapping::CrmSample, options.clone(), &NoProgress).await.unwrap();
    let before = store.dataset().await.unwrap();

    let again =
        import_dir(&store, &sample, DirMapping::CrmSample, options.clone(), &NoProgress).await.unwrap();
    assert_eq!(again.written().inserted, 0, "{again}");
    assert_eq!(again.written().updated, 0, "{again}");
    // The default company filled the empty database the first time; with a company there,
    // the second import brings none (and so leaves it untouched).
    assert_eq!(again.written().unchanged, first.written().inserted - 1);
    assert!(again.kinds.iter().all(|k| k.kind != Kind::Company), "{again}");
    assert_same(&before, &store.dataset().await.unwrap(), "after re-importing the sample");

    // A copy of the sample with one account's head count changed updates that account only.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&sample).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    let accounts = copy.path().join("accounts.csv");
    let text = std::fs::read_to_string(&accounts).unwrap();
    let edited = text.replace(
        "Acme Corporation,technolgy,1996,1100.04,2822,",
        "Acme Corporation,technolgy,1996,1100.04,2823,",
    );
    assert_ne!(edited, text, "the sample's Acme Corporation row changed; update this test");
    std::fs::write(&accounts, edited).unwrap();

    let changed =
        import_dir(&store, copy.path(), DirMapping::CrmSample, options.clone(), &NoProgress).await.unwrap();
    assert_eq!(changed.written().updated, 1, "{changed}");
    assert_eq!(changed.written().inserted, 0, "{changed}");
    assert_eq!(changed.count(Kind::Accounts).unwrap().written.updated, 1);
    let after = store.dataset().await.unwrap();
    let acme = after.accounts.iter().find(|a| a.id == "acme-corporation").unwrap();
    assert_eq!(acme.employees, Some(2823));
    assert_eq!(after.counts(), before.counts());
}

const TRANSACTIONS: &str = "\
id,date,kind,account_id,product_id,quantity,currency,amount,owner_id
t1,2017-03-01,booking,acme-corp,widget,2,USD,200.00,ann-archer
t2,2017-03-02,booking,globex,gadget,1,USD,250,bob-baker
";

async fn canonical_file_reimport_is_a_no_op(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let options = ImportOptions::default();
    let first =
        import_text(&store, dir.path(), Kind::Transactions, TRANSACTIONS, options.clone()).await.unwrap();
    assert_eq!(first.written().inserted, 2);
    let before = store.dataset().await.unwrap();

    let again =
        import_text(&store, dir.path(), Kind::Transactions, TRANSACTIONS, options.clone()).await.unwrap();
    assert_eq!((again.written().inserted, again.written().updated, again.written().unchanged), (0, 0, 2));
    assert_same(&before, &store.dataset().await.unwrap(), "after re-importing the file");

    // The same amounts written differently ("250" vs "250.00") are the same data.
    let reformatted = TRANSACTIONS.replace(",250,", ",250.00,").replace(",200.00,", ",200,");
    let same =
        import_text(&store, dir.path(), Kind::Transactions, &reformatted, options.clone()).await.unwrap();
    assert_eq!(same.written().updated, 0, "{same}");

    let edited = TRANSACTIONS.replace(",250,", ",275.50,");
    let changed =
        import_text(&store, dir.path(), Kind::Transactions, &edited, options.clone()).await.unwrap();
    assert_eq!(
        (changed.written().inserted, changed.written().updated, changed.written().unchanged),
        (0, 1, 1)
    );
    let t2 = store.dataset().await.unwrap().transactions.into_iter().find(|t| t.id == "t2").unwrap();
    assert_eq!(t2.amount.amount(), "275.50".parse::<Decimal>().unwrap());
}

on_both!(crm_sample_reimport_is_a_no_op, canonical_file_reimport_is_a_no_op);
