//! The built-in `northwind` layout: Microsoft's Northwind sample. Employees (with reports-to)
//! become people, positions and the hierarchy; regions and territories become a territory tree
//! owned by the employees assigned to them; customers become accounts with one contact each;
//! every order becomes a won opportunity and each of its lines a booking linked to it.
//!
//! A line's amount is unit_price × quantity × (1 − discount), rounded half-even to the cent:
//! the 2,155 lines then total 1,265,793.02 (the unrounded 1,265,793.0395 is not money).
//! Contact buying roles are inferred from the contact's title (Owner → decision maker,
//! Accounting Manager → economic buyer, other managers → influencer, Order Administrator →
//! user, anything else → other).

use std::collections::HashMap;
use std::path::Path;

use attain_core::money::parse_decimal;
use attain_core::{Currency, Kind};
use rust_decimal::Decimal;

use super::batch::{Batch, Origin, SourceRow};
use super::csv_source::CsvTable;
use super::report::{ImportError, RowError};

fn cell<'a>(table: &CsvTable, record: &'a csv::StringRecord, column: &str) -> Option<&'a str> {
    table.index(column).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty())
}

fn open(dir: &Path, name: &str, columns: &[&str]) -> Result<CsvTable, ImportError> {
    let table = CsvTable::open(&dir.join(name))?;
    for column in columns {
        if table.index(column).is_none() {
            return Err(ImportError::File {
                path: table.file.clone(),
                reason: format!("missing required column '{column}'"),
            });
        }
    }
    Ok(table)
}

fn some(s: impl Into<String>) -> Option<String> {
    Some(s.into())
}

fn role_of(title: &str) -> &'static str {
    let t = title.to_ascii_lowercase();
    if t.contains("president") {
        "executive"
    } else if t.contains("manager") {
        "manager"
    } else if t.contains("representative") {
        "rep"
    } else {
        "other"
    }
}

fn buying_role_of(title: &str) -> &'static str {
    match title {
        t if t.starts_with("Owner") => "decision_maker",
        "Accounting Manager" => "economic_buyer",
        t if t.ends_with("Manager") => "influencer",
        "Order Administrator" => "user",
        _ => "other",
    }
}

pub fn read(dir: &Path) -> Result<Batch, ImportError> {
    let mut batch = Batch::default();
    let hired = read_employees(dir, &mut batch)?;
    read_territories(dir, &hired, &mut batch)?;
    read_products(dir, &mut batch)?;
    read_customers(dir, &mut batch)?;
    read_orders(dir, &mut batch)?;
    Ok(batch)
}

/// Returns employee id → hire date, which also starts their territory ownership.
fn read_employees(dir: &Path, batch: &mut Batch) -> Result<HashMap<String, String>, ImportError> {
    let t = open(
        dir,
        "employees.csv",
        &["employee_id", "first_name", "last_name", "title", "hire_date", "reports_to"],
    )?;
    let f = t.file.as_str();
    let people = Origin::derived(
        f,
        Kind::People,
        &[("id", "employee_id"), ("name", "first_name"), ("hire_date", "hire_date")],
    );
    let positions = Origin::derived(
        f,
        Kind::Positions,
        &[
            ("id", "employee_id"),
            ("valid_from", "hire_date"),
            ("title", "title"),
            ("role", "title"),
            ("reports_to", "reports_to"),
        ],
    );
    let assignments =
        Origin::derived(f, Kind::Assignments, &[("person_id", "employee_id"), ("valid_from", "hire_date")]);
    let mut hired = HashMap::new();
    for (line, r) in &t.records {
        let get = |c: &str| cell(&t, r, c).map(str::to_string);
        let id = get("employee_id");
        let hire = get("hire_date");
        if let (Some(id), Some(hire)) = (&id, &hire) {
            hired.insert(id.clone(), hire.clone());
        }
        let name = match (get("first_name"), get("last_name")) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (first, last) => first.or(last),
        };
        let person = id.as_ref().map(|i| format!("emp-{i}"));
        let position = id.as_ref().map(|i| format!("pos-emp-{i}"));
        batch.push(
            Kind::People,
            SourceRow::build(
                Kind::People,
                &people,
                *line,
                &[("id", person.clone()), ("name", name), ("hire_date", hire.clone())],
            ),
        );
        let title = get("title");
        batch.push(
            Kind::Positions,
            SourceRow::build(
                Kind::Positions,
                &positions,
                *line,
                &[
                    ("id", position.clone()),
                    ("valid_from", hire.clone()),
                    ("role", title.as_deref().map(role_of).map(str::to_string)),
                    ("title", title),
                    ("region", get("country")),
                    ("reports_to", get("reports_to").map(|m| format!("pos-emp-{m}"))),
                ],
            ),
        );
        batch.push(
            Kind::Assignments,
            SourceRow::build(
                Kind::Assignments,
                &assignments,
                *line,
                &[
                    ("id", id.as_ref().map(|i| format!("asg-emp-{i}"))),
                    ("person_id", person),
                    ("position_id", position),
                    ("valid_from", hire),
                ],
            ),
        );
    }
    Ok(hired)
}

fn read_territories(
    dir: &Path,
    hired: &HashMap<String, String>,
    batch: &mut Batch,
) -> Result<(), ImportError> {
    let regions = open(dir, "region.csv", &["region_id", "region_description"])?;
    let origin = Origin::derived(
        &regions.file,
        Kind::Territories,
        &[("id", "region_id"), ("name", "region_description")],
    );
    let mut region_names = HashMap::new();
    for (line, r) in &regions.records {
        let id = cell(&regions, r, "region_id").map(|i| format!("region-{i}"));
        let name = cell(&regions, r, "region_description").map(str::to_string);
        if let (Some(id), Some(name)) = (&id, &name) {
            region_names.insert(id.clone(), name.clone());
        }
        batch.push(
            Kind::Territories,
            SourceRow::build(
                Kind::Territories,
                &origin,
                *line,
                &[("id", id), ("region", name.clone()), ("name", name)],
            ),
        );
    }
    let territories = open(dir, "territories.csv", &["territory_id", "territory_description", "region_id"])?;
    let origin = Origin::derived(
        &territories.file,
        Kind::Territories,
        &[("id", "territory_id"), ("name", "territory_description"), ("parent_id", "region_id")],
    );
    for (line, r) in &territories.records {
        let parent = cell(&territories, r, "region_id").map(|i| format!("region-{i}"));
        let region = parent.as_ref().and_then(|p| region_names.get(p)).cloned();
        batch.push(
            Kind::Territories,
            SourceRow::build(
                Kind::Territories,
                &origin,
                *line,
                &[
                    ("id", cell(&territories, r, "territory_id").map(|i| format!("terr-{i}"))),
                    ("name", cell(&territories, r, "territory_description").map(str::to_string)),
                    ("parent_id", parent),
                    ("region", region),
                ],
            ),
        );
    }
    let owners = open(dir, "employee_territories.csv", &["employee_id", "territory_id"])?;
    let origin = Origin::derived(
        &owners.file,
        Kind::TerritoryOwners,
        &[("territory_id", "territory_id"), ("position_id", "employee_id"), ("valid_from", "employee_id")],
    );
    for (line, r) in &owners.records {
        let employee = cell(&owners, r, "employee_id");
        let territory = cell(&owners, r, "territory_id");
        batch.push(
            Kind::TerritoryOwners,
            SourceRow::build(
                Kind::TerritoryOwners,
                &origin,
                *line,
                &[
                    ("id", employee.zip(territory).map(|(e, t)| format!("own-{t}-{e}"))),
                    ("territory_id", territory.map(|t| format!("terr-{t}"))),
                    ("position_id", employee.map(|e| format!("pos-emp-{e}"))),
                    ("valid_from", employee.and_then(|e| hired.get(e)).cloned()),
                ],
            ),
        );
    }
    Ok(())
}

fn read_products(dir: &Path, batch: &mut Batch) -> Result<(), ImportError> {
    let categories = open(dir, "categories.csv", &["category_id", "category_name"])?;
    let names: HashMap<String, String> = categories
        .records
        .iter()
        .filter_map(|(_, r)| {
            Some((
                cell(&categories, r, "category_id")?.to_string(),
                cell(&categories, r, "category_name")?.to_string(),
            ))
        })
        .collect();
    let t = open(dir, "products.csv", &["product_id", "product_name", "category_id", "unit_price"])?;
    let origin = Origin::derived(
        &t.file,
        Kind::Products,
        &[
            ("id", "product_id"),
            ("name", "product_name"),
            ("family", "category_id"),
            ("list_price", "unit_price"),
        ],
    );
    for (line, r) in &t.records {
        batch.push(
            Kind::Products,
            SourceRow::build(
                Kind::Products,
                &origin,
                *line,
                &[
                    ("id", cell(&t, r, "product_id").map(|i| format!("prod-{i}"))),
                    ("name", cell(&t, r, "product_name").map(str::to_string)),
                    ("family", cell(&t, r, "category_id").and_then(|c| names.get(c)).cloned()),
                    ("currency", some("USD")),
                    ("list_price", cell(&t, r, "unit_price").map(str::to_string)),
                ],
            ),
        );
    }
    Ok(())
}

fn read_customers(dir: &Path, batch: &mut Batch) -> Result<(), ImportError> {
    let t = open(
        dir,
        "customers.csv",
        &["customer_id", "company_name", "contact_name", "contact_title", "country"],
    )?;
    let accounts = Origin::derived(
        &t.file,
        Kind::Accounts,
        &[("id", "customer_id"), ("name", "company_name"), ("country", "country"), ("region", "region")],
    );
    let contacts = Origin::derived(
        &t.file,
        Kind::Contacts,
        &[
            ("account_id", "customer_id"),
            ("name", "contact_name"),
            ("title", "contact_title"),
            ("phone", "phone"),
            ("buying_role", "contact_title"),
        ],
    );
    for (line, r) in &t.records {
        let get = |c: &str| cell(&t, r, c).map(str::to_string);
        let account = get("customer_id").map(|c| format!("cust-{c}"));
        batch.push(
            Kind::Accounts,
            SourceRow::build(
                Kind::Accounts,
                &accounts,
                *line,
                &[
                    ("id", account.clone()),
                    ("name", get("company_name")),
                    ("country", get("country")),
                    ("region", get("region")),
                ],
            ),
        );
        if get("contact_name").is_some() {
            batch.push(
                Kind::Contacts,
                SourceRow::build(
                    Kind::Contacts,
                    &contacts,
                    *line,
                    &[
                        ("id", get("customer_id").map(|c| format!("contact-{c}"))),
                        ("account_id", account),
                        ("name", get("contact_name")),
                        ("title", get("contact_title")),
                        ("phone", get("phone")),
                        ("buying_role", some(buying_role_of(&get("contact_title").unwrap_or_default()))),
                    ],
                ),
            );
        }
    }
    Ok(())
}

/// An order's customer, employee and date, which each of its lines inherits.
type OrderHeader<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

fn read_orders(dir: &Path, batch: &mut Batch) -> Result<(), ImportError> {
    let orders = open(dir, "orders.csv", &["order_id", "customer_id", "employee_id", "order_date"])?;
    let headers: HashMap<&str, OrderHeader> = orders
        .records
        .iter()
        .filter_map(|(_, r)| {
            let id = cell(&orders, r, "order_id")?;
            Some((
                id,
                (
                    cell(&orders, r, "customer_id"),
                    cell(&orders, r, "employee_id"),
                    cell(&orders, r, "order_date"),
                ),
            ))
        })
        .collect();
    let lines =
        open(dir, "order_details.csv", &["order_id", "product_id", "unit_price", "quantity", "discount"])?;
    let f = lines.file.as_str();
    let origin = Origin::derived(
        f,
        Kind::Transactions,
        &[
            ("id", "order_id"),
            ("product_id", "product_id"),
            ("quantity", "quantity"),
            ("amount", "unit_price"),
        ],
    );
    // Each order is a won deal whose amount is the sum of its rounded lines.
    let mut order_totals: HashMap<&str, Decimal> = HashMap::new();
    for (line, r) in &lines.records {
        let bad = |column: &str, value: &str, reason: String| RowError {
            file: f.to_string(),
            line: *line,
            column: some(column),
            value: some(value),
            reason,
        };
        let order = cell(&lines, r, "order_id").unwrap_or("");
        let Some((customer, employee, date)) = headers.get(order) else {
            batch.reject(
                Kind::Transactions,
                bad("order_id", order, format!("order '{order}' is not in orders.csv")),
            );
            continue;
        };
        let mut numbers = Vec::new();
        for column in ["unit_price", "quantity", "discount"] {
            let text = cell(&lines, r, column).unwrap_or("0");
            match parse_decimal(text) {
                Ok(n) => numbers.push(n),
                Err(e) => {
                    batch.reject(Kind::Transactions, bad(column, text, e.to_string()));
                    break;
                }
            }
        }
        let [price, quantity, discount] = numbers[..] else { continue };
        let amount = Currency::USD.round(price * quantity * (Decimal::ONE - discount));
        *order_totals.entry(order).or_insert(Decimal::ZERO) += amount;
        let product = cell(&lines, r, "product_id");
        batch.push(
            Kind::Transactions,
            SourceRow::build(
                Kind::Transactions,
                &origin,
                *line,
                &[
                    ("id", product.map(|p| format!("ord-{order}-{p}"))),
                    ("date", date.map(str::to_string)),
                    ("kind", some("booking")),
                    ("account_id", customer.map(|c| format!("cust-{c}"))),
                    ("product_id", product.map(|p| format!("prod-{p}"))),
                    ("quantity", some(quantity.to_string())),
                    ("currency", some("USD")),
                    ("amount", some(amount.to_string())),
                    ("opportunity_id", some(format!("ord-{order}"))),
                    ("owner_id", employee.map(|e| format!("emp-{e}"))),
                ],
            ),
        );
    }
    let deals = Origin::derived(
        &orders.file,
        Kind::Opportunities,
        &[
            ("id", "order_id"),
            ("account_id", "customer_id"),
            ("owner_id", "employee_id"),
            ("created_on", "order_date"),
            ("closed_on", "order_date"),
        ],
    );
    for (line, r) in &orders.records {
        let order = cell(&orders, r, "order_id");
        let amount = order.and_then(|o| order_totals.get(o)).copied().unwrap_or(Decimal::ZERO);
        let date = cell(&orders, r, "order_date").map(str::to_string);
        batch.push(
            Kind::Opportunities,
            SourceRow::build(
                Kind::Opportunities,
                &deals,
                *line,
                &[
                    ("id", order.map(|o| format!("ord-{o}"))),
                    ("name", order.map(|o| format!("Order {o}"))),
                    ("account_id", cell(&orders, r, "customer_id").map(|c| format!("cust-{c}"))),
                    ("owner_id", cell(&orders, r, "employee_id").map(|e| format!("emp-{e}"))),
                    ("currency", some("USD")),
                    ("amount", some(amount.to_string())),
                    ("stage", some("Closed Won")),
                    ("status", some("won")),
                    ("probability", some("100")),
                    ("created_on", date.clone()),
                    ("closed_on", date),
                ],
            ),
        );
    }
    Ok(())
}
