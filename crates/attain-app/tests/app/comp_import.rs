//! The compensation inputs import like any other kind: a workspace directory with quotas,
//! plan assignments, credit splits, adjustments and objective scores is read, checked and
//! stored; bad periods, percents and references are reported by file, line and column.

use std::path::Path;

use attain_app::import::{DirMapping, import_dir};
use attain_app::{ImportOptions, NoProgress, RowError};
use attain_core::domain::CreditRole;
use attain_core::{Currency, Kind, Money, Period};
use attain_store::Store;
use attain_testkit::Db;
use rust_decimal::Decimal;

use crate::{counts, import_text, on_both, rejected, seed_base, write};

/// Two rep seats for the base people and one won deal of Ann's.
fn write_org(dir: &Path) {
    write(
        dir,
        "positions.csv",
        "id,valid_from,title,role,region\n\
         pos-ann,2016-01-01,AE,rep,East\n\
         pos-bob,2016-03-01,AE,rep,East\n",
    );
    write(
        dir,
        "opportunities.csv",
        "id,owner_id,currency,amount,stage,status,closed_on\n\
         o-1,ann-archer,USD,1000,Closed Won,won,2017-03-10\n",
    );
}

async fn a_workspace_with_comp_inputs_imports_and_reimports_unchanged(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    write_org(dir.path());
    write(
        dir.path(),
        "quotas.csv",
        "id,position_id,measure,period,amount,currency\n\
         q-1,pos-ann,revenue,2017-03,25000.00,usd\n\
         q-2,pos-ann,deals,2017-Q1,6,\n\
         q-3,pos-bob,revenue,FY2017,300000,USD\n",
    );
    write(
        dir.path(),
        "plan_assignments.csv",
        "id,position_id,plan_id,valid_from,valid_to\npa-1,pos-ann,ae,2017-01-01,\n",
    );
    write(
        dir.path(),
        "credit_splits.csv",
        "id,opportunity_id,person_id,role,percent\ncs-1,o-1,ann-archer,Primary,60\ncs-2,o-1,bob-baker,primary,40.0\n",
    );
    write(
        dir.path(),
        "adjustments.csv",
        "id,person_id,period,currency,amount,reason,entered_by\nadj-1,bob-baker,2017-04,USD,-150.5,Clawback,comp.admin\n",
    );
    write(
        dir.path(),
        "objective_scores.csv",
        "id,person_id,period,objective,score\nos-1,ann-archer,2017-Q2,pipeline_hygiene,92.5\n",
    );
    let report = import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert!(report.bad_rows.is_empty(), "{report}");
    let data = store.dataset().await.unwrap();
    let counts: Vec<usize> = [Kind::Quotas, Kind::PlanAssignments, Kind::CreditSplits, Kind::Adjustments]
        .into_iter()
        .chain([Kind::ObjectiveScores])
        .map(|k| data.len(k))
        .collect();
    assert_eq!(counts, [3, 1, 2, 1, 1]);
    let deals = data.quotas.iter().find(|q| q.id == "q-2").unwrap();
    assert_eq!(
        (deals.period, deals.amount, deals.currency),
        (Period::parse("2017-Q1").unwrap(), Decimal::from(6), None)
    );
    assert_eq!(data.quotas[0].currency, Some(Currency::USD));
    assert_eq!(data.credit_splits[1].role, CreditRole::Primary);
    assert_eq!(data.credit_splits[1].percent, Decimal::from(40));
    assert_eq!(data.adjustments[0].amount, Money::parse("-150.50", Currency::USD).unwrap());
    assert_eq!(data.objective_scores[0].score, Decimal::new(925, 1));

    let again = import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!(again.written().inserted + again.written().updated, 0, "{again}");
}

fn error_at(errors: &[RowError], line: u64) -> &RowError {
    errors.iter().find(|e| e.line == line).unwrap_or_else(|| panic!("no error on line {line}: {errors:#?}"))
}

async fn bad_comp_rows_are_reported_by_line_and_column(store: Store, _: Db) {
    seed_base(&store).await;
    let dir = tempfile::tempdir().unwrap();
    write_org(dir.path());
    import_dir(&store, dir.path(), DirMapping::Workspace, ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let before = counts(&store).await;

    let quotas = "id,position_id,measure,period,amount,currency\n\
                  q-1,pos-ann,revenue,2017-13,1000,USD\n\
                  q-2,pos-nobody,revenue,2017-03,1000,USD\n\
                  q-3,pos-ann,revenue,2017-03,-5,USD\n";
    let errors =
        rejected(import_text(&store, dir.path(), Kind::Quotas, quotas, ImportOptions::default()).await);
    let period = error_at(&errors, 2);
    assert_eq!((period.column.as_deref(), period.value.as_deref()), (Some("period"), Some("2017-13")));
    assert!(period.reason.contains("not a period name"), "{}", period.reason);
    assert_eq!(error_at(&errors, 3).reason, "position 'pos-nobody' does not exist");
    assert_eq!(error_at(&errors, 4).column.as_deref(), Some("amount"));

    let adjustments = "id,person_id,period,currency,amount,reason\nadj-1,ann-archer,2017-Q1,USD,100,Bonus\n";
    let errors = rejected(
        import_text(&store, dir.path(), Kind::Adjustments, adjustments, ImportOptions::default()).await,
    );
    assert_eq!(errors[0].column.as_deref(), Some("period"));
    assert!(errors[0].reason.contains("paid in a month"), "{}", errors[0].reason);

    let splits = "id,opportunity_id,person_id,role,percent\n\
                  cs-1,o-1,ann-archer,primary,120\n\
                  cs-2,o-404,ann-archer,overlay,100\n";
    let errors =
        rejected(import_text(&store, dir.path(), Kind::CreditSplits, splits, ImportOptions::default()).await);
    assert_eq!(error_at(&errors, 2).column.as_deref(), Some("percent"));
    assert_eq!(error_at(&errors, 3).reason, "opportunity 'o-404' does not exist");

    assert_eq!(counts(&store).await, before, "nothing was written");
}

on_both!(
    a_workspace_with_comp_inputs_imports_and_reimports_unchanged,
    bad_comp_rows_are_reported_by_line_and_column
);
