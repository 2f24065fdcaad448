//! Lists: pages, search, sorting and filters, and the 400s for parameters that make no sense.

use std::cmp::Ordering;

use attain_app::Role;
use attain_core::domain::DealStatus;
use attain_testkit::Db;
use serde_json::Value;

use crate::client::Api;
use crate::on_both;
use crate::support::TestApp;

/// An exact decimal string as millionths, so amounts compare as numbers (no floats).
fn millionths(text: &str) -> i128 {
    let (sign, digits) = text.strip_prefix('-').map_or((1, text), |rest| (-1, rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    assert!(fraction.len() <= 6, "{text} has more decimals than the test reads");
    let fraction = format!("{fraction:0<6}");
    let whole: i128 = whole.parse().unwrap_or_else(|_| panic!("{text} is not a decimal"));
    let fraction: i128 = fraction.parse().unwrap_or_else(|_| panic!("{text} is not a decimal"));
    sign * (whole * 1_000_000 + fraction)
}

/// Values of `column` in list order, as numbers; `None` for empty cells.
fn numbers(rows: &[Value], column: &str) -> Vec<Option<i128>> {
    rows.iter()
        .map(|r| r[column].as_str().map(millionths).or_else(|| r[column].as_i64().map(i128::from)))
        .collect()
}

/// Whether `values` are in `order` (Less for ascending), empty values last either way.
fn sorted<T: Ord + std::fmt::Debug>(values: &[Option<T>], order: Ordering) -> Result<(), String> {
    for (i, pair) in values.windows(2).enumerate() {
        let fine = match (&pair[0], &pair[1]) {
            (Some(a), Some(b)) => a.cmp(b) == order || a == b,
            (Some(_), None) | (None, None) => true,
            (None, Some(_)) => false,
        };
        if !fine {
            return Err(format!("rows {i} and {}: {:?} then {:?}", i + 1, pair[0], pair[1]));
        }
    }
    Ok(())
}

/// Every record of a list, following pages of 500.
async fn all(api: &Api, path: &str) -> Vec<Value> {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut rows = Vec::new();
    for page in 1.. {
        let reply = api.get(&format!("{path}{join}per_page=500&page={page}")).await;
        reply.expect(200);
        let total = reply.total();
        rows.extend(reply.data());
        if rows.len() as u64 >= total {
            break;
        }
    }
    rows
}

fn texts(row: &Value) -> Vec<String> {
    row.as_object()
        .expect("a record")
        .values()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

on_both!(lists_page_search_sort_and_filter);

async fn lists_page_search_sort_and_filter(backend: Db) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    // Everything as stored: the read model keeps its transactions as columns, not in `data`.
    let data = &app.app.store().dataset().await.expect("the stored dataset");
    let api = Api::as_role(&app, Role::Executive).await;

    // Pages: 50 by default; fixed size pages tile the whole list in key order, the last partial.
    let accounts = data.accounts.len();
    let first = api.get("/api/v1/accounts").await;
    let body = first.expect(200).json();
    assert_eq!((body["page"].as_u64(), body["per_page"].as_u64()), (Some(1), Some(50)));
    assert_eq!(first.total(), accounts as u64);
    assert_eq!(first.data().len(), accounts.min(50));
    let everything = api.get("/api/v1/accounts?per_page=500").await.data();
    assert_eq!(everything.len(), accounts);
    let per_page = 7;
    assert_ne!(accounts % per_page, 0, "the demo's account count makes a partial last page");
    let pages = accounts.div_ceil(per_page);
    let mut tiled = Vec::new();
    for page in 1..=pages {
        let reply = api.get(&format!("/api/v1/accounts?per_page={per_page}&page={page}")).await;
        let body = reply.expect(200).json();
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], per_page);
        assert_eq!(reply.total(), accounts as u64);
        let rows = reply.data();
        let want = if page == pages { accounts % per_page } else { per_page };
        assert_eq!(rows.len(), want, "page {page} of {pages}");
        tiled.extend(rows);
    }
    assert_eq!(tiled, everything, "the pages, in order, are the whole list once");
    let beyond = api.get(&format!("/api/v1/accounts?per_page={per_page}&page={}", pages + 1)).await;
    assert!(beyond.data().is_empty());
    assert_eq!(beyond.total(), accounts as u64);
    // per_page is at most 500, as the OpenAPI document says: more is refused, not clamped.
    assert!(data.activities.len() > 500);
    api.get("/api/v1/activities?per_page=100000").await.expect_error(400, "invalid", Some("per_page"));
    let capped = api.get("/api/v1/activities?per_page=500").await;
    assert_eq!(capped.json()["per_page"], 500);
    assert_eq!(capped.data().len(), 500);
    assert_eq!(capped.total(), data.activities.len() as u64);

    // Search: case-insensitive, in any column; the count is every matching record.
    let needle = data.accounts[0].name.split(' ').next().expect("a word").to_uppercase();
    let found = all(&api, &format!("/api/v1/accounts?q={needle}")).await;
    let expected: Vec<Value> = everything
        .iter()
        .filter(|row| texts(row).iter().any(|t| t.to_lowercase().contains(&needle.to_lowercase())))
        .cloned()
        .collect();
    assert!(!expected.is_empty() && expected.len() < accounts, "'{needle}' picks some accounts");
    assert_eq!(found, expected, "q={needle}");
    assert!(found.iter().any(|r| r["id"] == data.accounts[0].id.as_str()));
    assert_eq!(api.get("/api/v1/accounts?q=zzzz-nothing-like-it").await.total(), 0);

    // Sorting: text, money (by amount, not as text), decimals and dates; empty values last.
    let by_name = api.get("/api/v1/accounts?sort=name&per_page=500").await.data();
    let names: Vec<Option<String>> = by_name.iter().map(|r| r["name"].as_str().map(str::to_string)).collect();
    sorted(&names, Ordering::Less).unwrap_or_else(|e| panic!("sort=name: {e}"));
    let by_name_desc = api.get("/api/v1/accounts?sort=-name&per_page=500").await.data();
    let names: Vec<Option<String>> =
        by_name_desc.iter().map(|r| r["name"].as_str().map(str::to_string)).collect();
    sorted(&names, Ordering::Greater).unwrap_or_else(|e| panic!("sort=-name: {e}"));
    for (path, column) in [
        ("/api/v1/opportunities?sort=amount", "amount"),
        ("/api/v1/opportunities?sort=probability", "probability"),
        ("/api/v1/transactions?sort=amount", "amount"),
        ("/api/v1/transactions?sort=quantity", "quantity"),
        ("/api/v1/accounts?sort=employees", "employees"),
    ] {
        for (prefix, order) in [("", Ordering::Less), ("-", Ordering::Greater)] {
            let path = path.replace("sort=", &format!("sort={prefix}"));
            let rows = all(&api, &path).await;
            let values = numbers(&rows, column);
            let distinct: std::collections::BTreeSet<_> = values.iter().flatten().collect();
            assert!(distinct.len() > 2, "{path}: the column has values to order");
            sorted(&values, order).unwrap_or_else(|e| panic!("{path} is not in numeric order: {e}"));
        }
    }
    let by_date = all(&api, "/api/v1/opportunities?sort=-created_on").await;
    let dates: Vec<Option<String>> =
        by_date.iter().map(|r| r["created_on"].as_str().map(str::to_string)).collect();
    sorted(&dates, Ordering::Greater).unwrap_or_else(|e| panic!("sort=-created_on: {e}"));

    // Filters: equality (case-insensitive), date and amount ranges, combined with AND.
    let won = data.opportunities.iter().filter(|o| o.status == DealStatus::Won).count();
    for value in ["won", "WON"] {
        let rows = all(&api, &format!("/api/v1/opportunities?status={value}")).await;
        assert_eq!(rows.len(), won, "status={value}");
        assert!(rows.iter().all(|r| r["status"] == "won"));
    }
    let (from, to) = ("2017-01-01", "2017-02-01");
    let january = all(&api, &format!("/api/v1/transactions?date__gte={from}&date__lt={to}&sort=date")).await;
    let expected = data
        .transactions
        .iter()
        .filter(|t| t.date.to_string().as_str() >= from && t.date.to_string().as_str() < to)
        .count();
    assert!(expected > 0);
    assert_eq!(january.len(), expected, "transactions in January 2017");
    assert!(january.iter().all(|t| t["date"].as_str().is_some_and(|d| (from..to).contains(&d))));
    let threshold = "50000";
    let big = all(&api, &format!("/api/v1/opportunities?amount__gte={threshold}&status=won")).await;
    let expected = data
        .opportunities
        .iter()
        .filter(|o| o.status == DealStatus::Won)
        .filter(|o| o.amount.is_some_and(|a| a.amount() >= attain_core::Decimal::from(50_000)))
        .count();
    assert!(expected > 0 && expected < won, "some but not all won deals are large");
    assert_eq!(big.len(), expected, "amount__gte={threshold}&status=won");

    // Parameters that make no sense are a 400 naming the parameter.
    api.get("/api/v1/accounts?sort=nope").await.expect_error(400, "invalid", Some("sort"));
    api.get("/api/v1/accounts?sort=-nope").await.expect_error(400, "invalid", Some("sort"));
    let unknown = api.get("/api/v1/accounts?nope=1").await.expect_error(400, "invalid", Some("nope"));
    assert!(unknown["error"]["message"].as_str().unwrap().contains("nope"));
    api.get("/api/v1/transactions?nope__gte=1").await.expect_error(400, "invalid", None);
    // A value the column cannot be compared with would silently match nothing.
    for (filter, column) in [
        ("amount__gte=lots", "amount"),
        ("date__lt=next%20week", "date"),
        ("date=2017-02-30", "date"),
        ("quantity=two", "quantity"),
    ] {
        api.get(&format!("/api/v1/transactions?{filter}")).await.expect_error(400, "invalid", Some(column));
    }
    let no_owner = data.transactions.iter().filter(|t| t.owner_id.is_none()).count();
    assert_eq!(
        api.get("/api/v1/transactions?owner_id=&per_page=1").await.total(),
        no_owner as u64,
        "empty matches empty"
    );
    for page in ["0", "abc", "-1", "1.5"] {
        api.get(&format!("/api/v1/accounts?page={page}")).await.expect_error(400, "invalid", Some("page"));
    }
    for per_page in ["0", "abc"] {
        let path = format!("/api/v1/accounts?per_page={per_page}");
        api.get(&path).await.expect_error(400, "invalid", Some("per_page"));
    }
}
