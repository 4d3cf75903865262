//! Org units: the caller's subtree; admins add units inside their own subtree.

use crate::api::query::Params;
use crate::api::views::OrgUnitView;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::org::{OrgCode, OrgUnitKind};
use xiaobao_core::role::Permission;
use xiaobao_core::text::{bounded, limits};
use xiaobao_store::{CreateOrgUnitError, NewOrgUnit};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgUnit {
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgUnit {
    pub name: String,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_org_units, create_org_unit)).routes(routes!(get_org_unit, rename_org_unit))
}

/// Rename an org unit inside the admin's subtree (code and place in the tree never change).
#[utoipa::path(patch, path = "/api/v1/org-units/{code}", tag = "org-units", params(("code" = String, Path)), request_body = UpdateOrgUnit,
    responses((status = 200, body = OrgUnitView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn rename_org_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: JsonBody<UpdateOrgUnit>,
) -> ApiResult<Json<OrgUnitView>> {
    caller.require(Permission::ManageOrg)?;
    state.store.org_unit_by_code(&code).await?.filter(|u| caller.sees_unit(&u.path)).ok_or(ApiError::NotFound)?;
    Ok(Json(rename(&state, &caller, &code, body.parse()?).await?))
}

/// What `rename_org_unit` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn rename(state: &AppState, caller: &Caller, code: &str, req: UpdateOrgUnit) -> ApiResult<OrgUnitView> {
    caller.require(Permission::ManageOrg)?;
    let unit =
        state.store.org_unit_by_code(code).await?.filter(|u| caller.sees_unit(&u.path)).ok_or(ApiError::NotFound)?;
    let name = bounded("name", &req.name, 1, limits::ORG_NAME)?;
    state.store.rename_org_unit(unit.id, &name).await?;
    state.unit_choices.forget();
    let unit = state.store.org_unit_by_code(code).await?.ok_or(ApiError::NotFound)?;
    let parent = state.store.parent_of(&unit).await?.map(|p| p.code);
    Ok(OrgUnitView::new(&unit, parent))
}

/// The org units of the caller's subtree, in tree order.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "org-units", params(("kind" = Option<String>, Query, description = "only units of this kind")),
    responses((status = 200, body = Vec<OrgUnitView>)))]
pub async fn list_org_units(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<OrgUnitView>>> {
    let kind = p.get("kind").filter(|k| !k.is_empty()).map(|k| OrgUnitKind::parse("kind", k)).transpose()?;
    let units = state.store.org_units_in_subtree(&caller.user.org_path).await?;
    let codes: HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let mut out = Vec::new();
    for u in units.iter().filter(|u| kind.is_none_or(|k| u.kind == k)) {
        let parent = match u.parent_id {
            Some(pid) => match codes.get(&pid) {
                Some(c) => Some(c.clone()),
                None => state.store.org_unit_by_id(pid).await?.map(|p| p.code),
            },
            None => None,
        };
        out.push(OrgUnitView::new(u, parent));
    }
    Ok(Json(out))
}

/// One org unit inside the caller's subtree.
#[utoipa::path(get, path = "/api/v1/org-units/{code}", tag = "org-units", params(("code" = String, Path)),
    responses((status = 200, body = OrgUnitView), (status = 404, body = crate::error::Problem)))]
pub async fn get_org_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<OrgUnitView>> {
    let unit =
        state.store.org_unit_by_code(&code).await?.filter(|u| caller.sees_unit(&u.path)).ok_or(ApiError::NotFound)?;
    let parent = state.store.parent_of(&unit).await?.map(|p| p.code);
    Ok(Json(OrgUnitView::new(&unit, parent)))
}

/// Add an org unit under a parent inside the admin's subtree.
#[utoipa::path(post, path = "/api/v1/org-units", tag = "org-units", request_body = CreateOrgUnit,
    responses((status = 201, body = OrgUnitView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_org_unit(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateOrgUnit>,
) -> ApiResult<(StatusCode, Json<OrgUnitView>)> {
    caller.require(Permission::ManageOrg)?;
    Ok((StatusCode::CREATED, Json(create(&state, &caller, body.parse()?).await?)))
}

/// What `create_org_unit` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn create(state: &AppState, caller: &Caller, req: CreateOrgUnit) -> ApiResult<OrgUnitView> {
    caller.require(Permission::ManageOrg)?;
    let new = NewOrgUnit {
        code: OrgCode::parse("code", &req.code)?,
        name: bounded("name", &req.name, 1, limits::ORG_NAME)?,
        kind: req.kind,
        parent: OrgCode::parse("parent", &req.parent)?,
    };
    let parent = state.store.org_unit_by_code(new.parent.as_str()).await?;
    if !parent.as_ref().is_some_and(|p| caller.sees_unit(&p.path)) {
        return Err(ApiError::Invalid(
            xiaobao_core::FieldError::because("parent", "field.parent_out_of_scope")
                .with("parent", new.parent.as_str()),
        ));
    }
    if let Some(p) = &parent
        && !new.kind.may_sit_under(p.kind)
    {
        return Err(ApiError::Invalid(
            xiaobao_core::FieldError::because("kind", "field.unit_kind_placement")
                .with_word("kind", format!("unit_kind.{}", new.kind.as_str()))
                .with_word("parent", format!("unit_kind.{}", p.kind.as_str())),
        ));
    }
    let unit = state.store.create_org_unit(&new).await.map_err(|e| match e {
        CreateOrgUnitError::Invalid(f) => ApiError::Invalid(f),
        CreateOrgUnitError::Store(s) => s.into(),
    })?;
    state.unit_choices.forget();
    Ok(OrgUnitView::new(&unit, Some(new.parent.to_string())))
}

/// The bank's units for pickers, in tree order with siblings by code, held for a short while
/// (`crate::held`).
pub type UnitChoices = crate::held::Held<Vec<xiaobao_store::OrgUnitRow>>;
