//! Writing records a use-case built (quota sheets and their lines, a team's objectives): one
//! transaction through the import's checks — references resolve, approved rows stay fixed,
//! dated rows do not overlap — and one audit entry saying what the use-case did, rather than
//! one per row.

use std::sync::Arc;

use attain_core::Kind;
use attain_core::record::{Record, cells_to_text};

use crate::access::Actor;
use crate::app::App;
use crate::audit::Change;
use crate::error::{AppError, AppResult};
use crate::import::{Batch, ImportError, ImportOptions, Origin, SourceRow, apply};

/// `record` as line `line` of `origin`, the way the import reads a row.
pub(crate) fn source_row<R: Record>(kind: Kind, origin: &Arc<Origin>, line: u64, record: &R) -> SourceRow {
    let spec = kind.spec();
    let texts = cells_to_text(spec, &record.to_values());
    let pairs: Vec<(&str, Option<String>)> =
        spec.columns.iter().zip(texts).map(|(c, t)| (c.name, Some(t).filter(|t| !t.is_empty()))).collect();
    SourceRow::build(kind, origin, line, &pairs)
}

impl App {
    /// The writer lock, with the read model brought up to date first if another process wrote
    /// since it was loaded: a use-case decides what to write from the snapshot, so that
    /// snapshot must be what the store holds.
    pub(crate) async fn fresh_writer(&self) -> AppResult<tokio::sync::MutexGuard<'_, ()>> {
        let writing = self.writer().await;
        if self.store().data_changes_after(self.snapshot().audit_seq).await? > 0 {
            self.refresh().await?;
        }
        Ok(writing)
    }

    /// Writes `batch` in one transaction, audited as `change` (`what` names the source in the
    /// audit entry). The first refused row becomes a 4xx naming its field. The caller holds
    /// the writer lock and has checked what the actor may do.
    pub(crate) async fn write_batch(
        &self,
        actor: &Actor,
        batch: Batch,
        change: Change,
        what: &str,
    ) -> AppResult<()> {
        let mut options = ImportOptions::by(actor, change.action, what).keeping_written();
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
                    None => AppError::Internal(format!("the {what} were refused without a reason")),
                },
                other => AppError::Import(other),
            })?;
        self.refresh_after(std::mem::take(&mut report.written)).await
    }
}
