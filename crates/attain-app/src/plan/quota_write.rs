//! Writing quota sheets and their lines (through `batch_write`): one transaction, so a sheet
//! is never stored without its lines, an approved sheet or its lines never change, and every
//! reference resolves; one audit entry saying what the use-case did.

use attain_core::Kind;
use attain_core::domain::{Quota, QuotaSheet};

use super::allocation::{Allocation, AllocationRequest};
use crate::access::Actor;
use crate::app::App;
use crate::audit::Change;
use crate::batch_write::source_row;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, Origin};
use crate::records::etag;

impl App {
    /// Writes `sheets` and `lines` in one transaction, audited as `change`. With `expected`
    /// (a sheet id and the ETag the actor read), the write is refused if that sheet changed
    /// since (409), or if no version was sent (428).
    pub(crate) async fn write_sheets(
        &self,
        actor: &Actor,
        sheets: &[QuotaSheet],
        lines: &[Quota],
        change: Change,
        expected: Option<(String, String)>,
    ) -> AppResult<()> {
        let _writing = self.fresh_writer().await?;
        if let Some((id, tag)) = expected {
            let snapshot = self.snapshot();
            let index = snapshot.find(Kind::QuotaSheets, &id).first().copied().ok_or(AppError::NotFound)?;
            let current = etag(Kind::QuotaSheets, &snapshot.values(Kind::QuotaSheets, index));
            if tag.trim() != current && tag.trim() != "*" {
                return Err(AppError::Conflict(format!(
                    "quota sheet {id} changed since it was read: read it again and redo the change"
                )));
            }
        }
        let sheet_origin = Origin::canonical("quota sheet", Kind::QuotaSheets);
        let line_origin = Origin::canonical("quota sheet lines", Kind::Quotas);
        let mut batch = Batch::default();
        for (i, s) in sheets.iter().enumerate() {
            batch.push(Kind::QuotaSheets, source_row(Kind::QuotaSheets, &sheet_origin, i as u64 + 1, s));
        }
        for (i, q) in lines.iter().enumerate() {
            batch.push(Kind::Quotas, source_row(Kind::Quotas, &line_origin, i as u64 + 1, q));
        }
        self.write_batch(actor, batch, change, "quota sheets").await
    }

    /// Computes the allocation and writes it: the sheets as drafts (an open draft of a chain
    /// is overwritten, its lines for seats no longer reporting set to zero) and their lines.
    pub async fn apply_quota_allocation(
        &self,
        actor: &Actor,
        request: &AllocationRequest,
    ) -> AppResult<Allocation> {
        let allocation = self.quota_allocation(actor, request)?;
        let mut lines = allocation.lines.clone();
        {
            let snapshot = self.snapshot();
            for stale in snapshot.data.quotas.iter().filter(|q| {
                q.sheet_id.as_deref().is_some_and(|s| allocation.sheets.iter().any(|x| x.id == s))
                    && !allocation.lines.iter().any(|l| l.id == q.id)
            }) {
                lines.push(Quota { amount: rust_decimal::Decimal::ZERO, ..stale.clone() });
            }
        }
        let change = Change::new(
            "quota.allocate",
            Kind::QuotaSheets.name(),
            Some(format!("FY{} {}", allocation.fiscal_year, allocation.measure)),
        )
        .after(serde_json::json!({
            "plan": allocation.plan_id,
            "total": allocation.total.amount().to_string(),
            "method": request.method.trim(),
            "over_assignment": request.over_assignment,
            "ramp": request.ramp.trim(),
            "note": request.note.trim(),
            "sheets": allocation.sheets.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
            "lines": lines.len(),
        }));
        self.write_sheets(actor, &allocation.sheets, &lines, change, None).await?;
        Ok(allocation)
    }
}
