//! The product catalogue, with list price and unit cost so margin is known.

use serde::{Deserialize, Serialize};

use crate::record::{
    Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_money, opt_text, shown, text,
};
use crate::{Currency, Kind, Money};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    /// Family or series (`GTX`), which plans filter on.
    pub family: Option<String>,
    pub currency: Currency,
    pub list_price: Option<Money>,
    pub unit_cost: Option<Money>,
}

impl Record for Product {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Products,
        table: "products",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::opt("family", T::Text),
            Column::req("currency", T::Currency),
            Column::opt("list_price", T::Money { currency_column: "currency" }),
            Column::opt("unit_cost", T::Money { currency_column: "currency" }),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.name),
            opt_text(&self.family),
            shown(self.currency),
            opt_money(self.list_price),
            opt_money(self.unit_cost),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let currency = r.currency("currency")?;
        Ok(Product {
            id: r.text("id")?,
            name: r.text("name")?,
            family: r.opt_text("family")?,
            currency,
            list_price: r.opt_money("list_price", currency)?,
            unit_cost: r.opt_money("unit_cost", currency)?,
        })
    }
}
