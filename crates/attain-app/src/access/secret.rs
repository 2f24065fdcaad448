//! Random secrets, their stored digests, and the instants we store as fixed-width text.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

fn fill_random(bytes: &mut [u8]) {
    // Without OS randomness no secret can be made safely; there is no sensible fallback.
    getrandom::fill(bytes).expect("the operating system's random number generator");
}

/// 32 random bytes from the OS generator, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A readable random password for generated accounts (demo users, resets): 20 characters
/// from an alphabet without look-alikes, about 115 bits.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    fill_random(&mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

/// Hex SHA-256: how session cookies and API tokens are stored. They are long random
/// secrets, so a fast digest is enough (unlike passwords, which get Argon2id).
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An instant as stored: RFC 3339 UTC with whole seconds, fixed width so text order is time
/// order.
pub fn instant_text(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn now_text() -> String {
    instant_text(jiff::Timestamp::now())
}

pub fn parse_instant(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(random_password().len(), 20);
    }

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn instants_are_fixed_width_and_round_trip() {
        let t: jiff::Timestamp = "2026-11-22T09:05:03.123Z".parse().unwrap();
        assert_eq!(instant_text(t), "2026-11-22T09:05:03Z");
        assert_eq!(
            parse_instant("2026-11-22T09:05:03Z").map(instant_text).as_deref(),
            Some("2026-11-22T09:05:03Z")
        );
    }
}
