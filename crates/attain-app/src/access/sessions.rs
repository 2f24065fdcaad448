//! Signing in and out: password checks behind the throttle, and sessions known to the server by
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
    /// Checks a login name and password and starts a session. Wrong names and wrong passwords
    /// fail alike (same message, same Argon2 work). Every check is first claimed against the
    /// throttle ([`super::throttle`]): once the name, the client address or the pair is at
    /// its limit, attempts are refused with [`AppError::Throttled`] without checking anything,
    /// even the right password.
    pub async fn sign_in(&self, login: &str, password_text: &str, ip: Option<String>) -> AppResult<SignedIn> {
        self.sign_in_replacing(login, password_text, ip, None).await
    }

    /// [`App::sign_in`], ending the session the browser held before (`previous`, its cookie
    /// value) in the same transaction: a browser holds one session, and a session planted in
    /// it before sign-in (fixation) or left from another user does not survive.
    pub async fn sign_in_replacing(
        &self,
        login: &str,
        password_text: &str,
        ip: Option<String>,
        previous: Option<&str>,
    ) -> AppResult<SignedIn> {
        let app = self.clone();
        let (login, password_text) = (login.to_string(), password_text.to_string());
        let previous = previous.map(str::to_string);
        // On its own task, so a client that hangs up mid-check cannot leave a claim unsettled.
        tokio::spawn(
            async move { app.settled_sign_in(&login, &password_text, ip, previous.as_deref()).await },
        )
        .await
        .map_err(|e| AppError::Internal(format!("signing in stopped: {e}")))?
    }

    async fn settled_sign_in(
        &self,
        login: &str,
        password_text: &str,
        ip: Option<String>,
        previous: Option<&str>,
    ) -> AppResult<SignedIn> {
        let login = login.trim().to_lowercase();
        // No login holds a NUL (PostgreSQL cannot even compare one): refused like a wrong name.
        if login.is_empty() || login.len() > 256 || login.contains('\0') {
            return Err(AppError::Unauthenticated);
        }
        let claim = self.claim_check(&login, ip.as_deref()).await?;
        let user = match self.store().user_by_login(&login).await {
            Ok(user) => user,
            Err(e) => {
                self.release(claim).await;
                return Err(e.into());
            }
        };
        let hash = user.as_ref().map_or(password::decoy_hash(), |u| u.password_hash.as_str());
        let password_ok = password::verify_blocking(password_text, hash).await;
        let user = match user {
            Some(user) if password_ok && !user.disabled => user,
            _ => {
                self.check_failed(claim, &login, ip).await?;
                return Err(AppError::Unauthenticated);
            }
        };
        self.check_succeeded(claim).await?;
        let actor = actor_of(&user, Via::Session, ip)?;
        let cookie = random_token();
        let csrf = random_token();
        let now = Timestamp::now();
        let expires_at = now + SignedDuration::from_hours(self.settings().session_hours);
        let row = SessionRow {
            id_hash: digest(&cookie),
            user_id: user.id.clone(),
            csrf_token: csrf.clone(),
            created_at: instant_text(now),
            expires_at: instant_text(expires_at),
        };
        let mut tx = self.store().begin().await?;
        if let Some(previous) = previous.filter(|p| !p.is_empty() && p.len() <= 128) {
            self.store().delete_session(&mut tx, &digest(previous)).await?;
        }
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

    /// Removes expired sessions and stale sign-in throttle rows (run periodically by the
    /// server); returns how many rows went.
    pub async fn purge_expired(&self) -> AppResult<u64> {
        let sessions = self.store().delete_expired_sessions(&instant_text(Timestamp::now())).await?;
        Ok(sessions + self.purge_stale_throttles().await?)
    }
}
