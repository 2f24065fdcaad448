//! The assignment rules' one rule across rows: no two rules of one precedence may claim an
//! account for different territories (docs/territories.md). An imported rule that would is
//! refused with its file and line, naming both rules and the account, as the rules page
//! refuses it; the check is the engine's `first_claim`, the same the page calls. The rules
//! kept are the stored ones (a batch row replaces the stored rule of its id); the accounts are
//! the stored ones and the batch's own.

use attain_core::Kind;
use attain_core::domain::{Account, TerritoryRule};
use attain_core::record::Record;
use attain_engine::plan::territory::{AccountFields, first_claim};
use attain_store::Store;

use super::check::Checked;
use super::report::RowError;

pub(super) struct RuleClaims {
    kept: Vec<TerritoryRule>,
    accounts: Vec<Account>,
}

impl RuleClaims {
    /// The stored rules and accounts (read before the import writes anything).
    pub(super) async fn read(store: &Store) -> Result<RuleClaims, attain_store::StoreError> {
        let kept = store
            .rows(Kind::TerritoryRules)
            .await?
            .iter()
            .filter_map(|r| TerritoryRule::from_values(r).ok())
            .collect();
        let accounts =
            store.rows(Kind::Accounts).await?.iter().filter_map(|r| Account::from_values(r).ok()).collect();
        Ok(RuleClaims { kept, accounts })
    }

    /// Drops (and reports) each batch rule that takes part in a conflict, one at a time,
    /// until the rest agree. `batch_accounts` are the batch's account rows that passed.
    pub(super) fn drop_conflicting(
        mut self,
        batch_accounts: &[Checked],
        rows: &mut Vec<Checked>,
        errors: &mut Vec<RowError>,
    ) {
        for row in batch_accounts {
            if let Ok(a) = Account::from_values(&row.values) {
                self.accounts.retain(|x| x.id != a.id);
                self.accounts.push(a);
            }
        }
        let fields: Vec<AccountFields<'_>> = self
            .accounts
            .iter()
            .map(|a| AccountFields {
                id: &a.id,
                country: a.country.as_deref(),
                region: a.region.as_deref(),
                industry: a.industry.as_deref(),
                size: a.size,
            })
            .collect();
        // The batch's rules, with the row each came from.
        let mut new: Vec<(usize, TerritoryRule)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, row)| TerritoryRule::from_values(&row.values).ok().map(|r| (i, r)))
            .collect();
        let mut dropped = vec![false; rows.len()];
        loop {
            let rules: Vec<TerritoryRule> = new.iter().map(|(_, r)| r.clone()).collect();
            let Some(claim) = first_claim(&fields, &self.kept, &rules) else { break };
            let (at, _) = new.remove(claim.new_rule);
            let row = &rows[at];
            let account = &self.accounts[claim.conflict.account];
            errors.push(RowError {
                file: row.origin.file.clone(),
                line: row.line,
                column: Some(row.origin.column_name(Kind::TerritoryRules, "value")),
                value: TerritoryRule::from_values(&row.values).ok().map(|r| r.value),
                reason: format!(
                    "on {}: {}",
                    claim.day,
                    claim.conflict.describe(&claim.rules, (&account.id, &account.name), str::to_string)
                ),
            });
            dropped[at] = true;
        }
        let mut i = 0;
        rows.retain(|_| {
            i += 1;
            !dropped[i - 1]
        });
    }
}
