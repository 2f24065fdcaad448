//! The territory hierarchy (company, regions, districts, one leaf per rep patch) and its
//! effective-dated owners, which follow the org's staffing changes.

use attain_core::domain::{Account, AccountSize, RuleBasis, Territory, TerritoryOwner, TerritoryRule};
use attain_core::{Date, Validity};

use crate::names::slug;
use crate::org::{Org, REGIONS};

/// Districts of each region, in `REGIONS` order; leaves are dealt out among them in turn.
const DISTRICTS: [&[&str]; 3] = [
    &["Northeast", "Mid-Atlantic", "Southeast"],
    &["Great Lakes", "South Central"],
    &["Pacific Northwest", "California", "Mountain"],
];

const ROOT: &str = "ter-all";

#[derive(Debug)]
pub(crate) struct Territories {
    pub records: Vec<Territory>,
    pub owners: Vec<TerritoryOwner>,
    /// The leaf territory id of each of the org's patches, by patch index.
    pub leaf_ids: Vec<String>,
}

pub(crate) fn build(org: &Org) -> Territories {
    let mut records = vec![Territory {
        id: ROOT.to_string(),
        name: "All Territories".to_string(),
        parent_id: None,
        region: None,
    }];
    let mut owners = Vec::new();
    let mut own = |territory: &str, position: usize, validity: Validity| {
        owners.push(TerritoryOwner {
            id: format!("tow-{:04}", owners.len() + 1),
            territory_id: territory.to_string(),
            position_id: org.positions[position].id.clone(),
            validity,
        });
    };
    own(ROOT, org.vp, Validity::open_from(org.since));

    let mut district_ids = Vec::new();
    for (r, region) in REGIONS.iter().enumerate() {
        let region_id = format!("ter-{}", region.slug);
        records.push(Territory {
            id: region_id.clone(),
            name: region.name.to_string(),
            parent_id: Some(ROOT.to_string()),
            region: Some(region.name.to_string()),
        });
        own(&region_id, org.managers[r], Validity::open_from(org.since));
        let ids: Vec<String> = DISTRICTS[r]
            .iter()
            .map(|district| {
                let id = format!("{region_id}-{}", slug(district));
                records.push(Territory {
                    id: id.clone(),
                    name: (*district).to_string(),
                    parent_id: Some(region_id.clone()),
                    region: Some(region.name.to_string()),
                });
                id
            })
            .collect();
        district_ids.push(ids);
    }

    // Leaves per district so far, to number the next one.
    let mut leaves_in: Vec<Vec<usize>> = DISTRICTS.iter().map(|d| vec![0; d.len()]).collect();
    let mut patches_in = [0usize; 3];
    let mut leaf_ids = Vec::with_capacity(org.patches.len());
    for patch in &org.patches {
        let r = patch.region;
        let d = patches_in[r] % DISTRICTS[r].len();
        patches_in[r] += 1;
        leaves_in[r][d] += 1;
        let number = leaves_in[r][d];
        let id = format!("{}-{number}", district_ids[r][d]);
        records.push(Territory {
            id: id.clone(),
            name: format!("{} {number}", DISTRICTS[r][d]),
            parent_id: Some(district_ids[r][d].clone()),
            region: Some(REGIONS[r].name.to_string()),
        });
        for (validity, position) in &patch.owners {
            own(&id, *position, *validity);
        }
        leaf_ids.push(id);
    }
    Territories { records, owners, leaf_ids }
}

/// The company's assignment rules: every enterprise account is a named account of the
/// territory it is in, from `from`. Applying them moves nothing on the demo: they record
/// today's assignment, so a rule added on top shows exactly its own moves in the preview, and
/// the balance report's suggestions can never move a strategic account.
pub(crate) fn rules(accounts: &[Account], from: Date) -> Vec<TerritoryRule> {
    accounts
        .iter()
        .filter(|a| a.size == Some(AccountSize::Enterprise))
        .filter_map(|a| {
            let territory = a.territory_id.clone()?;
            Some(TerritoryRule {
                id: TerritoryRule::id_for(RuleBasis::Named, &a.id, from),
                territory_id: territory,
                basis: RuleBasis::Named,
                value: a.id.clone(),
                validity: Validity::open_from(from),
                note: Some("Strategic account".to_string()),
            })
        })
        .collect()
}
