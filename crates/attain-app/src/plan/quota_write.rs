//! Writing quota sheets and their lines: one transaction through the import's checks (so a
//! sheet is never stored without its lines, an approved sheet or its lines never change, and
//! every reference resolves), one audit entry saying what the use-case did.

use attain_core::Kind;
use attain_core::domain::{Quota, QuotaSheet};
use attain_core::record::{Record, cells_to_text};

use super::allocation::{Allocation, AllocationRequest};
use crate::access::Actor;
use crate::app::App;
use crate::audit::Change;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, ImportError, ImportOptions, Origin, SourceRow, apply};
use crate::records::etag;

fn row<R: Record>(kind: Kind, origin: &std::sync::Arc<Origin>, line: u64, record: &R) -> SourceRow {
    let spec = kind.spec();
    let texts = cells_to_text(spec, &record.to_values());
    let pairs: Vec<(&str, Option<String>)> =
        spec.columns.iter().zip(texts).map(|(c, t)| (c.name, Some(t).filter(|t| !t.is_empty()))).collect();
    SourceRow::build(kind, origin, line, &pairs)
}

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
        let _writing = self.writer().await;
        if self.store().data_changes_after(self.snapshot().audit_seq).await? > 0 {
            self.refresh().await?;
        }
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
            batch.push(Kind::QuotaSheets, row(Kind::QuotaSheets, &sheet_origin, i as u64 + 1, s));
        }
        for (i, q) in lines.iter().enumerate() {
            batch.push(Kind::Quotas, row(Kind::Quotas, &line_origin, i as u64 + 1, q));
        }
        let mut options = ImportOptions::by(actor, change.action, "quota sheets").keeping_written();
        if let Some(audit) = options.audit.as_mut() {
            audit.change = Some(change);
        }
        let mut report =
            apply(self.store(), batch, options, &crate::NoProgress).await.map_err(|e| match e {
                ImportError::Rejected { errors } => match errors.into_iter().next() {
                    Some(first) => AppError::Invalid {
                        field: first.column,
                        message: format!("{} (line {}): {}", first.file, first.line, first.reason),
                    },
                    None => AppError::Internal("the quota sheet was refused without a reason".into()),
                },
                other => AppError::Import(other),
            })?;
        self.refresh_after(std::mem::take(&mut report.written)).await
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
