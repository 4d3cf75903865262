//! Logging in with a password, guarded against guessing. Each try is reserved before the password
//! is checked, against three budgets at once: the account from this address (5 free failures, then
//! a doubling wait), the address across all accounts (20 free), and the account from anywhere (20
//! free). The owner at their own desk is not held back by an attacker elsewhere; an attacker is
//! slowed, not the owner locked out. Only a sustained attack on one account (30 failures without
//! a quiet quarter of an hour) locks it for 15 minutes on every server, with the lock on the
//! administrators' list and the reason told to whoever tries. An unknown username is checked against
//! a decoy hash, so it answers in the time a known one does.

use super::new_token;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::i18n::{Lang, Msg};
use crate::throttle::{Rule, Throttle, Wait};
use crate::tr;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use xiaobao_store::UserRow;

const MINUTE: i64 = 60_000;
/// The account from one address.
pub const PAIR_RULE: Rule = Rule { free: 5, base_ms: 1000, max_ms: 15 * MINUTE, window_ms: 15 * MINUTE };
/// One address, whatever the account (a password sprayed over many names).
pub const ADDRESS_RULE: Rule = Rule { free: 20, base_ms: 1000, max_ms: 5 * MINUTE, window_ms: 15 * MINUTE };
/// One account, whatever the address (guesses spread over many addresses).
pub const ACCOUNT_RULE: Rule = Rule { free: 20, base_ms: 1000, max_ms: MINUTE, window_ms: 15 * MINUTE };
/// Failures on one account that make a sustained attack.
pub const LOCK_AFTER: u32 = 30;
pub const LOCK_MS: i64 = 15 * MINUTE;
/// Longest username looked up.
const MAX_USERNAME: usize = 64;

pub struct LoginGuard {
    pair: Throttle,
    address: Throttle,
    account: Throttle,
    /// The addresses each account's recent failures came from (for the lock's record).
    sources: Mutex<HashMap<String, Vec<IpAddr>>>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        Self {
            pair: Throttle::new(PAIR_RULE),
            address: Throttle::new(ADDRESS_RULE),
            account: Throttle::new(ACCOUNT_RULE),
            sources: Mutex::new(HashMap::new()),
        }
    }
}

/// A try reserved in every budget; dropped without an outcome (the request gave up) it counts as
/// nothing.
struct Reserved<'a> {
    guard: &'a LoginGuard,
    keys: [String; 3],
    done: bool,
    now_ms: i64,
}

impl Reserved<'_> {
    fn end(&mut self, failed: bool, now_ms: i64) {
        let g = self.guard;
        for (t, k) in [&g.pair, &g.address, &g.account].into_iter().zip(&self.keys) {
            t.finish(k, failed, now_ms);
        }
        self.done = true;
    }
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        if !self.done {
            let now = self.now_ms;
            self.end(false, now);
        }
    }
}

fn too_many(w: Wait) -> ApiError {
    let s = w.seconds();
    // the password was not checked: say so, so a correct one tried now is not taken for wrong
    let wait = |lang: Lang| match s {
        0..=1 => lang.t("login.one_second").to_string(),
        2..=59 => tr!(lang, "login.seconds", n = s),
        _ => match s.div_ceil(60) {
            1 => lang.t("login.one_minute").to_string(),
            m => tr!(lang, "login.minutes", n = m),
        },
    };
    let say = |lang: Lang| tr!(lang, "problem.too_many_logins", wait = wait(lang));
    ApiError::TooManyRequests(Msg::new(say(Lang::Zh), say(Lang::En)), s)
}

fn locked(until_ms: i64, now_ms: i64) -> ApiError {
    let minutes = ((until_ms - now_ms) / MINUTE + 1).max(1);
    ApiError::TooManyRequests(
        Msg::format("problem.account_locked", &[("minutes", &minutes)]),
        ((until_ms - now_ms + 999) / 1000).max(1) as u64,
    )
}

fn wrong() -> ApiError {
    ApiError::Invalid(xiaobao_core::FieldError::because("password", "field.wrong_login"))
}

impl LoginGuard {
    fn reserve(&self, username: &str, from: IpAddr, now_ms: i64) -> Result<Reserved<'_>, ApiError> {
        let keys = [format!("{username}\u{0}{from}"), from.to_string(), username.to_string()];
        let throttles = [&self.pair, &self.address, &self.account];
        for (i, (t, k)) in throttles.iter().zip(&keys).enumerate() {
            if let Err(w) = t.reserve(k, now_ms) {
                for (t, k) in throttles.iter().zip(&keys).take(i) {
                    t.finish(k, false, now_ms);
                }
                return Err(too_many(w));
            }
        }
        Ok(Reserved { guard: self, keys, done: false, now_ms })
    }

    fn note_source(&self, username: &str, from: IpAddr) -> String {
        let mut map = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        let v = map.entry(username.to_string()).or_default();
        if !v.contains(&from) && v.len() < 20 {
            v.push(from);
        }
        v.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(",")
    }
}

/// Checks the password and opens a session: the token and the user.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
    from: IpAddr,
) -> ApiResult<(String, UserRow)> {
    let username = username.trim();
    if username.is_empty() || username.chars().count() > MAX_USERNAME || password.len() > 1024 {
        return Err(wrong());
    }
    let now_ms = state.clock.now().timestamp_millis();
    let guard = &state.login;
    let mut reserved = guard.reserve(username, from, now_ms)?;
    let found = state.store.user_for_login(username).await?;
    let (user, hash) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    // the password is checked whoever the user is, so every answer takes the same time
    let matches = state.passwords.verify(password.to_string(), hash).await?;
    let lock = state.store.login_lock(username, now_ms).await?;
    let now_ms = state.clock.now().timestamp_millis();
    match user {
        Some(user) if matches && user.active && lock.is_none() => {
            reserved.end(false, now_ms);
            guard.pair.clear(&reserved.keys[0]);
            let (token, token_hash) = new_token();
            let now = state.clock.now();
            let expires = now + chrono::Duration::hours(super::SESSION_HOURS);
            state
                .store
                .create_session(&token_hash, user.id, now.timestamp_millis(), expires.timestamp_millis())
                .await?;
            Ok((token, user))
        }
        user => {
            reserved.end(!matches, now_ms);
            if let Some(l) = lock {
                return Err(locked(l.locked_until, now_ms));
            }
            let sources = guard.note_source(username, from);
            let failures = guard.account.failures(username);
            if !matches && failures >= LOCK_AFTER {
                let until = now_ms + LOCK_MS;
                tracing::warn!(username, failures, sources, "login locked after a sustained guessing attack");
                state
                    .store
                    .lock_login(username, user.as_ref().map(|u| u.id), now_ms, until, i64::from(failures), &sources)
                    .await?;
                guard.account.clear(username);
                return Err(locked(until, now_ms));
            }
            Err(wrong())
        }
    }
}
