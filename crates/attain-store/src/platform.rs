//! The web platform's tables: users, sessions, API tokens, sign-in throttling and the
//! hash-chained audit log. Plain rows in, plain rows out; the rules live in attain-app.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::Tx;
use crate::connect::Store;
use crate::error::StoreResult;

/// A stored user. `role` is the app's role name; `password_hash` a PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub person_id: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Sign-in throttling state of one subject (a login name, a client address, or both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleRow {
    pub subject: String,
    /// Password checks claimed and not given back: failures, plus checks still running.
    pub attempts: i64,
    pub last_attempt_at: String,
    pub locked_until: Option<String>,
    /// Locks so far; each lasts twice as long as the one before.
    pub lockouts: i64,
}

/// One audit entry as stored; `hash` covers every other field and `prev_hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_login: String,
    pub via: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_login: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Inclusive lower bound on `at` (any prefix of an instant, e.g. `2026-11-01`).
    pub from: Option<String>,
    /// Exclusive upper bound on `at`.
    pub to: Option<String>,
}

const USER_COLUMNS: &str =
    "id, login, display_name, role, person_id, password_hash, disabled, created_at, updated_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, token_hash, prefix, created_at, last_used_at, revoked_at";
const THROTTLE_COLUMNS: &str = "subject, attempts, last_attempt_at, locked_until, lockouts";
pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_login, via, ip, action, entity, entity_id, \
                             before_json, after_json, prev_hash, hash";

fn user(row: &AnyRow) -> StoreResult<UserRow> {
    Ok(UserRow {
        id: row.try_get(0)?,
        login: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: row.try_get(3)?,
        person_id: row.try_get(4)?,
        password_hash: row.try_get(5)?,
        disabled: row.try_get::<i64, _>(6)? != 0,
        created_at: row.try_get(7)?,
        updated_at: row.try_get(8)?,
    })
}

fn token(row: &AnyRow) -> StoreResult<TokenRow> {
    Ok(TokenRow {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        name: row.try_get(2)?,
        token_hash: row.try_get(3)?,
        prefix: row.try_get(4)?,
        created_at: row.try_get(5)?,
        last_used_at: row.try_get(6)?,
        revoked_at: row.try_get(7)?,
    })
}

fn throttle(row: &AnyRow) -> StoreResult<ThrottleRow> {
    Ok(ThrottleRow {
        subject: row.try_get(0)?,
        attempts: row.try_get(1)?,
        last_attempt_at: row.try_get(2)?,
        locked_until: row.try_get(3)?,
        lockouts: row.try_get(4)?,
    })
}

pub(crate) fn audit(row: &AnyRow) -> StoreResult<AuditRow> {
    Ok(AuditRow {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        actor_id: row.try_get(2)?,
        actor_login: row.try_get(3)?,
        via: row.try_get(4)?,
        ip: row.try_get(5)?,
        action: row.try_get(6)?,
        entity: row.try_get(7)?,
        entity_id: row.try_get(8)?,
        before_json: row.try_get(9)?,
        after_json: row.try_get(10)?,
        prev_hash: row.try_get(11)?,
        hash: row.try_get(12)?,
    })
}

impl Store {
    // ---- users -------------------------------------------------------------------------

    pub async fn user_count(&self) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    pub async fn users(&self) -> StoreResult<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY login");
        let rows = sqlx::query::<Any>(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(user).collect()
    }

    pub async fn user_by_login(&self, login: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE login = $1");
        let row = sqlx::query::<Any>(&sql).bind(login).fetch_optional(&self.pool).await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query::<Any>(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(user).transpose()
    }

    pub async fn insert_user(&self, tx: &mut Tx, u: &UserRow) -> StoreResult<()> {
        let sql = format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        sqlx::query::<Any>(&sql)
            .bind(&u.id)
            .bind(&u.login)
            .bind(&u.display_name)
            .bind(&u.role)
            .bind(u.person_id.as_deref())
            .bind(&u.password_hash)
            .bind(i64::from(u.disabled))
            .bind(&u.created_at)
            .bind(&u.updated_at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Rewrites every mutable field of the user with `u.id`.
    pub async fn update_user(&self, tx: &mut Tx, u: &UserRow) -> StoreResult<()> {
        sqlx::query::<Any>(
            "UPDATE users SET display_name = $1, role = $2, person_id = $3, password_hash = $4, \
             disabled = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(u.person_id.as_deref())
        .bind(&u.password_hash)
        .bind(i64::from(u.disabled))
        .bind(&u.updated_at)
        .bind(&u.id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    // ---- sessions ----------------------------------------------------------------------

    pub async fn insert_session(&self, tx: &mut Tx, s: &SessionRow) -> StoreResult<()> {
        sqlx::query::<Any>(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(&s.user_id)
        .bind(&s.csrf_token)
        .bind(&s.created_at)
        .bind(&s.expires_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> StoreResult<Option<SessionRow>> {
        let row = sqlx::query::<Any>(
            "SELECT id_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(SessionRow {
                id_hash: r.try_get(0)?,
                user_id: r.try_get(1)?,
                csrf_token: r.try_get(2)?,
                created_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            }),
            None => None,
        })
    }

    pub async fn delete_session(&self, tx: &mut Tx, id_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query::<Any>("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends every session of a user (disabled, or given a new password).
    pub async fn delete_sessions_of(&self, tx: &mut Tx, user_id: &str) -> StoreResult<u64> {
        let done = sqlx::query::<Any>("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn delete_expired_sessions(&self, now: &str) -> StoreResult<u64> {
        let done = sqlx::query::<Any>("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    // ---- API tokens --------------------------------------------------------------------

    pub async fn insert_token(&self, tx: &mut Tx, t: &TokenRow) -> StoreResult<()> {
        let sql = format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        sqlx::query::<Any>(&sql)
            .bind(&t.id)
            .bind(&t.user_id)
            .bind(&t.name)
            .bind(&t.token_hash)
            .bind(&t.prefix)
            .bind(&t.created_at)
            .bind(t.last_used_at.as_deref())
            .bind(t.revoked_at.as_deref())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn tokens_of(&self, user_id: &str) -> StoreResult<Vec<TokenRow>> {
        let sql =
            format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id");
        let rows = sqlx::query::<Any>(&sql).bind(user_id).fetch_all(&self.pool).await?;
        rows.iter().map(token).collect()
    }

    pub async fn token_by_hash(&self, token_hash: &str) -> StoreResult<Option<TokenRow>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
        let row = sqlx::query::<Any>(&sql).bind(token_hash).fetch_optional(&self.pool).await?;
        row.as_ref().map(token).transpose()
    }

    pub async fn token_by_id(&self, id: &str) -> StoreResult<Option<TokenRow>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query::<Any>(&sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(token).transpose()
    }

    pub async fn revoke_token(&self, tx: &mut Tx, id: &str, at: &str) -> StoreResult<bool> {
        let done =
            sqlx::query::<Any>("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Revokes every live token of a user (given a new password); returns how many.
    pub async fn revoke_tokens_of(&self, tx: &mut Tx, user_id: &str, at: &str) -> StoreResult<u64> {
        let done = sqlx::query::<Any>(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn touch_token(&self, id: &str, at: &str) -> StoreResult<()> {
        sqlx::query::<Any>("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- sign-in throttling ------------------------------------------------------------

    pub async fn throttle(&self, subject: &str) -> StoreResult<Option<ThrottleRow>> {
        let sql = format!("SELECT {THROTTLE_COLUMNS} FROM sign_in_throttle WHERE subject = $1");
        let row = sqlx::query::<Any>(&sql).bind(subject).fetch_optional(&self.pool).await?;
        row.as_ref().map(throttle).transpose()
    }

    /// Claims one password check for `subject` in a single statement, so checks arriving
    /// together are counted one by one. A subject last tried before `stale_before`, whose lock
    /// (if any) also ended before it, starts afresh. The claim is refused (`None`, nothing
    /// written) while the subject is locked at `now` or already holds `limit` claims; otherwise
    /// the count goes up by one and is returned.
    pub async fn claim_attempt(
        &self,
        subject: &str,
        now: &str,
        stale_before: &str,
        limit: i64,
    ) -> StoreResult<Option<i64>> {
        const STALE: &str = "(sign_in_throttle.last_attempt_at < $3 AND \
                             (sign_in_throttle.locked_until IS NULL OR sign_in_throttle.locked_until < $3))";
        let sql = format!(
            "INSERT INTO sign_in_throttle ({THROTTLE_COLUMNS}) VALUES ($1, 1, $2, NULL, 0) \
             ON CONFLICT (subject) DO UPDATE SET \
             attempts = CASE WHEN {STALE} THEN 1 ELSE sign_in_throttle.attempts + 1 END, \
             locked_until = CASE WHEN {STALE} THEN NULL ELSE sign_in_throttle.locked_until END, \
             lockouts = CASE WHEN {STALE} THEN 0 ELSE sign_in_throttle.lockouts END, \
             last_attempt_at = excluded.last_attempt_at \
             WHERE {STALE} OR ((sign_in_throttle.locked_until IS NULL OR sign_in_throttle.locked_until <= $2) \
             AND sign_in_throttle.attempts < $4) \
             RETURNING attempts"
        );
        let claimed = sqlx::query_scalar::<Any, i64>(&sql)
            .bind(subject)
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_optional(&self.pool)
            .await?;
        Ok(claimed)
    }

    /// Gives back a claim that ended in a success or was never used for a check.
    pub async fn release_attempt(&self, subject: &str) -> StoreResult<()> {
        sqlx::query::<Any>(
            "UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE subject = $1 AND attempts > 0",
        )
        .bind(subject)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Locks `subject` until `until` if it still holds `limit` claims and has been locked
    /// `lockouts` times (so of several failures finishing together only one locks), leaving it
    /// one claim below the limit: one more check once the lock ends. Returns whether it locked.
    pub async fn lock_subject(
        &self,
        subject: &str,
        limit: i64,
        lockouts: i64,
        until: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query::<Any>(
            "UPDATE sign_in_throttle SET locked_until = $1, attempts = $2 - 1, lockouts = lockouts + 1 \
             WHERE subject = $3 AND attempts >= $2 AND lockouts = $4",
        )
        .bind(until)
        .bind(limit)
        .bind(subject)
        .bind(lockouts)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Forgets subjects last tried before `stale_before` whose lock (if any) ended before it
    /// too: names tried once and never again should not pile up.
    pub async fn delete_stale_throttles(&self, stale_before: &str) -> StoreResult<u64> {
        let done = sqlx::query::<Any>(
            "DELETE FROM sign_in_throttle WHERE last_attempt_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
        )
        .bind(stale_before)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn clear_throttle(&self, subject: &str) -> StoreResult<()> {
        sqlx::query::<Any>("DELETE FROM sign_in_throttle WHERE subject = $1")
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets every subject about one login name: the name everywhere and the name from each
    /// address (`pair:<address> <login>`; addresses hold no space).
    pub async fn clear_throttles_of_login(&self, login: &str) -> StoreResult<u64> {
        let tail = format!(" {login}");
        let done = sqlx::query::<Any>(
            "DELETE FROM sign_in_throttle WHERE subject = $1 OR (subject LIKE 'pair:%' \
             AND LENGTH(subject) > CAST($2 AS INTEGER) \
             AND SUBSTR(subject, LENGTH(subject) - CAST($2 AS INTEGER) + 1) = $3)",
        )
        .bind(format!("login:{login}"))
        .bind(tail.chars().count() as i64)
        .bind(&tail)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// How many subjects are throttled (for tests and operators: the table an anonymous client
    /// can make grow).
    pub async fn throttle_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM sign_in_throttle")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    // ---- audit log ---------------------------------------------------------------------

    /// Claims the next sequence number and returns it with the previous entry's hash. The
    /// UPDATE comes first so that, on PostgreSQL, a second appender waits here for the first
    /// transaction to end instead of forking the chain.
    pub async fn claim_audit_seq(&self, tx: &mut Tx) -> StoreResult<(i64, String)> {
        sqlx::query::<Any>("UPDATE audit_head SET seq = seq + 1 WHERE id = 1").execute(&mut **tx).await?;
        let row =
            sqlx::query::<Any>("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Appends an entry whose `seq` came from [`Store::claim_audit_seq`] and moves the head.
    pub async fn append_audit(&self, tx: &mut Tx, a: &AuditRow) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        sqlx::query::<Any>(&sql)
            .bind(a.seq)
            .bind(&a.at)
            .bind(a.actor_id.as_deref())
            .bind(&a.actor_login)
            .bind(&a.via)
            .bind(a.ip.as_deref())
            .bind(&a.action)
            .bind(&a.entity)
            .bind(a.entity_id.as_deref())
            .bind(a.before_json.as_deref())
            .bind(a.after_json.as_deref())
            .bind(&a.prev_hash)
            .bind(&a.hash)
            .execute(&mut **tx)
            .await?;
        sqlx::query::<Any>("UPDATE audit_head SET hash = $1 WHERE id = 1 AND seq = $2")
            .bind(&a.hash)
            .bind(a.seq)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Holds the chain's head row until `tx` ends, so no entry is appended meanwhile (for
    /// re-signing the whole chain).
    pub async fn lock_audit_head(&self, tx: &mut Tx) -> StoreResult<()> {
        sqlx::query::<Any>("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut **tx).await?;
        Ok(())
    }

    /// Replaces one entry's link and hash (re-signing a chain with a new key).
    pub async fn relink_audit(&self, tx: &mut Tx, seq: i64, prev_hash: &str, hash: &str) -> StoreResult<()> {
        sqlx::query::<Any>("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(prev_hash)
            .bind(hash)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Sets the chain's head (after re-signing it, or restoring a backup).
    pub async fn set_audit_head(&self, tx: &mut Tx, seq: i64, hash: &str) -> StoreResult<()> {
        sqlx::query::<Any>("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The chain's head as stored: the last sequence number and hash.
    pub async fn audit_head(&self) -> StoreResult<(i64, String)> {
        let row =
            sqlx::query::<Any>("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// How many entries after `seq` changed records (imports, edits, seeding), as opposed to
    /// sign-ins and user administration: tells a server whether its read model is stale.
    pub async fn data_changes_after(&self, seq: i64) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar::<Any, i64>(
            "SELECT COUNT(*) FROM audit_log WHERE seq > $1 \
             AND (action LIKE 'import.%' OR action LIKE 'record.%' OR action LIKE 'demo.%')",
        )
        .bind(seq)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u64)
    }

    /// Entries with `seq > after`, oldest first, at most `limit` (for walking the chain).
    pub async fn audit_after(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query::<Any>(&sql).bind(after).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(audit).collect()
    }

    pub async fn audit_entry(&self, seq: i64) -> StoreResult<Option<AuditRow>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq = $1");
        let row = sqlx::query::<Any>(&sql).bind(seq).fetch_optional(&self.pool).await?;
        row.as_ref().map(audit).transpose()
    }

    /// Entries matching `filter`, newest first, with the total that match.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<AuditRow>, u64)> {
        let f = filter;
        let mut conditions = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        for (condition, value) in [
            ("actor_login =", &f.actor_login),
            ("action =", &f.action),
            ("entity =", &f.entity),
            ("entity_id =", &f.entity_id),
            ("at >=", &f.from),
            ("at <", &f.to),
        ] {
            if let Some(v) = value {
                binds.push(v);
                conditions.push(format!("{condition} ${}", binds.len()));
            }
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM audit_log{where_clause}");
        let mut count = sqlx::query_scalar::<Any, i64>(&count_sql);
        for b in &binds {
            count = count.bind(*b);
        }
        let total = count.fetch_one(&self.pool).await?;
        let n = binds.len();
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log{where_clause} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut query = sqlx::query::<Any>(&sql);
        for b in &binds {
            query = query.bind(*b);
        }
        let rows = query.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        Ok((rows.iter().map(audit).collect::<StoreResult<_>>()?, total as u64))
    }
}
