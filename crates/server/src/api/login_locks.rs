//! Accounts locked after a sustained password-guessing attack: administrators list them and lift a
//! lock early. A lock on a user is visible to administrators whose subtree holds the user; a lock on
//! a name that is no user, only to head office's.

use crate::api::query::{Params, int};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::org::path_ids;
use xiaobao_core::role::Permission;
use xiaobao_core::time::{from_millis, rfc3339};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_login_locks)).routes(routes!(unlock_login))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginLockView {
    pub username: String,
    /// Whether the name belongs to a user.
    pub known_user: bool,
    pub locked_at: String,
    pub locked_until: String,
    /// Failed logins that made the lock.
    pub failures: i64,
    /// The source addresses they came from.
    pub addresses: Vec<String>,
    /// Lifted early by an administrator at this time.
    pub unlocked_at: Option<String>,
}

async fn visible_locks(
    state: &AppState,
    caller: &Caller,
    since_ms: i64,
) -> ApiResult<Vec<xiaobao_store::LoginLockRow>> {
    caller.require(Permission::ManageUsers)?;
    let locks = state.store.login_locks(since_ms, 500).await?;
    let ids: Vec<i64> = locks.iter().filter_map(|l| l.user_id).collect();
    let users = state.store.users_by_ids(&ids).await?;
    let head_office = path_ids(&caller.user.org_path).len() <= 1;
    Ok(locks
        .into_iter()
        .filter(|l| match l.user_id {
            Some(id) => users.iter().any(|u| u.id == id && caller.sees_unit(&u.org_path)),
            None => head_office,
        })
        .collect())
}

/// Locks of the last `days` days (default 30), newest first.
#[utoipa::path(get, path = "/api/v1/login-locks", tag = "users", params(("days" = Option<i64>, Query)),
    responses((status = 200, body = Vec<LoginLockView>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_login_locks(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<LoginLockView>>> {
    let days = int(&p, "days")?.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(ApiError::invalid("days", "field.lock_days"));
    }
    let since = state.clock.now().timestamp_millis() - days * 86_400_000;
    let locks = visible_locks(&state, &caller, since).await?;
    Ok(Json(
        locks
            .into_iter()
            .map(|l| LoginLockView {
                username: l.username,
                known_user: l.user_id.is_some(),
                locked_at: rfc3339(from_millis(l.locked_at)),
                locked_until: rfc3339(from_millis(l.locked_until)),
                failures: l.failures,
                addresses: l.addresses.split(',').filter(|a| !a.is_empty()).map(str::to_string).collect(),
                unlocked_at: l.unlocked_at.map(|t| rfc3339(from_millis(t))),
            })
            .collect(),
    ))
}

/// Lifts the running lock of `username` now (404 when none runs that the caller may see).
#[utoipa::path(delete, path = "/api/v1/login-locks/{username}", tag = "users", params(("username" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn unlock_login(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let now = state.clock.now().timestamp_millis();
    let running = visible_locks(&state, &caller, now - crate::auth::login::LOCK_MS)
        .await?
        .into_iter()
        .any(|l| l.username == username && l.locked_until > now && l.unlocked_at.is_none());
    if !running || !state.store.unlock_login(&username, caller.user.id, now).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(username, by = %caller.user.username, "login lock lifted");
    Ok(StatusCode::NO_CONTENT)
}
