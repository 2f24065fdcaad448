//! `attain quota allocate`: the revenue plan divided down the organisation as draft quota
//! sheets, through the same use-case as the browser and the API (preview and apply alike).

use anyhow::Result;
use attain_app::plan::{Allocation, AllocationRequest};
use attain_app::{Actor, App, AppError, Settings};
use attain_store::Store;

use crate::args::QuotaAllocateArgs;

pub async fn allocate(args: QuotaAllocateArgs) -> Result<()> {
    let store = Store::open_existing(&args.db.db).await?;
    let app = App::new(store, Settings::default()).await?;
    let parts: Vec<String> = args.mix.split(',').map(|s| s.trim().to_string()).collect();
    let [equal, last_year, potential] = <[String; 3]>::try_from(parts).map_err(|p| {
        anyhow::anyhow!("--mix: three parts EQUAL,LAST_YEAR,POTENTIAL are needed, not {}", p.len())
    })?;
    let request = AllocationRequest {
        fiscal_year: args.year.clone(),
        measure: args.measure.clone(),
        method: args.method.clone(),
        mix: [equal, last_year, potential],
        over_assignment: args.over_assignment.split(',').map(|s| s.trim().to_string()).collect(),
        ramp: args.ramp.clone(),
        note: args.note.clone(),
    };
    let actor = Actor::cli();
    let allocation = if args.preview {
        app.quota_allocation(&actor, &request)
    } else {
        app.apply_quota_allocation(&actor, &request).await
    }
    .map_err(named)?;
    print!("{}", table(&allocation));
    if args.preview {
        println!("Preview only: nothing was written.");
    } else {
        println!("Wrote {} draft quota sheets ({} lines).", allocation.sheets.len(), allocation.lines.len());
    }
    Ok(())
}

/// An error naming the option it is about (`--method: ...`).
fn named(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid { field: Some(field), message } => {
            let option = match field.as_str() {
                "fiscal_year" => "--year",
                "mix_equal" | "mix_last_year" | "mix_potential" => "--mix",
                "over_assignment" => "--over-assignment",
                "measure" => "--measure",
                "method" => "--method",
                "ramp" => "--ramp",
                "note" => "--note",
                _ => return anyhow::anyhow!("{field}: {message}"),
            };
            anyhow::anyhow!("{option}: {message}")
        }
        other => other.into(),
    }
}

/// The seats as an indented tree: capacity, last year, the year allocated.
fn table(a: &Allocation) -> String {
    let mut out = format!(
        "FY{} {} from {}: {} {}\n{:<44} {:>8} {:>16} {:>16}\n",
        a.fiscal_year,
        a.measure,
        a.plan_id,
        a.total.amount(),
        a.total.currency(),
        "seat",
        "capacity",
        "last year",
        "quota"
    );
    for seat in &a.seats {
        let who = if seat.holders.is_empty() { "vacant".to_string() } else { seat.holders.join(", ") };
        let name = format!("{}{} ({who})", "  ".repeat(seat.depth), seat.title);
        out.push_str(&format!(
            "{:<44} {:>8} {:>16} {:>16}\n",
            name,
            seat.capacity.round_dp(3).normalize(),
            seat.last_year.amount(),
            seat.annual.amount()
        ));
    }
    out
}
