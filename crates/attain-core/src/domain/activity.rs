//! Sales activities: calls, emails, meetings and the like, tied to accounts and deals.

use serde::{Deserialize, Serialize};

use crate::record::{
    Choice, Column, ColumnType as T, FieldError, Reader, Record, RecordSpec, Value, opt_text, shown, text,
};
use crate::{Kind, choice};

choice! {
    ActivityKind {
        Call => "call",
        Email => "email",
        Meeting => "meeting",
        Demo => "demo",
        Prospecting => "prospecting",
        Qualification => "qualification",
        Other => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub kind: ActivityKind,
    pub owner_id: String,
    pub account_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub contact_id: Option<String>,
    /// When it happened, as an instant (stored RFC 3339 UTC).
    pub occurred_at: jiff::Timestamp,
    pub subject: Option<String>,
    pub outcome: Option<String>,
}

impl Record for Activity {
    const SPEC: RecordSpec = RecordSpec {
        kind: Kind::Activities,
        table: "activities",
        key: &["id"],
        columns: &[
            Column::req("id", T::Text),
            Column::req("kind", T::Choice(ActivityKind::NAMES)),
            Column::req("owner_id", T::Ref(Kind::People)),
            Column::opt("account_id", T::Ref(Kind::Accounts)),
            Column::opt("opportunity_id", T::Ref(Kind::Opportunities)),
            Column::opt("contact_id", T::Ref(Kind::Contacts)),
            Column::req("occurred_at", T::Timestamp),
            Column::opt("subject", T::Text),
            Column::opt("outcome", T::Text),
        ],
    };

    fn to_values(&self) -> Vec<Value> {
        vec![
            text(&self.id),
            shown(self.kind),
            text(&self.owner_id),
            opt_text(&self.account_id),
            opt_text(&self.opportunity_id),
            opt_text(&self.contact_id),
            shown(self.occurred_at),
            opt_text(&self.subject),
            opt_text(&self.outcome),
        ]
    }

    fn from_values(v: &[Value]) -> Result<Self, FieldError> {
        let r = Reader::new(&Self::SPEC, v)?;
        Ok(Activity {
            id: r.text("id")?,
            kind: r.choice("kind")?,
            owner_id: r.text("owner_id")?,
            account_id: r.opt_text("account_id")?,
            opportunity_id: r.opt_text("opportunity_id")?,
            contact_id: r.opt_text("contact_id")?,
            occurred_at: r.timestamp("occurred_at")?,
            subject: r.opt_text("subject")?,
            outcome: r.opt_text("outcome")?,
        })
    }
}
