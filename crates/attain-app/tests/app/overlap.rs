//! Versions of one position, and rates for one currency pair, may not overlap in time, within
//! a file or against what is stored; adjacent ranges and re-imports are fine.

use attain_app::ImportOptions;
use attain_core::Kind;
use attain_store::Store;
use attain_testkit::Db;

use crate::{counts, import_text, on_both, rejected};

const VP: &str = "id,valid_from,title,role\nvp,2015-01-01,VP Sales,executive\n";

async fn overlapping_position_versions_are_refused(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    import_text(&store, dir.path(), Kind::Positions, VP, ImportOptions::default()).await.unwrap();
    let before = counts(&store).await;
    let text = "id,valid_from,valid_to,title,role,reports_to\n\
                rep,2016-01-01,2017-07-01,AE,rep,vp\n\
                rep,2017-06-01,,Senior AE,rep,vp\n";
    let errors =
        rejected(import_text(&store, dir.path(), Kind::Positions, text, ImportOptions::default()).await);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 3);
    assert_eq!(errors[0].column.as_deref(), Some("valid_from"));
    assert_eq!(errors[0].value.as_deref(), Some("2017-06-01"));
    assert!(errors[0].reason.contains("overlaps [2016-01-01, 2017-07-01)"), "{}", errors[0].reason);
    assert!(errors[0].reason.contains("(line 2)"), "{}", errors[0].reason);
    assert_eq!(counts(&store).await, before, "nothing is written");
}

async fn adjacent_versions_and_reimports_are_accepted(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    import_text(&store, dir.path(), Kind::Positions, VP, ImportOptions::default()).await.unwrap();
    let text = "id,valid_from,valid_to,title,role,reports_to\n\
                rep,2016-01-01,2017-07-01,AE,rep,vp\n\
                rep,2017-07-01,,Senior AE,rep,vp\n";
    let first =
        import_text(&store, dir.path(), Kind::Positions, text, ImportOptions::default()).await.unwrap();
    assert_eq!(first.written().inserted, 2);
    // The same versions again replace themselves rather than overlapping what is stored.
    let again =
        import_text(&store, dir.path(), Kind::Positions, text, ImportOptions::default()).await.unwrap();
    assert_eq!(again.written().unchanged, 2);
    // Closing the open version earlier is an update of that version, not a new overlap.
    let closed = text.replace("rep,2017-07-01,,Senior AE", "rep,2017-07-01,2018-01-01,Senior AE");
    let update =
        import_text(&store, dir.path(), Kind::Positions, &closed, ImportOptions::default()).await.unwrap();
    assert_eq!(update.written().updated, 1);
    assert_eq!(store.count(Kind::Positions).await.unwrap(), 3);
}

async fn a_new_version_may_not_overlap_a_stored_one(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    import_text(&store, dir.path(), Kind::Positions, VP, ImportOptions::default()).await.unwrap();
    let later = "id,valid_from,title,role\nvp,2016-03-01,Chief Revenue Officer,executive\n";
    let errors =
        rejected(import_text(&store, dir.path(), Kind::Positions, later, ImportOptions::default()).await);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].reason.contains("(already stored)"), "{}", errors[0].reason);
    assert_eq!(store.count(Kind::Positions).await.unwrap(), 1);
}

async fn overlapping_fx_rates_are_refused(store: Store, _: Db) {
    let dir = tempfile::tempdir().unwrap();
    let text = "id,from_currency,to_currency,rate,valid_from,valid_to\n\
                r1,EUR,USD,1.05,2017-01-01,2017-04-01\n\
                r2,EUR,USD,1.07,2017-04-01,\n\
                r3,USD,EUR,0.95,2017-01-01,\n\
                r4,EUR,USD,1.10,2017-03-15,2017-05-01\n";
    let errors =
        rejected(import_text(&store, dir.path(), Kind::FxRates, text, ImportOptions::default()).await);
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![5], "{errors:?}");
    assert!(errors[0].reason.contains("EUR → USD"), "{}", errors[0].reason);
    assert_eq!(store.count(Kind::FxRates).await.unwrap(), 0);
    let skipped =
        import_text(&store, dir.path(), Kind::FxRates, text, ImportOptions::SKIP_BAD).await.unwrap();
    assert_eq!(skipped.written().inserted, 3);
    assert_eq!(skipped.bad_rows.len(), 1);
}

on_both!(
    overlapping_position_versions_are_refused,
    adjacent_versions_and_reimports_are_accepted,
    a_new_version_may_not_overlap_a_stored_one,
    overlapping_fx_rates_are_refused,
);
