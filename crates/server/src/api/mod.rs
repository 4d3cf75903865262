//! The JSON API under `/api/v1`, one module per resource; routes are registered with utoipa so the
//! OpenAPI document is generated from the handlers themselves.

pub mod attachments;
pub mod board;
pub mod bulletins;
pub mod categories;
pub mod complainants;
pub mod complaint_actions;
pub mod complaints;
pub mod hot_issues;
pub mod ingest;
pub mod inspections;
pub mod integrations;
pub mod league;
pub mod login_locks;
pub mod measures;
pub mod notifications;
pub mod org_units;
pub mod period_stats;
pub mod query;
pub mod ratings;
pub mod rectifications;
pub mod reports;
pub mod rules;
pub mod satisfaction_sheet;
pub mod service_measures;
pub mod service_records;
pub mod service_rules;
pub mod session;
pub mod user_access;
pub mod users;
pub mod views;
pub mod workbook;

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
        crate::error::ApiError::Invalid(
            xiaobao_core::FieldError::because(field, "field.unit_out_of_scope").with("code", code),
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
        .merge(login_locks::routes())
        .merge(complaints::routes())
        .merge(board::routes())
        .merge(measures::routes())
        .merge(period_stats::routes())
        .merge(league::routes())
        .merge(hot_issues::routes())
        .merge(reports::routes())
        .merge(attachments::routes())
        .merge(complaint_actions::routes())
        .merge(rules::routes())
        .merge(notifications::routes())
        .merge(integrations::routes())
        .merge(ingest::routes())
        .merge(ratings::routes())
        .merge(service_measures::routes())
        .merge(satisfaction_sheet::routes())
        .merge(inspections::routes())
        .merge(rectifications::routes())
        .merge(service_records::routes())
        .merge(bulletins::routes())
        .merge(service_rules::routes())
        .merge(workbook::routes())
}

/// Every refusal is a problem document (`application/problem+json`): the handlers' own Problem
/// answers are given that content type, and every operation documents the refusals any request can
/// meet (malformed, not logged in, not permitted, not found or out of scope, in conflict, too large,
/// invalid, too many tries, the database unavailable).
pub fn document_problems(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const PROBLEM: &str = "application/problem+json";
    let problem = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let is_problem =
        |c: &utoipa::openapi::Content| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"));
    let every = [
        ("400", "malformed request: not JSON, a wrong type, an unknown field"),
        ("401", "not logged in"),
        ("403", "the caller's role may not do this"),
        ("404", "not found, or outside the caller's scope"),
        ("409", "not allowed in the resource's present state"),
        ("413", "the request body is too large"),
        ("422", "a field is wrong; `field` names it"),
        ("429", "too many tries; `Retry-After` says when to come back"),
        ("503", "the database is unavailable or the server is busy; `Retry-After` says when to try again"),
    ];
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            let responses = &mut op.responses.responses;
            for r in responses.values_mut() {
                if let RefOr::T(resp) = r
                    && let Some(c) = resp.content.get("application/json").filter(|c| is_problem(c)).cloned()
                {
                    resp.content.shift_remove("application/json");
                    resp.content.insert(PROBLEM.to_string(), c);
                }
            }
            for (status, description) in every {
                responses.entry(status.to_string()).or_insert_with(|| {
                    RefOr::T(ResponseBuilder::new().description(description).content(PROBLEM, problem.clone()).build())
                });
            }
        }
    }
}

/// The query parameters each operation declares in the OpenAPI document, by method and route: each
/// name, and whether it must hold a value (a number or a yes/no, which an empty value is not).
type DeclaredParams = std::collections::HashMap<(axum::http::Method, String), std::collections::BTreeMap<String, bool>>;

fn declared_params(doc: &utoipa::openapi::OpenApi) -> DeclaredParams {
    use axum::http::Method;
    use utoipa::openapi::path::ParameterIn;
    let mut out = DeclaredParams::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let names = op
                .parameters
                .iter()
                .flatten()
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .map(|p| {
                    let schema = serde_json::to_value(&p.schema).unwrap_or_default();
                    let typed = ["integer", "number", "boolean"].iter().any(|t| schema["type"].to_string().contains(t));
                    (p.name.clone(), typed)
                })
                .collect();
            out.insert((method, path.clone()), names);
        }
    }
    out
}

/// Refuses (400, naming it) a query parameter the operation does not declare: a misspelt filter
/// would otherwise be ignored in silence and answer with everything. The document is the one list
/// of what each operation takes.
pub fn refuse_unknown_parameters(
    api: axum::Router<AppState>,
    doc: &utoipa::openapi::OpenApi,
) -> axum::Router<AppState> {
    let declared = std::sync::Arc::new(declared_params(doc));
    api.route_layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
        let declared = declared.clone();
        async move {
            let route = req.extensions().get::<axum::extract::MatchedPath>().map(|m| m.as_str().to_string());
            if let (Some(route), Some(query)) = (route, req.uri().query())
                && let Some(names) = declared.get(&(req.method().clone(), route))
            {
                // a number or a yes/no given empty is refused as the wrong type it is
                let empty_typed = url_pairs(query).find(|(k, v)| v.is_empty() && names.get(k) == Some(&true));
                if let Some((name, _)) = empty_typed {
                    let e =
                        xiaobao_core::FieldError::because(&name, "field.empty_parameter").with("name", name.clone());
                    return axum::response::IntoResponse::into_response(crate::error::ApiError::BadRequest(e));
                }
                let unknown = url_pairs(query).map(|(k, _)| k).find(|k| !names.contains_key(k));
                if let Some(name) = unknown {
                    let choices = names.keys().cloned().collect::<Vec<_>>().join(", ");
                    let e = xiaobao_core::FieldError::because(&name, "field.unknown_parameter")
                        .with("name", name.clone())
                        .with("choices", if choices.is_empty() { "—".to_string() } else { choices });
                    return axum::response::IntoResponse::into_response(crate::error::ApiError::BadRequest(e));
                }
            }
            next.run(req).await
        }
    }))
}

/// A query string's parameters, names and values decoded.
fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|kv| !kv.is_empty()).map(|kv| {
        let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
        (crate::api::query::percent_decode(key), crate::api::query::percent_decode(value))
    })
}
