//! Company-wide settings: name, base currency, fiscal calendar and time zone.

use serde::{Deserialize, Serialize};

use crate::calendar::{FiscalCalendar, FiscalYearNaming};
use crate::record::{
    Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, int, shown, text,
};
use crate::{Currency, Kind};

/// The one settings record of a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub base_currency: Currency,
    pub calendar: FiscalCalendar,
    /// IANA time zone name (`America/New_York`); the app checks it against the zone database.
    pub time_zone: String,
}

impl Company {
    /// The id of the settings record; a database holds one company.
    pub const ID: &'static str = "company";
}

const NAMINGS: &[&str] = &["end_year", "start_year"];

impl Record for Company {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Company,
        table: "company",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("name", T::Text),
            Column::req("base_currency", T::Currency),
            Column::req("fiscal_year_start_month", T::Int),
            Column::req("fiscal_year_naming", T::Choice(NAMINGS)),
            Column::req("time_zone", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        let naming = match self.calendar.naming() {
            FiscalYearNaming::EndYear => "end_year",
            FiscalYearNaming::StartYear => "start_year",
        };
        vec![
            text(&self.id),
            text(&self.name),
            shown(self.base_currency),
            int(i64::from(self.calendar.start_month())),
            text(naming),
            text(&self.time_zone),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        let month = r.opt_int("fiscal_year_start_month")?.unwrap_or(1);
        let naming_text = r.text("fiscal_year_naming")?;
        let naming =
            FiscalYearNaming::ALL.iter().find(|(n, _)| *n == naming_text).map(|(_, v)| *v).ok_or_else(
                || {
                    FieldError::new(
                        "fiscal_year_naming",
                        naming_text.clone(),
                        format!("'{naming_text}' is not one of: end_year, start_year"),
                    )
                },
            )?;
        let start = i8::try_from(month).unwrap_or(0);
        let calendar = FiscalCalendar::new(start, naming)
            .map_err(|e| FieldError::new("fiscal_year_start_month", month.to_string(), e.to_string()))?;
        Ok(Company {
            id: r.text("id")?,
            name: r.text("name")?,
            base_currency: r.currency("base_currency")?,
            calendar,
            time_zone: r.text("time_zone")?,
        })
    }
}
