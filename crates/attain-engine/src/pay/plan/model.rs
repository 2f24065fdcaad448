//! The checked shape of a compensation plan, as the engine runs it. Plans are written as text
//! (see docs/plans.md) and turned into these types by `load`, which has already checked every
//! rule below; nothing here can be half-valid.

use attain_core::domain::{Channel, DealType};
use attain_core::{Currency, Date, Validity};
use rust_decimal::Decimal;

use crate::formula::Formula;
use crate::pay::limits::Limits;
use crate::pay::rates::RateTable;

/// A versioned, effective-dated plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub id: String,
    pub version: u32,
    pub name: String,
    /// The days this version is in force: `[valid_from, valid_to)`.
    pub validity: Validity,
    /// The currency the plan's amounts (target incentive, fixed bonuses, caps) are written in;
    /// the company's base currency when the plan does not say.
    pub currency: Option<Currency>,
    /// Annual target incentive: what a payee earns at 100% of every target.
    pub target_incentive: Option<Decimal>,
    /// Annual base salary, so on-target earnings and the pay mix can be shown.
    pub base_salary: Option<Decimal>,
    /// When credit is earned: on booking, on invoice or on payment.
    pub credit_on: CreditBasis,
    /// A return or cancellation within this many days of its original claws the original's
    /// commission back; later ones do not. `None`: always.
    pub clawback_days: Option<u32>,
    pub negative_balance: NegativeBalance,
    pub draw: Option<Draw>,
    pub measures: Vec<Measure>,
    pub components: Vec<Component>,
    /// The file the plan came from and its text, so a plan can be shown and hashed as written.
    pub file: String,
    pub source: String,
}

impl Plan {
    /// On-target earnings: base salary plus target incentive.
    pub fn on_target_earnings(&self) -> Option<Decimal> {
        Some(self.base_salary? + self.target_incentive?)
    }

    /// The pay mix as (base %, incentive %) of on-target earnings.
    pub fn pay_mix(&self) -> Option<(Decimal, Decimal)> {
        let ote = self.on_target_earnings().filter(|o| !o.is_zero())?;
        let base = self.base_salary? * Decimal::ONE_HUNDRED / ote;
        Some((base.round_dp(2), (Decimal::ONE_HUNDRED - base).round_dp(2)))
    }

    pub fn measure(&self, id: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.id == id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditBasis {
    Booking,
    Invoice,
    Payment,
}

impl CreditBasis {
    pub const NAMES: &'static [&'static str] = &["booking", "invoice", "payment"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// What happens when a period's pay comes out below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegativeBalance {
    /// Pay nothing and carry the negative balance into the next period (the default).
    Carry,
    /// Pay the negative amount (a deduction from salary), carrying nothing.
    Pay,
}

/// A guaranteed amount per month for a payee's first months on the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    /// Per month, in the plan's currency.
    pub amount: Decimal,
    /// For how many months from the day the payee starts the plan (the first month counts).
    pub months: u32,
    /// A recoverable draw is an advance: what it paid above earnings is recovered from later
    /// earnings. A non-recoverable draw is a guarantee.
    pub recoverable: bool,
}

/// Which credits a measure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CreditRoles {
    pub direct: bool,
    pub overlay: bool,
    pub rollup: bool,
}

/// What a measure adds up per credited transaction.
#[derive(Debug, Clone)]
pub enum MeasureValue {
    Amount,
    Margin,
    Quantity,
    /// Deals: each credited transaction counts its credit share (a 60/40 split counts 0.6 and
    /// 0.4), reversals count negative, so counts add up across a team like amounts do.
    Deals,
    /// A custom value per transaction.
    Formula(Formula),
}

impl MeasureValue {
    pub fn is_money(&self) -> bool {
        matches!(self, MeasureValue::Amount | MeasureValue::Margin | MeasureValue::Formula(_))
    }
}

/// A sum over credited transactions, filtered.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: String,
    pub value: MeasureValue,
    pub credit: CreditRoles,
    pub filter: Filter,
}

/// Which transactions a measure counts (every list empty = all).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub products: Vec<String>,
    pub families: Vec<String>,
    pub deal_types: Vec<DealType>,
    pub channels: Vec<Channel>,
    /// Only transactions dated in `[from, to)`, e.g. a SPIF's window.
    pub dates: Option<Validity>,
    pub condition: Option<Formula>,
}

/// The window a component measures and when it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Each month on its own.
    Month,
    /// The whole fiscal quarter, settled once, in its last month.
    Quarter,
    /// The whole fiscal year, settled once, in its last month.
    Year,
    /// Quarter to date, settled every month: this month pays what the quarter so far has
    /// earned less what earlier months of the quarter were paid (a true-up).
    Qtd,
    /// Year to date, settled every month the same way.
    Ytd,
}

impl Scope {
    pub const NAMES: &'static [&'static str] = &["month", "quarter", "year", "qtd", "ytd"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the component pays every month (as opposed to once at the window's end).
    pub fn cumulative(self) -> bool {
        matches!(self, Scope::Month | Scope::Qtd | Scope::Ytd)
    }

    /// The share of an annual amount (target incentive) one window of this scope is worth.
    pub fn share_of_year(self) -> Decimal {
        match self {
            Scope::Month => Decimal::ONE / Decimal::from(12),
            Scope::Quarter | Scope::Qtd => Decimal::ONE / Decimal::from(4),
            Scope::Year | Scope::Ytd => Decimal::ONE,
        }
    }
}

/// A rule that scales a component's earnings for a period when a condition holds.
#[derive(Debug, Clone)]
pub struct Modifier {
    pub label: String,
    pub when: Formula,
    pub factor: Decimal,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    pub kind: ComponentKind,
    pub limits: Limits,
    pub modifiers: Vec<Modifier>,
}

/// How a commission's tiers are keyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierBasis {
    /// Tier starts are attainment fractions of the named quota (1 = 100%).
    Attainment { quota: String },
    /// Tier starts are measured amounts.
    Amount,
}

#[derive(Debug, Clone)]
pub enum ComponentKind {
    /// Earnings from a rate table over a measure (commission, override, accelerators).
    Commission {
        measure: usize,
        basis: TierBasis,
        table: RateTable,
        /// Nothing is earned below this attainment (or amount).
        gate: Option<Decimal>,
        /// For `curve` tables: the share of the target incentive the levels apply to.
        target: Decimal,
    },
    /// A fixed amount or a share of the target incentive when a condition holds.
    Bonus { when: Formula, amount: BonusAmount },
    /// An amount per unit of a measure (per matching deal, per unit sold) — usually with a
    /// date window on the measure.
    Spif { measure: usize, per_unit: Decimal },
    /// Management objectives: a share of the target incentive paid by weighted scores.
    Mbo { target: Decimal, objectives: Vec<Objective>, max_score: Decimal },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BonusAmount {
    Fixed(Decimal),
    /// A share of the window's target incentive (annual TI × the scope's share of the year).
    OfTarget(Decimal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub id: String,
    pub weight: Decimal,
}

/// Which rule decides who gets the primary credit for a transaction; tried in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryRule {
    /// Explicit `primary` rows in credit_splits for the transaction's opportunity.
    Splits,
    /// The opportunity's owner.
    OpportunityOwner,
    /// The transaction's own owner column.
    TransactionOwner,
    /// The account's named owner (a named-account assignment).
    NamedAccount,
    /// Whoever holds the position owning the account's territory on the transaction date.
    TerritoryOwner,
}

impl PrimaryRule {
    pub const NAMES: &'static [&'static str] =
        &["splits", "opportunity_owner", "transaction_owner", "named_account", "territory_owner"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The company's crediting rules (docs/plans.md, "Crediting").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRules {
    pub primary: Vec<PrimaryRule>,
    /// Overlay rows in credit_splits give their person the row's share on top of the primary
    /// credit (e.g. a sales engineer at 100%).
    pub overlay_splits: bool,
    /// Whether roll-up credit is computed (managers above each primary payee).
    pub roll_up: bool,
}

impl Default for CreditRules {
    fn default() -> Self {
        CreditRules {
            primary: vec![
                PrimaryRule::Splits,
                PrimaryRule::OpportunityOwner,
                PrimaryRule::TransactionOwner,
                PrimaryRule::NamedAccount,
                PrimaryRule::TerritoryOwner,
            ],
            overlay_splits: true,
            roll_up: true,
        }
    }
}

/// Days between two dates (`to` − `from`), for clawback windows.
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).get_days().into()
}
