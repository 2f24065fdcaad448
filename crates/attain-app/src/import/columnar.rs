//! Transactions checked straight from Arrow columns (a workspace's `transactions.parquet`),
//! without a text cell per field. Text cells cost four allocations per id and a parse per date
//! and amount (BENCHMARKS.md, "End to end from files"); here ids stay borrowed from the
//! batch's buffers until the fact store interns them. The checks are the text path's
//! (`check.rs`: `cells_from`, then `Transaction::from_values`), made in the same order with
//! the same messages, so a bad value is reported identically whichever reader met it;
//! tests/app/in_memory.rs holds the two to each other on bad Parquet rows.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type};
use arrow_array::{Array, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::DataType;
use attain_core::dating::parse_date;
use attain_core::domain::transaction_column::{
    ACCOUNT, AMOUNT, COLUMNS, COST, CURRENCY, DATE, ID, KIND, OPPORTUNITY, ORIGINAL, OWNER, PRODUCT, QUANTITY,
};
use attain_core::domain::{Transaction, TransactionKind, TransactionRef};
use attain_core::money::parse_decimal;
use attain_core::record::{Choice, ColumnType, FieldError, check_cell};
use attain_core::{Currency, Date, Kind, Money};

use crate::generate::parquet::date_from_days;

/// One spec column of a batch, typed as the file holds it (`ParquetRows::open` admitted only
/// these types for each column).
enum Column<'b> {
    Missing,
    Text(&'b StringArray),
    LargeText(&'b arrow_array::LargeStringArray),
    Int64(&'b PrimitiveArray<Int64Type>),
    Int32(&'b PrimitiveArray<Int32Type>),
    Date(&'b PrimitiveArray<Date32Type>),
}

impl<'b> Column<'b> {
    fn of(batch: &'b RecordBatch, source: Option<usize>) -> Column<'b> {
        let Some(array) = source.and_then(|i| batch.columns().get(i)) else {
            return Column::Missing;
        };
        match array.data_type() {
            DataType::Utf8 => Column::Text(array.as_string::<i32>()),
            DataType::LargeUtf8 => Column::LargeText(array.as_string::<i64>()),
            DataType::Int64 => Column::Int64(array.as_primitive::<Int64Type>()),
            DataType::Int32 => Column::Int32(array.as_primitive::<Int32Type>()),
            DataType::Date32 => Column::Date(array.as_primitive::<Date32Type>()),
            // Refused when the file was opened; read as absent rather than panic.
            _ => Column::Missing,
        }
    }

    /// The cell's text as stored (untrimmed), `None` when null or not text.
    fn text(&self, r: usize) -> Option<&'b str> {
        match self {
            Column::Text(a) => a.is_valid(r).then(|| a.value(r)),
            Column::LargeText(a) => a.is_valid(r).then(|| a.value(r)),
            _ => None,
        }
    }

    fn int(&self, r: usize) -> Option<i64> {
        match self {
            Column::Int64(a) => a.is_valid(r).then(|| a.value(r)),
            Column::Int32(a) => a.is_valid(r).then(|| i64::from(a.value(r))),
            _ => None,
        }
    }

    fn days(&self, r: usize) -> Option<i32> {
        match self {
            Column::Date(a) => a.is_valid(r).then(|| a.value(r)),
            _ => None,
        }
    }
}

/// A batch's columns in the spec's order.
pub(super) struct Columns<'b>(Vec<Column<'b>>);

impl<'b> Columns<'b> {
    /// `sources[i]`: the batch column holding spec column `i`, if the file has it.
    pub fn of(batch: &'b RecordBatch, sources: &[Option<usize>]) -> Columns<'b> {
        Columns((0..COLUMNS).map(|i| Column::of(batch, sources.get(i).copied().flatten())).collect())
    }

    /// Column `i`'s text as `cells_from` sees it: trimmed, empty as absent.
    fn text(&self, i: usize, r: usize) -> Option<&'b str> {
        self.0[i].text(r).map(str::trim).filter(|t| !t.is_empty())
    }
}

/// Why a row is refused: unreadable (a date outside the calendar, reported as the text reader
/// reports a cell it cannot show), or a field the checks refuse.
pub(super) enum Refused {
    Unreadable { column: &'static str, value: String, reason: String },
    Field(FieldError),
}

impl From<FieldError> for Refused {
    fn from(e: FieldError) -> Refused {
        Refused::Field(e)
    }
}

/// What a worker remembers between rows: a file holds a few currencies and kinds and its
/// dates in runs, so each is parsed once rather than per row (`Currency::parse` upper-cases
/// into a new string and searches the ISO list).
#[derive(Default)]
pub(super) struct Memo<'b> {
    currencies: Vec<(&'b str, Currency)>,
    kinds: Vec<(&'b str, TransactionKind)>,
    day: Option<(i32, Date)>,
}

/// Entries a memo keeps per list: enough for any real file, bounded for a hostile one.
const MEMO: usize = 32;

impl<'b> Memo<'b> {
    fn currency(&mut self, code: &'b str) -> Result<Currency, FieldError> {
        if let Some((_, c)) = self.currencies.iter().find(|(k, _)| *k == code) {
            return Ok(*c);
        }
        let c = Currency::parse(code).map_err(|e| FieldError::new("currency", code, e.to_string()))?;
        if self.currencies.len() < MEMO {
            self.currencies.push((code, c));
        }
        Ok(c)
    }

    fn kind(&mut self, text: &'b str) -> Result<TransactionKind, FieldError> {
        if let Some((_, k)) = self.kinds.iter().find(|(t, _)| *t == text) {
            return Ok(*k);
        }
        let k = TransactionKind::parse(text).map_err(|e| FieldError::new("kind", text, e.to_string()))?;
        if self.kinds.len() < MEMO {
            self.kinds.push((text, k));
        }
        Ok(k)
    }

    fn date(&mut self, days: i32) -> Result<Date, Refused> {
        if let Some((d, date)) = self.day
            && d == days
        {
            return Ok(date);
        }
        let date = date_from_days(days).map_err(|(value, reason)| Refused::Unreadable {
            column: "date",
            value,
            reason,
        })?;
        self.day = Some((days, date));
        Ok(date)
    }
}

fn required(column: &'static str) -> FieldError {
    FieldError::new(column, "", "a value is required")
}

/// Row `r` of a batch as a checked transaction, or why it is refused: the first problem the
/// text path would find (the cell checks in column order, then the record's fields in the
/// order `Transaction::from_values` reads them).
pub(super) fn transaction_at<'b>(
    columns: &Columns<'b>,
    r: usize,
    memo: &mut Memo<'b>,
) -> Result<TransactionRef<'b>, Refused> {
    // A DATE cell that is no date cannot be shown as text: the row is unreadable before any
    // cell is checked.
    let date = columns.0[DATE].days(r).map(|days| memo.date(days)).transpose()?;
    let spec = Kind::Transactions.spec();
    for (i, column) in spec.columns.iter().enumerate() {
        match column.ty {
            // As text, a date is ten digits and dashes, and an amount a short decimal: within
            // every cell limit.
            ColumnType::Date => {}
            ColumnType::Money { currency_column } => {
                if columns.0[i].int(r).is_some() {
                    let code = columns.text(CURRENCY, r).ok_or_else(|| {
                        FieldError::new(
                            currency_column,
                            "",
                            format!("a currency is required for {}", column.name),
                        )
                    })?;
                    memo.currency(code)?;
                }
            }
            _ => {
                if let Some(raw) = columns.text(i, r) {
                    check_cell(spec, i, raw)?;
                }
            }
        }
    }
    let id = columns.text(ID, r).ok_or_else(|| required("id"))?;
    let currency = memo.currency(columns.text(CURRENCY, r).ok_or_else(|| required("currency"))?)?;
    let kind = memo.kind(columns.text(KIND, r).ok_or_else(|| required("kind"))?)?;
    let amount = Money::from_minor(columns.0[AMOUNT].int(r).ok_or_else(|| required("amount"))?, currency);
    let original_id = columns.text(ORIGINAL, r);
    Transaction::check_reversal(kind, amount, original_id)?;
    let quantity = columns
        .text(QUANTITY, r)
        .map(|q| {
            parse_decimal(q).map(|d| d.normalize()).map_err(|e| FieldError::new("quantity", q, e.to_string()))
        })
        .transpose()?;
    Transaction::check_quantity(id, quantity, amount, original_id)?;
    let date = date.ok_or_else(|| required("date"))?;
    if !(0..=9999).contains(&date.year()) {
        // Shown with a sign and six digits, which the date check refuses as text.
        let text = date.to_string();
        if let Err(e) = parse_date(&text) {
            return Err(FieldError::new("date", text, e.to_string()).into());
        }
    }
    Ok(TransactionRef {
        id,
        date,
        kind,
        account_id: columns.text(ACCOUNT, r),
        product_id: columns.text(PRODUCT, r),
        quantity,
        currency,
        amount,
        cost: columns.0[COST].int(r).map(|minor| Money::from_minor(minor, currency)),
        opportunity_id: columns.text(OPPORTUNITY, r),
        original_id,
        owner_id: columns.text(OWNER, r),
    })
}
