//! The board: a unit's children side by side — open, overdue, escalated now, and received this month.

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use axum::Json;
use axum::extract::{Query, State};
use chrono::Datelike;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::role::Permission;
use xiaobao_core::time::{Instant, local_date, start_of_local_day};
use xiaobao_store::BoardRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardRowView {
    pub code: String,
    pub name: String,
    pub open: i64,
    pub overdue: i64,
    pub escalated: i64,
    pub received_this_month: i64,
    pub regulator_this_month: i64,
    pub repeat_this_month: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardView {
    /// Start of the month the `*_this_month` counts run from.
    pub month_start: String,
    /// One row per child of the unit.
    pub children: Vec<BoardRowView>,
    /// What is held at the unit itself (本级), not at any child; absent when nothing is. The
    /// children and this row add up to the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_unit: Option<BoardRowView>,
    /// The whole subtree.
    pub total: BoardRowView,
}

impl From<&BoardRow> for BoardRowView {
    fn from(r: &BoardRow) -> Self {
        Self {
            code: r.code.clone(),
            name: r.name.clone(),
            open: r.open,
            overdue: r.overdue,
            escalated: r.escalated,
            received_this_month: r.received,
            regulator_this_month: r.regulator,
            repeat_this_month: r.repeat,
        }
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_board))
}

pub fn month_start(now: Instant) -> Instant {
    let d = local_date(now);
    start_of_local_day(d.with_day(1).unwrap_or(d))
}

/// The board of a unit (`org_unit`, default the caller's own), row by child unit, then the total.
pub async fn board(state: &AppState, caller: &Caller, code: Option<&str>) -> ApiResult<Vec<BoardRow>> {
    caller.require(Permission::ReadComplaints)?;
    let unit = match code.filter(|c| !c.is_empty()) {
        Some(c) => crate::api::unit_in_scope(state, caller, "org_unit", c).await?,
        None => state.store.org_unit_by_code(&caller.user.org_code).await?.ok_or(crate::error::ApiError::Internal)?,
    };
    let now = state.clock.now();
    Ok(state
        .store
        .board(&unit.code, &unit.name, &unit.path, now.timestamp_millis(), month_start(now).timestamp_millis())
        .await?)
}

/// The board of a unit inside the caller's scope (default: the caller's unit): for each child unit
/// the open, overdue and escalated orders now and those received this month, then the total.
#[utoipa::path(get, path = "/api/v1/board", tag = "complaints", params(("org_unit" = Option<String>, Query)),
    responses((status = 200, body = BoardView), (status = 422, body = crate::error::Problem)))]
pub async fn get_board(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<BoardView>> {
    let mut rows = board(&state, &caller, p.get("org_unit").map(String::as_str)).await?;
    let total = rows.pop().ok_or(crate::error::ApiError::Internal)?;
    let at_unit = rows.iter().position(|r| r.own).map(|i| rows.remove(i));
    Ok(Json(BoardView {
        month_start: xiaobao_core::time::rfc3339(month_start(state.clock.now())),
        children: rows.iter().map(BoardRowView::from).collect(),
        at_unit: at_unit.as_ref().map(BoardRowView::from),
        total: BoardRowView::from(&total),
    }))
}
