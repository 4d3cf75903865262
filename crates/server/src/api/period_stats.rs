//! Period statistics (客户数、交易笔数): the customers and transactions of a unit and period that the
//! per-10,000 measures divide by, entered one by one or imported from a table.

use crate::api::measures::unit_or_own;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_store::OrgUnitRow;

/// Longest range the measures cover in one request.
use crate::import::MAX_FIGURE;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_period_stats, get_period_stats, delete_period_stats)).merge(
        OpenApiRouter::new()
            .routes(routes!(import_period_stats))
            .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPeriodStats {
    pub org_unit: String,
    /// `2024`, `2024-Q1` or `2024-03`.
    pub period: String,
    pub customers: i64,
    pub transactions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodStatsView {
    pub org_unit: String,
    pub name: String,
    pub period: String,
    pub customers: Option<i64>,
    pub transactions: Option<i64>,
    /// Entered for this unit itself (otherwise the sum of its children's, or null when none is known).
    pub entered: bool,
}

fn figure(field: &str, v: i64) -> ApiResult<i64> {
    if (0..=MAX_FIGURE).contains(&v) { Ok(v) } else { Err(ApiError::invalid(field, "field.figure")) }
}

/// Enters a unit's customers and transactions for a period (replacing what was entered before).
#[utoipa::path(put, path = "/api/v1/period-stats", tag = "measures", request_body = PutPeriodStats,
    responses((status = 200, body = PeriodStatsView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<PutPeriodStats>,
) -> ApiResult<Json<PeriodStatsView>> {
    caller.require(Permission::EnterStatistics)?;
    Ok(Json(enter_one(&state, &caller, body.parse()?).await?))
}

/// One unit's figures for one period, entered by the caller (the API and the statistics page).
pub async fn enter_one(state: &AppState, caller: &Caller, req: PutPeriodStats) -> ApiResult<PeriodStatsView> {
    caller.require(Permission::EnterStatistics)?;
    let period = Period::parse("period", req.period.trim())?;
    let customers = figure("customers", req.customers)?;
    let transactions = figure("transactions", req.transactions)?;
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await?;
    let now = state.clock.now().timestamp_millis();
    state.store.put_period_stats(unit.id, period, customers, transactions, caller.user.id, now).await?;
    Ok(PeriodStatsView {
        org_unit: unit.code,
        name: unit.name,
        period: period.to_string(),
        customers: Some(customers),
        transactions: Some(transactions),
        entered: true,
    })
}

/// The figures of a period for a unit (`org_unit`, default the caller's) and each of its children:
/// entered, or summed from below.
#[utoipa::path(get, path = "/api/v1/period-stats", tag = "measures",
    params(("org_unit" = Option<String>, Query), ("period" = String, Query)),
    responses((status = 200, body = [PeriodStatsView]), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<PeriodStatsView>>> {
    caller.require(Permission::ReadMeasures)?;
    Ok(Json(period_table(&state, &caller, &p).await?))
}

pub async fn period_table(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Vec<PeriodStatsView>> {
    let period = Period::parse("period", p.get("period").map(|s| s.trim()).unwrap_or_default())?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let units: Vec<OrgUnitRow> =
        std::iter::once(unit.clone()).chain(state.store.org_unit_children(unit.id).await?).collect();
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let figures = state.store.period_stats(&ids, &[period]).await?;
    Ok(units
        .into_iter()
        .map(|u| {
            let f = figures.iter().find(|r| r.unit_id == u.id);
            PeriodStatsView {
                org_unit: u.code,
                name: u.name,
                period: period.to_string(),
                customers: f.map(|f| f.customers),
                transactions: f.map(|f| f.transactions),
                entered: f.is_some_and(|f| f.entered),
            }
        })
        .collect())
}

/// Removes what was entered for a unit and period: it counts as the sum of its children's again.
#[utoipa::path(delete, path = "/api/v1/period-stats", tag = "measures",
    params(("org_unit" = String, Query), ("period" = String, Query)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<StatusCode> {
    clear_one(&state, &caller, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clears what was entered for `org_unit` and `period` (the API and the statistics page).
pub async fn clear_one(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<()> {
    caller.require(Permission::EnterStatistics)?;
    let period = Period::parse("period", p.get("period").map(|s| s.trim()).unwrap_or_default())?;
    let code = p.get("org_unit").map(|s| s.trim()).unwrap_or_default();
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", code).await?;
    let now = state.clock.now().timestamp_millis();
    if state.store.delete_period_stats(unit.id, period, caller.user.id, now).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodStatsImported {
    /// Rows entered.
    pub rows: usize,
    /// Distinct units among them.
    pub units: usize,
    /// The periods the file held, in order.
    pub periods: Vec<String>,
}

/// Enters every row of a period-statistics table (see `crate::import::period_figures`) for units in
/// the caller's scope, in one transaction: all rows or, when any is wrong, none.
pub async fn import_figures(state: &AppState, caller: &Caller, bytes: &[u8]) -> ApiResult<PeriodStatsImported> {
    caller.require(Permission::EnterStatistics)?;
    let now = state.clock.now().timestamp_millis();
    enter_figures(&state.store, bytes, |u| caller.sees_unit(&u.path), Some(caller.user.id), now).await
}

/// Reads a period-statistics table and enters its rows for the units `may_enter` allows, in one
/// transaction. `by` is the user entering them (none from the command line).
pub async fn enter_figures(
    store: &xiaobao_store::Store,
    bytes: &[u8],
    may_enter: impl Fn(&OrgUnitRow) -> bool,
    by: Option<i64>,
    now_ms: i64,
) -> ApiResult<PeriodStatsImported> {
    let rows = crate::import::period_figures(&crate::import::read_table(bytes)?)?;
    let mut units: std::collections::HashMap<String, i64> = Default::default();
    let mut entered = Vec::with_capacity(rows.len());
    for r in &rows {
        let unit_id = match units.get(&r.org_unit) {
            Some(id) => *id,
            None => {
                let unit = store.org_unit_by_code(&r.org_unit).await?.filter(&may_enter);
                let Some(unit) = unit else {
                    return Err(ApiError::Invalid(
                        xiaobao_core::FieldError::because("file", "field.import_row_unit")
                            .with("line", r.line)
                            .with("org_unit", &r.org_unit),
                    ));
                };
                units.insert(r.org_unit.clone(), unit.id);
                unit.id
            }
        };
        entered.push(xiaobao_store::EnteredFigures {
            unit_id,
            period: r.period,
            customers: r.customers,
            transactions: r.transactions,
        });
    }
    store.put_period_stats_many(&entered, by, now_ms).await?;
    let periods: std::collections::BTreeSet<Period> = rows.iter().map(|r| r.period).collect();
    Ok(PeriodStatsImported {
        rows: rows.len(),
        units: units.len(),
        periods: periods.iter().map(Period::to_string).collect(),
    })
}

/// Imports customers and transactions from a table: an XLSX workbook (its first sheet) or a UTF-8 CSV
/// file as the request body. Columns 机构代码/org_unit, 期间/period, 客户数/customers,
/// 交易笔数/transactions, named in a header row (any order) or, without one, in that order. Every row
/// is checked first; nothing is entered unless all are good.
#[utoipa::path(post, path = "/api/v1/period-stats/import", tag = "measures",
    request_body(content_type = "text/csv", description = "the CSV text, or the bytes of an XLSX workbook"),
    responses((status = 200, body = PeriodStatsImported), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<PeriodStatsImported>> {
    caller.require(Permission::EnterStatistics)?;
    let body = body.map_err(|_| ApiError::PayloadTooLarge)?;
    Ok(Json(import_figures(&state, &caller, &body).await?))
}
