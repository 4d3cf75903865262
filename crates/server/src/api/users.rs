//! Users: listed within the caller's subtree; admins add users to units inside their subtree and
//! edit them there (disabling, enabling and password resets are in `user_access`). Every change is
//! an entry of the sealed access log, written in the change's transaction.

use crate::api::query::{Params, paging};
use crate::api::views::{Paged, UserView};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
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

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub org_unit: Option<String>,
    /// `false` disables the user as `POST …/disable` does, `true` enables them.
    pub active: Option<bool>,
    /// A password set by an administrator, as `POST …/reset-password` does: the user must choose
    /// their own at their next login.
    pub password: Option<String>,
    pub email: Option<String>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .merge(crate::api::user_access::routes())
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

/// Change a user's name, role, unit or e-mail (admin; `active` and `password` as the disable,
/// enable and reset-password actions). Every field is checked and every error told at once. A new
/// role or unit ends the user's sessions. Refused (409): an administrator demoting or disabling
/// themselves, and a change that leaves no active administrator.
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
        return Err(ApiError::Invalid(FieldError::because("body", "field.nothing_to_change")));
    }
    if user.id == caller.user.id && (req.active == Some(false) || req.role.is_some_and(|r| r != user.role)) {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.not_yourself")));
    }
    let mut errors = Vec::new();
    let display_name = keep(
        &mut errors,
        req.display_name.as_deref().map(|d| bounded("display_name", d, 1, limits::DISPLAY_NAME)).transpose(),
    );
    let org_unit_id = match req.org_unit.as_deref() {
        Some(code) => match crate::api::unit_in_scope(state, caller, "org_unit", code).await {
            Ok(u) => Some(u.id),
            Err(ApiError::Invalid(e)) => {
                errors.push(e);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let email = keep(&mut errors, req.email.as_deref().map(parse_email).transpose());
    if let Some(pw) = &req.password {
        errors.extend(password_problems(state, "password", pw, &user).await?);
    }
    ApiError::all(errors)?;
    let password_hash = match req.password {
        Some(pw) => Some(state.passwords.hash(pw).await?),
        None => None,
    };
    let mut what = serde_json::Map::new();
    what.insert("change".into(), "edit".into());
    let mut note = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            what.insert(k.into(), v.into());
        }
    };
    note("display_name", display_name.clone());
    note("role", req.role.map(|r| r.as_str().to_string()));
    note("org_unit", req.org_unit.as_ref().filter(|_| org_unit_id.is_some()).map(|c| c.trim().to_string()));
    note("email", email.clone());
    note("active", req.active.map(|a| a.to_string()));
    note("password", password_hash.as_ref().map(|_| "reset".to_string()));
    let changes = xiaobao_store::UserChanges {
        display_name,
        role: req.role,
        org_unit_id,
        active: req.active,
        must_change_password: password_hash.as_ref().map(|_| true),
        password_hash,
        email,
    };
    let audit = audit(state, caller, serde_json::Value::Object(what));
    let updated = state.store.update_user(user.id, &changes, &audit, None).await?;
    state.sessions.forget_user(user.id);
    Ok(UserView::from(&updated))
}

/// The value, or `None` with its error kept for telling with the others.
fn keep<T>(errors: &mut Vec<FieldError>, r: Result<Option<T>, FieldError>) -> Option<T> {
    r.unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

/// The audit entry of a change the caller makes to a user now.
pub fn audit(state: &AppState, caller: &Caller, what: serde_json::Value) -> xiaobao_store::Audit {
    xiaobao_store::Audit {
        by: caller.user.id,
        at_ms: state.clock.now().timestamp_millis(),
        subject: "user",
        what: what.to_string(),
    }
}

/// Every way `password` breaks the password rule (`xiaobao_core::password`) as `user`'s new password.
pub async fn password_problems(
    state: &AppState,
    field: &str,
    password: &str,
    user: &xiaobao_store::UserRow,
) -> ApiResult<Vec<FieldError>> {
    let current = state.store.user_for_login(&user.username).await?.map(|(_, hash)| hash);
    // the hash is checked only for a password the rule would otherwise take (it costs a hashing)
    let others = xiaobao_core::password::violations(
        field,
        password,
        xiaobao_core::password::Context { username: &user.username, is_current: false },
    );
    let is_current = password.chars().count() <= xiaobao_core::password::MAX_CHARS
        && state.passwords.verify(password.to_string(), current).await?;
    let mut all = others;
    if is_current {
        all.push(FieldError::because(field, "field.password_same"));
    }
    Ok(all)
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

/// Every way a new user's password breaks the password rule (the command line's `user add` too).
pub fn check_password(password: &str, username: &str) -> Vec<FieldError> {
    xiaobao_core::password::violations(
        "password",
        password,
        xiaobao_core::password::Context { username, is_current: false },
    )
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
    let mut errors = Vec::new();
    let username = parse_username(&req.username).map_err(|e| errors.push(e)).ok();
    let display_name =
        bounded("display_name", &req.display_name, 1, limits::DISPLAY_NAME).map_err(|e| errors.push(e)).ok();
    errors.extend(check_password(&req.password, username.as_deref().unwrap_or(req.username.trim())));
    let unit = match crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await {
        Ok(u) => Some(u),
        Err(ApiError::Invalid(e)) => {
            errors.push(e);
            None
        }
        Err(e) => return Err(e),
    };
    let email = keep(&mut errors, req.email.as_deref().filter(|e| !e.trim().is_empty()).map(parse_email).transpose());
    ApiError::all(errors)?;
    let (Some(username), Some(display_name), Some(unit)) = (username, display_name, unit) else {
        return Err(ApiError::Internal);
    };
    let password_hash = state.passwords.hash(req.password.clone()).await?;
    let what =
        serde_json::json!({"change": "create", "username": username, "role": req.role.as_str(), "org_unit": unit.code});
    let user = state
        .store
        .create_user_by(
            &NewUser { username, display_name, role: req.role, org_unit_id: unit.id, password_hash, email },
            Some(&audit(state, caller, what)),
        )
        .await
        .map_err(|e| match e {
            xiaobao_store::StoreError::Duplicate(_) => ApiError::invalid("username", "field.username_taken"),
            other => other.into(),
        })?;
    Ok(UserView::from(&user))
}
