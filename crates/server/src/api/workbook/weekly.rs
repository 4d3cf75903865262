//! Weekly lobby reports (大堂周报): written for an outlet and week by its lobby manager (or head),
//! prefilled with the outlet's figures of the week; signed off or sent back by the outlet head; a
//! report sent back is written again. `missing` lists the outlets of a subtree without a signed
//! report of a week, and the service pass reminds each one's head once after the deadline.

use super::{ListQuery, Provenance, VersionView, list_query};
use crate::api::measures::UnitRef;
use crate::api::query::Params;
use crate::api::rectifications::FileView;
use crate::api::views::Paged;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::i18n::{Lang, Msg};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Permission;
use xiaobao_core::time::{Instant, local_date, rfc3339};
use xiaobao_core::workbook::Register;
use xiaobao_core::workbook::weekly::{IsoWeek, SignRefusal, WeekFigures, WeeklyIn, WeeklyReport, WeeklyState};
use xiaobao_store::OrgUnitRow;
use xiaobao_store::workbook::{Change, EntryFilter, EntryRow, EntryWrite};

const REGISTER: Register = Register::WeeklyReport;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(write_report, list_reports))
        .routes(routes!(export_reports))
        .routes(routes!(prefill_figures))
        .routes(routes!(missing_reports))
        .routes(routes!(get_report, rewrite_report))
        .routes(routes!(sign_off_report))
        .routes(routes!(send_back_report))
        .routes(routes!(upload_report_file))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SendBackView {
    pub by: String,
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeeklyView {
    pub id: i64,
    pub org_unit: UnitRef,
    /// ISO week, e.g. `2026-W48`.
    pub week: String,
    pub state: WeeklyState,
    pub consumer_protection: String,
    pub service_quality: String,
    pub complaints: String,
    /// The outlet's figures of the week when it was written.
    pub figures: WeekFigures,
    pub written_by: String,
    pub written_at: String,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub sent_back: Vec<SendBackView>,
    /// When the week's report is due.
    pub due_at: String,
    #[serde(flatten)]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeeklyDetail {
    pub report: WeeklyView,
    pub files: Vec<FileView>,
    pub versions: Vec<VersionView>,
    /// What the caller may do now: `rewrite`, `sign_off`, `send_back`, `attach`.
    pub actions: Vec<String>,
}

fn record_of(e: &EntryRow) -> ApiResult<WeeklyReport> {
    serde_json::from_str(&e.data).map_err(|err| {
        tracing::error!(id = e.id, error = %err, "a stored weekly report cannot be read");
        ApiError::Internal
    })
}

/// When the report of `week` is due under the bank's rules.
pub fn due_at(state: &AppState, week: IsoWeek) -> Instant {
    let rules = state.store.rules();
    rules.workbook.weekly.due_at(week, &rules.calendar, &rules.policy.opening_hours)
}

fn view(state: &AppState, e: &EntryRow, r: &WeeklyReport) -> WeeklyView {
    let week = IsoWeek::parse("week", &r.week).unwrap_or(IsoWeek { year: 1970, week: 1 });
    WeeklyView {
        id: e.id,
        org_unit: UnitRef { code: e.org_code.clone(), name: e.org_name.clone() },
        week: r.week.clone(),
        state: r.state(),
        consumer_protection: r.consumer_protection.clone(),
        service_quality: r.service_quality.clone(),
        complaints: r.complaints.clone(),
        figures: r.figures,
        written_by: r.written_by.clone(),
        written_at: rfc3339(r.written_at),
        signed_by: r.signed.as_ref().map(|s| s.by.clone()),
        signed_at: r.signed.as_ref().map(|s| rfc3339(s.at)),
        sent_back: r
            .sent_back
            .iter()
            .map(|b| SendBackView { by: b.by.clone(), at: rfc3339(b.at), reason: b.reason.clone() })
            .collect(),
        due_at: rfc3339(due_at(state, week)),
        provenance: e.into(),
    }
}

fn write_of(unit_id: i64, path: &str, r: &WeeklyReport) -> ApiResult<EntryWrite> {
    Ok(xiaobao_store::workbook::weekly_write(unit_id, path, r)?)
}

/// Is the caller of the report's outlet and one who writes its reports.
fn writer_side(caller: &Caller, e: &EntryRow) -> bool {
    caller.can(Permission::WriteWeeklyReports) && caller.user.org_unit_id == e.org_unit_id
}

/// Is the caller the head of the report's outlet.
fn signer(caller: &Caller, e: &EntryRow) -> bool {
    caller.can(Permission::SignWeeklyReports) && caller.user.org_unit_id == e.org_unit_id
}

fn actions_for(caller: &Caller, e: &EntryRow, r: &WeeklyReport) -> Vec<String> {
    let mut out = Vec::new();
    let st = r.state();
    if writer_side(caller, e) && st != WeeklyState::Signed {
        out.push("rewrite");
        out.push("attach");
    }
    if signer(caller, e) && st == WeeklyState::Submitted && r.written_by != caller.user.username {
        out.push("sign_off");
        out.push("send_back");
    }
    out.into_iter().map(String::from).collect()
}

pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<WeeklyDetail> {
    let e = super::visible(state, caller, REGISTER, id).await?;
    let r = record_of(&e)?;
    Ok(WeeklyDetail {
        report: view(state, &e, &r),
        files: super::files(state, id).await?,
        versions: state.store.entry_versions(id).await?.iter().map(Into::into).collect(),
        actions: actions_for(caller, &e, &r),
    })
}

/// The outlet's figures of a week.
pub async fn week_figures(state: &AppState, unit_id: i64, week: IsoWeek) -> ApiResult<WeekFigures> {
    Ok(state.store.week_figures(unit_id, week).await?)
}

/// The outlet a report is written for: in the caller's scope, an outlet.
async fn outlet(state: &AppState, caller: &Caller, field: &str, code: &str) -> ApiResult<OrgUnitRow> {
    let unit = crate::api::unit_in_scope(state, caller, field, code).await?;
    if unit.kind != OrgUnitKind::Outlet {
        return Err(ApiError::Invalid(FieldError::because(field, "field.outlet_only").with("code", &unit.code)));
    }
    Ok(unit)
}

/// Writes the week's report of an outlet (its lobby manager or head), prefilled with its figures.
#[utoipa::path(post, path = "/api/v1/weekly-reports", tag = "workbook", request_body = WeeklyIn,
    responses((status = 201, body = WeeklyDetail), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn write_report(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<WeeklyIn>,
) -> ApiResult<(StatusCode, Json<WeeklyDetail>)> {
    caller.require(Permission::WriteWeeklyReports)?;
    Ok((StatusCode::CREATED, Json(write(&state, &caller, &body.parse()?).await?)))
}

pub async fn write(state: &AppState, caller: &Caller, i: &WeeklyIn) -> ApiResult<WeeklyDetail> {
    caller.require(Permission::WriteWeeklyReports)?;
    let now = state.clock.now();
    let mut f = Faults::default();
    let unit = f.keep(outlet(state, caller, "org_unit", &i.org_unit).await)?;
    let fields = f.keep(WeeklyReport::fields(i, local_date(now)).map_err(ApiError::InvalidAll))?;
    f.check()?;
    let (Some(unit), Some((week, cp, sq, c))) = (unit, fields) else { return Err(ApiError::Internal) };
    let r = WeeklyReport {
        week: week.label(),
        consumer_protection: cp,
        service_quality: sq,
        complaints: c,
        figures: week_figures(state, unit.id, week).await?,
        written_by: caller.user.username.clone(),
        written_at: now,
        sent_back: Vec::new(),
        signed: None,
    };
    let id = state.store.add_entry(&write_of(unit.id, &unit.path, &r)?, caller.user.id, now.timestamp_millis()).await?;
    detail(state, caller, id).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewriteReport {
    /// The version rewritten: an older one is refused (409).
    pub version: i64,
    /// Why it is changed: required once the bank's grace period has passed.
    #[serde(default)]
    pub reason: Option<String>,
    /// The report whole (`org_unit` and `week` stay).
    pub record: WeeklyIn,
}

/// Writes a report again (before it is signed, and after it is sent back): the figures are read
/// again and the earlier version kept.
#[utoipa::path(patch, path = "/api/v1/weekly-reports/{id}", tag = "workbook", params(("id" = i64, Path)), request_body = RewriteReport,
    responses((status = 200, body = WeeklyDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn rewrite_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<RewriteReport>,
) -> ApiResult<Json<WeeklyDetail>> {
    for_writer(&state, &caller, id).await?;
    Ok(Json(rewrite(&state, &caller, id, &body.parse()?).await?))
}

async fn for_writer(state: &AppState, caller: &Caller, id: i64) -> ApiResult<EntryRow> {
    caller.require(Permission::WriteWeeklyReports)?;
    let e = super::visible(state, caller, REGISTER, id).await?;
    if !writer_side(caller, &e) {
        return Err(ApiError::forbidden_role());
    }
    Ok(e)
}

async fn for_signer(state: &AppState, caller: &Caller, id: i64) -> ApiResult<EntryRow> {
    caller.require(Permission::SignWeeklyReports)?;
    let e = super::visible(state, caller, REGISTER, id).await?;
    if !signer(caller, &e) {
        return Err(ApiError::forbidden_role());
    }
    Ok(e)
}

fn refused(r: SignRefusal) -> ApiError {
    match r {
        SignRefusal::NotNow(s) => ApiError::Conflict(Msg::new(
            Lang::Zh.format("problem.weekly_not_now", &[("state", &Lang::Zh.name(s))]),
            Lang::En.format("problem.weekly_not_now", &[("state", &Lang::En.name(s))]),
        )),
        SignRefusal::OwnReport => ApiError::Forbidden(Msg::of("problem.own_report")),
        SignRefusal::Invalid(f) => ApiError::InvalidAll(f),
    }
}

pub async fn rewrite(state: &AppState, caller: &Caller, id: i64, b: &RewriteReport) -> ApiResult<WeeklyDetail> {
    let e = for_writer(state, caller, id).await?;
    let mut r = record_of(&e)?;
    r.editable().map_err(refused)?;
    let now = state.clock.now();
    let mut f = Faults::default();
    if b.record.org_unit.trim() != e.org_code {
        f.add(FieldError::because("record.org_unit", "field.unit_stays").with("code", &e.org_code));
    }
    if b.record.week.trim() != r.week {
        f.add(FieldError::because("record.week", "field.week_stays").with("value", &r.week));
    }
    let fields = f.keep(WeeklyReport::fields(&b.record, local_date(now)).map_err(ApiError::InvalidAll))?;
    let reason = f.keep(super::edit_reason(state, &e, b.reason.as_deref()))?;
    f.check()?;
    let (Some((week, cp, sq, c)), Some(reason)) = (fields, reason) else { return Err(ApiError::Internal) };
    (r.consumer_protection, r.service_quality, r.complaints) = (cp, sq, c);
    r.figures = week_figures(state, e.org_unit_id, week).await?;
    r.written_by = caller.user.username.clone();
    r.written_at = now;
    let w = write_of(e.org_unit_id, &e.org_path, &r)?;
    let change = Change::Edit { reason: reason.as_deref() };
    if !state.store.change_entry(id, b.version, &w, change, caller.user.id, now.timestamp_millis()).await? {
        return Err(ApiError::Conflict(Msg::of("problem.edited_since")));
    }
    detail(state, caller, id).await
}

/// A weekly report with its files, earlier versions and what the caller may do.
#[utoipa::path(get, path = "/api/v1/weekly-reports/{id}", tag = "workbook", params(("id" = i64, Path)),
    responses((status = 200, body = WeeklyDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WeeklyDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

async fn sign_step(
    state: &AppState,
    caller: &Caller,
    e: EntryRow,
    step: &'static str,
    apply: impl FnOnce(&mut WeeklyReport, Instant) -> Result<(), SignRefusal>,
) -> ApiResult<WeeklyDetail> {
    let mut r = record_of(&e)?;
    let now = state.clock.now();
    apply(&mut r, now).map_err(refused)?;
    let w = write_of(e.org_unit_id, &e.org_path, &r)?;
    if !state
        .store
        .change_entry(e.id, e.version, &w, Change::Step(step), caller.user.id, now.timestamp_millis())
        .await?
    {
        return Err(ApiError::Conflict(Msg::of("problem.edited_since")));
    }
    detail(state, caller, e.id).await
}

/// The outlet head signs off the report: it reaches the centre.
#[utoipa::path(post, path = "/api/v1/weekly-reports/{id}/sign_off", tag = "workbook", params(("id" = i64, Path)),
    responses((status = 200, body = WeeklyDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn sign_off_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WeeklyDetail>> {
    Ok(Json(sign_off(&state, &caller, id).await?))
}

pub async fn sign_off(state: &AppState, caller: &Caller, id: i64) -> ApiResult<WeeklyDetail> {
    let e = for_signer(state, caller, id).await?;
    let by = caller.user.username.clone();
    sign_step(state, caller, e, "sign_off", |r, now| r.sign_off(&by, now)).await
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBackIn {
    /// What is to be written again.
    pub reason: String,
}

/// The outlet head sends the report back with a reason, to be written again.
#[utoipa::path(post, path = "/api/v1/weekly-reports/{id}/send_back", tag = "workbook", params(("id" = i64, Path)), request_body = SendBackIn,
    responses((status = 200, body = WeeklyDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn send_back_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<SendBackIn>,
) -> ApiResult<Json<WeeklyDetail>> {
    for_signer(&state, &caller, id).await?;
    Ok(Json(send_back(&state, &caller, id, &body.parse()?).await?))
}

pub async fn send_back(state: &AppState, caller: &Caller, id: i64, b: &SendBackIn) -> ApiResult<WeeklyDetail> {
    let e = for_signer(state, caller, id).await?;
    let by = caller.user.username.clone();
    sign_step(state, caller, e, "send_back", |r, now| r.send_back(&by, &b.reason, now)).await
}

/// Adds a file to a report not yet signed (multipart, field `file`).
#[utoipa::path(post, path = "/api/v1/weekly-reports/{id}/files", tag = "workbook", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::api::attachments::UploadForm, description = "the file, in a field named `file`"),
    responses((status = 201, body = FileView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload_report_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    let e = for_writer(&state, &caller, id).await?;
    let m = m.map_err(|_| crate::api::attachments::bad_multipart())?;
    let (name, data) = crate::api::attachments::read_only_file(m).await?;
    Ok((StatusCode::CREATED, Json(attach(&state, &caller, &e, &name, &data).await?)))
}

pub async fn attach(state: &AppState, caller: &Caller, e: &EntryRow, name: &str, data: &[u8]) -> ApiResult<FileView> {
    record_of(e)?.editable().map_err(refused)?;
    super::attach(state, caller, e, name, data).await
}

/// The week's figures a new report of the outlet is prefilled with (`week` default last week).
#[utoipa::path(get, path = "/api/v1/weekly-reports/prefill", tag = "workbook",
    params(("org_unit" = String, Query), ("week" = Option<String>, Query)),
    responses((status = 200, body = WeekFigures), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn prefill_figures(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<WeekFigures>> {
    Ok(Json(prefill(&state, &caller, &p).await?))
}

pub async fn prefill(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<WeekFigures> {
    caller.require(Permission::WriteWeeklyReports)?;
    let mut f = Faults::default();
    let code = p.get("org_unit").cloned().unwrap_or_else(|| caller.user.org_code.clone());
    let unit = f.keep(outlet(state, caller, "org_unit", &code).await)?;
    let week = f.keep(week_param(state, p))?;
    f.check()?;
    let (Some(unit), Some(week)) = (unit, week) else { return Err(ApiError::Internal) };
    week_figures(state, unit.id, week).await
}

/// `week` of the query (default: last week).
pub fn week_param(state: &AppState, p: &Params) -> ApiResult<IsoWeek> {
    match p.get("week").map(|w| w.trim()).filter(|w| !w.is_empty()) {
        Some(w) => IsoWeek::parse("week", w).map_err(ApiError::Invalid),
        None => Ok(IsoWeek::of(local_date(state.clock.now())).previous()),
    }
}

/// The list's filters: those every register has, `week` and `state`.
pub async fn query(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<ListQuery> {
    let mut f = Faults::default();
    let q = f.keep(list_query(state, caller, p).await)?;
    let week = super::choice_param(&mut f, p, "week", |n, s| IsoWeek::parse(n, s).map(|w| w.label()))?;
    let st = super::choice_param(&mut f, p, "state", |n, s| WeeklyState::parse(n, s).map(|s| s.as_str().into()))?;
    f.check()?;
    let mut q = q.ok_or(ApiError::Internal)?;
    q.filter.code = week;
    q.filter.state = st;
    Ok(q)
}

/// Weekly reports of a unit's subtree (default the caller's own), newest week first: filters
/// `from`, `to` (dates of the weeks' Mondays), `week`, `state`, `sort`.
#[utoipa::path(get, path = "/api/v1/weekly-reports", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("week" = Option<String>, Query), ("state" = Option<String>, Query), ("sort" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<WeeklyView>), (status = 422, body = crate::error::Problem)))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<WeeklyView>>> {
    Ok(Json(list(&state, &caller, &p).await?))
}

pub async fn list(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Paged<WeeklyView>> {
    let q = query(state, caller, p).await?;
    let (rows, total) = super::page_rows(state, REGISTER, &q).await?;
    let shown = rows.as_slice();
    let items = shown.iter().map(|e| Ok(view(state, e, &record_of(e)?))).collect::<ApiResult<_>>()?;
    Ok(Paged { items, total, page: q.page, per_page: q.filter.limit })
}

/// The list's selection (without paging) as an XLSX workbook, in the reader's language.
#[utoipa::path(get, path = "/api/v1/weekly-reports/export", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("week" = Option<String>, Query), ("state" = Option<String>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = crate::error::Problem)))]
pub async fn export_reports(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(p): Query<Params>,
) -> ApiResult<Response> {
    export(&state, &caller, Lang::from_headers(&headers), &p).await
}

pub async fn export(state: &AppState, caller: &Caller, lang: Lang, p: &Params) -> ApiResult<Response> {
    use super::sheet::Cell;
    let q = query(state, caller, p).await?;
    let rows = super::all_for_export(state, REGISTER, &q.filter).await?;
    let views: Vec<WeeklyView> = rows.iter().map(|e| Ok(view(state, e, &record_of(e)?))).collect::<ApiResult<_>>()?;
    let headers = [
        "weekly.week",
        "export.unit_code",
        "org_unit",
        "weekly.state",
        "weekly.written_by",
        "weekly.signed_by",
        "weekly.complaints_received",
        "weekly.ratings",
        "weekly.satisfied",
        "weekly.overtime_waits",
        "weekly.consumer_protection",
        "weekly.service_quality",
        "weekly.complaints",
    ];
    let lines = views.iter().map(|v| {
        vec![
            Cell::Text(v.week.clone()),
            Cell::Text(v.org_unit.code.clone()),
            Cell::Text(v.org_unit.name.clone()),
            Cell::Text(lang.name(v.state).to_string()),
            Cell::Text(v.written_by.clone()),
            Cell::Text(v.signed_by.clone().unwrap_or_default()),
            Cell::Number(v.figures.complaints_received),
            Cell::Number(v.figures.ratings),
            Cell::Number(v.figures.satisfied),
            Cell::Number(v.figures.overtime_waits),
            Cell::Text(v.consumer_protection.clone()),
            Cell::Text(v.service_quality.clone()),
            Cell::Text(v.complaints.clone()),
        ]
    });
    let title = crate::tr!(lang, "weekly.export_title", unit = &q.unit.name);
    let bytes = super::sheet::workbook(&title, lang.t("weekly.title"), &headers.map(|h| lang.t(h)), lines);
    crate::api::complaints::xlsx_download(&format!("weekly-reports-{}.xlsx", q.unit.code), bytes)
}

/// An outlet without a signed report of the week.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MissingOutlet {
    pub org_unit: UnitRef,
    /// Its report, when one is written but not signed.
    pub report: Option<i64>,
    pub state: Option<WeeklyState>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MissingReports {
    pub org_unit: UnitRef,
    pub week: String,
    pub due_at: String,
    /// The deadline has passed: the outlets listed are late.
    pub past_due: bool,
    pub outlets: i64,
    pub signed: i64,
    pub missing: Vec<MissingOutlet>,
}

/// The outlets of a unit's subtree (default the caller's own) without a signed report of `week`
/// (default last week), with whether its deadline has passed (managers).
#[utoipa::path(get, path = "/api/v1/weekly-reports/missing", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("week" = Option<String>, Query)),
    responses((status = 200, body = MissingReports), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn missing_reports(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<MissingReports>> {
    Ok(Json(missing(&state, &caller, &p).await?))
}

pub async fn missing(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<MissingReports> {
    caller.require(Permission::ReadWorkbook)?;
    if !(caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService)) {
        return Err(ApiError::forbidden_role());
    }
    let mut f = Faults::default();
    let unit = f.keep(crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await)?;
    let week = f.keep(week_param(state, p))?;
    f.check()?;
    let (Some(unit), Some(week)) = (unit, week) else { return Err(ApiError::Internal) };
    let (outlets, missing) = missing_of(state, &unit.path, week).await?;
    let due = due_at(state, week);
    Ok(MissingReports {
        org_unit: UnitRef { code: unit.code, name: unit.name },
        week: week.label(),
        due_at: rfc3339(due),
        past_due: state.clock.now() > due,
        outlets,
        signed: outlets - missing.len() as i64,
        missing,
    })
}

/// The outlets of the subtree at `path` and those without a signed report of `week`.
pub async fn missing_of(state: &AppState, path: &str, week: IsoWeek) -> ApiResult<(i64, Vec<MissingOutlet>)> {
    let outlets = state.store.outlets_under(path).await?;
    let filter = EntryFilter {
        path: path.to_string(),
        code: Some(week.label()),
        limit: crate::export::MAX_EXPORT_ROWS,
        ..Default::default()
    };
    let (rows, _) = state.store.entries(REGISTER.as_str(), &filter).await?;
    let by_unit: std::collections::HashMap<i64, &EntryRow> = rows.iter().map(|e| (e.org_unit_id, e)).collect();
    let mut missing = Vec::new();
    for o in &outlets {
        let report = by_unit.get(&o.id);
        if report.is_some_and(|e| e.state == WeeklyState::Signed.as_str()) {
            continue;
        }
        missing.push(MissingOutlet {
            org_unit: UnitRef { code: o.code.clone(), name: o.name.clone() },
            report: report.map(|e| e.id),
            state: report.and_then(|e| WeeklyState::parse("state", &e.state).ok()),
        });
    }
    Ok((outlets.len() as i64, missing))
}
