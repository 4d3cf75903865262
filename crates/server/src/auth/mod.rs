//! Authentication: argon2id passwords checked at login only; sessions and API tokens are random
//! 256-bit secrets kept as SHA-256 hashes, looked up per request (with a short in-memory cache), sent
//! as `Authorization: Bearer` or the HttpOnly, SameSite=Strict session cookie.

pub mod integration;
pub mod login;
pub mod must_change;
pub mod passwords;

use crate::app::AppState;
use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant as StdInstant};
use xiaobao_core::complaint::Actor;
use xiaobao_core::org::in_subtree;
use xiaobao_core::role::Permission;
use xiaobao_store::UserRow;

pub const SESSION_COOKIE: &str = "xiaobao_session";
/// Sessions and tokens last a working day and a half.
pub const SESSION_HOURS: i64 = 36;
/// How long a checked token is trusted without asking the database again.
const CACHE_TTL: Duration = Duration::from_secs(10);

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| ApiError::Internal)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fresh token (hex of 32 random bytes) and its SHA-256 hash, which is all that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checked tokens, remembered briefly so a request costs a hash and a map lookup.
#[derive(Default)]
pub struct SessionCache {
    entries: RwLock<HashMap<String, (UserRow, i64, StdInstant)>>,
}

impl SessionCache {
    fn get(&self, hash: &str, now_ms: i64) -> Option<UserRow> {
        let map = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let (user, expires, at) = map.get(hash)?;
        (at.elapsed() < CACHE_TTL && *expires > now_ms).then(|| user.clone())
    }

    fn put(&self, hash: String, user: UserRow, expires: i64) {
        let mut map = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, _, at)| at.elapsed() < CACHE_TTL);
        }
        map.insert(hash, (user, expires, StdInstant::now()));
    }

    pub fn forget(&self, hash: &str) {
        self.entries.write().unwrap_or_else(|p| p.into_inner()).remove(hash);
    }

    /// Forgets every cached session.
    pub fn clear(&self) {
        self.entries.write().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Forgets every cached session of a user (deactivated, new password, new role or unit).
    pub fn forget_user(&self, user_id: i64) {
        self.entries.write().unwrap_or_else(|p| p.into_inner()).retain(|_, (u, _, _)| u.id != user_id);
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRow,
    pub token_hash: String,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.user.id, role: self.user.role, unit_path: self.user.org_path.clone() }
    }

    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.user.role.can(p) { Ok(()) } else { Err(ApiError::forbidden_role()) }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.user.role.can(p)
    }

    /// The caller as the scope rules see them (`xiaobao_core::access`).
    pub fn viewer(&self) -> xiaobao_core::access::Viewer<'_> {
        xiaobao_core::access::Viewer { user_id: self.user.id, unit_path: &self.user.org_path }
    }

    /// The orders the caller may see, for a list.
    pub fn order_scope(&self) -> xiaobao_core::access::OrderScope {
        xiaobao_core::access::OrderScope::of(self.viewer())
    }

    /// Is the unit at `path` inside the caller's subtree?
    pub fn sees_unit(&self, path: &str) -> bool {
        in_subtree(&self.user.org_path, path)
    }
}

pub fn token_from_parts(parts: &Parts) -> Option<String> {
    token_from_headers(&parts.headers)
}

/// The bearer token, or else the session cookie.
pub fn token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))
    {
        return Some(t.trim().to_string());
    }
    cookie(headers, SESSION_COOKIE)
}

/// The value of cookie `name`.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Caller::from_headers(&parts.headers, state).await
    }
}

impl Caller {
    /// The caller a request's bearer token or session cookie belongs to.
    pub async fn from_headers(headers: &axum::http::HeaderMap, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from_headers(headers).ok_or(ApiError::Unauthorized)?;
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::Unauthorized);
        }
        let hash = token_hash(&token);
        let now_ms = state.clock.now().timestamp_millis();
        if let Some(user) = state.sessions.get(&hash, now_ms) {
            return Ok(Caller { user, token_hash: hash });
        }
        let principal = state.store.session(&hash, now_ms).await?.ok_or(ApiError::Unauthorized)?;
        state.sessions.put(hash.clone(), principal.user.clone(), principal.expires_at);
        Ok(Caller { user: principal.user, token_hash: hash })
    }
}
