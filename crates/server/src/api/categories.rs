//! The classification tables (JR/T 0169-2018): service channel, business type (`category`) and cause.

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::classification::{Dimension, is_valid_code, parent_code};
use xiaobao_core::role::Permission;
use xiaobao_core::text::{bounded, limits};
use xiaobao_store::ClassRow;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClassView {
    pub dimension: Dimension,
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutClass {
    pub dimension: Dimension,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_categories, put_category))
}

/// The classes of one dimension (`dimension=category|cause|service_channel`) or of all three.
#[utoipa::path(get, path = "/api/v1/categories", tag = "categories", params(("dimension" = Option<String>, Query)),
    responses((status = 200, body = Vec<ClassView>)))]
pub async fn list_categories(
    State(state): State<AppState>,
    _caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<ClassView>>> {
    let dimension = match p.get("dimension").filter(|d| !d.is_empty()) {
        Some(d) => {
            Some(Dimension::from_str_opt(d).ok_or_else(|| ApiError::invalid("dimension", "field.class_dimension"))?)
        }
        None => None,
    };
    let rows = state.store.classes(dimension).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ClassView {
                dimension: r.dimension,
                code: r.code,
                parent: r.parent_code,
                name_zh: r.name_zh,
                name_en: r.name_en,
                active: r.active,
            })
            .collect(),
    ))
}

/// Add a class or rename / deactivate one (admin).
#[utoipa::path(put, path = "/api/v1/categories", tag = "categories", request_body = PutClass,
    responses((status = 200, body = ClassView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_category(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<PutClass>,
) -> ApiResult<Json<ClassView>> {
    caller.require(Permission::ManageRules)?;
    Ok(Json(put(&state, &caller, body.parse()?).await?))
}

/// What `put_category` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn put(state: &AppState, caller: &Caller, req: PutClass) -> ApiResult<ClassView> {
    caller.require(Permission::ManageRules)?;
    if !is_valid_code(&req.code) {
        return Err(ApiError::invalid("code", "field.class_code"));
    }
    let parent = parent_code(&req.code).map(str::to_string);
    if let Some(p) = &parent
        && !state.store.classes(Some(req.dimension)).await?.iter().any(|c| &c.code == p)
    {
        return Err(ApiError::Invalid(xiaobao_core::FieldError::because("code", "field.class_parent").with("p", p)));
    }
    let row = ClassRow {
        dimension: req.dimension,
        code: req.code.clone(),
        parent_code: parent.clone(),
        name_zh: bounded("name_zh", &req.name_zh, 1, limits::ORG_NAME)?,
        name_en: bounded("name_en", &req.name_en, 1, limits::ORG_NAME)?,
        active: req.active,
    };
    state.store.upsert_class(&row).await?;
    state.classes.forget();
    Ok(ClassView {
        dimension: row.dimension,
        code: row.code,
        parent,
        name_zh: row.name_zh,
        name_en: row.name_en,
        active: row.active,
    })
}

/// The whole classification with its names, held for a short while (`crate::held`): the order page
/// and the registration form name classes on every view.
pub async fn held(state: &AppState) -> Result<std::sync::Arc<crate::i18n::Classes>, xiaobao_store::StoreError> {
    state.classes.get(|| async { Ok(crate::i18n::Classes::new(state.store.classes(None).await?)) }).await
}
