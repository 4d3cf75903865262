//! Integration tokens (DESIGN §7): an administrator makes one for a counter evaluator, a queue
//! system, the hotline or a webhook, bound to one unit (an outlet for devices); its secret is shown
//! once, only its hash is kept; revoking it refuses its next request.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::integration::IntegrationKind;
use xiaobao_core::role::Permission;
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::{from_millis, rfc3339};
use xiaobao_store::service::{IntegrationRow, NewIntegration};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_integration, list_integrations)).routes(routes!(revoke_integration))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    /// `evaluator`, `queue`, `hotline` or `webhook`.
    pub kind: String,
    /// What it is, for the list ("3号窗口评价器").
    pub name: String,
    /// The unit's org code; an outlet for an evaluator or a queue system.
    pub org_unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: i64,
    pub kind: IntegrationKind,
    pub name: String,
    pub org_unit: String,
    pub org_name: String,
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    /// The secret, sent as `Authorization: Bearer …`: shown only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl IntegrationView {
    pub fn new(r: &IntegrationRow, token: Option<String>) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            name: r.name.clone(),
            org_unit: r.org_code.clone(),
            org_name: r.org_name.clone(),
            created_at: rfc3339(from_millis(r.created_at)),
            created_by: r.created_by.clone(),
            revoked_at: r.revoked_at.map(|t| rfc3339(from_millis(t))),
            token,
        }
    }
}

/// Makes an integration token. The answer is the only time its secret is shown.
#[utoipa::path(post, path = "/api/v1/integrations", tag = "integrations", request_body = CreateIntegration,
    responses((status = 201, body = IntegrationView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_integration(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateIntegration>,
) -> ApiResult<(StatusCode, Json<IntegrationView>)> {
    caller.require(Permission::ManageIntegrations)?;
    Ok((StatusCode::CREATED, Json(create(&state, &caller, body.parse()?).await?)))
}

/// What `create_integration` does, for the API and the admin page alike.
pub async fn create(state: &AppState, caller: &Caller, req: CreateIntegration) -> ApiResult<IntegrationView> {
    caller.require(Permission::ManageIntegrations)?;
    let mut f = Faults::default();
    let kind = f.keep(IntegrationKind::parse("kind", req.kind.trim()).map_err(ApiError::Invalid))?;
    let name = f.keep(bounded("name", &req.name, 1, limits::ORG_NAME).map_err(ApiError::Invalid))?;
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await)?;
    if let (Some(kind), Some(unit)) = (kind, &unit)
        && !kind.may_bind_to(unit.kind)
    {
        f.add(FieldError::because("org_unit", "field.device_needs_outlet").with("code", &unit.code));
    }
    f.check()?;
    let (Some(kind), Some(name), Some(unit)) = (kind, name, unit) else { return Err(ApiError::Internal) };
    let token = crate::auth::integration::new_token();
    let row = state
        .store
        .create_integration(&NewIntegration {
            kind,
            name,
            org_unit_id: unit.id,
            token_hash: crate::auth::token_hash(&token),
            by: caller.user.id,
            at_ms: state.clock.now().timestamp_millis(),
        })
        .await?;
    Ok(IntegrationView::new(&row, Some(token)))
}

/// The integrations bound to units of the caller's subtree, newest first, revoked ones included.
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations",
    responses((status = 200, body = Vec<IntegrationView>), (status = 403, body = crate::error::Problem)))]
pub async fn list_integrations(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<IntegrationView>>> {
    caller.require(Permission::ManageIntegrations)?;
    let rows = state.store.integrations(&caller.user.org_path).await?;
    Ok(Json(rows.iter().map(|r| IntegrationView::new(r, None)).collect()))
}

/// Revokes a token: its next request is refused. Revoking one already revoked is a 409.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/revoke", tag = "integrations", params(("id" = i64, Path)),
    responses((status = 200, body = IntegrationView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn revoke_integration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<IntegrationView>> {
    Ok(Json(revoke(&state, &caller, id).await?))
}

pub async fn revoke(state: &AppState, caller: &Caller, id: i64) -> ApiResult<IntegrationView> {
    caller.require(Permission::ManageIntegrations)?;
    let row = state.store.integration(id).await?.filter(|r| caller.sees_unit(&r.org_path)).ok_or(ApiError::NotFound)?;
    if !state.store.revoke_integration(row.id, caller.user.id, state.clock.now().timestamp_millis()).await? {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.already_revoked")));
    }
    let row = state.store.integration(id).await?.ok_or(ApiError::NotFound)?;
    Ok(IntegrationView::new(&row, None))
}
