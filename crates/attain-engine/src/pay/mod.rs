//! Pay: the compensation engine — the arithmetic (`rates`, `crediting`, `limits`), plans as
//! code (`plan`: the model, the text format's loader, the plan book) and period runs (`run`:
//! credits, measures, attainment, earnings, statements).

pub mod crediting;
pub mod limits;
pub mod plan;
pub mod rates;
pub mod run;

pub use crediting::{Share, SplitError, roll_up, split};
pub use limits::{Limit, Limited, Limits, held_share, prorate};
pub use rates::{Payout, RateError, RateTable, Step, TierMode};
