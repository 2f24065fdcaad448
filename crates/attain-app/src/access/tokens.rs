//! API tokens for scripts: created by a user, shown once, stored as a digest, revocable, and
//! acting with their creator's role and scope (checked afresh on every use, so disabling the
//! user or changing their role takes effect at once).

use attain_store::TokenRow;
use serde::Serialize;

use super::secret::{digest, now_text, random_token};
use super::{Actor, Permission, Via};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// Every token starts with this, so a leaked one is easy to recognise (and to scan for).
pub const PREFIX: &str = "atn_";

/// A token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&TokenRow> for TokenInfo {
    fn from(t: &TokenRow) -> TokenInfo {
        TokenInfo {
            id: t.id.clone(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: t.created_at.clone(),
            last_used_at: t.last_used_at.clone(),
            revoked_at: t.revoked_at.clone(),
        }
    }
}

/// A token just made: `secret` is shown this once and never again.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub secret: String,
    pub token: TokenInfo,
}

impl App {
    pub async fn create_token(&self, actor: &Actor, name: &str) -> AppResult<NewToken> {
        let user_id = actor.user_id.clone().ok_or(AppError::Forbidden)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid("name", "must be 1 to 100 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::invalid("name", "must not contain control characters"));
        }
        let secret = format!("{PREFIX}{}", random_token());
        let row = TokenRow {
            id: uuid::Uuid::now_v7().to_string(),
            user_id,
            name: name.to_string(),
            token_hash: digest(&secret),
            prefix: secret[..PREFIX.len() + 6].to_string(),
            created_at: now_text(),
            last_used_at: None,
            revoked_at: None,
        };
        let info = TokenInfo::from(&row);
        let mut tx = self.store().begin().await?;
        self.store().insert_token(&mut tx, &row).await?;
        audit::append(
            self.store(),
            &mut tx,
            actor,
            Change::new("token.create", "api_tokens", Some(row.id.clone())).after(&info),
        )
        .await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(NewToken { secret, token: info })
    }

    /// The actor's own tokens.
    pub async fn tokens(&self, actor: &Actor) -> AppResult<Vec<TokenInfo>> {
        let user_id = actor.user_id.as_deref().ok_or(AppError::Forbidden)?;
        Ok(self.store().tokens_of(user_id).await?.iter().map(TokenInfo::from).collect())
    }

    /// Revokes one of the actor's tokens (admins: anyone's). Another user's token is "not
    /// found" to everyone else.
    pub async fn revoke_token(&self, actor: &Actor, id: &str) -> AppResult<TokenInfo> {
        if id.contains('\0') {
            // No id holds a NUL, and PostgreSQL cannot compare one.
            return Err(AppError::NotFound);
        }
        let row = self.store().token_by_id(id).await?.ok_or(AppError::NotFound)?;
        let own = actor.user_id.as_deref() == Some(row.user_id.as_str());
        if !own && !actor.may(Permission::ManageUsers) {
            return Err(AppError::NotFound);
        }
        let before = TokenInfo::from(&row);
        let now = now_text();
        let mut tx = self.store().begin().await?;
        if self.store().revoke_token(&mut tx, id, &now).await? {
            let after = TokenInfo { revoked_at: Some(now), ..before.clone() };
            let change =
                Change::new("token.revoke", "api_tokens", Some(id.to_string())).before(&before).after(&after);
            audit::append(self.store(), &mut tx, actor, change).await?;
            tx.commit().await.map_err(attain_store::StoreError::from)?;
            return Ok(after);
        }
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(before)
    }

    /// The actor a bearer token acts as: its user, if the token is live and the user active.
    pub async fn token_actor(&self, secret: &str, ip: Option<String>) -> AppResult<Option<Actor>> {
        if !secret.starts_with(PREFIX) || secret.len() > 128 {
            return Ok(None);
        }
        let Some(row) = self.store().token_by_hash(&digest(secret)).await? else { return Ok(None) };
        if row.revoked_at.is_some() {
            return Ok(None);
        }
        let Some(user) = self.store().user_by_id(&row.user_id).await? else { return Ok(None) };
        if user.disabled {
            return Ok(None);
        }
        // Last use is a convenience for spotting stale tokens; minute precision is plenty and
        // keeps a busy script from writing on every call.
        let now = now_text();
        if row.last_used_at.as_deref().is_none_or(|t| t.get(..16) != now.get(..16)) {
            self.store().touch_token(&row.id, &now).await?;
        }
        Ok(Some(super::sessions::actor_of(&user, Via::Token(row.id.clone()), ip)?))
    }
}
