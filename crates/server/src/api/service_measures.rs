//! The service measures (DESIGN §3, §5, §7): counter satisfaction, ratings by score and the
//! dissatisfied by reason, waits (average, 90th percentile) and the overtime-wait ratio of a unit's
//! subtree and period, broken down by child unit, month, day, hour of day (or day × hour) or teller.
//! Served from the service rollups, never by reading ratings or tickets.

use crate::api::measures::{RateView, UnitRef, range, unit_or_own};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::measure::day_number;
use xiaobao_core::role::Permission;
use xiaobao_core::service::inspection::Coverage;
use xiaobao_core::service::measure::{Dim, ServiceCounts, ServiceFigures};
use xiaobao_core::time::local_date;
use xiaobao_store::OrgUnitRow;
use xiaobao_store::service::ServiceRow;
use xiaobao_store::service::rollups::Grain;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_service_measures))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceFiguresView {
    pub ratings: i64,
    /// Very satisfied and satisfied (5 and 4).
    pub satisfied: i64,
    /// Dissatisfied and very dissatisfied (2 and 1).
    pub dissatisfied: i64,
    /// Ratings by score, "1" … "5".
    pub scores: BTreeMap<String, i64>,
    /// Ratings flagged as bursts of their device (counted here unless excluded).
    pub flagged: i64,
    pub counter_satisfaction_rate: RateView,
    /// Dissatisfied ratings by reason code.
    pub dissatisfied_by_reason: BTreeMap<String, i64>,
    /// Tickets called (those with a wait).
    pub tickets: i64,
    pub tickets_taken: i64,
    pub average_wait_seconds: Option<i64>,
    /// The end of the minute the 90th-percentile wait falls in (null where waits are not kept by
    /// minute: the hour and teller breakdowns).
    pub p90_wait_seconds: Option<i64>,
    pub overtime_waits: i64,
    pub overtime_wait_ratio: RateView,
}

impl ServiceFiguresView {
    fn new(f: ServiceFigures) -> Self {
        let c = f.counts;
        Self {
            ratings: c.ratings,
            satisfied: c.satisfied(),
            dissatisfied: c.dissatisfied(),
            scores: (1..=5).map(|s| (s.to_string(), c.scores[s - 1])).collect(),
            flagged: c.flagged,
            counter_satisfaction_rate: f.counter_satisfaction_rate.into(),
            dissatisfied_by_reason: f.dissatisfied_by_reason,
            tickets: c.tickets_called,
            tickets_taken: c.tickets_taken,
            average_wait_seconds: f.average_wait_seconds,
            p90_wait_seconds: f.p90_wait_seconds,
            overtime_waits: c.overtime,
            overtime_wait_ratio: f.overtime_wait_ratio.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceRowView {
    /// Unit code, month (YYYY-MM), day (YYYY-MM-DD), hour (00–23), day and hour (YYYY-MM-DD 09) or
    /// the teller's username.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub figures: ServiceFiguresView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceMeasuresView {
    pub org_unit: UnitRef,
    pub from: String,
    pub to: String,
    /// Outlets in the subtree.
    pub outlets: i64,
    /// Outlets of the subtree inspected in the period, over `outlets` (as GET /api/v1/inspection-coverage).
    pub outlets_inspected: i64,
    pub inspection_coverage: RateView,
    /// Inspections of the subtree's outlets in the period.
    pub inspections: i64,
    /// The average of those inspections' percent scores.
    pub average_inspection_score: RateView,
    pub figures: ServiceFiguresView,
    /// unit, month, day, hour, day_hour or teller, when asked for with `by`.
    pub by: Option<String>,
    pub breakdown: Vec<ServiceRowView>,
}

/// Sums rows into counters, minute buckets and reasons per key.
#[derive(Default)]
struct Sums {
    counts: BTreeMap<String, ServiceCounts>,
    waits: HashMap<String, BTreeMap<i64, i64>>,
    reasons: HashMap<String, BTreeMap<String, i64>>,
}

impl Sums {
    fn figures(&self, key: &str) -> ServiceFiguresView {
        ServiceFiguresView::new(ServiceFigures::compute(
            self.counts.get(key).copied().unwrap_or_default(),
            self.waits.get(key).unwrap_or(&BTreeMap::new()),
            self.reasons.get(key).cloned().unwrap_or_default(),
        ))
    }
}

fn day_text(n: i32) -> String {
    format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
}

fn month_text(n: i32) -> String {
    format!("{:04}-{:02}", n / 100, n % 100)
}

/// Reads `units`' rows of the totals, the waits and the reasons over the range, keyed by `key`.
async fn sums(
    state: &AppState,
    units: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    grain: Grain,
    key: impl Fn(&ServiceRow) -> String,
) -> ApiResult<Sums> {
    let store = &state.store;
    let mut s = Sums::default();
    for r in store.service_rows(units, Dim::All, from, to, grain).await? {
        let e = s.counts.entry(key(&r)).or_default();
        *e = *e + r.counts;
    }
    for r in store.service_rows_of(units, Dim::Wait, from, to, grain, &["tickets_called"]).await? {
        let minute: i64 = r.value.parse().unwrap_or(0);
        *s.waits.entry(key(&r)).or_default().entry(minute).or_default() += r.counts.tickets_called;
    }
    for r in store.service_rows_of(units, Dim::Reason, from, to, grain, &["ratings"]).await? {
        *s.reasons.entry(key(&r)).or_default().entry(r.value.clone()).or_default() += r.counts.ratings;
    }
    Ok(s)
}

/// The inspection coverage and average score of `unit`'s subtree over the range: the same store
/// reads and core rule as GET /api/v1/inspection-coverage.
async fn inspection_coverage(
    state: &AppState,
    unit: &OrgUnitRow,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Coverage> {
    let outlets = state.store.outlet_count_under(&unit.path).await?;
    let mut inspected: HashMap<i64, Vec<i64>> = HashMap::new();
    for (unit_id, bp) in state.store.inspection_scores_in(&unit.path, day_number(from), day_number(to)).await? {
        inspected.entry(unit_id).or_default().push(bp);
    }
    Ok(Coverage::counted(outlets, inspected.values()))
}

/// The service measures of `unit`'s subtree over `from..=to`, broken down `by`.
pub async fn service_measures(
    state: &AppState,
    unit: &OrgUnitRow,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&str>,
) -> ApiResult<ServiceMeasuresView> {
    let by = by.map(str::trim).filter(|b| !b.is_empty());
    let total = sums(state, &[unit.id], from, to, Grain::Month, |_| String::new()).await?;
    let coverage = inspection_coverage(state, unit, from, to).await?;
    let plain = |key: String, zh: String, en: String, s: &Sums| ServiceRowView {
        figures: s.figures(&key),
        key,
        label_zh: zh,
        label_en: en,
    };
    let breakdown = match by {
        None => vec![],
        Some("unit") => {
            let children = state.store.org_unit_children(unit.id).await?;
            let ids: Vec<i64> = children.iter().map(|c| c.id).collect();
            let s = sums(state, &ids, from, to, Grain::Month, |r| r.unit_id.to_string()).await?;
            children
                .iter()
                .map(|c| {
                    let mut row = plain(c.id.to_string(), c.name.clone(), c.name.clone(), &s);
                    row.key = c.code.clone();
                    row
                })
                .collect()
        }
        Some("month") => {
            let s = sums(state, &[unit.id], from, to, Grain::Month, |r| month_text(r.period)).await?;
            s.counts.keys().map(|k| plain(k.clone(), k.clone(), k.clone(), &s)).collect()
        }
        Some("day") => {
            let s = sums(state, &[unit.id], from, to, Grain::Day, |r| day_text(r.period)).await?;
            s.counts.keys().map(|k| plain(k.clone(), k.clone(), k.clone(), &s)).collect()
        }
        Some(b @ ("hour" | "day_hour")) => {
            let grain = if b == "hour" { Grain::Month } else { Grain::Day };
            let mut s = Sums::default();
            for r in state.store.service_rows(&[unit.id], Dim::Hour, from, to, grain).await? {
                let key = if b == "hour" { r.value.clone() } else { format!("{} {}", day_text(r.period), r.value) };
                let e = s.counts.entry(key).or_default();
                *e = *e + r.counts;
            }
            s.counts.keys().map(|k| plain(k.clone(), k.clone(), k.clone(), &s)).collect()
        }
        Some("teller") => {
            let mut s = Sums::default();
            for r in state.store.service_rows(&[unit.id], Dim::Teller, from, to, Grain::Month).await? {
                let e = s.counts.entry(r.value.clone()).or_default();
                *e = *e + r.counts;
            }
            for r in state.store.service_rows(&[unit.id], Dim::TellerReason, from, to, Grain::Month).await? {
                if let Some((teller, reason)) = r.value.split_once(':') {
                    *s.reasons.entry(teller.to_string()).or_default().entry(reason.to_string()).or_default() +=
                        r.counts.ratings;
                }
            }
            let ids: Vec<i64> = s.counts.keys().filter_map(|k| k.parse().ok()).collect();
            let users: HashMap<String, xiaobao_store::UserRow> =
                state.store.users_by_ids(&ids).await?.into_iter().map(|u| (u.id.to_string(), u)).collect();
            let mut rows: Vec<ServiceRowView> = s
                .counts
                .keys()
                .filter_map(|k| users.get(k).map(|u| (k, u)))
                .map(|(k, u)| {
                    let mut row = plain(k.clone(), u.display_name.clone(), u.display_name.clone(), &s);
                    row.key = u.username.clone();
                    row
                })
                .collect();
            rows.sort_by(|a, b| a.key.cmp(&b.key));
            rows
        }
        Some(_) => return Err(ApiError::invalid("by", "field.service_by")),
    };
    Ok(ServiceMeasuresView {
        org_unit: UnitRef { code: unit.code.clone(), name: unit.name.clone() },
        from: from.to_string(),
        to: to.to_string(),
        outlets: coverage.outlets,
        outlets_inspected: coverage.inspected,
        inspection_coverage: coverage.rate().into(),
        inspections: coverage.inspections,
        average_inspection_score: coverage.average_score().into(),
        figures: total.figures(""),
        by: by.map(str::to_string),
        breakdown,
    })
}

/// The service measures of a unit's subtree (`org_unit`, default the caller's) for `from`..=`to`
/// (default: the year so far), optionally broken down `by` child unit, month, day, hour of day,
/// day × hour (the heat map) or teller.
#[utoipa::path(get, path = "/api/v1/service-measures", tag = "service",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("by" = Option<String>, Query, description = "unit | month | day | hour | day_hour | teller")),
    responses((status = 200, body = ServiceMeasuresView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_service_measures(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<ServiceMeasuresView>> {
    caller.require(Permission::ReadMeasures)?;
    let (from, to) = range(&p, local_date(state.clock.now()))?;
    let unit = unit_or_own(&state, &caller, p.get("org_unit")).await?;
    Ok(Json(service_measures(&state, &unit, from, to, p.get("by").map(String::as_str)).await?))
}
