//! Search and filters over the transactions read the fact store's columns (issue E1: 10 s a
//! request at 10M when every row's record was made). They must find exactly what the records'
//! cells say: each column's cell equals the record's, and every query's rows equal those a
//! plain reading of the cells selects, for the whole company and for a rep's scope.

use attain_app::records::ListQuery;
use attain_app::seed::seed_demo;
use attain_app::snapshot::Snapshot;
use attain_app::{Actor, App, NoProgress, Settings};
use attain_core::Kind;
use attain_core::record::{ColumnType, Value, cells_to_text};
use attain_demo::DemoConfig;
use attain_store::Store;
use attain_testkit::Db;
use jiff::civil::date;
use rust_decimal::Decimal;

use crate::on_both;

/// The rows (key order) a plain reading of every visible row's cells selects: the needle in
/// some cell's text (any case); each filter as docs/api.md says it (numbers compared as
/// numbers, other text as text, equality ignoring case, an empty value meaning an empty cell).
fn expected(
    snapshot: &Snapshot,
    visible: &[usize],
    needle: Option<&str>,
    filters: &[(&str, &str)],
) -> Vec<usize> {
    let spec = Kind::Transactions.spec();
    let needle = needle.map(str::to_lowercase);
    visible
        .iter()
        .copied()
        .filter(|&i| {
            let values = snapshot.values(Kind::Transactions, i);
            let texts = cells_to_text(spec, &values);
            let found = needle.as_ref().is_none_or(|n| texts.iter().any(|t| t.to_lowercase().contains(n)));
            found
                && filters.iter().all(|(param, wanted)| {
                    let q = ListQuery::filter_param(param, wanted);
                    let c = spec.index_of(&q.0).unwrap();
                    let numeric = matches!(
                        spec.columns[c].ty,
                        ColumnType::Int | ColumnType::Money { .. } | ColumnType::Decimal
                    );
                    let ordering = match (&values[c], numeric) {
                        (Value::Null, _) => return q.1 == attain_app::records::Op::Eq && wanted.is_empty(),
                        (_, true) => {
                            texts[c].parse::<Decimal>().unwrap().cmp(&wanted.parse::<Decimal>().unwrap())
                        }
                        (_, false) if q.1 == attain_app::records::Op::Eq => {
                            return texts[c].eq_ignore_ascii_case(wanted);
                        }
                        (_, false) => texts[c].as_str().cmp(wanted),
                    };
                    match q.1 {
                        attain_app::records::Op::Eq => ordering.is_eq(),
                        attain_app::records::Op::Gte => ordering.is_ge(),
                        attain_app::records::Op::Lt => ordering.is_lt(),
                    }
                })
        })
        .collect()
}

/// Every matching row's index, all pages.
fn found(app: &App, actor: &Actor, needle: Option<&str>, filters: &[(&str, &str)]) -> Vec<usize> {
    let mut rows = Vec::new();
    for page in 1.. {
        let query = ListQuery {
            q: needle.map(str::to_string),
            filters: filters.iter().map(|(n, v)| ListQuery::filter_param(n, v)).collect(),
            sort: None,
            page,
            per_page: attain_app::records::MAX_PER_PAGE,
        };
        let listing = app.list(actor, Kind::Transactions, &query).unwrap();
        rows.extend(&listing.rows);
        if page >= listing.pages() {
            assert_eq!(rows.len(), listing.total);
            return rows;
        }
    }
    unreachable!()
}

async fn transaction_search_reads_the_columns_as_the_records_say(store: Store, _: Db) {
    seed_demo(&store, &DemoConfig::new(date(2018, 1, 15)), &NoProgress).await.unwrap();
    let app = App::new(store.clone(), Settings::default()).await.unwrap();
    let snapshot = app.snapshot();
    let count = snapshot.count(Kind::Transactions);
    let width = Kind::Transactions.spec().columns.len();
    for i in 0..count {
        let values = snapshot.values(Kind::Transactions, i);
        let row = snapshot.transaction_row(i);
        for (c, value) in values.iter().enumerate().take(width) {
            assert_eq!(&snapshot.transaction_cell(row, c), value, "transaction {i}, column {c}");
        }
    }

    // Needles and filters from the data itself, so each finds something (or nothing, on
    // purpose), in every column's type.
    let sample = snapshot.transaction_at(count / 3);
    let returned = (0..count).map(|i| snapshot.transaction_at(i)).find(|t| t.original_id.is_some()).unwrap();
    let account = sample.account_id.clone().unwrap_or_default();
    let owner = returned.owner_id.clone().unwrap_or_default();
    let month = sample.date.to_string()[..7].to_string();
    let amount = sample.amount.amount().to_string();
    let needles: Vec<Option<String>> = vec![
        None,
        Some(sample.id.clone()),
        Some(sample.id.to_uppercase()),
        Some(account.clone()),
        Some(month.clone()),
        Some("return".into()),
        Some(amount.clone()),
        Some(".5".into()),
        Some(returned.original_id.clone().unwrap()),
        Some("no such text anywhere".into()),
    ];
    let day = sample.date.to_string();
    let filters: Vec<Vec<(&str, &str)>> = vec![
        vec![],
        vec![("amount__gte", "10000")],
        vec![("amount__lt", "0")],
        vec![("date__gte", &day), ("date__lt", "2017-12-01")],
        vec![("account_id", &account)],
        vec![("owner_id", &owner)],
        vec![("original_id", "")],
        vec![("cost__gte", "1")],
        vec![("kind", "BOOKING"), ("amount__gte", &amount)],
        vec![("quantity__lt", "3")],
    ];
    let admin = Actor::system();
    let all: Vec<usize> = (0..count).collect();
    let rep_row = app.list(&admin, Kind::People, &ListQuery::default()).unwrap();
    let rep_id = (0..rep_row.snapshot.count(Kind::People))
        .map(|i| rep_row.snapshot.values(Kind::People, i)[0].as_text().unwrap().to_string())
        .find(|id| !found(&app, &rep_actor(id), None, &[]).is_empty())
        .unwrap();
    let rep = rep_actor(&rep_id);
    let mine = found(&app, &rep, None, &[]);
    assert!(mine.len() < count, "a rep sees part of the company");
    let mut hits = 0;
    for needle in &needles {
        for f in &filters {
            let want = expected(&snapshot, &all, needle.as_deref(), f);
            assert_eq!(found(&app, &admin, needle.as_deref(), f), want, "{needle:?} {f:?}");
            hits += usize::from(!want.is_empty());
            let want = expected(&snapshot, &mine, needle.as_deref(), f);
            assert_eq!(found(&app, &rep, needle.as_deref(), f), want, "rep: {needle:?} {f:?}");
        }
    }
    assert!(hits > 40, "most queries find rows ({hits})");
}

fn rep_actor(person: &str) -> Actor {
    Actor { role: attain_app::access::Role::Rep, person_id: Some(person.to_string()), ..Actor::system() }
}

on_both!(transaction_search_reads_the_columns_as_the_records_say);
