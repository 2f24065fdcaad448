//! Passwords: Argon2id hashes in PHC form, and the rule a new password must meet.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

use crate::AppError;

/// Shortest password we accept. Length beats composition rules (NIST SP 800-63B).
pub const MIN_LENGTH: usize = 12;

pub fn check_strength(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(AppError::invalid("password", format!("must be at least {MIN_LENGTH} characters")));
    }
    if password.chars().count() > 1024 {
        return Err(AppError::invalid("password", "must be at most 1024 characters"));
    }
    Ok(())
}

/// An Argon2id hash with the crate's default (OWASP-recommended) cost and a fresh salt.
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash a password: {e}")))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// [`hash`] on the blocking pool: Argon2 takes tens of milliseconds of CPU on purpose, which
/// must not stall the async workers serving other requests.
pub async fn hash_blocking(password: &str) -> Result<String, AppError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing stopped: {e}")))?
}

/// [`verify`] on the blocking pool, for the same reason as [`hash_blocking`].
pub async fn verify_blocking(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || verify(&password, &phc)).await.unwrap_or(false)
}

/// A hash of a password nobody knows, verified against when a login name does not exist so
/// that an unknown name takes as long to refuse as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::access::secret::random_token()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("twelve chars").is_ok());
    }
}
