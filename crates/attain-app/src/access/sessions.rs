//! Signing in and out: password checks with throttling, and sessions known to the server by
//! the digest of a random cookie value, each with its own CSRF token.

use attain_store::{SessionRow, UserRow};
use jiff::{SignedDuration, Timestamp};

use super::secret::{digest, instant_text, parse_instant, random_token};
use super::{Actor, Role, Via, password};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// A new session: the cookie value (secret, shown to the browser only) and its CSRF token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie: String,
    pub csrf: String,
    pub expires_at: Timestamp,
    pub actor: Actor,
}

/// A live session found from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
}

pub(crate) fn actor_of(user: &UserRow, via: Via, ip: Option<String>) -> AppResult<Actor> {
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::Internal(format!("user {} has an unknown role", user.login)))?;
    Ok(Actor {
        user_id: Some(user.id.clone()),
        login: user.login.clone(),
        display_name: user.display_name.clone(),
        role,
        person_id: user.person_id.clone(),
        via,
        ip,
    })
}

impl App {
    /// Checks a login name and password. Wrong names and wrong passwords fail alike (same
    /// message, same Argon2 work); after `max_failures` failures within the window the name is
    /// locked for `lockout_minutes`, even for the right password.
    pub async fn sign_in(&self, login: &str, password_text: &str, ip: Option<String>) -> AppResult<SignedIn> {
        let login = login.trim().to_lowercase();
        // No login holds a NUL (PostgreSQL cannot even compare one): refused like a wrong name.
        if login.is_empty() || login.len() > 256 || login.contains('\0') {
            return Err(AppError::Unauthenticated);
        }
        let now = Timestamp::now();
        let settings = self.settings().clone();
        let throttle = self.store().throttle(&login).await?;
        if let Some(until) = throttle.as_ref().and_then(|t| t.locked_until.as_deref()).and_then(parse_instant)
            && until > now
        {
            let wait = until.duration_since(now).as_secs().max(1) as u64;
            return Err(AppError::Throttled { retry_after_secs: wait });
        }
        let user = self.store().user_by_login(&login).await?;
        let hash = user.as_ref().map_or(password::decoy_hash(), |u| u.password_hash.as_str());
        let password_ok = password::verify_blocking(password_text, hash).await;
        let user = match user {
            Some(user) if password_ok && !user.disabled => user,
            _ => {
                self.note_failure(&login, now, ip.clone()).await?;
                return Err(AppError::Unauthenticated);
            }
        };
        if throttle.is_some() {
            self.store().clear_throttle(&login).await?;
        }
        let actor = actor_of(&user, Via::Session, ip)?;
        let cookie = random_token();
        let csrf = random_token();
        let expires_at = now + SignedDuration::from_hours(settings.session_hours);
        let row = SessionRow {
            id_hash: digest(&cookie),
            user_id: user.id.clone(),
            csrf_token: csrf.clone(),
            created_at: instant_text(now),
            expires_at: instant_text(expires_at),
        };
        let mut tx = self.store().begin().await?;
        self.store().insert_session(&mut tx, &row).await?;
        audit::append(
            self.store(),
            &mut tx,
            &actor,
            Change::new("session.sign_in", "users", Some(user.id.clone())),
        )
        .await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(SignedIn { cookie, csrf, expires_at, actor })
    }

    async fn note_failure(&self, login: &str, now: Timestamp, ip: Option<String>) -> AppResult<()> {
        let s = self.settings();
        let window = SignedDuration::from_mins(s.failure_window_minutes);
        // One atomic increment: failures sent in parallel must each count, or an attacker
        // could guess many passwords for the price of one failure.
        let mut row =
            self.store().count_failure(login, &instant_text(now), &instant_text(now - window)).await?;
        if row.failures >= s.max_failures {
            let until = instant_text(now + SignedDuration::from_mins(s.lockout_minutes));
            self.store().lock_login(login, &until).await?;
            row.locked_until = Some(until);
        }
        // Failed sign-ins are security events worth the audit trail; the name tried is kept,
        // never the password.
        let who = Actor { login: login.to_string(), ip, ..Actor::system() };
        let mut tx = self.store().begin().await?;
        let change = Change::new("session.sign_in_failed", "users", None).after(serde_json::json!({
            "failures": row.failures, "locked": row.locked_until.is_some()
        }));
        audit::append(self.store(), &mut tx, &Actor { via: Via::Session, ..who }, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(())
    }

    /// The session a cookie value names, if it exists, has not expired and its user is active.
    pub async fn session(&self, cookie: &str, ip: Option<String>) -> AppResult<Option<Session>> {
        if cookie.is_empty() || cookie.len() > 128 {
            return Ok(None);
        }
        let Some(row) = self.store().session(&digest(cookie)).await? else { return Ok(None) };
        if parse_instant(&row.expires_at).is_none_or(|t| t <= Timestamp::now()) {
            return Ok(None);
        }
        let Some(user) = self.store().user_by_id(&row.user_id).await? else { return Ok(None) };
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session { actor: actor_of(&user, Via::Session, ip)?, csrf: row.csrf_token }))
    }

    /// Ends the session named by `cookie`.
    pub async fn sign_out(&self, actor: &Actor, cookie: &str) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        if self.store().delete_session(&mut tx, &digest(cookie)).await? {
            let change = Change::new("session.sign_out", "users", actor.user_id.clone());
            audit::append(self.store(), &mut tx, actor, change).await?;
        }
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(())
    }

    /// Removes expired sessions and stale sign-in failure counts (run periodically by the
    /// server); returns how many rows went.
    pub async fn purge_expired(&self) -> AppResult<u64> {
        let now = Timestamp::now();
        let window = SignedDuration::from_mins(self.settings().failure_window_minutes);
        let sessions = self.store().delete_expired_sessions(&instant_text(now)).await?;
        let throttles =
            self.store().delete_stale_throttles(&instant_text(now - window), &instant_text(now)).await?;
        Ok(sessions + throttles)
    }
}
