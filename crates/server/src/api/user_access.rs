//! Whether and how a user may log in: an administrator disables or enables them (a disabled user's
//! sessions and tokens end at once) and resets their password (shown once; the user must choose
//! their own at the next login, and nothing else works until they have); a user changes their own
//! password. Each change is an entry of the sealed access log, in the change's transaction.

use crate::api::users::{audit, password_problems, user_in_scope};
use crate::api::views::UserView;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::role::Permission;
use xiaobao_store::UserChanges;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
        .routes(routes!(change_own_password))
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The temporary password; without it one is made and answered once.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub user: UserView,
    /// The temporary password: shown this once, never stored in the clear.
    pub password: String,
    pub must_change_password: bool,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// May the caller administer this user at all: the permission (403), then the user in scope (404).
async fn administered(state: &AppState, caller: &Caller, username: &str) -> ApiResult<xiaobao_store::UserRow> {
    caller.require(Permission::ManageUsers)?;
    user_in_scope(state, caller, username).await
}

/// Disables or enables a user (the API's actions and the admin page's buttons).
pub async fn set_active(state: &AppState, caller: &Caller, username: &str, active: bool) -> ApiResult<UserView> {
    let user = administered(state, caller, username).await?;
    if !active && user.id == caller.user.id {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.not_yourself")));
    }
    let changes = UserChanges { active: Some(active), ..Default::default() };
    let what = json!({"change": if active { "enable" } else { "disable" }});
    let updated = state.store.update_user(user.id, &changes, &audit(state, caller, what), None).await?;
    state.sessions.forget_user(user.id);
    Ok(UserView::from(&updated))
}

/// Disable a user (admin): they cannot log in, and their sessions and API tokens end at once — the
/// next request of any of them is refused. Not oneself, nor the last active administrator (409).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(set_active(&state, &caller, &username, false).await?))
}

/// Enable a disabled user (admin): they may log in again.
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(set_active(&state, &caller, &username, true).await?))
}

/// A temporary password that meets the rule: twelve characters of letters and digits, none that
/// reads like another (0/O, 1/l/I).
pub fn temporary_password() -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|i| {
            let set = if i % 4 == 3 { DIGITS } else { LETTERS };
            char::from(set[rng.gen_range(0..set.len())])
        })
        .collect()
}

/// Resets a user's password (the API and the admin page): the typed one, checked against the rule,
/// or a made one; the user's sessions end and they must choose their own at the next login.
pub async fn reset(state: &AppState, caller: &Caller, username: &str, req: ResetPassword) -> ApiResult<PasswordReset> {
    let user = administered(state, caller, username).await?;
    let password = match req.password.filter(|p| !p.is_empty()) {
        Some(p) => {
            ApiError::all(password_problems(state, "password", &p, &user).await?)?;
            p
        }
        None => temporary_password(),
    };
    let changes = UserChanges {
        password_hash: Some(state.passwords.hash(password.clone()).await?),
        must_change_password: Some(true),
        ..Default::default()
    };
    let what = json!({"change": "reset_password"});
    let updated = state.store.update_user(user.id, &changes, &audit(state, caller, what), None).await?;
    state.sessions.forget_user(user.id);
    Ok(PasswordReset { user: UserView::from(&updated), password, must_change_password: true })
}

/// Reset a user's password (admin): `{password}` sets the one typed (the password rule applies),
/// `{}` makes one; either is answered this once. The user's sessions end, and at their next login
/// nothing but changing the password works until they have chosen their own.
#[utoipa::path(post, path = "/api/v1/users/{username}/reset-password", tag = "users", params(("username" = String, Path)),
    request_body(content = Option<ResetPassword>, description = "optional: `{password}` sets the one typed; none or `{}` makes one"),
    responses((status = 200, body = PasswordReset), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    body: JsonBody<ResetPassword>,
) -> ApiResult<Json<PasswordReset>> {
    administered(&state, &caller, &username).await?;
    Ok(Json(reset(&state, &caller, &username, body.parse()?).await?))
}

/// The caller changes their own password (the API and the password page): the current one must be
/// right, the new one must meet the rule; every error is told at once. The caller's other sessions
/// end; this one stays, and a forced change is done. `errors` are the caller's own (the page's
/// repeated password), told with the rest.
pub async fn change_own(
    state: &AppState,
    caller: &Caller,
    req: ChangePassword,
    mut errors: Vec<FieldError>,
) -> ApiResult<UserView> {
    let user = &caller.user;
    let current = state.store.user_for_login(&user.username).await?.map(|(_, hash)| hash);
    let current_ok = req.current_password.chars().count() <= xiaobao_core::password::MAX_CHARS
        && state.passwords.verify(req.current_password.clone(), current).await?;
    if !current_ok {
        errors.push(FieldError::because("current_password", "field.current_password_wrong"));
    }
    errors.extend(password_problems(state, "new_password", &req.new_password, user).await?);
    ApiError::all(errors)?;
    let changes = UserChanges {
        password_hash: Some(state.passwords.hash(req.new_password).await?),
        must_change_password: Some(false),
        ..Default::default()
    };
    let what = json!({"change": "change_password"});
    let audit = audit(state, caller, what);
    let updated = state.store.update_user(user.id, &changes, &audit, Some(&caller.token_hash)).await?;
    state.sessions.forget_user(user.id);
    Ok(UserView::from(&updated))
}

/// Change one's own password: `{current_password, new_password}`. The only call that works while a
/// reset password must be changed (besides reading and ending the session).
#[utoipa::path(put, path = "/api/v1/session/password", tag = "session", request_body = ChangePassword,
    responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<ChangePassword>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((StatusCode::OK, Json(change_own(&state, &caller, body.parse()?, Vec::new()).await?)))
}
