//! Territories (a hierarchy) and which position owns each one when.

use serde::{Deserialize, Serialize};

use crate::record::{
    Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_shown, opt_text, shown, text,
};
use crate::{Kind, Validity};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Territory {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub region: Option<String>,
}

impl Record for Territory {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Territories,
        table: "territories",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::opt("parent_id", T::Ref(Kind::Territories)),
            Column::opt("region", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![text(&self.id), text(&self.name), opt_text(&self.parent_id), opt_text(&self.region)]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let id = r.text("id")?;
        let parent_id = r.opt_text("parent_id")?;
        if parent_id.as_deref() == Some(id.as_str()) {
            return Err(FieldError::new("parent_id", id, "a territory cannot be its own parent"));
        }
        Ok(Territory { id, name: r.text("name")?, parent_id, region: r.opt_text("region")? })
    }
}

/// A position owning a territory over `[valid_from, valid_to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryOwner {
    pub id: String,
    pub territory_id: String,
    pub position_id: String,
    pub validity: Validity,
}

impl Record for TerritoryOwner {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::TerritoryOwners,
        table: "territory_owners",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("territory_id", T::Ref(Kind::Territories)),
            Column::req("position_id", T::Ref(Kind::Positions)),
            Column::req("valid_from", T::Date),
            Column::opt("valid_to", T::Date),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            text(&self.territory_id),
            text(&self.position_id),
            shown(self.validity.from),
            opt_shown(self.validity.to),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(TerritoryOwner {
            id: r.text("id")?,
            territory_id: r.text("territory_id")?,
            position_id: r.text("position_id")?,
            validity: r.validity("valid_from", "valid_to")?,
        })
    }
}
