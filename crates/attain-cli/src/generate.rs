//! `attain generate`: a synthetic company of any size written as a workspace directory.

use anyhow::Result;
use attain_app::generate::{TransactionsFormat, write_workspace};
use attain_demo::scaled::{ScaledConfig, company};

use crate::args::{GenerateArgs, GenerateFormat};
use crate::progress_bar::Bar;

pub fn generate(args: GenerateArgs) -> Result<()> {
    let config = ScaledConfig {
        seed: args.seed,
        payees: args.payees,
        territories: args.territories,
        transactions: args.transactions,
        year: args.year,
    };
    let started = std::time::Instant::now();
    let company = company(&config)?;
    let format = match args.format {
        GenerateFormat::Csv => TransactionsFormat::Csv,
        GenerateFormat::Parquet => TransactionsFormat::Parquet,
    };
    let counts = write_workspace(&company, &args.out, format, &Bar::new())?;
    let records: u64 = counts.iter().map(|(_, n)| n).sum();
    eprintln!(
        "wrote {records} records ({} transactions, seed {}, year {}) to {} in {:.1?}",
        config.transactions,
        config.seed,
        config.year,
        args.out.display(),
        started.elapsed()
    );
    Ok(())
}
