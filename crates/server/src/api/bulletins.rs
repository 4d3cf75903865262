//! The monthly bulletin (DESIGN §3): the best and worst outlets and employees of a unit's subtree in
//! a month by the published formula (`ServiceRules::bulletin`). The draft is computed from the
//! rollups each time it is read; publishing (service department) freezes it whole and records the
//! rewards and penalties the rules attach to the best and worst employees.

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::role::Permission;
use xiaobao_core::service::bulletin::{BulletinRules, Candidate, Ranking, rank};
use xiaobao_core::service::measure::Dim;
use xiaobao_core::service::record::{RecordKind, RecordSource};
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::OrgUnitRow;
use xiaobao_store::Split;
use xiaobao_store::service::rollups::Grain;
use xiaobao_store::service::{BulletinRow, NewRecord};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_draft))
        .routes(routes!(export_bulletin))
        .routes(routes!(publish_bulletin, list_bulletins))
        .routes(routes!(get_bulletin))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulletinView {
    /// Set once published (absent from a draft).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub org_unit: String,
    pub org_name: String,
    /// YYYY-MM
    pub month: String,
    pub rules: BulletinRules,
    pub outlets: Ranking,
    pub employees: Ranking,
    pub best_outlets: Vec<String>,
    pub worst_outlets: Vec<String>,
    pub best_employees: Vec<String>,
    pub worst_employees: Vec<String>,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
}

/// `month` (YYYY-MM, default last month) → its first and last day.
fn month_of(state: &AppState, p: &Params) -> ApiResult<(NaiveDate, NaiveDate)> {
    let today = local_date(state.clock.now());
    let first = match p.get("month").map(|m| m.trim()).filter(|m| !m.is_empty()) {
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map_err(|_| ApiError::Invalid(FieldError::because("month", "field.month")))?,
        None => today.with_day(1).and_then(|d| d.pred_opt()).and_then(|d| d.with_day(1)).unwrap_or(today),
    };
    if first > today {
        return Err(ApiError::Invalid(FieldError::because("month", "field.in_future")));
    }
    let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    Ok((first, last))
}

fn bp(num: i64, den: i64) -> Option<i64> {
    (den > 0).then(|| (num * 20_000 + den) / (2 * den))
}

/// The counters a rank reads: satisfaction (ratings, fours and fives) and the overtime-wait ratio.
const RANKED_COUNTS: [&str; 5] = ["ratings", "s4", "s5", "overtime", "tickets_called"];

/// The month's draft for `unit`'s subtree, from the rollups.
pub async fn compose(state: &AppState, unit: &OrgUnitRow, from: NaiveDate, to: NaiveDate) -> ApiResult<BulletinView> {
    let rules = state.store.rules().service.bulletin.clone();
    let outlets = state.store.outlets_under(&unit.path).await?;
    let ids: Vec<i64> = outlets.iter().map(|o| o.id).collect();
    let mut service: HashMap<i64, xiaobao_core::service::measure::ServiceCounts> = HashMap::new();
    for r in state.store.service_rows_of(&ids, Dim::All, from, to, Grain::Month, &RANKED_COUNTS).await? {
        let e = service.entry(r.unit_id).or_default();
        *e = *e + r.counts;
    }
    let mut inspections: HashMap<i64, (i64, i64)> = HashMap::new();
    for (u, s) in state
        .store
        .inspection_scores_in(
            &unit.path,
            xiaobao_core::measure::day_number(from),
            xiaobao_core::measure::day_number(to),
        )
        .await?
    {
        let e = inspections.entry(u).or_default();
        *e = (e.0 + s, e.1 + 1);
    }
    let mut liable: HashMap<i64, i64> = HashMap::new();
    for (u, _, c) in state.store.rollup_counts(&ids, from, to, Split::Total).await? {
        *liable.entry(u).or_default() += c.liable;
    }
    let volumes = state.store.volumes(&ids, from, to).await?;
    let outlet_candidates: Vec<Candidate> = outlets
        .iter()
        .map(|o| {
            let c = service.get(&o.id).copied().unwrap_or_default();
            let customers = volumes.get(&o.id).and_then(|v| v.customers).unwrap_or(0);
            Candidate {
                key: o.code.clone(),
                name: o.name.clone(),
                ratings: c.ratings,
                satisfaction_bp: bp(c.satisfied(), c.ratings),
                overtime_bp: bp(c.overtime, c.tickets_called),
                inspection_bp: inspections.get(&o.id).map(|(s, n)| (s * 2 + n) / (2 * n)),
                liable_per_10k_x100: (customers > 0)
                    .then(|| (liable.get(&o.id).copied().unwrap_or(0) * 2_000_000 + customers) / (2 * customers)),
            }
        })
        .collect();
    // employees: their ratings and the waits of the tickets they called, from the unit's own rows by
    // teller (each holds the teller's counts anywhere in the subtree: one read, not one per outlet)
    let mut by_teller: HashMap<i64, xiaobao_core::service::measure::ServiceCounts> = HashMap::new();
    for r in state.store.service_rows_of(&[unit.id], Dim::Teller, from, to, Grain::Month, &RANKED_COUNTS).await? {
        if let Ok(id) = r.value.parse::<i64>() {
            let e = by_teller.entry(id).or_default();
            *e = *e + r.counts;
        }
    }
    // the subtree's staff who were rated or called tickets this month
    let staff = state.store.staff_names_under(&unit.path).await?;
    let employee_candidates: Vec<Candidate> = staff
        .iter()
        .filter_map(|u| by_teller.get(&u.id).map(|c| (u, *c)))
        .map(|(u, c)| Candidate {
            key: u.username.clone(),
            name: format!("{}（{}）", u.display_name, u.org_name),
            ratings: c.ratings,
            satisfaction_bp: bp(c.satisfied(), c.ratings),
            overtime_bp: bp(c.overtime, c.tickets_called),
            inspection_bp: None,
            liable_per_10k_x100: None,
        })
        .collect();
    let outlets = rank(&rules, outlet_candidates, false);
    let employees = rank(&rules, employee_candidates, true);
    let keys = |v: Vec<&xiaobao_core::service::bulletin::Ranked>| v.iter().map(|r| r.candidate.key.clone()).collect();
    Ok(BulletinView {
        id: None,
        org_unit: unit.code.clone(),
        org_name: unit.name.clone(),
        month: from.format("%Y-%m").to_string(),
        best_outlets: keys(outlets.best(rules.named)),
        worst_outlets: keys(outlets.worst(rules.named)),
        best_employees: keys(employees.best(rules.named)),
        worst_employees: keys(employees.worst(rules.named)),
        rules,
        outlets,
        employees,
        published_by: None,
        published_at: None,
    })
}

fn may_read(caller: &Caller) -> ApiResult<()> {
    if caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService) {
        Ok(())
    } else {
        Err(ApiError::forbidden_role())
    }
}

/// The month's bulletin of a unit: the published one if there is one, else the draft.
pub async fn draft(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<BulletinView> {
    may_read(caller)?;
    let (from, to) = month_of(state, p)?;
    let unit = crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await?;
    if let Some(b) = state.store.bulletin_of(unit.id, xiaobao_core::measure::day_number(from) / 100).await? {
        return published_view(&b);
    }
    compose(state, &unit, from, to).await
}

fn published_view(b: &BulletinRow) -> ApiResult<BulletinView> {
    let mut v: BulletinView = serde_json::from_str(&b.content).map_err(|e| {
        tracing::error!(error = %e, bulletin = b.id, "a published bulletin that does not read");
        ApiError::Internal
    })?;
    v.id = Some(b.id);
    v.published_by = Some(b.published_by.clone());
    v.published_at = Some(rfc3339(from_millis(b.published_at)));
    Ok(v)
}

/// The month's bulletin of a unit's subtree (`org_unit`, default the caller's; `month` YYYY-MM,
/// default last month): as published, or the draft computed now.
#[utoipa::path(get, path = "/api/v1/bulletins/draft", tag = "service",
    params(("org_unit" = Option<String>, Query), ("month" = Option<String>, Query)),
    responses((status = 200, body = BulletinView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_draft(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(draft(&state, &caller, &p).await?))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBulletin {
    pub org_unit: String,
    /// YYYY-MM
    pub month: String,
}

/// Publishes a month's bulletin (service department): frozen as it stands, with the rewards and
/// penalties of the best and worst employees entered in their service records. 409 when that
/// month's is published already.
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "service", request_body = PublishBulletin,
    responses((status = 201, body = BulletinView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn publish_bulletin(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<PublishBulletin>,
) -> ApiResult<(StatusCode, Json<BulletinView>)> {
    caller.require(Permission::ManageService)?;
    Ok((StatusCode::CREATED, Json(publish(&state, &caller, body.parse()?).await?)))
}

pub async fn publish(state: &AppState, caller: &Caller, req: PublishBulletin) -> ApiResult<BulletinView> {
    caller.require(Permission::ManageService)?;
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await?;
    let p: Params = [("month".to_string(), req.month.clone())].into();
    let (from, to) = month_of(state, &p)?;
    let today = local_date(state.clock.now());
    if to >= today {
        return Err(ApiError::Invalid(FieldError::because("month", "field.month_not_over")));
    }
    let view = compose(state, &unit, from, to).await?;
    let now = state.clock.now();
    let users = state
        .store
        .tellers_by_username(
            &view.best_employees.iter().chain(&view.worst_employees).map(String::as_str).collect::<Vec<_>>(),
        )
        .await?;
    let mut entries = Vec::new();
    for (names, kind, points, why) in [
        (&view.best_employees, RecordKind::Reward, view.rules.best_employee_points, "bulletin.best_reason"),
        (&view.worst_employees, RecordKind::Penalty, view.rules.worst_employee_points, "bulletin.worst_reason"),
    ] {
        if points == 0 {
            continue;
        }
        for n in names {
            let Some(u) = users.get(n) else { continue };
            entries.push(NewRecord {
                user_id: u.id,
                year: from.year(),
                kind,
                points,
                amount_fen: None,
                reason: crate::i18n::Lang::Zh.format(why, &[("unit", &unit.name), ("month", &view.month)]),
                source: RecordSource::Bulletin,
                source_id: None,
                by: caller.user.id,
                at_ms: now.timestamp_millis(),
            });
        }
    }
    let content = serde_json::to_string(&view).map_err(|_| ApiError::Internal)?;
    let id = state
        .store
        .publish_bulletin(
            unit.id,
            xiaobao_core::measure::day_number(from) / 100,
            &content,
            &entries,
            caller.user.id,
            now.timestamp_millis(),
        )
        .await?
        .ok_or_else(|| ApiError::Conflict(crate::i18n::Msg::of("problem.bulletin_published")))?;
    let b = state.store.bulletin(id).await?.ok_or(ApiError::Internal)?;
    published_view(&b)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinRef {
    pub id: i64,
    pub org_unit: String,
    pub org_name: String,
    pub month: String,
    pub published_by: String,
    pub published_at: String,
}

/// The bulletins published for the caller's subtree or the units above it, newest first.
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "service",
    responses((status = 200, body = Vec<BulletinRef>), (status = 403, body = crate::error::Problem)))]
pub async fn list_bulletins(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<BulletinRef>>> {
    may_read(&caller)?;
    Ok(Json(refs(&state.store.bulletins(&caller.user.org_path).await?)))
}

/// The list's lines of published bulletins.
pub fn refs(rows: &[BulletinRow]) -> Vec<BulletinRef> {
    rows.iter()
        .map(|b| BulletinRef {
            id: b.id,
            org_unit: b.unit_code.clone(),
            org_name: b.unit_name.clone(),
            month: format!("{:04}-{:02}", b.month / 100, b.month % 100),
            published_by: b.published_by.clone(),
            published_at: rfc3339(from_millis(b.published_at)),
        })
        .collect()
}

/// A published bulletin, as published: for the units of its subtree and those above.
pub async fn published(state: &AppState, caller: &Caller, id: i64) -> ApiResult<BulletinView> {
    may_read(caller)?;
    let b = state
        .store
        .bulletin(id)
        .await?
        .filter(|b| {
            caller.sees_unit(&b.unit_path) || xiaobao_core::org::in_subtree(&b.unit_path, &caller.user.org_path)
        })
        .ok_or(ApiError::NotFound)?;
    published_view(&b)
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}", tag = "service", params(("id" = i64, Path)),
    responses((status = 200, body = BulletinView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_bulletin(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(published(&state, &caller, id).await?))
}

/// The month's bulletin (published, else the draft) as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/bulletins/export", tag = "service",
    params(("org_unit" = Option<String>, Query), ("month" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn export_bulletin(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(p): Query<Params>,
) -> ApiResult<axum::response::Response> {
    let v = draft(&state, &caller, &p).await?;
    let lang = crate::i18n::Lang::from_headers(&headers);
    crate::api::complaints::xlsx_download(
        &format!("bulletin-{}-{}.xlsx", v.org_unit, v.month),
        crate::export::bulletin_xlsx(&v, lang),
    )
}
