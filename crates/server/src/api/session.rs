//! `POST /api/v1/session` logs in (token + cookie); `DELETE` logs out; `GET /api/v1/session` says who.

use crate::api::views::UserView;
use crate::app::AppState;
use crate::app::ClientAddr;
use crate::auth::{Caller, SESSION_COOKIE, SESSION_HOURS};
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: String,
    pub user: UserView,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, logout, whoami))
}

/// Log in with username and password; returns a bearer token and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(from): ClientAddr,
    body: JsonBody<LoginRequest>,
) -> ApiResult<(HeaderMap, Json<LoginResponse>)> {
    let req = body.parse()?;
    let (token, user) = authenticate(&state, &req.username, &req.password, from).await?;
    let now = state.clock.now();
    let expires = now + chrono::Duration::hours(SESSION_HOURS);
    let mut headers = HeaderMap::new();
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", SESSION_HOURS * 3600);
    headers.insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|_| ApiError::Internal)?);
    Ok((
        headers,
        Json(LoginResponse { token, expires_at: xiaobao_core::time::rfc3339(expires), user: UserView::from(&user) }),
    ))
}

pub use crate::auth::login::authenticate;

/// Log out: the token stops working at once.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204), (status = 401, body = crate::error::Problem)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<(StatusCode, HeaderMap)> {
    state.store.revoke_session(&caller.token_hash, state.clock.now().timestamp_millis()).await?;
    state.sessions.forget(&caller.token_hash);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_static("xiaobao_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok((StatusCode::NO_CONTENT, headers))
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem)))]
pub async fn whoami(caller: Caller) -> Json<UserView> {
    Json(UserView::from(&caller.user))
}
