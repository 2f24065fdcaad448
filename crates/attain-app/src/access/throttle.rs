//! Sign-in throttling, after OWASP's authentication guidance: every password check is claimed
//! in the database *before* it runs, against three subjects — the login name from this client
//! address, the client address whatever the name, and the login name from every address — each
//! with its own limit. A subject at its limit refuses further checks; a failure that reaches a
//! limit locks the subject, for twice as long at each further lock. Because the claim comes
//! first, guesses sent in parallel cannot outrun the count; because the tightest limit is per
//! name *and* address, an attacker's failures lock the attacker out, not the owner signing in
//! from elsewhere. Only locks are audited, so an anonymous client can make the server write
//! a bounded number of audit entries (docs/api.md, "Signing in").

use std::net::IpAddr;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::secret::{instant_text, parse_instant};
use super::{Actor, Via};
use crate::app::{App, Settings};
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};

/// What a throttle subject counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// One client address, whatever the login names.
    Address,
    /// One login name, from every address.
    Login,
    /// One login name from one client address.
    LoginFromAddress,
}

impl Scope {
    fn limit(self, s: &Settings) -> i64 {
        match self {
            Scope::Address => s.address_max_failures,
            Scope::Login => s.login_max_failures,
            Scope::LoginFromAddress => s.max_failures,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scope::Address => "address",
            Scope::Login => "login",
            Scope::LoginFromAddress => "login_from_address",
        }
    }
}

/// The address a client is counted under. IPv6 clients are counted by their /64 network,
/// since one subscriber usually holds a whole /64; IPv4-mapped addresses count as IPv4.
/// In-process callers with no address (the command line, tests) share `local`.
pub fn address_key(ip: Option<&str>) -> String {
    match ip.map(str::parse::<IpAddr>) {
        Some(Ok(IpAddr::V4(v4))) => v4.to_string(),
        Some(Ok(IpAddr::V6(v6))) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Some(Err(_)) => ip.unwrap_or_default().to_string(),
        None => "local".to_string(),
    }
}

/// The subjects one sign-in attempt is counted against, in the order they are claimed: the
/// address first, so a locked address creates no further rows whatever names it tries.
fn subjects(login: &str, ip: Option<&str>) -> [(Scope, String); 3] {
    let address = address_key(ip);
    [
        (Scope::Address, format!("address:{address}")),
        (Scope::Login, format!("login:{login}")),
        (Scope::LoginFromAddress, format!("pair:{address} {login}")),
    ]
}

/// Password checks claimed for one attempt; settle it with [`App::check_succeeded`] or
/// [`App::check_failed`].
#[derive(Debug)]
#[must_use]
pub(crate) struct Claim {
    held: Vec<(Scope, String)>,
}

impl App {
    /// Claims one password check for `login` from `ip`, or refuses with
    /// [`AppError::Throttled`] (claiming nothing) when any subject is locked or full.
    pub(crate) async fn claim_check(&self, login: &str, ip: Option<&str>) -> AppResult<Claim> {
        let settings = self.settings();
        let now = Timestamp::now();
        let (now_text, stale) = (instant_text(now), stale_before(settings, now));
        let mut claim = Claim { held: Vec::with_capacity(3) };
        for (scope, subject) in subjects(login, ip) {
            let claimed =
                self.store().claim_attempt(&subject, &now_text, &stale, scope.limit(settings)).await;
            match claimed {
                Ok(Some(_)) => claim.held.push((scope, subject)),
                Ok(None) => {
                    self.release(claim).await;
                    let row = self.store().throttle(&subject).await?;
                    let until = row.and_then(|r| r.locked_until).and_then(|t| parse_instant(&t));
                    // Full but not locked: checks are running; their outcome decides soon.
                    let wait = until.map_or(1, |u| u.duration_since(now).as_secs().max(1) as u64);
                    return Err(AppError::Throttled { retry_after_secs: wait });
                }
                Err(e) => {
                    self.release(claim).await;
                    return Err(e.into());
                }
            }
        }
        Ok(claim)
    }

    /// The password was right: the name from this address starts afresh; the claims on the
    /// address and on the name are given back (a success is not a failure, but it does not
    /// wipe out failures others caused there).
    pub(crate) async fn check_succeeded(&self, claim: Claim) -> AppResult<()> {
        for (scope, subject) in &claim.held {
            match scope {
                Scope::LoginFromAddress => self.store().clear_throttle(subject).await?,
                Scope::Address | Scope::Login => self.store().release_attempt(subject).await?,
            }
        }
        Ok(())
    }

    /// The check did not happen after all (an error): gives the claims back, best effort.
    pub(crate) async fn release(&self, claim: Claim) {
        for (_, subject) in &claim.held {
            if let Err(e) = self.store().release_attempt(subject).await {
                tracing::warn!(error = %e, "could not give back a sign-in claim");
            }
        }
    }

    /// The password was wrong: the claims stay counted as failures, and each subject they
    /// filled is locked. One audit entry records the locks (none when nothing locked), so
    /// failures are audited by the lock, with its count, not one entry per guess.
    pub(crate) async fn check_failed(&self, claim: Claim, login: &str, ip: Option<String>) -> AppResult<()> {
        let settings = self.settings();
        let now = Timestamp::now();
        let mut locked = Vec::new();
        for (scope, subject) in &claim.held {
            let limit = scope.limit(settings);
            let Some(row) = self.store().throttle(subject).await? else { continue };
            let in_force = row.locked_until.as_deref().and_then(parse_instant).is_some_and(|u| u > now);
            if row.attempts < limit || in_force {
                continue;
            }
            let lock = lock_length(settings, row.lockouts);
            let until = instant_text(now + lock);
            if self.store().lock_subject(subject, limit, row.lockouts, &until).await? {
                locked.push(json!({
                    "subject": scope.name(),
                    "failures": row.attempts,
                    "lockout": row.lockouts + 1,
                    "locked_seconds": lock.as_secs(),
                    "until": until,
                }));
            }
        }
        if locked.is_empty() {
            return Ok(());
        }
        // The name tried is kept (never the password): it is what the lock is about.
        let who = Actor { login: login.to_string(), ip, via: Via::Session, ..Actor::system() };
        let change = Change::new("session.sign_in_locked", "users", None).after(json!({ "locked": locked }));
        let mut tx = self.store().begin().await?;
        audit::append(self.store(), &mut tx, &who, change).await?;
        tx.commit().await.map_err(attain_store::StoreError::from)?;
        Ok(())
    }

    /// Forgets subjects quiet for the whole window; returns how many.
    pub(crate) async fn purge_stale_throttles(&self) -> AppResult<u64> {
        Ok(self.store().delete_stale_throttles(&stale_before(self.settings(), Timestamp::now())).await?)
    }
}

fn stale_before(settings: &Settings, now: Timestamp) -> String {
    instant_text(now - SignedDuration::from_mins(settings.failure_window_minutes))
}

/// The `lockouts + 1`-th lock: the first lasts `first_lockout_seconds`, each next one twice as
/// long, never more than `lockout_minutes`.
fn lock_length(settings: &Settings, lockouts: i64) -> SignedDuration {
    let cap = settings.lockout_minutes.max(0) * 60;
    let doubled = settings.first_lockout_seconds.max(0).saturating_mul(1i64 << lockouts.clamp(0, 30));
    SignedDuration::from_secs(doubled.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_the_cap() {
        let s = Settings::default();
        let secs: Vec<i64> = (0..7).map(|n| lock_length(&s, n).as_secs()).collect();
        assert_eq!(secs, [60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(lock_length(&s, i64::MAX).as_secs(), 900);
    }

    #[test]
    fn addresses_are_counted_by_client_or_network() {
        assert_eq!(address_key(Some("203.0.113.7")), "203.0.113.7");
        assert_eq!(address_key(Some("::ffff:203.0.113.7")), "203.0.113.7");
        assert_eq!(address_key(Some("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(address_key(Some("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
        assert_eq!(address_key(None), "local");
        let [address, login, pair] = subjects("ann", Some("10.0.0.1"));
        assert_eq!(
            [address.1, login.1, pair.1],
            ["address:10.0.0.1", "login:ann", "pair:10.0.0.1 ann"].map(String::from)
        );
    }
}
