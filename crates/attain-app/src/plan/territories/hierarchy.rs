//! The territory hierarchy edited: adding a territory, renaming it, moving it under another
//! (never under itself or one of its own), and handing it to another seat from a day (the
//! owner before ends that day; the history stays). Comp admins and admins.

use std::collections::HashMap;

use attain_core::domain::{Territory, TerritoryOwner};
use attain_core::{Date, Kind, Validity};
use serde::Deserialize;

use super::{day, filled};
use crate::access::{Actor, Permission};
use crate::app::App;
use crate::audit::Change;
use crate::batch_write::source_row;
use crate::error::{AppError, AppResult};
use crate::import::mapping::slug;
use crate::import::{Batch, Origin};

/// A territory as a form or a JSON body sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerritoryRequest {
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

/// A new owner from a day.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnerRequest {
    pub position_id: String,
    pub valid_from: String,
}

impl App {
    /// Saves territory `id` (`None`: a new one, its id made from its name). The parent must
    /// exist and must not be the territory or one below it.
    pub async fn save_territory(
        &self,
        actor: &Actor,
        id: Option<&str>,
        request: &TerritoryRequest,
    ) -> AppResult<Territory> {
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let (before, territory) = {
            let snapshot = self.snapshot();
            let data = &snapshot.data;
            let before = match id {
                Some(id) => {
                    let i =
                        snapshot.find(Kind::Territories, id).first().copied().ok_or(AppError::NotFound)?;
                    Some(data.territories[i].clone())
                }
                None => None,
            };
            let name = request.name.trim();
            if name.is_empty() {
                return Err(AppError::invalid("name", "a territory needs a name"));
            }
            let id = match id {
                Some(id) => id.to_string(),
                None => {
                    let id = format!("ter-{}", slug(name));
                    if !snapshot.find(Kind::Territories, &id).is_empty() {
                        return Err(AppError::invalid(
                            "name",
                            format!("territory {id} exists: give it another name"),
                        ));
                    }
                    id
                }
            };
            let parent = filled(&request.parent_id).map(str::to_string);
            if let Some(p) = parent.as_deref() {
                if snapshot.find(Kind::Territories, p).is_empty() {
                    return Err(AppError::invalid("parent_id", format!("no territory {p}")));
                }
                let parents: HashMap<&str, Option<&str>> =
                    data.territories.iter().map(|t| (t.id.as_str(), t.parent_id.as_deref())).collect();
                let mut at = Some(p);
                let mut steps = 0;
                while let Some(node) = at {
                    if node == id {
                        return Err(AppError::invalid(
                            "parent_id",
                            format!("{p} is {id} or below it: a territory cannot sit under itself"),
                        ));
                    }
                    steps += 1;
                    if steps > parents.len() {
                        break;
                    }
                    at = parents.get(node).copied().flatten();
                }
            }
            let territory = Territory {
                id,
                name: name.to_string(),
                parent_id: parent,
                region: filled(&request.region).map(str::to_string),
            };
            (before, territory)
        };
        let mut change = Change::new("territory.save", Kind::Territories.name(), Some(territory.id.clone()))
            .after(&territory);
        if let Some(before) = &before {
            change = change.before(before);
        }
        let origin = Origin::canonical("territory", Kind::Territories);
        let mut batch = Batch::default();
        batch.push(Kind::Territories, source_row(Kind::Territories, &origin, 1, &territory));
        self.write_batch(actor, batch, change, "territories").await?;
        Ok(territory)
    }

    /// Hands territory `id` to a seat from a day: the owner holding that day ends then (or is
    /// replaced, when it starts that same day).
    pub async fn set_territory_owner(
        &self,
        actor: &Actor,
        id: &str,
        request: &OwnerRequest,
    ) -> AppResult<TerritoryOwner> {
        actor.require(Permission::ManagePlan)?;
        let _writing = self.fresh_writer().await?;
        let from: Date = day("valid_from", &request.valid_from)?;
        let (rows, owner) = {
            let snapshot = self.snapshot();
            let data = &snapshot.data;
            if snapshot.find(Kind::Territories, id).is_empty() {
                return Err(AppError::NotFound);
            }
            let seat = request.position_id.trim();
            if !data.positions.iter().any(|p| p.id == seat && p.validity.contains(from)) {
                return Err(AppError::invalid("position_id", format!("no seat {seat} on {from}")));
            }
            let mine: Vec<&TerritoryOwner> =
                data.territory_owners.iter().filter(|o| o.territory_id == id).collect();
            let next = mine.iter().map(|o| o.validity.from).filter(|f| *f > from).min();
            let mut rows = Vec::new();
            let mut owner = None;
            for o in mine.iter().filter(|o| o.validity.contains(from)) {
                if o.validity.from == from {
                    owner = Some(TerritoryOwner { position_id: seat.to_string(), ..(*o).clone() });
                } else {
                    rows.push(TerritoryOwner {
                        validity: Validity { from: o.validity.from, to: Some(from) },
                        ..(*o).clone()
                    });
                }
            }
            let owner = owner.unwrap_or_else(|| TerritoryOwner {
                id: format!("tow-{id}-{from}"),
                territory_id: id.to_string(),
                position_id: seat.to_string(),
                validity: Validity { from, to: next },
            });
            rows.push(owner.clone());
            (rows, owner)
        };
        let change = Change::new("territory.owner", Kind::TerritoryOwners.name(), Some(owner.id.clone()))
            .after(&owner);
        let origin = Origin::canonical("territory owner", Kind::TerritoryOwners);
        let mut batch = Batch::default();
        for (i, r) in rows.iter().enumerate() {
            batch.push(Kind::TerritoryOwners, source_row(Kind::TerritoryOwners, &origin, i as u64 + 1, r));
        }
        self.write_batch(actor, batch, change, "territory owners").await?;
        Ok(owner)
    }
}
