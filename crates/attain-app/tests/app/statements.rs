//! Statement and payroll files made from real engine runs on a tiny hand-built company: the
//! statement CSV adds up and has each currency's digits, the payroll CSV has finance's columns
//! and the payouts, and the workbook read back holds the payouts, the lines, valid sheet names
//! and the traces.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::str::FromStr;

use attain_app::statements::{payroll_csv, statement_csv, statement_xlsx};
use attain_core::domain::*;
use attain_core::{Currency, Dataset, Date, FiscalCalendar, FxRate, Money, Period, Validity};
use attain_engine::pay::plan::{CreditRules, PlanBook, load_plan};
use attain_engine::pay::run::{Prepared, Statement, Trace};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;

const REP_PLAN: &str = r#"
id = "rep"
version = 1
valid_from = "2016-01-01"
credit_on = "booking"
[measures.revenue]
sum = "amount"
credit = ["direct"]
[[components]]
id = "commission"
type = "commission"
measure = "revenue"
quota = "revenue"
scope = "qtd"
mode = "marginal"
tiers = [ { from = "0%", rate = "10%" }, { from = "100%", rate = "20%" } ]
"#;

/// 40 characters that two payees' ids share, so their sheet names clash once cut to 31.
const PREFIX: &str = "emea-central-enterprise-account-exec-000";
const JAN: Period = Period::Month { year: 2017, month: 1 };
const MAR: Period = Period::Month { year: 2017, month: 3 };

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn usd(text: &str) -> Money {
    Money::new(d(text), Currency::USD).unwrap()
}

fn open(from: Date) -> Validity {
    Validity::new(from, None).unwrap()
}

fn long(suffix: &str) -> String {
    format!("{PREFIX}{suffix}")
}

/// Four reps on the same plan: ann (USD, with an adjustment), kenji (paid in JPY) and two whose
/// ids share [`PREFIX`]. `ann_deals` are ann's bookings in January, February and March.
fn company(ann_deals: [&str; 3], adjustment: &str) -> Dataset {
    let mut data = Dataset::default();
    data.company.push(Company {
        id: Company::ID.into(),
        name: "Tiny".into(),
        base_currency: Currency::USD,
        calendar: FiscalCalendar::default(),
        time_zone: "UTC".into(),
    });
    data.fx_rates.push(FxRate {
        id: "usd-jpy".into(),
        from_currency: Currency::USD,
        to_currency: Currency::JPY,
        rate: d("112.37"),
        validity: open(date(2016, 1, 1)),
    });
    let reps = [
        ("ann".to_string(), None),
        ("kenji".into(), Some(Currency::JPY)),
        (long("-north"), None),
        (long("-south"), None),
    ];
    for (i, (id, currency)) in reps.iter().enumerate() {
        data.people.push(Person {
            id: id.clone(),
            name: format!("Rep {id}"),
            email: None,
            hire_date: date(2016, 1, 1),
            termination_date: None,
            pay_currency: *currency,
        });
        let position = format!("p{i}");
        data.positions.push(Position {
            id: position.clone(),
            validity: open(date(2016, 1, 1)),
            title: "Rep".into(),
            role: Role::Rep,
            team: None,
            region: None,
            reports_to: None,
        });
        data.assignments.push(Assignment {
            id: format!("a{i}"),
            person_id: id.clone(),
            position_id: position.clone(),
            validity: open(date(2016, 1, 1)),
        });
        data.plan_assignments.push(PlanAssignment {
            id: format!("pa{i}"),
            position_id: position.clone(),
            plan_id: "rep".into(),
            validity: open(date(2016, 1, 1)),
        });
        for month in 1..=3 {
            data.quotas.push(Quota {
                id: format!("q{i}-{month}"),
                position_id: position.clone(),
                measure: "revenue".into(),
                period: Period::Month { year: 2017, month },
                amount: d("10000"),
                currency: Some(Currency::USD),
                sheet_id: None,
            });
        }
    }
    let deals = [
        ("t1", date(2017, 1, 10), "ann".to_string(), ann_deals[0]),
        ("t2", date(2017, 2, 10), "ann".into(), ann_deals[1]),
        ("t3", date(2017, 3, 5), "ann".into(), ann_deals[2]),
        ("t4", date(2017, 2, 3), "kenji".into(), "8888.88"),
        ("t5", date(2017, 3, 1), long("-north"), "5000"),
    ];
    for (id, day, owner, amount) in deals {
        data.transactions.push(Transaction {
            id: id.into(),
            date: day,
            kind: TransactionKind::Booking,
            account_id: None,
            product_id: None,
            quantity: None,
            currency: Currency::USD,
            amount: usd(amount),
            cost: None,
            opportunity_id: None,
            original_id: None,
            owner_id: Some(owner),
        });
    }
    data.adjustments.push(Adjustment {
        id: "adj1".into(),
        person_id: "ann".into(),
        period: MAR,
        currency: Currency::USD,
        amount: usd(adjustment),
        reason: "Territory correction".into(),
        entered_by: Some("finance".into()),
    });
    data
}

fn book() -> PlanBook {
    PlanBook::new(vec![load_plan("rep.toml", REP_PLAN).unwrap()], CreditRules::default()).unwrap()
}

/// Every statement of January through March 2017, month by month.
fn statements(data: &Dataset) -> Vec<Statement> {
    let months = Prepared::new(data, &book()).unwrap().run_months(JAN, MAR).unwrap();
    months.into_iter().flat_map(|(_, s)| s).collect()
}

fn standard() -> Dataset {
    company(["12345.67", "20000", "999.99"], "150.25")
}

fn march(all: &[Statement]) -> Vec<Statement> {
    all.iter().filter(|s| s.period == MAR).cloned().collect()
}

fn find<'a>(all: &'a [Statement], person: &str, period: &str) -> &'a Statement {
    all.iter().find(|s| s.person_id == person && s.period.to_string() == period).expect("a statement")
}

/// Digits after the decimal point.
fn decimals(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, frac)| frac.len())
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect())
        .collect();
    (header, rows)
}

#[test]
fn statements_csv_lines_add_up_to_the_payout_with_each_currency_digits() {
    let all = statements(&standard());
    assert_eq!(all.len(), 12, "four payees, three months");
    let (header, rows) = parse_csv(&statement_csv(&all));
    assert_eq!(header[..3], ["payee_id", "period", "row"]);
    let mut checked = 0;
    for s in &all {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r["payee_id"] == s.person_id && r["period"] == s.period.to_string())
            .collect();
        let of = |kind: &str| mine.iter().filter(|r| r["row"] == kind).collect::<Vec<_>>();
        assert_eq!(of("payee")[0]["label"], s.name);
        assert_eq!(of("plan").iter().map(|r| r["label"].clone()).collect::<Vec<_>>(), s.plans);
        let lines = of("line");
        assert_eq!(lines.len(), s.lines.len(), "{} {}", s.person_id, s.period);
        let sum: Decimal = lines.iter().map(|r| d(&r["amount"])).sum();
        let payout = d(&of("payout")[0]["amount"]);
        assert_eq!(sum, payout, "{} {}: lines add up to the payout row", s.person_id, s.period);
        assert_eq!(payout, s.payout);
        let digits = if s.currency == Currency::JPY { 0 } else { 2 };
        for r in mine.iter().filter(|r| !r["amount"].is_empty()) {
            assert_eq!(r["currency"], s.currency.code());
            assert_eq!(decimals(&r["amount"]), digits, "{} {}: {:?}", s.person_id, s.period, r);
            checked += 1;
        }
    }
    assert!(checked > 40, "amounts were checked: {checked}");
    // ann: 12,345.67 × 10% = 1,234.567, paid as 1,234.57 (rounded at the line, half-even).
    let jan = rows
        .iter()
        .find(|r| r["payee_id"] == "ann" && r["period"] == "2017-01" && r["row"] == "line")
        .unwrap();
    assert_eq!(jan["amount"], "1234.57");
    assert_eq!(jan["attainment"], "0.411522");
    // kenji is paid in yen with no minor digits, and earned something in February.
    let kenji = find(&all, "kenji", "2017-02");
    assert_eq!(kenji.currency, Currency::JPY);
    assert!(kenji.payout > Decimal::ZERO);
    assert_eq!(kenji.payout, kenji.payout.trunc());
    // The adjustment is a line, and the year to date is the running total of the payouts.
    let adj = rows.iter().find(|r| r["kind"] == "adjustment").unwrap();
    assert_eq!((adj["payee_id"].as_str(), adj["amount"].as_str()), ("ann", "150.25"));
    let ytd = rows
        .iter()
        .find(|r| r["payee_id"] == "ann" && r["period"] == "2017-03" && r["row"] == "ytd")
        .unwrap();
    let paid: Decimal = all.iter().filter(|s| s.person_id == "ann").map(|s| s.payout).sum();
    assert_eq!(d(&ytd["amount"]), paid);
    assert_eq!(decimals(&ytd["amount"]), 2);
}

#[test]
fn payroll_csv_has_finance_columns_and_one_row_per_statement_zero_included() {
    let all = march(&statements(&standard()));
    let text = payroll_csv(&all);
    assert_eq!(text.lines().next(), Some("payee_id,name,currency,amount,period"));
    let (_, rows) = parse_csv(&text);
    assert_eq!(rows.len(), all.len());
    for (row, s) in rows.iter().zip(&all) {
        assert_eq!(row["payee_id"], s.person_id);
        assert_eq!(row["name"], s.name);
        assert_eq!(row["currency"], s.currency.code());
        assert_eq!(row["period"], "2017-03");
        assert_eq!(d(&row["amount"]), s.payout);
        assert_eq!(decimals(&row["amount"]), s.currency.minor_units() as usize);
    }
    // The southern rep sold nothing: still listed, with 0.00.
    let south = rows.iter().find(|r| r["payee_id"] == long("-south")).unwrap();
    assert_eq!(south["amount"], "0.00");
}

#[test]
fn text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_numbers() {
    use attain_app::sheet_csv::recover;
    let formula = "=HYPERLINK(\"http://evil.example\",\"Click for bonus\")";
    let mut all = march(&statements(&standard()));
    all[0].name = formula.to_string();
    all[0].lines[0].label = "@SUM(1+1)".into();
    all[0].lines[0].explanation = "-2+3".into();
    all[0].lines[0].amount = d("-12.50");
    all[0].payout = all[0].lines.iter().map(|l| l.amount).sum();

    let (_, payroll) = parse_csv(&payroll_csv(&all));
    assert_eq!(payroll[0]["name"], format!("'{formula}"), "the name is text, not a live formula");
    assert_eq!(recover(&payroll[0]["name"]), formula, "and the exact name is recoverable");
    assert_eq!(d(&payroll[0]["amount"]), all[0].payout, "the amount is still a plain number");

    let (_, rows) = parse_csv(&statement_csv(&all));
    let mine: Vec<_> = rows.iter().filter(|r| r["payee_id"] == all[0].person_id).collect();
    let payee = mine.iter().find(|r| r["row"] == "payee").unwrap();
    assert_eq!(recover(&payee["label"]), formula);
    let line = mine.iter().find(|r| r["row"] == "line").unwrap();
    assert_eq!((line["label"].as_str(), line["explanation"].as_str()), ("'@SUM(1+1)", "'-2+3"));
    assert_eq!(line["amount"], "-12.50", "a negative amount stays a number");
    // No cell of either file starts with a character that makes a formula, except numbers.
    for row in rows.iter().chain(&payroll) {
        for (column, cell) in row {
            let numeric = ["amount", "measure", "quota", "attainment", "tier"].contains(&column.as_str());
            let runs = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(!runs || (numeric && d(cell) < Decimal::ZERO), "{column}: {cell:?}");
        }
    }
}

/// A sheet's cells as text; numbers as the shortest text of the stored double.
fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(name).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn workbook(all: &[Statement], traces: &BTreeMap<String, Vec<Trace>>) -> Xlsx<Cursor<Vec<u8>>> {
    let bytes = statement_xlsx(all, traces).unwrap();
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

#[test]
fn the_workbook_summary_holds_each_payout_and_component_earnings() {
    let all = march(&statements(&standard()));
    let mut book = workbook(&all, &BTreeMap::new());
    let summary = sheet(&mut book, "Summary");
    let header = &summary[0];
    let col = |name: &str| {
        header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    assert_eq!(header[..5], ["payee_id", "name", "period", "currency", "plans"]);
    assert_eq!(summary.len(), all.len() + 1);
    for (row, s) in summary[1..].iter().zip(&all) {
        assert_eq!(row[col("payee_id")], s.person_id);
        assert_eq!(row[col("currency")], s.currency.code());
        assert_eq!(d(&row[col("payout")]), s.payout, "{}", s.person_id);
        let commission = s.components().map(|l| l.amount).sum::<Decimal>();
        assert_eq!(d(&row[col("commission")]), commission);
        assert_eq!(
            d(&row[col("adjustments")]),
            if s.person_id == "ann" { d("150.25") } else { Decimal::ZERO }
        );
    }
}

/// A payee holding two plans at once can have the same component id in each: every file keeps
/// them apart by plan (the CSV's `plan` column, a summary column each, the sheet's plan column).
#[test]
fn two_plans_with_one_component_id_stay_apart_in_every_file() {
    let mut all = march(&statements(&standard()));
    let ann = all.iter_mut().find(|s| s.person_id == "ann").unwrap();
    let mut second = ann.components().next().unwrap().clone();
    assert_eq!(second.plan.as_deref(), Some("rep"));
    second.plan = Some("overlay".into());
    second.amount = d("77.00");
    let first = ann.components().next().unwrap().amount;
    ann.lines.insert(1, second);
    ann.payout += d("77.00");
    ann.plans.push("overlay@1".into());

    let (_, rows) = parse_csv(&statement_csv(&all));
    let lines: Vec<(String, String, Decimal)> = rows
        .iter()
        .filter(|r| r["payee_id"] == "ann" && r["kind"] == "component")
        .map(|r| (r["plan"].clone(), r["component"].clone(), d(&r["amount"])))
        .collect();
    assert_eq!(
        lines,
        [("rep".into(), "commission".into(), first), ("overlay".into(), "commission".into(), d("77.00"))]
    );

    let mut book = workbook(&all, &BTreeMap::new());
    let summary = sheet(&mut book, "Summary");
    let col =
        |name: &str| summary[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("{:?}", summary[0]));
    let row = summary.iter().find(|r| r[0] == "ann").unwrap();
    assert_eq!(d(&row[col("commission (rep)")]), first);
    assert_eq!(d(&row[col("commission (overlay)")]), d("77.00"));
    let cells = sheet(&mut book, "ann");
    let top = cells.iter().position(|r| r[0] == "kind").unwrap();
    assert_eq!(cells[top][1], "plan");
    assert_eq!(cells[top + 2][1..3], ["overlay", "commission"]);
}

#[test]
fn each_payee_sheet_has_its_lines_and_payout_under_a_unique_short_name() {
    assert_eq!(PREFIX.len(), 40);
    let all = march(&statements(&standard()));
    let mut book = workbook(&all, &BTreeMap::new());
    let names = book.sheet_names();
    assert_eq!(names.len(), all.len() + 1);
    let unique: BTreeSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert!(names.iter().all(|n| n.encode_utf16().count() <= 31), "{names:?}");
    let cut: String = PREFIX.chars().take(31).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with(&cut[..27])).count(), 2, "{names:?}");

    let ann = find(&all, "ann", "2017-03");
    let cells = sheet(&mut book, "ann");
    let top = cells.iter().position(|r| r[0] == "kind").expect("a lines table");
    let lines = &cells[top + 1..top + 1 + ann.lines.len()];
    for (row, line) in lines.iter().zip(&ann.lines) {
        assert_eq!(row[0], line.kind.name());
        assert_eq!(row[1], line.plan.clone().unwrap_or_default());
        assert_eq!(row[3], line.label);
        assert_eq!(d(&row[8]), line.amount);
        assert_eq!(row[9], line.explanation);
    }
    assert_eq!(cells[top + 1 + ann.lines.len()][0], "payout");
    assert_eq!(d(&cells[top + 1 + ann.lines.len()][8]), ann.payout);
    // Attainment is stored as the fraction that the 0.0% format shows as a percentage.
    let attainment = ann.components().next().unwrap().attainment.unwrap();
    assert_eq!(d(&lines[0][6]).round_dp(9), attainment.round_dp(9));
    assert!(!cells.iter().flatten().any(|c| c == "How each number was made"), "no traces asked for");
}

#[test]
fn traces_given_for_a_payee_are_written_below_the_lines() {
    let data = standard();
    let all = march(&statements(&data));
    let trace = Prepared::new(&data, &book()).unwrap().trace("ann", MAR, "rep", "commission").unwrap();
    let traces = BTreeMap::from([("ann".to_string(), vec![trace.clone()])]);
    let mut book = workbook(&all, &traces);
    let cells = sheet(&mut book, "ann");
    let heading = cells.iter().position(|r| r[0] == "How each number was made").expect("a trace block");
    let payout = cells.iter().position(|r| r[0] == "payout").unwrap();
    assert!(heading > payout);
    let below = &cells[heading..];
    assert!(below.iter().any(|r| r[0] == "rep@1 / commission"), "{below:?}");
    let credits: Vec<&Vec<String>> =
        below.iter().filter(|r| r[0].starts_with('t') && r[1].starts_with("2017")).collect();
    assert_eq!(credits.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["t1", "t2", "t3"]);
    assert_eq!(d(&credits[0][3]), d("12345.67"));
    assert_eq!(d(&credits[0][5]), Decimal::ONE, "share 100%");
    assert_eq!(credits[0][6], trace.credits[0].why);
    assert!(below.iter().any(|r| r[0] == "Quota parts"));
    let tiers = below.iter().position(|r| r[0] == "Tier slices").expect("tier slices");
    assert_eq!(below[tiers + 1][..5], ["tier", "from", "value", "slice", "paid"]);
    assert_eq!(d(&below[tiers + 2 + trace.tiers.len() - 1][4]), trace.tiers.last().unwrap().paid);
    // Other payees have no traces (the northern rep's sheet has the plain cut name).
    let north = sheet(&mut book, &PREFIX[..31]);
    assert!(!north.iter().flatten().any(|c| c == "How each number was made"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Whatever ann sells (refunds included) and whatever the adjustment, every file agrees with
    /// the statements: CSV lines add up to the payout, payroll amounts and workbook payouts are
    /// the payouts.
    #[test]
    fn every_file_agrees_with_the_statements(
        deals in proptest::array::uniform3(-500_000i64..3_000_000),
        adjustment in -50_000i64..50_000,
    ) {
        let text = deals.map(|c| Decimal::new(c, 2).to_string());
        let all = statements(&company([&text[0], &text[1], &text[2]], &Decimal::new(adjustment, 2).to_string()));
        let (_, rows) = parse_csv(&statement_csv(&all));
        for s in &all {
            let mine = rows.iter().filter(|r| r["payee_id"] == s.person_id && r["period"] == s.period.to_string());
            let (lines, payout): (Vec<_>, Vec<_>) =
                mine.filter(|r| r["row"] == "line" || r["row"] == "payout").partition(|r| r["row"] == "line");
            let sum: Decimal = lines.iter().map(|r| d(&r["amount"])).sum();
            prop_assert_eq!(sum, d(&payout[0]["amount"]));
            prop_assert_eq!(sum, s.payout);
        }
        let (_, payroll) = parse_csv(&payroll_csv(&all));
        prop_assert_eq!(payroll.iter().map(|r| d(&r["amount"])).collect::<Vec<_>>(), all.iter().map(|s| s.payout).collect::<Vec<_>>());
        let mut book = workbook(&all, &BTreeMap::new());
        let summary = sheet(&mut book, "Summary");
        let payout = summary[0].iter().position(|h| h == "payout").unwrap();
        for (row, s) in summary[1..].iter().zip(&all) {
            prop_assert_eq!(d(&row[payout]), s.payout);
        }
    }
}
