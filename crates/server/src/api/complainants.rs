//! Complainants and the watch list. Lists are masked for everyone; one complainant's detail is
//! unmasked for roles that may see personal data, and that read is written to the access log first.

use crate::api::query::{Params, boolean, paging};
use crate::api::views::{ComplainantView, Paged};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::complainant::{IdNumber, Phone};
use xiaobao_core::role::Permission;
use xiaobao_store::ComplainantFilter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_complainants)).routes(routes!(get_complainant))
}

/// Complainants by phone or ID number (exact), or the watch list (`watchlist=true`). Always masked.
#[utoipa::path(get, path = "/api/v1/complainants", tag = "complainants",
    params(("watchlist" = Option<bool>, Query), ("phone" = Option<String>, Query), ("id_number" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<ComplainantView>)))]
pub async fn list_complainants(
    State(state): State<AppState>,
    _caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<ComplainantView>>> {
    let (offset, limit, page) = paging(&p)?;
    let phone = p.get("phone").filter(|v| !v.is_empty()).map(|v| Phone::parse("phone", v)).transpose()?;
    let id_number =
        p.get("id_number").filter(|v| !v.is_empty()).map(|v| IdNumber::parse("id_number", v)).transpose()?;
    let f = ComplainantFilter {
        watchlist: boolean(&p, "watchlist")?,
        phone: phone.map(|x| x.as_str().to_string()),
        id_number: id_number.map(|x| x.as_str().to_string()),
        offset,
        limit: limit + 1,
    };
    let rows = state.store.complainants(&f).await?;
    Ok(Json(Paged::from_probe(&rows, offset, limit, page, |c| ComplainantView::new(c, false, true))))
}

/// One complainant; unmasked (and logged) for roles that may see personal data.
#[utoipa::path(get, path = "/api/v1/complainants/{id}", tag = "complainants", params(("id" = i64, Path)),
    responses((status = 200, body = ComplainantView), (status = 404, body = crate::error::Problem)))]
pub async fn get_complainant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ComplainantView>> {
    let c = state.store.complainant(id).await?.ok_or(ApiError::NotFound)?;
    let unmasked = caller.can(Permission::ViewPersonalData);
    if unmasked {
        state
            .store
            .log_unmasked_read(
                caller.user.id,
                state.clock.now().timestamp_millis(),
                "complainant",
                c.id,
                "phone,id_number",
            )
            .await?;
    }
    Ok(Json(ComplainantView::new(&c, unmasked, true)))
}
