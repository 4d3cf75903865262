//! Service records (DESIGN §3): each employee's rewards and penalties by year. An employee reads
//! their own; managers their subtree's; the service department enters them, confirms or dismisses
//! the accountability liable complaints propose, and exports a unit's year for the annual appraisal.

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::money::Money;
use xiaobao_core::role::Permission;
use xiaobao_core::service::record::{Entry, RecordKind, RecordSource};
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::UserRow;
use xiaobao_store::service::{AccountabilityRow, NewRecord, RecordRow};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_record, list_records))
        .routes(routes!(export_records))
        .routes(routes!(list_accountability))
        .routes(routes!(confirm_accountability))
        .routes(routes!(dismiss_accountability))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordView {
    pub id: i64,
    pub user: String,
    pub name: String,
    pub org_unit: String,
    pub year: i32,
    pub kind: RecordKind,
    pub points: i64,
    /// Yuan with two decimals.
    pub amount: Option<String>,
    pub reason: String,
    pub source: RecordSource,
    pub source_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
}

impl From<&RecordRow> for RecordView {
    fn from(r: &RecordRow) -> Self {
        Self {
            id: r.id,
            user: r.username.clone(),
            name: r.display_name.clone(),
            org_unit: r.org_code.clone(),
            year: r.year,
            kind: r.kind,
            points: r.points,
            amount: r.amount_fen.map(|f| Money::from_fen(f).to_string()),
            reason: r.reason.clone(),
            source: r.source,
            source_id: r.source_id,
            created_by: r.created_by.clone(),
            created_at: rfc3339(from_millis(r.created_at)),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmployeeYear {
    pub user: String,
    pub name: String,
    pub org_unit: String,
    pub rewards: i64,
    pub penalties: i64,
    /// Rewards less penalties.
    pub balance: i64,
    pub entries: Vec<RecordView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordsView {
    pub year: i32,
    pub employees: Vec<EmployeeYear>,
}

/// The entries grouped by employee, with each one's points.
pub fn by_employee(year: i32, rows: &[RecordRow]) -> RecordsView {
    let mut employees: Vec<EmployeeYear> = Vec::new();
    for r in rows {
        if employees.last().is_none_or(|e| e.user != r.username) {
            employees.push(EmployeeYear {
                user: r.username.clone(),
                name: r.display_name.clone(),
                org_unit: r.org_code.clone(),
                rewards: 0,
                penalties: 0,
                balance: 0,
                entries: Vec::new(),
            });
        }
        let Some(e) = employees.last_mut() else { continue };
        match r.kind {
            RecordKind::Reward => e.rewards += r.points,
            RecordKind::Penalty => e.penalties += r.points,
        }
        e.balance += r.kind.signed(r.points);
        e.entries.push(r.into());
    }
    RecordsView { year, employees }
}

fn year_of(state: &AppState, p: &Params) -> ApiResult<i32> {
    let this = local_date(state.clock.now()).year();
    Ok(crate::api::query::bounded(p, "year", i64::from(this), 2000, i64::from(this) + 1)? as i32)
}

/// The records a caller reads: `user` (their own always; another's in their subtree for a manager),
/// or every employee of `org_unit` (default their own unit) for a manager.
pub async fn records(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<RecordsView> {
    let year = year_of(state, p)?;
    let manager = caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService);
    let rows = match p.get("user").map(|u| u.trim()).filter(|u| !u.is_empty()) {
        Some(u) if u == caller.user.username => state.store.service_records("/", Some(caller.user.id), year).await?,
        Some(u) => {
            let user = state
                .store
                .user_by_username(u)
                .await?
                .filter(|x| manager && caller.sees_unit(&x.org_path))
                .ok_or_else(|| {
                    ApiError::Invalid(FieldError::because("user", "field.unknown_employee").with("name", u))
                })?;
            state.store.service_records("/", Some(user.id), year).await?
        }
        None if !manager => state.store.service_records("/", Some(caller.user.id), year).await?,
        None => {
            let unit = crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await?;
            state.store.service_records(&unit.path, None, year).await?
        }
    };
    Ok(by_employee(year, &rows))
}

/// Service records of a year (default this one): the caller's own, an employee's (`user`), or a
/// unit's (`org_unit`), grouped by employee with their points.
#[utoipa::path(get, path = "/api/v1/service-records", tag = "service records",
    params(("user" = Option<String>, Query), ("org_unit" = Option<String>, Query), ("year" = Option<i32>, Query)),
    responses((status = 200, body = RecordsView), (status = 422, body = crate::error::Problem)))]
pub async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<RecordsView>> {
    Ok(Json(records(&state, &caller, &p).await?))
}

/// A unit's service records of a year as an XLSX workbook: a summary sheet, one line per employee,
/// and every entry.
#[utoipa::path(get, path = "/api/v1/service-records/export", tag = "service records",
    params(("org_unit" = Option<String>, Query), ("year" = Option<i32>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn export_records(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(p): Query<Params>,
) -> ApiResult<Response> {
    export(&state, &caller, crate::i18n::Lang::from_headers(&headers), &p).await
}

pub async fn export(state: &AppState, caller: &Caller, lang: crate::i18n::Lang, p: &Params) -> ApiResult<Response> {
    if !(caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService)) {
        return Err(ApiError::forbidden_role());
    }
    let mut p = p.clone();
    p.remove("user");
    let view = records(state, caller, &p).await?;
    let unit = crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await?;
    let name = format!("service-records-{}-{}.xlsx", unit.code, view.year);
    crate::api::complaints::xlsx_download(&name, crate::export::service_records_xlsx(&unit.name, &view, lang))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRecord {
    /// The employee's username.
    pub user: String,
    /// reward or penalty.
    pub kind: String,
    #[serde(default)]
    pub points: i64,
    /// Yuan, e.g. "200.00".
    #[serde(default)]
    pub amount: Option<String>,
    pub reason: String,
}

/// An employee of the caller's subtree, active or not (records outlive a post), else a field error.
pub async fn employee(state: &AppState, caller: &Caller, field: &str, name: &str) -> ApiResult<UserRow> {
    let name = name.trim();
    state
        .store
        .user_by_username(name)
        .await?
        .filter(|u| caller.sees_unit(&u.org_path) && u.username != "system")
        .ok_or_else(|| ApiError::Invalid(FieldError::because(field, "field.unknown_employee").with("name", name)))
}

/// Enters a reward or penalty by hand (service department).
#[utoipa::path(post, path = "/api/v1/service-records", tag = "service records", request_body = CreateRecord,
    responses((status = 201, body = RecordView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_record(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateRecord>,
) -> ApiResult<(StatusCode, Json<RecordView>)> {
    caller.require(Permission::ManageService)?;
    Ok((StatusCode::CREATED, Json(add(&state, &caller, body.parse()?).await?)))
}

pub async fn add(state: &AppState, caller: &Caller, req: CreateRecord) -> ApiResult<RecordView> {
    caller.require(Permission::ManageService)?;
    let mut f = Faults::default();
    let user = f.keep(employee(state, caller, "user", &req.user).await)?;
    let entry =
        f.keep(Entry::parse(&req.kind, req.points, req.amount.as_deref(), &req.reason).map_err(ApiError::InvalidAll))?;
    f.check()?;
    let (Some(user), Some(entry)) = (user, entry) else { return Err(ApiError::Internal) };
    let now = state.clock.now();
    let id = state
        .store
        .add_service_record(&NewRecord {
            user_id: user.id,
            year: local_date(now).year(),
            kind: entry.kind,
            points: entry.points,
            amount_fen: entry.amount.map(|m| m.fen()),
            reason: entry.reason,
            source: RecordSource::Manual,
            source_id: None,
            by: caller.user.id,
            at_ms: now.timestamp_millis(),
        })
        .await?;
    let rows = state.store.service_records("/", Some(user.id), local_date(now).year()).await?;
    rows.iter().find(|r| r.id == id).map(Into::into).ok_or(ApiError::Internal)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountabilityView {
    pub id: i64,
    pub complaint_id: i64,
    pub complaint: String,
    pub user: String,
    pub name: String,
    pub org_unit: String,
    /// proposed, confirmed or dismissed.
    pub state: String,
    pub proposed_at: String,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub record_id: Option<i64>,
}

impl From<&AccountabilityRow> for AccountabilityView {
    fn from(a: &AccountabilityRow) -> Self {
        Self {
            id: a.id,
            complaint_id: a.complaint_id,
            complaint: a.complaint_number.clone(),
            user: a.username.clone(),
            name: a.display_name.clone(),
            org_unit: a.org_name.clone(),
            state: a.state.clone(),
            proposed_at: rfc3339(from_millis(a.proposed_at)),
            decided_at: a.decided_at.map(|t| rfc3339(from_millis(t))),
            reason: a.reason.clone(),
            record_id: a.record_id,
        }
    }
}

/// The accountability of employees of the caller's subtree (service department), `state`
/// proposed, confirmed or dismissed (default: proposed).
#[utoipa::path(get, path = "/api/v1/accountability", tag = "service records", params(("state" = Option<String>, Query)),
    responses((status = 200, body = Vec<AccountabilityView>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_accountability(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<AccountabilityView>>> {
    Ok(Json(accountabilities(&state, &caller, &p).await?))
}

pub async fn accountabilities(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Vec<AccountabilityView>> {
    caller.require(Permission::ManageService)?;
    let s = p.get("state").map(|s| s.trim()).filter(|s| !s.is_empty()).unwrap_or("proposed");
    if !["proposed", "confirmed", "dismissed"].contains(&s) {
        return Err(ApiError::Invalid(
            FieldError::because("state", "field.unknown_state")
                .with("value", s)
                .with("choices", "proposed, confirmed, dismissed"),
        ));
    }
    Ok(state.store.accountabilities(&caller.user.org_path, Some(s)).await?.iter().map(Into::into).collect())
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    #[serde(default)]
    pub points: i64,
    #[serde(default)]
    pub amount: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissBody {
    pub reason: String,
}

async fn proposed(state: &AppState, caller: &Caller, id: i64) -> ApiResult<AccountabilityRow> {
    caller.require(Permission::ManageService)?;
    let a =
        state.store.accountability(id).await?.filter(|a| caller.sees_unit(&a.org_path)).ok_or(ApiError::NotFound)?;
    if a.state != "proposed" {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.accountability_decided")));
    }
    Ok(a)
}

/// Confirms an accountability: the penalty entered in the employee's service record.
#[utoipa::path(post, path = "/api/v1/accountability/{id}/confirm", tag = "service records", params(("id" = i64, Path)), request_body = ConfirmBody,
    responses((status = 200, body = AccountabilityView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn confirm_accountability(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<ConfirmBody>,
) -> ApiResult<Json<AccountabilityView>> {
    proposed(&state, &caller, id).await?;
    Ok(Json(decide(&state, &caller, id, Some(body.parse()?), None).await?))
}

/// Dismisses an accountability with the reason.
#[utoipa::path(post, path = "/api/v1/accountability/{id}/dismiss", tag = "service records", params(("id" = i64, Path)), request_body = DismissBody,
    responses((status = 200, body = AccountabilityView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn dismiss_accountability(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<DismissBody>,
) -> ApiResult<Json<AccountabilityView>> {
    proposed(&state, &caller, id).await?;
    Ok(Json(decide(&state, &caller, id, None, Some(body.parse()?)).await?))
}

/// Confirms (with the penalty) or dismisses (with the reason) a proposed accountability.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    confirm: Option<ConfirmBody>,
    dismiss: Option<DismissBody>,
) -> ApiResult<AccountabilityView> {
    let a = proposed(state, caller, id).await?;
    let now = state.clock.now();
    let (penalty, reason) = match (confirm, dismiss) {
        (Some(c), _) => {
            let e = Entry::parse("penalty", c.points, c.amount.as_deref(), &c.reason).map_err(ApiError::InvalidAll)?;
            let reason = e.reason.clone();
            let rec = NewRecord {
                user_id: a.user_id,
                year: local_date(now).year(),
                kind: RecordKind::Penalty,
                points: e.points,
                amount_fen: e.amount.map(|m| m.fen()),
                reason: format!("{} {}", a.complaint_number, e.reason),
                source: RecordSource::LiableComplaint,
                source_id: Some(a.complaint_id),
                by: caller.user.id,
                at_ms: now.timestamp_millis(),
            };
            (Some(rec), reason)
        }
        (None, Some(d)) => (None, bounded("reason", &d.reason, 1, limits::REASON).map_err(ApiError::Invalid)?),
        (None, None) => return Err(ApiError::Internal),
    };
    if !state.store.decide_accountability(id, penalty.as_ref(), &reason, caller.user.id, now.timestamp_millis()).await?
    {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.accountability_decided")));
    }
    let a = state.store.accountability(id).await?.ok_or(ApiError::Internal)?;
    Ok((&a).into())
}
