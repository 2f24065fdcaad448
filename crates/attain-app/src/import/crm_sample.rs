//! The built-in `crm-sample` layout: the CRM sales-opportunities sample (sales_teams.csv,
//! products.csv, accounts.csv, sales_pipeline.csv). Agents, managers and regional offices
//! become people, positions and the reporting hierarchy; won deals become bookings.
//!
//! Quirks handled: the pipeline writes `GTXPro` for the product `GTX Pro` (names are matched
//! ignoring case and spaces); open deals may have no account; the sector `technolgy` is a typo
//! for `technology`; account revenue is in millions of USD; files use CRLF line endings.
//! The sample gives no hire dates, so everyone is taken as hired on 2016-01-01, before its first
//! engagement (2016-10-20); open deals in `Prospecting` have no dates and so no stage history.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use attain_core::Kind;
use attain_core::domain::StageChange;

use super::batch::{Batch, Origin, SourceRow};
use super::csv_source::CsvTable;
use super::mapping::slug;
use super::report::{ImportError, RowError};

/// When the sample's people, positions and territories start.
const ORG_START: &str = "2016-01-01";

fn open(dir: &Path, name: &str) -> Result<CsvTable, ImportError> {
    CsvTable::open(&dir.join(name))
}

/// The text of a named column in a record (blank as `None`).
fn cell<'a>(table: &CsvTable, record: &'a csv::StringRecord, column: &str) -> Option<&'a str> {
    table.index(column).and_then(|i| record.get(i)).map(str::trim).filter(|v| !v.is_empty())
}

fn require(table: &CsvTable, columns: &[&str]) -> Result<(), ImportError> {
    for column in columns {
        if table.index(column).is_none() {
            return Err(ImportError::File {
                path: table.file.clone(),
                reason: format!("missing required column '{column}'"),
            });
        }
    }
    Ok(())
}

/// Product names compared ignoring case and spaces, so `GTXPro` finds `GTX Pro`.
fn product_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

fn some(s: impl Into<String>) -> Option<String> {
    Some(s.into())
}

pub fn read(dir: &Path) -> Result<Batch, ImportError> {
    let mut batch = Batch::default();
    read_org(dir, &mut batch)?;
    let products = read_products(dir, &mut batch)?;
    read_accounts(dir, &mut batch)?;
    read_pipeline(dir, &products, &mut batch)?;
    Ok(batch)
}

fn read_org(dir: &Path, batch: &mut Batch) -> Result<(), ImportError> {
    let teams = open(dir, "sales_teams.csv")?;
    require(&teams, &["sales_agent", "manager", "regional_office"])?;
    let file = teams.file.as_str();
    let people = Origin::derived(file, Kind::People, &[("id", "sales_agent"), ("name", "sales_agent")]);
    let managers = Origin::derived(file, Kind::People, &[("id", "manager"), ("name", "manager")]);
    let agent_positions =
        Origin::derived(file, Kind::Positions, &[("id", "sales_agent"), ("reports_to", "manager")]);
    let manager_positions =
        Origin::derived(file, Kind::Positions, &[("id", "manager"), ("reports_to", "regional_office")]);
    let offices =
        Origin::derived(file, Kind::Positions, &[("id", "regional_office"), ("region", "regional_office")]);
    let assignments = Origin::derived(file, Kind::Assignments, &[("person_id", "sales_agent")]);
    let territories = Origin::derived(file, Kind::Territories, &[("id", "regional_office")]);
    let owners = Origin::derived(file, Kind::TerritoryOwners, &[("territory_id", "regional_office")]);
    let root = Origin::derived(file, Kind::Positions, &[]);

    batch.push(
        Kind::Positions,
        SourceRow::build(
            Kind::Positions,
            &root,
            1,
            &[
                ("id", some("sales-vp")),
                ("valid_from", some(ORG_START)),
                ("title", some("VP Sales")),
                ("role", some("executive")),
            ],
        ),
    );
    let mut seen_managers = HashSet::new();
    let mut seen_offices = HashSet::new();
    for (line, record) in &teams.records {
        let (Some(agent), Some(manager), Some(office)) = (
            cell(&teams, record, "sales_agent"),
            cell(&teams, record, "manager"),
            cell(&teams, record, "regional_office"),
        ) else {
            batch.reject(
                Kind::People,
                RowError {
                    file: file.to_string(),
                    line: *line,
                    column: None,
                    value: None,
                    reason: "sales_agent, manager and regional_office are all required".into(),
                },
            );
            continue;
        };
        let office_id = format!("office-{}", slug(office));
        if seen_offices.insert(office_id.clone()) {
            batch.push(
                Kind::Positions,
                SourceRow::build(
                    Kind::Positions,
                    &offices,
                    *line,
                    &[
                        ("id", some(&office_id)),
                        ("valid_from", some(ORG_START)),
                        ("title", some(format!("{office} regional director"))),
                        ("role", some("manager")),
                        ("region", some(office)),
                        ("reports_to", some("sales-vp")),
                    ],
                ),
            );
            let territory = format!("terr-{}", slug(office));
            batch.push(
                Kind::Territories,
                SourceRow::build(
                    Kind::Territories,
                    &territories,
                    *line,
                    &[("id", some(&territory)), ("name", some(office)), ("region", some(office))],
                ),
            );
            batch.push(
                Kind::TerritoryOwners,
                SourceRow::build(
                    Kind::TerritoryOwners,
                    &owners,
                    *line,
                    &[
                        ("id", some(format!("own-{}", slug(office)))),
                        ("territory_id", some(&territory)),
                        ("position_id", some(&office_id)),
                        ("valid_from", some(ORG_START)),
                    ],
                ),
            );
        }
        let manager_id = slug(manager);
        if seen_managers.insert(manager_id.clone()) {
            add_holder(
                batch,
                (&managers, &manager_positions, &assignments),
                *line,
                manager,
                "Sales Manager",
                "manager",
                office,
                &office_id,
            );
        }
        add_holder(
            batch,
            (&people, &agent_positions, &assignments),
            *line,
            agent,
            "Sales Agent",
            "rep",
            office,
            &format!("pos-{manager_id}"),
        );
    }
    Ok(())
}

/// A person, their position and the assignment joining them.
#[allow(clippy::too_many_arguments)]
fn add_holder(
    batch: &mut Batch,
    (people, positions, assignments): (
        &std::sync::Arc<Origin>,
        &std::sync::Arc<Origin>,
        &std::sync::Arc<Origin>,
    ),
    line: u64,
    name: &str,
    title: &str,
    role: &str,
    office: &str,
    reports_to: &str,
) {
    let id = slug(name);
    batch.push(
        Kind::People,
        SourceRow::build(
            Kind::People,
            people,
            line,
            &[("id", some(&id)), ("name", some(name)), ("hire_date", some(ORG_START))],
        ),
    );
    batch.push(
        Kind::Positions,
        SourceRow::build(
            Kind::Positions,
            positions,
            line,
            &[
                ("id", some(format!("pos-{id}"))),
                ("valid_from", some(ORG_START)),
                ("title", some(title)),
                ("role", some(role)),
                ("team", some(office)),
                ("region", some(office)),
                ("reports_to", some(reports_to)),
            ],
        ),
    );
    batch.push(
        Kind::Assignments,
        SourceRow::build(
            Kind::Assignments,
            assignments,
            line,
            &[
                ("id", some(format!("asg-{id}"))),
                ("person_id", some(&id)),
                ("position_id", some(format!("pos-{id}"))),
                ("valid_from", some(ORG_START)),
            ],
        ),
    );
}

/// Reads products; returns product-name key → product id for the pipeline.
fn read_products(dir: &Path, batch: &mut Batch) -> Result<HashMap<String, String>, ImportError> {
    let table = open(dir, "products.csv")?;
    require(&table, &["product", "series", "sales_price"])?;
    let origin = Origin::derived(
        &table.file,
        Kind::Products,
        &[("id", "product"), ("name", "product"), ("family", "series"), ("list_price", "sales_price")],
    );
    let mut ids = HashMap::new();
    for (line, record) in &table.records {
        let name = cell(&table, record, "product");
        let id = name.map(slug);
        if let (Some(name), Some(id)) = (name, &id) {
            ids.insert(product_key(name), id.clone());
        }
        batch.push(
            Kind::Products,
            SourceRow::build(
                Kind::Products,
                &origin,
                *line,
                &[
                    ("id", id),
                    ("name", name.map(str::to_string)),
                    ("family", cell(&table, record, "series").map(str::to_string)),
                    ("currency", some("USD")),
                    ("list_price", cell(&table, record, "sales_price").map(str::to_string)),
                ],
            ),
        );
    }
    Ok(ids)
}

fn read_accounts(dir: &Path, batch: &mut Batch) -> Result<(), ImportError> {
    let table = open(dir, "accounts.csv")?;
    require(&table, &["account", "sector", "revenue", "employees", "office_location", "subsidiary_of"])?;
    let origin = Origin::derived(
        &table.file,
        Kind::Accounts,
        &[
            ("id", "account"),
            ("name", "account"),
            ("industry", "sector"),
            ("country", "office_location"),
            ("annual_revenue", "revenue"),
            ("employees", "employees"),
            ("parent_id", "subsidiary_of"),
        ],
    );
    for (line, record) in &table.records {
        let get = |c: &str| cell(&table, record, c).map(str::to_string);
        let industry = get("sector").map(|s| if s == "technolgy" { "technology".to_string() } else { s });
        // Revenue is given in millions of USD.
        let revenue = match get("revenue").map(|r| attain_core::money::parse_decimal(&r).map(|d| (r, d))) {
            None => None,
            Some(Ok((_, millions))) => {
                Some((millions * rust_decimal::Decimal::from(1_000_000)).normalize().to_string())
            }
            Some(Err(e)) => {
                batch.reject(
                    Kind::Accounts,
                    RowError {
                        file: table.file.clone(),
                        line: *line,
                        column: some("revenue"),
                        value: get("revenue"),
                        reason: e.to_string(),
                    },
                );
                continue;
            }
        };
        batch.push(
            Kind::Accounts,
            SourceRow::build(
                Kind::Accounts,
                &origin,
                *line,
                &[
                    ("id", get("account").map(|a| slug(&a))),
                    ("name", get("account")),
                    ("industry", industry),
                    ("country", get("office_location")),
                    ("revenue_currency", some("USD")),
                    ("annual_revenue", revenue),
                    ("employees", get("employees")),
                    ("parent_id", get("subsidiary_of").map(|a| slug(&a))),
                ],
            ),
        );
    }
    Ok(())
}

fn read_pipeline(
    dir: &Path,
    products: &HashMap<String, String>,
    batch: &mut Batch,
) -> Result<(), ImportError> {
    let table = open(dir, "sales_pipeline.csv")?;
    let columns = [
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "close_date",
        "close_value",
    ];
    require(&table, &columns)?;
    let file = table.file.as_str();
    let deals = Origin::derived(
        file,
        Kind::Opportunities,
        &[
            ("id", "opportunity_id"),
            ("owner_id", "sales_agent"),
            ("product_id", "product"),
            ("account_id", "account"),
            ("stage", "deal_stage"),
            ("status", "deal_stage"),
            ("created_on", "engage_date"),
            ("closed_on", "close_date"),
            ("amount", "close_value"),
        ],
    );
    let stages_engaged = Origin::derived(
        file,
        Kind::StageHistory,
        &[("opportunity_id", "opportunity_id"), ("entered_on", "engage_date")],
    );
    let stages_closed = Origin::derived(
        file,
        Kind::StageHistory,
        &[("opportunity_id", "opportunity_id"), ("entered_on", "close_date")],
    );
    let bookings = Origin::derived(
        file,
        Kind::Transactions,
        &[
            ("opportunity_id", "opportunity_id"),
            ("date", "close_date"),
            ("amount", "close_value"),
            ("owner_id", "sales_agent"),
            ("product_id", "product"),
            ("account_id", "account"),
        ],
    );
    for (line, record) in &table.records {
        let get = |c: &str| cell(&table, record, c).map(str::to_string);
        let id = get("opportunity_id");
        let stage = get("deal_stage");
        let status = match stage.as_deref() {
            Some("Won") => "won",
            Some("Lost") => "lost",
            _ => "open",
        };
        let product = match get("product") {
            None => None,
            Some(name) => match products.get(&product_key(&name)) {
                Some(id) => Some(id.clone()),
                None => {
                    batch.reject(
                        Kind::Opportunities,
                        RowError {
                            file: file.to_string(),
                            line: *line,
                            column: some("product"),
                            value: Some(name.clone()),
                            reason: format!("product '{name}' is not in products.csv"),
                        },
                    );
                    continue;
                }
            },
        };
        let owner = get("sales_agent").map(|a| slug(&a));
        let account = get("account").map(|a| slug(&a));
        batch.push(
            Kind::Opportunities,
            SourceRow::build(
                Kind::Opportunities,
                &deals,
                *line,
                &[
                    ("id", id.clone()),
                    ("account_id", account.clone()),
                    ("owner_id", owner.clone()),
                    ("product_id", product.clone()),
                    ("currency", some("USD")),
                    ("amount", get("close_value")),
                    ("stage", stage.clone()),
                    ("status", some(status)),
                    ("created_on", get("engage_date")),
                    ("closed_on", get("close_date")),
                ],
            ),
        );
        let Some(opportunity) = id else { continue };
        if let Some(engaged) = get("engage_date") {
            batch.push(
                Kind::StageHistory,
                SourceRow::build(
                    Kind::StageHistory,
                    &stages_engaged,
                    *line,
                    &[
                        ("id", some(StageChange::derived_id(&opportunity, "Engaging", &engaged))),
                        ("opportunity_id", some(&opportunity)),
                        ("stage", some("Engaging")),
                        ("entered_on", some(&engaged)),
                    ],
                ),
            );
        }
        if let (Some(closed), Some(stage)) = (get("close_date"), &stage) {
            batch.push(
                Kind::StageHistory,
                SourceRow::build(
                    Kind::StageHistory,
                    &stages_closed,
                    *line,
                    &[
                        ("id", some(StageChange::derived_id(&opportunity, stage, &closed))),
                        ("opportunity_id", some(&opportunity)),
                        ("stage", some(stage)),
                        ("entered_on", some(&closed)),
                    ],
                ),
            );
        }
        if status == "won" {
            batch.push(
                Kind::Transactions,
                SourceRow::build(
                    Kind::Transactions,
                    &bookings,
                    *line,
                    &[
                        ("id", some(format!("bk-{opportunity}"))),
                        ("date", get("close_date")),
                        ("kind", some("booking")),
                        ("account_id", account),
                        ("product_id", product),
                        ("quantity", some("1")),
                        ("currency", some("USD")),
                        ("amount", get("close_value")),
                        ("opportunity_id", some(&opportunity)),
                        ("owner_id", owner),
                    ],
                ),
            );
        }
    }
    Ok(())
}
