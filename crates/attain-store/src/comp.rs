//! Compensation tables: plan files (their exact text) and period runs with their statements.
//! Plain rows in, plain rows out; what a run means lives in attain-app and attain-engine.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::Tx;
use crate::connect::Store;
use crate::error::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFileRow {
    pub name: String,
    pub text: String,
    pub updated_at: String,
}

/// One calculation of one month. `status` is draft, closed, reopened or superseded. The
/// carry into the next month is stored with the run but read on its own (`run_carry`): it
/// is about 2 MB at 10,000 payees, and every statements page reads its month's runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: String,
    pub period: String,
    pub version: i64,
    pub status: String,
    pub input_hash: String,
    /// The closed run of the month before whose carry this run started from.
    pub based_on: Option<String>,
    /// JSON array of the plan versions used (`"ae@2"`).
    pub plans: String,
    pub payees: i64,
    /// JSON array of `{currency, payout}`.
    pub totals: String,
    pub created_by: String,
    pub created_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    pub reopened_by: Option<String>,
    pub reopened_at: Option<String>,
    pub reopen_reason: Option<String>,
    /// JSON object from month to the digest of that month's inputs as this run saw them, for
    /// every month from the first up to the run's own; none for runs stored before 0006.
    pub input_digests: Option<String>,
}

/// A payee's statement in a run, as JSON, with its payout (a decimal string) for listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub run_id: String,
    pub person_id: String,
    pub currency: String,
    pub payout: String,
    pub body: String,
}

const RUN_COLUMNS: &str = "id, period, version, status, input_hash, based_on, plans, payees, totals, \
     created_by, created_at, closed_by, closed_at, reopened_by, reopened_at, reopen_reason, input_digests";

fn run(r: &AnyRow) -> StoreResult<RunRow> {
    Ok(RunRow {
        id: r.try_get(0)?,
        period: r.try_get(1)?,
        version: r.try_get(2)?,
        status: r.try_get(3)?,
        input_hash: r.try_get(4)?,
        based_on: r.try_get(5)?,
        plans: r.try_get(6)?,
        payees: r.try_get(7)?,
        totals: r.try_get(8)?,
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
        closed_by: r.try_get(11)?,
        closed_at: r.try_get(12)?,
        reopened_by: r.try_get(13)?,
        reopened_at: r.try_get(14)?,
        reopen_reason: r.try_get(15)?,
        input_digests: r.try_get(16)?,
    })
}

fn statement(r: &AnyRow) -> StoreResult<StatementRow> {
    Ok(StatementRow {
        run_id: r.try_get(0)?,
        person_id: r.try_get(1)?,
        currency: r.try_get(2)?,
        payout: r.try_get(3)?,
        body: r.try_get(4)?,
    })
}

impl Store {
    // ---- plan files ----------------------------------------------------------------------

    pub async fn plan_files(&self) -> StoreResult<Vec<PlanFileRow>> {
        let rows = sqlx::query::<Any>("SELECT name, text, updated_at FROM plan_files ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(PlanFileRow { name: r.try_get(0)?, text: r.try_get(1)?, updated_at: r.try_get(2)? }))
            .collect()
    }

    /// Replaces every stored plan file with `files` (a plans directory is one unit).
    pub async fn replace_plan_files(&self, tx: &mut Tx, files: &[PlanFileRow]) -> StoreResult<()> {
        sqlx::query::<Any>("DELETE FROM plan_files").execute(&mut **tx).await?;
        for f in files {
            sqlx::query::<Any>("INSERT INTO plan_files (name, text, updated_at) VALUES ($1, $2, $3)")
                .bind(&f.name)
                .bind(&f.text)
                .bind(&f.updated_at)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    // ---- runs ------------------------------------------------------------------------------

    /// Every run, newest period first, then newest version first.
    pub async fn runs(&self) -> StoreResult<Vec<RunRow>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM comp_runs ORDER BY period DESC, version DESC");
        let rows = sqlx::query::<Any>(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(run).collect()
    }

    pub async fn runs_of(&self, period: &str) -> StoreResult<Vec<RunRow>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM comp_runs WHERE period = $1 ORDER BY version DESC");
        let rows = sqlx::query::<Any>(&sql).bind(period).fetch_all(&self.pool).await?;
        rows.iter().map(run).collect()
    }

    pub async fn run_by_id(&self, id: &str) -> StoreResult<Option<RunRow>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM comp_runs WHERE id = $1");
        let row = sqlx::query::<Any>(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(run).transpose()
    }

    /// The JSON of run `id`'s carry into the next month.
    pub async fn run_carry(&self, id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query::<Any>("SELECT carry FROM comp_runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Stores a run with its `carry` (JSON) and its statements.
    pub async fn insert_run(
        &self,
        tx: &mut Tx,
        r: &RunRow,
        carry: &str,
        statements: &[StatementRow],
    ) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO comp_runs ({RUN_COLUMNS}, carry) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18)"
        );
        sqlx::query::<Any>(&sql)
            .bind(&r.id)
            .bind(&r.period)
            .bind(r.version)
            .bind(&r.status)
            .bind(&r.input_hash)
            .bind(r.based_on.as_deref())
            .bind(&r.plans)
            .bind(r.payees)
            .bind(&r.totals)
            .bind(&r.created_by)
            .bind(&r.created_at)
            .bind(r.closed_by.as_deref())
            .bind(r.closed_at.as_deref())
            .bind(r.reopened_by.as_deref())
            .bind(r.reopened_at.as_deref())
            .bind(r.reopen_reason.as_deref())
            .bind(r.input_digests.as_deref())
            .bind(carry)
            .execute(&mut **tx)
            .await?;
        for s in statements {
            sqlx::query::<Any>(
                "INSERT INTO comp_statements (run_id, person_id, currency, payout, body) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&s.run_id)
            .bind(&s.person_id)
            .bind(&s.currency)
            .bind(&s.payout)
            .bind(&s.body)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Moves a run from `from` status to `to`, stamping who and when; false if it was not in
    /// `from` (so two people closing at once cannot both succeed).
    pub async fn set_run_status(
        &self,
        tx: &mut Tx,
        id: &str,
        from: &str,
        to: &str,
        by: &str,
        at: &str,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        let q = match to {
            "closed" => sqlx::query::<Any>(
                "UPDATE comp_runs SET status = $1, closed_by = $2, closed_at = $3 WHERE id = $4 AND status = $5",
            )
            .bind(to)
            .bind(by)
            .bind(at)
            .bind(id)
            .bind(from),
            "reopened" => sqlx::query::<Any>(
                "UPDATE comp_runs SET status = $1, reopened_by = $2, reopened_at = $3, reopen_reason = $4 \
                 WHERE id = $5 AND status = $6",
            )
            .bind(to)
            .bind(by)
            .bind(at)
            .bind(reason)
            .bind(id)
            .bind(from),
            _ => sqlx::query::<Any>("UPDATE comp_runs SET status = $1 WHERE id = $2 AND status = $3")
                .bind(to)
                .bind(id)
                .bind(from),
        };
        Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
    }

    pub async fn run_statements(&self, run_id: &str) -> StoreResult<Vec<StatementRow>> {
        let rows = sqlx::query::<Any>(
            "SELECT run_id, person_id, currency, payout, body FROM comp_statements WHERE run_id = $1 ORDER BY person_id",
        )
        .bind(run_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(statement).collect()
    }

    /// The statements of `persons` in one run, ordered by person: a manager's team out of
    /// 10,000 payees without reading the other payees' statements.
    pub async fn run_statements_of(
        &self,
        run_id: &str,
        persons: &[String],
    ) -> StoreResult<Vec<StatementRow>> {
        let mut out = Vec::new();
        for chunk in persons.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT run_id, person_id, currency, payout, body FROM comp_statements \
                 WHERE run_id = $1 AND person_id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query::<Any>(&sql).bind(run_id);
            for person in chunk {
                query = query.bind(person.as_str());
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(statement(&row)?);
            }
        }
        out.sort_by(|a, b| a.person_id.cmp(&b.person_id));
        Ok(out)
    }

    pub async fn run_statement(&self, run_id: &str, person_id: &str) -> StoreResult<Option<StatementRow>> {
        let row = sqlx::query::<Any>(
            "SELECT run_id, person_id, currency, payout, body FROM comp_statements WHERE run_id = $1 AND person_id = $2",
        )
        .bind(run_id)
        .bind(person_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(statement).transpose()
    }
}
