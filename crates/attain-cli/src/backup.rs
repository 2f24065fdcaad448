//! `attain backup FILE` and `attain restore FILE`: the whole database to one portable file
//! and back into a new, empty database (either backend), then the audit log checked.

use anyhow::{Result, bail};
use attain_store::Store;

use crate::args::BackupArgs;

pub async fn backup(args: BackupArgs) -> Result<()> {
    let store = Store::open_existing(&args.db.db).await?;
    let copied = attain_app::backup::backup(&store, &args.file).await;
    store.close().await;
    let copied = copied?;
    println!("backed up {} rows of {} tables to {}", copied.rows(), copied.tables.len(), args.file.display());
    Ok(())
}

pub async fn restore(args: BackupArgs) -> Result<()> {
    let store = Store::open(&args.db.db).await?;
    let restored = match attain_app::backup::restore(&store, &attain_app::Actor::cli(), &args.file).await {
        Ok(restored) => restored,
        Err(e) => {
            store.close().await;
            return Err(e.into());
        }
    };
    let verification = attain_app::audit::verify(&store).await;
    let key = store.audit_key().source().to_string();
    store.close().await;
    let copied = &restored.copied;
    println!(
        "restored {} rows of {} tables from {}{}",
        copied.rows(),
        copied.tables.len(),
        args.file.display(),
        restored.audit_seq.map(|seq| format!(" (recorded as audit entry {seq})")).unwrap_or_default()
    );
    let verification = verification?;
    match verification.problem {
        None => {
            println!("audit log intact: {} entries, every hash checked", verification.entries);
            Ok(())
        }
        Some(problem) => bail!(
            "the data is restored, but its audit log does not verify with the audit key from {key} \
             (use the key of the database the backup came from: ATTAIN_AUDIT_KEY_FILE){}: entry {}: {problem}",
            if restored.audit_seq.is_none() { ", so the restore was not recorded in it" } else { "" },
            verification.broken_at.unwrap_or_default()
        ),
    }
}
