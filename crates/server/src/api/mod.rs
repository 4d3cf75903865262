//! The JSON API under `/api/v1`, one module per resource; routes are registered with utoipa so the
//! OpenAPI document is generated from the handlers themselves.

pub mod attachments;
pub mod board;
pub mod categories;
pub mod complainants;
pub mod complaint_actions;
pub mod complaints;
pub mod hot_issues;
pub mod league;
pub mod measures;
pub mod notifications;
pub mod org_units;
pub mod query;
pub mod reports;
pub mod rules;
pub mod session;
pub mod users;
pub mod views;

use crate::app::AppState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Xiaobao API", description = "Consumer-protection and complaint handling for banks (消保).", version = "1"),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The org unit `code` if it lies in the caller's subtree; otherwise a 422 naming `field`, the same
/// for a unit that does not exist and one outside the scope, so neither is revealed.
pub async fn unit_in_scope(
    state: &AppState,
    caller: &crate::auth::Caller,
    field: &str,
    code: &str,
) -> crate::error::ApiResult<xiaobao_store::OrgUnitRow> {
    let code = code.trim();
    state.store.org_unit_by_code(code).await?.filter(|u| caller.sees_unit(&u.path)).ok_or_else(|| {
        crate::error::ApiError::invalid(
            field,
            format!("机构 {code} 不存在或不在您的管辖范围内"),
            format!("org unit {code} does not exist or is outside your scope"),
        )
    })
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::routes())
        .merge(org_units::routes())
        .merge(users::routes())
        .merge(categories::routes())
        .merge(complainants::routes())
        .merge(complaints::routes())
        .merge(board::routes())
        .merge(measures::routes())
        .merge(league::routes())
        .merge(hot_issues::routes())
        .merge(reports::routes())
        .merge(attachments::routes())
        .merge(complaint_actions::routes())
        .merge(rules::routes())
        .merge(notifications::routes())
}
