//! Users: listed within the caller's subtree; admins add users to units inside their subtree.

use crate::api::query::{Params, paging};
use crate::api::views::{Paged, UserView};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::role::{Permission, Role};
use xiaobao_core::text::{bounded, limits};
use xiaobao_store::NewUser;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit: String,
    pub password: String,
    /// Where deadline alerts are mailed.
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub org_unit: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
    pub email: Option<String>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user)).routes(routes!(get_user, update_user))
}

/// One user of the caller's subtree.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "users", params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 404, body = crate::error::Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    let user = user_in_scope(&state, &caller, &username).await?;
    Ok(Json(UserView::from(&user)))
}

/// Change a user's name, role, unit, password or whether they may log in (admin). Any change but
/// the name ends the user's sessions.
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "users", params(("username" = String, Path)), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    body: JsonBody<UpdateUser>,
) -> ApiResult<Json<UserView>> {
    caller.require(Permission::ManageUsers)?;
    user_in_scope(&state, &caller, &username).await?;
    Ok(Json(update(&state, &caller, &username, body.parse()?).await?))
}

/// What `update_user` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn update(state: &AppState, caller: &Caller, username: &str, req: UpdateUser) -> ApiResult<UserView> {
    caller.require(Permission::ManageUsers)?;
    let user = user_in_scope(state, caller, username).await?;
    let UpdateUser { display_name, role, org_unit, active, password, email } = &req;
    if display_name.is_none()
        && role.is_none()
        && org_unit.is_none()
        && active.is_none()
        && password.is_none()
        && email.is_none()
    {
        return Err(ApiError::BadRequest(FieldError::because("body", "field.nothing_to_change")));
    }
    if user.id == caller.user.id && (req.active == Some(false) || req.role.is_some_and(|r| r != user.role)) {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.not_yourself")));
    }
    let display_name =
        req.display_name.as_deref().map(|d| bounded("display_name", d, 1, limits::DISPLAY_NAME)).transpose()?;
    let org_unit_id = match req.org_unit.as_deref() {
        Some(code) => Some(crate::api::unit_in_scope(state, caller, "org_unit", code).await?.id),
        None => None,
    };
    let password_hash = match req.password {
        Some(pw) => {
            check_password(&pw)?;
            Some(state.passwords.hash(pw).await?)
        }
        None => None,
    };
    let changes = xiaobao_store::UserChanges {
        display_name,
        role: req.role,
        org_unit_id,
        active: req.active,
        password_hash,
        email: req.email.as_deref().map(parse_email).transpose()?,
    };
    let updated = state.store.update_user(user.id, &changes, state.clock.now().timestamp_millis()).await?;
    state.sessions.forget_user(user.id);
    Ok(UserView::from(&updated))
}

/// A username: 3–32 lowercase letters, digits, `.`, `_` or `-`.
pub fn parse_username(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    if !(3..=32).contains(&s.len())
        || !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(FieldError::because("username", "field.username"));
    }
    Ok(s.to_string())
}

/// A user whose home unit is in the caller's subtree; anyone else is not found.
pub async fn user_in_scope(state: &AppState, caller: &Caller, username: &str) -> ApiResult<xiaobao_store::UserRow> {
    state.store.user_by_username(username).await?.filter(|u| caller.sees_unit(&u.org_path)).ok_or(ApiError::NotFound)
}

/// An e-mail address: something@host, at most 254 characters, no spaces.
pub fn parse_email(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.split_once('@').is_some_and(|(local, host)| {
            !local.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        });
    if !ok {
        return Err(FieldError::because("email", "field.email"));
    }
    Ok(s.to_string())
}

pub fn check_password(s: &str) -> Result<(), FieldError> {
    let n = s.chars().count();
    if !(limits::PASSWORD_MIN..=limits::PASSWORD_MAX).contains(&n) {
        return Err(FieldError::because("password", "field.password_length"));
    }
    if s.chars().any(char::is_control) {
        return Err(FieldError::because("password", "field.password_control_chars"));
    }
    Ok(())
}

/// Users of the caller's subtree, by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<UserView>)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<UserView>>> {
    let (offset, limit, page) = paging(&p)?;
    let rows = state.store.users_in_subtree(&caller.user.org_path, offset, limit + 1).await?;
    Ok(Json(Paged::from_probe(&rows, offset, limit, page, |u| UserView::from(u))))
}

/// Add a user (admin only) to a unit inside the admin's subtree.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require(Permission::ManageUsers)?;
    Ok((StatusCode::CREATED, Json(create(&state, &caller, body.parse()?).await?)))
}

/// What `create_user` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn create(state: &AppState, caller: &Caller, req: CreateUser) -> ApiResult<UserView> {
    caller.require(Permission::ManageUsers)?;
    let username = parse_username(&req.username)?;
    let display_name = bounded("display_name", &req.display_name, 1, limits::DISPLAY_NAME)?;
    check_password(&req.password)?;
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await?;
    let password_hash = state.passwords.hash(req.password.clone()).await?;
    let user = state
        .store
        .create_user(&NewUser {
            username,
            display_name,
            role: req.role,
            org_unit_id: unit.id,
            password_hash,
            email: req.email.as_deref().filter(|e| !e.trim().is_empty()).map(parse_email).transpose()?,
        })
        .await
        .map_err(|e| match e {
            xiaobao_store::StoreError::Duplicate(_) => ApiError::invalid("username", "field.username_taken"),
            other => other.into(),
        })?;
    Ok(UserView::from(&user))
}
