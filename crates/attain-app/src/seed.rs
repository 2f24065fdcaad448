//! Seeding the demo company: the deterministic generator's output goes through the same
//! checks as any import, into an empty database.

use attain_core::Kind;
use attain_demo::DemoConfig;
use attain_store::Store;

use crate::import::{ImportError, ImportOptions, ImportReport, apply, workspace_batch};
use crate::progress::Progress;

/// Generates the demo company for `config` and writes it. Refuses a database that already
/// holds any record, so a demo never mixes into real data.
pub async fn seed_demo(
    store: &Store,
    config: &DemoConfig,
    progress: &dyn Progress,
) -> Result<ImportReport, ImportError> {
    for kind in Kind::ALL {
        if store.count(kind).await? > 0 {
            return Err(ImportError::File {
                path: "database".into(),
                reason: format!(
                    "already holds data ({kind}); the demo is seeded only into an empty database"
                ),
            });
        }
    }
    let dataset = attain_demo::generate(config);
    apply(store, workspace_batch(&dataset, "demo"), ImportOptions::default(), progress).await
}
