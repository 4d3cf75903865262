//! League tables: the outlets of a unit's subtree, or the employees who first received its complaints,
//! ranked for a month by one measure — best and worst first — with the minimum volume for a fair
//! rank taken from the settings unless the request names one.

use crate::api::measures::{UnitRef, unit_or_own};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::league::{self, League, Standing};
use xiaobao_core::measure::{Counts, Figures, Volume};
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;
use xiaobao_store::Split;

/// Most entries listed at each end of a table.
const MAX_LIMIT: usize = 100;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeagueEntry {
    /// 1 for the best; null when not ranked.
    pub rank: Option<usize>,
    /// Unit code, or the employee's login name.
    pub key: String,
    pub name: String,
    /// The employee's unit (for outlets, the outlet itself).
    pub org_unit: String,
    pub value: Option<f64>,
    pub display: String,
    /// The cases behind the value (the rate's denominator, or complaints received).
    pub volume: i64,
    pub received: i64,
}

impl LeagueEntry {
    /// An outlet or employee with its complaints, before ranking fills rank, value and volume.
    fn unranked(key: String, name: String, org_unit: String, c: Counts) -> Self {
        Self { rank: None, key, name, org_unit, value: None, display: String::new(), volume: 0, received: c.received }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeagueView {
    pub org_unit: UnitRef,
    /// YYYY-MM
    pub month: String,
    /// outlets | employees
    pub of: String,
    pub measure: String,
    pub higher_is_better: bool,
    pub min_volume: i64,
    pub ranked_count: usize,
    pub unranked_count: usize,
    /// The best, best first.
    pub best: Vec<LeagueEntry>,
    /// The worst, worst first.
    pub worst: Vec<LeagueEntry>,
    /// Those left unranked (too few cases, or no customer figures), largest volume first.
    pub unranked: Vec<LeagueEntry>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeagueSettings {
    /// Cases a rate needs behind it for its unit or employee to be ranked (0–10,000).
    pub min_volume: i64,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_league)).routes(routes!(get_league_settings, put_league_settings))
}

/// The month asked for (`YYYY-MM`), by default the last whole month.
pub fn month_param(p: &Params, today: chrono::NaiveDate) -> ApiResult<Period> {
    match p.get("month").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(Period::month_before(today)),
        Some(s) => match Period::parse("month", s)? {
            m @ Period::Month(..) => Ok(m),
            _ => Err(ApiError::invalid("month", "field.month")),
        },
    }
}

/// The league of `p` (org_unit, month, of, measure, min_volume, limit) for the caller.
pub async fn league(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<LeagueView> {
    caller.require(Permission::ReadMeasures)?;
    let month = month_param(p, local_date(state.clock.now()))?;
    let of = match p.get("of").map(|s| s.trim()).unwrap_or("outlets") {
        "" | "outlets" => "outlets",
        "employees" => "employees",
        _ => {
            return Err(ApiError::invalid("of", "field.league_of"));
        }
    };
    let measure = league::parse_measure("measure", p.get("measure").map(|s| s.trim()).unwrap_or("per_10k_customers"))?;
    let min_volume = match p.get("min_volume").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => state.store.league_min_volume().await?,
        Some(s) => min_volume(s.parse().unwrap_or(-1))?,
    };
    let limit = crate::api::query::bounded(p, "limit", 10, 1, MAX_LIMIT as i64)? as usize;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let (from, to) = (month.first_day(), month.last_day());
    let store = &state.store;
    let table: League<LeagueEntry> = if of == "outlets" {
        let outlets: Vec<_> = store
            .org_units_in_subtree(&unit.path)
            .await?
            .into_iter()
            .filter(|u| u.kind == OrgUnitKind::Outlet)
            .collect();
        let ids: Vec<i64> = outlets.iter().map(|u| u.id).collect();
        let counts: HashMap<i64, Counts> =
            store.rollup_counts(&ids, from, to, Split::Total).await?.into_iter().map(|(u, _, c)| (u, c)).collect();
        let volumes = store.volumes(&ids, from, to).await?;
        let entries = outlets
            .into_iter()
            .map(|u| {
                let c = counts.get(&u.id).copied().unwrap_or_default();
                let v = volumes.get(&u.id).copied().unwrap_or_default();
                (LeagueEntry::unranked(u.code.clone(), u.name, u.code, c), Figures::compute(c, v))
            })
            .collect();
        league::rank(entries, measure, min_volume)
    } else {
        let rows = store.rollup_counts(&[unit.id], from, to, Split::Responder).await?;
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.1.parse().ok()).collect();
        let users: HashMap<i64, xiaobao_store::UserRow> =
            store.users_by_ids(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let entries = rows
            .into_iter()
            .filter_map(|(_, id, c)| {
                let u = users.get(&id.parse().ok()?)?;
                let entry = LeagueEntry::unranked(u.username.clone(), u.display_name.clone(), u.org_code.clone(), c);
                Some((entry, Figures::compute(c, Volume::default())))
            })
            .collect();
        league::rank(entries, measure, min_volume)
    };
    let fill = |s: &Standing<LeagueEntry>| LeagueEntry {
        rank: s.rank,
        value: s.value,
        display: s.display.clone(),
        volume: s.volume,
        ..s.entry.clone()
    };
    Ok(LeagueView {
        org_unit: UnitRef { code: unit.code.clone(), name: unit.name.clone() },
        month: month.to_string(),
        of: of.to_string(),
        measure: measure.to_string(),
        higher_is_better: league::higher_is_better(measure),
        min_volume,
        ranked_count: table.ranked.len(),
        unranked_count: table.unranked.len(),
        best: table.ranked.iter().take(limit).map(fill).collect(),
        worst: table.ranked.iter().rev().take(limit).map(fill).collect(),
        unranked: table.unranked.iter().take(limit).map(fill).collect(),
    })
}

/// A minimum volume, checked: 0 to 10,000.
fn min_volume(v: i64) -> ApiResult<i64> {
    if (0..=10_000).contains(&v) { Ok(v) } else { Err(ApiError::invalid("min_volume", "field.min_volume")) }
}

/// The outlets of a unit's subtree (`of=outlets`, the default) or the employees who first received
/// its complaints (`of=employees`), ranked for a `month` (default: last month) by a `measure`
/// (default per_10k_customers): the best and the worst `limit` (default 10), and those left unranked
/// for too small a volume (`min_volume`, default the configured one).
#[utoipa::path(get, path = "/api/v1/league", tag = "measures",
    params(("org_unit" = Option<String>, Query), ("month" = Option<String>, Query), ("of" = Option<String>, Query),
           ("measure" = Option<String>, Query), ("min_volume" = Option<i64>, Query), ("limit" = Option<usize>, Query)),
    responses((status = 200, body = LeagueView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_league(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<LeagueView>> {
    Ok(Json(league(&state, &caller, &p).await?))
}

/// The configured minimum volume for a fair rank.
#[utoipa::path(get, path = "/api/v1/league/settings", tag = "measures",
    responses((status = 200, body = LeagueSettings), (status = 403, body = crate::error::Problem)))]
pub async fn get_league_settings(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<LeagueSettings>> {
    caller.require(Permission::ReadMeasures)?;
    Ok(Json(LeagueSettings { min_volume: state.store.league_min_volume().await? }))
}

/// Sets the minimum volume for a fair rank (the consumer-protection centre, or an administrator).
#[utoipa::path(put, path = "/api/v1/league/settings", tag = "measures", request_body = LeagueSettings,
    responses((status = 200, body = LeagueSettings), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_league_settings(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<LeagueSettings>,
) -> ApiResult<Json<LeagueSettings>> {
    caller.require(Permission::ConfigureMeasures)?;
    let req = body.parse()?;
    let v = min_volume(req.min_volume)?;
    state.store.set_league_min_volume(v, caller.user.id, state.clock.now().timestamp_millis()).await?;
    Ok(Json(LeagueSettings { min_volume: v }))
}
