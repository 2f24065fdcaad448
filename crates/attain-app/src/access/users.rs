//! User accounts: adding, listing, disabling and re-enabling, resetting passwords, and the
//! first-run path that creates the first admin. Only admins manage users; every change is
//! audited (never with a password or its hash).

use attain_core::Kind;
use attain_store::UserRow;
use serde::Serialize;

use super::secret::now_text;
use super::{Actor, Permission, Role, password};
use crate::app::App;
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// What an admin supplies for a new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub person_id: Option<String>,
    pub password: String,
}

/// A user as shown and audited: everything but the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub person_id: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl UserInfo {
    pub(crate) fn from_row(row: &UserRow) -> AppResult<UserInfo> {
        let role = Role::parse(&row.role).ok_or_else(|| {
            AppError::Internal(format!("user {} has an unknown role '{}'", row.login, row.role))
        })?;
        Ok(UserInfo {
            id: row.id.clone(),
            login: row.login.clone(),
            display_name: row.display_name.clone(),
            role,
            person_id: row.person_id.clone(),
            disabled: row.disabled,
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
        })
    }
}

/// Login names: 1–64 of lower-case letters, digits and `. _ - @`, so they are safe in URLs,
/// logs and file names, and one person cannot hold two names differing only in case.
pub fn normalise_login(login: &str) -> AppResult<String> {
    let login = login.trim().to_lowercase();
    let ok_char =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@');
    if login.is_empty() || login.len() > 64 || !login.chars().all(ok_char) {
        return Err(AppError::invalid(
            "login",
            "must be 1 to 64 characters of lower-case letters, digits, '.', '_', '-' or '@'",
        ));
    }
    Ok(login)
}

/// A login name to look up: no stored name holds a NUL (which PostgreSQL cannot compare), so
/// such a name is simply not found.
fn lookup_name(login: &str) -> AppResult<String> {
    if login.contains('\0') {
        return Err(AppError::NotFound);
    }
    Ok(login.trim().to_lowercase())
}

impl App {
    pub async fn has_users(&self) -> AppResult<bool> {
        Ok(self.store().user_count().await? > 0)
    }

    /// Adds a user (admins only).
    pub async fn add_user(&self, actor: &Actor, new: NewUser) -> AppResult<UserInfo> {
        actor.require(Permission::ManageUsers)?;
        let _writing = self.writer().await;
        self.insert_user(actor, new).await
    }

    /// Creates the first admin of a deployment with no users; refused once any user exists.
    pub async fn create_first_admin(&self, new: NewUser) -> AppResult<UserInfo> {
        let _writing = self.writer().await;
        if self.has_users().await? {
            return Err(AppError::Conflict("the first admin already exists; sign in instead".into()));
        }
        self.insert_user(&Actor::system(), NewUser { role: Role::Admin, ..new }).await
    }

    async fn insert_user(&self, actor: &Actor, new: NewUser) -> AppResult<UserInfo> {
        let login = normalise_login(&new.login)?;
        let display_name = new.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(AppError::invalid("display_name", "must be 1 to 200 characters"));
        }
        if display_name.chars().any(char::is_control) {
            return Err(AppError::invalid("display_name", "must not contain control characters"));
        }
        let person_id = new.person_id.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
        match &person_id {
            None if new.role.needs_person() => {
                return Err(AppError::invalid(
                    "person_id",
                    format!(
                        "a {} must be linked to a person, whose team or self bounds what they see",
                        new.role
                    ),
                ));
            }
            Some(p) if self.snapshot().find(Kind::People, p).is_empty() => {
                return Err(AppError::invalid("person_id", format!("no person has the id '{p}'")));
            }
            _ => {}
        }
        password::check_strength(&new.password)?;
        if self.store().user_by_login(&login).await?.is_some() {
            return Err(AppError::Conflict(format!("the login '{login}' is taken")));
        }
        let now = now_text();
        let row = UserRow {
            id: uuid::Uuid::now_v7().to_string(),
            login,
            display_name,
            role: new.role.as_str().to_string(),
            person_id,
            password_hash: password::hash_blocking(&new.password).await?,
            disabled: false,
            created_at: now.clone(),
            updated_at: now,
        };
        let info = UserInfo::from_row(&row)?;
        let mut tx = self.store().begin().await?;
        self.store().insert_user(&mut tx, &row).await?;
        audit::append(
            self.store(),
            &mut tx,
            actor,
            Change::new("user.create", "users", Some(row.id.clone())).after(&info),
        )
        .await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(info)
    }

    pub async fn users(&self, actor: &Actor) -> AppResult<Vec<UserInfo>> {
        actor.require(Permission::ManageUsers)?;
        self.store().users().await?.iter().map(UserInfo::from_row).collect()
    }

    pub async fn user(&self, actor: &Actor, login: &str) -> AppResult<UserInfo> {
        actor.require(Permission::ManageUsers)?;
        let row = self.store().user_by_login(&lookup_name(login)?).await?.ok_or(AppError::NotFound)?;
        UserInfo::from_row(&row)
    }

    /// Disables (or re-enables) a user; disabling ends their sessions and stops their tokens.
    pub async fn set_disabled(&self, actor: &Actor, login: &str, disabled: bool) -> AppResult<UserInfo> {
        actor.require(Permission::ManageUsers)?;
        let _writing = self.writer().await;
        let mut row = self.store().user_by_login(&lookup_name(login)?).await?.ok_or(AppError::NotFound)?;
        if disabled && actor.user_id.as_deref() == Some(row.id.as_str()) {
            return Err(AppError::invalid("login", "you cannot disable yourself"));
        }
        let before = UserInfo::from_row(&row)?;
        if row.disabled == disabled {
            return Ok(before);
        }
        row.disabled = disabled;
        row.updated_at = now_text();
        let after = UserInfo::from_row(&row)?;
        let mut tx = self.store().begin().await?;
        self.store().update_user(&mut tx, &row).await?;
        if disabled {
            self.store().delete_sessions_of(&mut tx, &row.id).await?;
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        let change = Change::new(action, "users", Some(row.id.clone())).before(&before).after(&after);
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(after)
    }

    /// Sets a new password for another user (admins only; the command line for anyone). The
    /// permission is checked before the name is looked up, so a caller without it gets the
    /// same answer for an existing and a missing name. Your own password is changed with
    /// [`App::change_password`], which needs the current one.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        login: &str,
        new_password: &str,
    ) -> AppResult<UserInfo> {
        if actor.user_id.is_some() && login.trim().eq_ignore_ascii_case(&actor.login) {
            return Err(AppError::invalid(
                "current_password",
                "changing your own password needs your current password",
            ));
        }
        actor.require(Permission::ManageUsers)?;
        let row = self.store().user_by_login(&lookup_name(login)?).await?.ok_or(AppError::NotFound)?;
        password::check_strength(new_password)?;
        let info = self.set_password(actor, row, new_password, "user.password_reset").await?;
        // A reset is how a locked-out user gets back in: the name's locks go with the old password.
        self.store().clear_throttles_of_login(&info.login).await?;
        Ok(info)
    }

    /// Changes the actor's own password, given the current one. The current password is
    /// checked behind the sign-in throttle, so a borrowed session cannot be used to guess it.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_password: &str,
        new_password: &str,
    ) -> AppResult<UserInfo> {
        user_id_of(actor)?;
        if current_password.is_empty() {
            return Err(AppError::invalid("current_password", "is required to change your own password"));
        }
        password::check_strength(new_password)?;
        let (app, actor) = (self.clone(), actor.clone());
        let (current, new) = (current_password.to_string(), new_password.to_string());
        // On its own task, as sign-in is: a client that hangs up mid-check must not leave its
        // throttle claim counted but never settled.
        tokio::spawn(
            async move { app.settled_password_change(&actor, user_id_of(&actor)?, &current, &new).await },
        )
        .await
        .map_err(|e| AppError::Internal(format!("changing the password stopped: {e}")))?
    }

    async fn settled_password_change(
        &self,
        actor: &Actor,
        user_id: &str,
        current_password: &str,
        new_password: &str,
    ) -> AppResult<UserInfo> {
        let claim = self.claim_check(&actor.login, actor.ip.as_deref()).await?;
        let row = match self.store().user_by_id(user_id).await {
            Ok(Some(row)) => row,
            Ok(None) => {
                self.release(claim).await;
                return Err(AppError::NotFound);
            }
            Err(e) => {
                self.release(claim).await;
                return Err(e.into());
            }
        };
        if !password::verify_blocking(current_password, &row.password_hash).await {
            self.check_failed(claim, &row.login, actor.ip.clone()).await?;
            return Err(AppError::invalid("current_password", "is wrong"));
        }
        self.check_succeeded(claim).await?;
        self.set_password(actor, row, new_password, "user.password_change").await
    }

    /// Stores a new password and ends everything the old one let in: every session of the
    /// user and every API token they made (a thief with the old password may have made one).
    async fn set_password(
        &self,
        actor: &Actor,
        mut row: UserRow,
        new_password: &str,
        action: &'static str,
    ) -> AppResult<UserInfo> {
        let _writing = self.writer().await;
        row.password_hash = password::hash_blocking(new_password).await?;
        let now = now_text();
        row.updated_at = now.clone();
        let mut tx = self.store().begin().await?;
        self.store().update_user(&mut tx, &row).await?;
        let sessions = self.store().delete_sessions_of(&mut tx, &row.id).await?;
        let tokens = self.store().revoke_tokens_of(&mut tx, &row.id, &now).await?;
        let change = Change::new(action, "users", Some(row.id.clone()))
            .after(serde_json::json!({ "sessions_ended": sessions, "tokens_revoked": tokens }));
        audit::append(self.store(), &mut tx, actor, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        UserInfo::from_row(&row)
    }
}

fn user_id_of(actor: &Actor) -> AppResult<&str> {
    actor.user_id.as_deref().ok_or(AppError::Forbidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_lower_case_and_plain() {
        assert_eq!(normalise_login("  Ann.Lee@Example.com ").unwrap(), "ann.lee@example.com");
        assert!(normalise_login("").is_err());
        assert!(normalise_login("ann lee").is_err());
        assert!(normalise_login("ann/../x").is_err());
        assert!(normalise_login(&"a".repeat(65)).is_err());
    }
}
