//! The bank's service rules: how soon after its previous rating a device's next one is a burst, the
//! overtime-wait thresholds (by business type) and the daily overtime target. Everyone may read
//! them; the service department and admins change them. Ratings and tickets taken in from then on
//! follow them; counters already kept stay as they were counted.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::role::Permission;
use xiaobao_core::service::ServiceRules;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_service_rules, put_service_rules))
}

/// The service rules in force.
#[utoipa::path(get, path = "/api/v1/service-rules", tag = "service", responses((status = 200, body = ServiceRules)))]
pub async fn get_service_rules(State(state): State<AppState>, _caller: Caller) -> Json<ServiceRules> {
    Json(state.store.rules().service.clone())
}

/// Replaces the service rules (service department, admin); every value out of bounds is told at once.
#[utoipa::path(put, path = "/api/v1/service-rules", tag = "service", request_body = ServiceRules,
    responses((status = 200, body = ServiceRules), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_service_rules(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<ServiceRules>,
) -> ApiResult<Json<ServiceRules>> {
    caller.require(Permission::ManageService)?;
    Ok(Json(set(&state, &caller, body.parse()?).await?))
}

pub async fn set(state: &AppState, caller: &Caller, rules: ServiceRules) -> ApiResult<ServiceRules> {
    caller.require(Permission::ManageService)?;
    ApiError::all(rules.violations())?;
    let audit = xiaobao_store::Audit {
        by: caller.user.id,
        at_ms: state.clock.now().timestamp_millis(),
        subject: "service_rules",
        what: serde_json::to_string(&rules).unwrap_or_default(),
    };
    state.store.set_service_rules(&rules, &audit).await?;
    Ok(rules)
}
