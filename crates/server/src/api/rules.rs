//! The rules deadlines are computed from: the deadline policy and the working-day calendar. Everyone
//! may read them; admins change them.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::{JsonBody, parse_json};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::calendar::{CalendarEntry, parse_entries};
use xiaobao_core::deadline::Policy;
use xiaobao_core::role::Permission;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_policy, put_policy)).routes(routes!(get_calendar, put_calendar))
}

/// The deadline policy in force.
#[utoipa::path(get, path = "/api/v1/deadline-policy", tag = "rules", responses((status = 200, body = Policy)))]
pub async fn get_policy(State(state): State<AppState>, _caller: Caller) -> Json<Policy> {
    Json(state.store.rules().policy.clone())
}

/// Replace the deadline policy (admin). Clocks started from now on follow it; due times already
/// stored on orders stay as they are.
#[utoipa::path(put, path = "/api/v1/deadline-policy", tag = "rules", request_body = Policy,
    responses((status = 200, body = Policy), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<Policy>,
) -> ApiResult<Json<Policy>> {
    caller.require(Permission::ManageRules)?;
    Ok(Json(set_policy(&state, &caller, body.parse()?).await?))
}

/// What `put_policy` does, for the API and the admin pages alike: typed input in, the result out.
pub async fn set_policy(state: &AppState, caller: &Caller, policy: Policy) -> ApiResult<Policy> {
    caller.require(Permission::ManageRules)?;
    ApiError::all(policy.violations())?;
    let audit = xiaobao_store::Audit {
        by: caller.user.id,
        at_ms: state.clock.now().timestamp_millis(),
        subject: "deadline_policy",
        what: serde_json::json!({"change": "replace"}).to_string(),
    };
    state.store.set_policy(&policy, &audit).await?;
    Ok(policy)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    pub date: String,
    /// `rest` (a day off in a holiday period) or `work` (a weekend day made a working day)
    pub kind: String,
    pub holiday_en: String,
    pub holiday_zh: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    /// Years whose arrangement is loaded.
    pub years: Vec<i32>,
    /// Years around today with no arrangement: their deadlines count weekends only until it is loaded.
    pub missing_years: Vec<i32>,
    pub days: Vec<CalendarDay>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarImport {
    /// Lines `date,kind,holiday_en,holiday_zh`, as the shipped file.
    pub csv: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarImported {
    pub years: Vec<i32>,
    pub days: usize,
}

fn day_view(e: &CalendarEntry) -> CalendarDay {
    CalendarDay {
        date: e.date.format("%Y-%m-%d").to_string(),
        kind: e.kind.as_str().into(),
        holiday_en: e.holiday_en.clone(),
        holiday_zh: e.holiday_zh.clone(),
    }
}

/// The working-day calendar: the loaded years, the missing ones, and the days of `year` (all if omitted).
#[utoipa::path(get, path = "/api/v1/calendar", tag = "rules", params(("year" = Option<i32>, Query)), responses((status = 200, body = CalendarView)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    _caller: Caller,
    Query(p): Query<crate::api::query::Params>,
) -> ApiResult<Json<CalendarView>> {
    let year = crate::api::query::int(&p, "year")?;
    let year = match year {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        Some(_) => {
            return Err(ApiError::invalid("year", "field.calendar_year"));
        }
        None => None,
    };
    let rules = state.store.rules();
    let this_year = xiaobao_core::time::local_date(state.clock.now()).year();
    let days = state.store.calendar_entries(year).await?;
    Ok(Json(CalendarView {
        years: rules.calendar.years().collect(),
        missing_years: rules.calendar.missing_years(this_year - 1, this_year + 1),
        days: days.iter().map(day_view).collect(),
    }))
}

/// Load a year's published arrangement (admin): a CSV body (`text/csv`) or `{"csv": "…"}`. Every
/// year in the file is replaced whole.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "rules", request_body(content = CalendarImport, description = "or a text/csv body"),
    responses((status = 200, body = CalendarImported), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_calendar(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<CalendarImported>> {
    caller.require(Permission::ManageRules)?;
    let body = body.map_err(|_| ApiError::PayloadTooLarge)?;
    let is_csv =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv"));
    let text = if is_csv {
        String::from_utf8(body.to_vec()).map_err(|_| ApiError::invalid("body", "field.utf8"))?
    } else {
        parse_json::<CalendarImport>(&body)?.csv
    };
    let entries = parse_entries(&text).map_err(|e| {
        ApiError::Invalid(
            xiaobao_core::FieldError::because("csv", "field.calendar_line")
                .with("line", e.line)
                .with("reason", e.reason),
        )
    })?;
    if entries.is_empty() {
        return Err(ApiError::invalid("csv", "field.calendar_empty"));
    }
    let years = state.store.import_calendar(&entries).await?;
    Ok(Json(CalendarImported { years, days: entries.len() }))
}
