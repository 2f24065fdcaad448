//! Sales transactions: the facts money is computed from. Returns and cancellations are
//! negative events that name the transaction they reverse.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, money, opt_money,
    opt_shown, opt_text, shown, text,
};
use crate::{Currency, Date, Kind, Money, choice};

choice! {
    TransactionKind {
        Booking => "booking",
        Invoice => "invoice",
        Payment => "payment",
        Return => "return",
        Cancellation => "cancellation",
    }
}

impl TransactionKind {
    /// Returns and cancellations undo an earlier transaction: they are negative and linked.
    pub fn reverses(self) -> bool {
        matches!(self, TransactionKind::Return | TransactionKind::Cancellation)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// The source system's id, so re-imports update instead of duplicating.
    pub id: String,
    pub date: Date,
    pub kind: TransactionKind,
    pub account_id: Option<String>,
    pub product_id: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub quantity: Option<Decimal>,
    pub currency: Currency,
    pub amount: Money,
    /// Cost of what was sold, so margin (amount − cost) is known.
    pub cost: Option<Money>,
    pub opportunity_id: Option<String>,
    /// For a return or cancellation: the transaction it reverses.
    pub original_id: Option<String>,
    pub owner_id: Option<String>,
}

impl Transaction {
    /// Amount less cost, when the cost is known.
    pub fn margin(&self) -> Option<Money> {
        self.cost.and_then(|c| self.amount.checked_sub(c).ok())
    }

    /// The transaction with its ids borrowed.
    pub fn borrowed(&self) -> TransactionRef<'_> {
        TransactionRef {
            id: &self.id,
            date: self.date,
            kind: self.kind,
            account_id: self.account_id.as_deref(),
            product_id: self.product_id.as_deref(),
            quantity: self.quantity,
            currency: self.currency,
            amount: self.amount,
            cost: self.cost,
            opportunity_id: self.opportunity_id.as_deref(),
            original_id: self.original_id.as_deref(),
            owner_id: self.owner_id.as_deref(),
        }
    }

    /// The rules of a reversal, checked once the id, currency, kind, amount and original are
    /// read: returns and cancellations are negative and name what they reverse; nothing else
    /// names an original. Shared with readers that build a [`TransactionRef`] from typed
    /// columns, so every source of transactions obeys the same rules in the same order.
    pub fn check_reversal(
        kind: TransactionKind,
        amount: Money,
        original_id: Option<&str>,
    ) -> Result<(), FieldError> {
        if kind.reverses() {
            if amount.amount() > Decimal::ZERO {
                return Err(FieldError::new(
                    "amount",
                    amount.amount().to_string(),
                    format!("a {kind} is a negative event: its amount must be zero or below"),
                ));
            }
            if original_id.is_none() {
                return Err(FieldError::new(
                    "original_id",
                    "",
                    format!("a {kind} must name the transaction it reverses"),
                ));
            }
        } else if let Some(original) = original_id {
            return Err(FieldError::new(
                "original_id",
                original,
                format!("only returns and cancellations reverse another transaction, not a {kind}"),
            ));
        }
        Ok(())
    }

    /// The rules checked once the quantity is read: goods taken back are not charged for, and
    /// a transaction does not reverse itself.
    pub fn check_quantity(
        id: &str,
        quantity: Option<Decimal>,
        amount: Money,
        original_id: Option<&str>,
    ) -> Result<(), FieldError> {
        if let Some(q) = quantity.filter(|q| q.is_sign_negative() && !q.is_zero())
            && amount.amount() > Decimal::ZERO
        {
            // Taking goods back while charging for them is a data error, not a sale: it would
            // credit the seller for a return. Returns are negative in amount too.
            return Err(FieldError::new(
                "quantity",
                q.to_string(),
                "a negative quantity needs an amount of zero or below (record a return instead)",
            ));
        }
        if original_id == Some(id) {
            return Err(FieldError::new("original_id", id, "a transaction cannot reverse itself"));
        }
        Ok(())
    }
}

/// A checked transaction whose ids are borrowed from where they were read (a Parquet column):
/// what a bulk reader pushes into a fact store without allocating a string per id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionRef<'a> {
    pub id: &'a str,
    pub date: Date,
    pub kind: TransactionKind,
    pub account_id: Option<&'a str>,
    pub product_id: Option<&'a str>,
    pub quantity: Option<Decimal>,
    pub currency: Currency,
    pub amount: Money,
    pub cost: Option<Money>,
    pub opportunity_id: Option<&'a str>,
    pub original_id: Option<&'a str>,
    pub owner_id: Option<&'a str>,
}

impl TransactionRef<'_> {
    /// The transaction as an owned record.
    pub fn to_record(&self) -> Transaction {
        Transaction {
            id: self.id.to_string(),
            date: self.date,
            kind: self.kind,
            account_id: self.account_id.map(str::to_string),
            product_id: self.product_id.map(str::to_string),
            quantity: self.quantity,
            currency: self.currency,
            amount: self.amount,
            cost: self.cost,
            opportunity_id: self.opportunity_id.map(str::to_string),
            original_id: self.original_id.map(str::to_string),
            owner_id: self.owner_id.map(str::to_string),
        }
    }
}

impl Record for Transaction {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Transactions,
        table: "transactions",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("date", T::Date),
            Column::req("kind", T::Choice(TransactionKind::NAMES)),
            Column::opt("account_id", T::Ref(Kind::Accounts)),
            Column::opt("product_id", T::Ref(Kind::Products)),
            Column::opt("quantity", T::Decimal),
            Column::req("currency", T::Currency),
            Column::req("amount", T::Money { currency_column: "currency" }),
            Column::opt("cost", T::Money { currency_column: "currency" }),
            Column::opt("opportunity_id", T::Ref(Kind::Opportunities)),
            Column::opt("original_id", T::Ref(Kind::Transactions)),
            Column::opt("owner_id", T::Ref(Kind::People)),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            shown(self.date),
            shown(self.kind),
            opt_text(&self.account_id),
            opt_text(&self.product_id),
            opt_shown(self.quantity),
            shown(self.currency),
            money(self.amount),
            opt_money(self.cost),
            opt_text(&self.opportunity_id),
            opt_text(&self.original_id),
            opt_text(&self.owner_id),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let id = r.text("id")?;
        let currency = r.currency("currency")?;
        let kind: TransactionKind = r.choice("kind")?;
        let amount = r.money("amount", currency)?;
        let original_id = r.opt_text("original_id")?;
        Transaction::check_reversal(kind, amount, original_id.as_deref())?;
        let quantity = r.opt_decimal("quantity")?.map(|q| q.normalize());
        Transaction::check_quantity(&id, quantity, amount, original_id.as_deref())?;
        Ok(Transaction {
            id,
            date: r.date("date")?,
            kind,
            account_id: r.opt_text("account_id")?,
            product_id: r.opt_text("product_id")?,
            quantity,
            currency,
            amount,
            cost: r.opt_money("cost", currency)?,
            opportunity_id: r.opt_text("opportunity_id")?,
            original_id,
            owner_id: r.opt_text("owner_id")?,
        })
    }
}

/// Positions of the transaction columns in `Transaction::SPEC` and `to_values`, for readers
/// that go column by column (the Parquet import, the read model's search).
pub mod column {
    pub const ID: usize = 0;
    pub const DATE: usize = 1;
    pub const KIND: usize = 2;
    pub const ACCOUNT: usize = 3;
    pub const PRODUCT: usize = 4;
    pub const QUANTITY: usize = 5;
    pub const CURRENCY: usize = 6;
    pub const AMOUNT: usize = 7;
    pub const COST: usize = 8;
    pub const OPPORTUNITY: usize = 9;
    pub const ORIGINAL: usize = 10;
    pub const OWNER: usize = 11;
    /// How many there are.
    pub const COLUMNS: usize = 12;

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::Kind;

        #[test]
        fn the_positions_are_the_specs() {
            let spec = Kind::Transactions.spec();
            let at = |name| spec.index_of(name);
            assert_eq!(spec.columns.len(), COLUMNS);
            for (name, i) in [
                ("id", ID),
                ("date", DATE),
                ("kind", KIND),
                ("account_id", ACCOUNT),
                ("product_id", PRODUCT),
                ("quantity", QUANTITY),
                ("currency", CURRENCY),
                ("amount", AMOUNT),
                ("cost", COST),
                ("opportunity_id", OPPORTUNITY),
                ("original_id", ORIGINAL),
                ("owner_id", OWNER),
            ] {
                assert_eq!(at(name), Some(i), "{name}");
            }
        }
    }
}
