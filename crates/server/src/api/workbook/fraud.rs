//! Fraud interceptions (诈骗堵截): recorded by whoever stopped it or their managers, read by the
//! unit's subtree; the list by unit, dates, scenario and staff member; the XLSX export; the monthly
//! list of staff who stopped fraud (for rewards in the service records).

use super::{ListQuery, Provenance, VersionView, list_query, month_of};
use crate::api::measures::UnitRef;
use crate::api::query::Params;
use crate::api::rectifications::FileView;
use crate::api::views::Paged;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::i18n::Lang;
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::money::Money;
use xiaobao_core::role::Permission;
use xiaobao_core::time::{from_millis, local_date, rfc3339, start_of_local_day};
use xiaobao_core::workbook::fraud::{Interception, InterceptionIn, Place, Scenario};
use xiaobao_core::workbook::{CustomerGroup, Register};
use xiaobao_store::workbook::{Change, EntryRow, EntryWrite};

const REGISTER: Register = Register::FraudInterception;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_interception, list_interceptions))
        .routes(routes!(export_interceptions))
        .routes(routes!(interception_staff))
        .routes(routes!(get_interception, edit_interception))
        .routes(routes!(upload_interception_file))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffRef {
    pub username: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterceptionView {
    pub id: i64,
    pub org_unit: UnitRef,
    pub occurred_at: String,
    pub scenario: Scenario,
    pub scenario_other: Option<String>,
    #[serde(rename = "where")]
    pub place: Place,
    pub where_other: Option<String>,
    pub customer_groups: Vec<CustomerGroup>,
    /// Yuan with two decimals.
    pub amount_protected: String,
    pub staff: Vec<StaffRef>,
    pub police_called: bool,
    pub description: String,
    #[serde(flatten)]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterceptionDetail {
    pub interception: InterceptionView,
    pub files: Vec<FileView>,
    /// The versions edits replaced, oldest first.
    pub versions: Vec<VersionView>,
    /// Whether the caller may correct it (and attach files).
    pub may_edit: bool,
}

/// The record a row holds.
fn record_of(e: &EntryRow) -> ApiResult<Interception> {
    serde_json::from_str(&e.data).map_err(|err| {
        tracing::error!(id = e.id, error = %err, "a stored fraud interception cannot be read");
        ApiError::Internal
    })
}

/// The rows as views, the staff named by their display names.
pub async fn views(state: &AppState, rows: &[EntryRow]) -> ApiResult<Vec<InterceptionView>> {
    let records: Vec<Interception> = rows.iter().map(record_of).collect::<ApiResult<_>>()?;
    let mut names: Vec<String> = records.iter().flat_map(|r| r.staff.iter().cloned()).collect();
    names.sort();
    names.dedup();
    let known = state.store.display_names(&names).await?;
    Ok(rows
        .iter()
        .zip(records)
        .map(|(e, r)| InterceptionView {
            id: e.id,
            org_unit: UnitRef { code: e.org_code.clone(), name: e.org_name.clone() },
            occurred_at: rfc3339(r.occurred_at),
            scenario: r.scenario,
            scenario_other: r.scenario_other,
            place: r.place,
            where_other: r.place_other,
            customer_groups: r.customer_groups,
            amount_protected: r.amount_protected.to_string(),
            staff: r
                .staff
                .into_iter()
                .map(|u| StaffRef { name: known.get(&u).cloned().unwrap_or_else(|| u.clone()), username: u })
                .collect(),
            police_called: r.police_called,
            description: r.description,
            provenance: e.into(),
        })
        .collect())
}

/// What is written for `i`: every field checked at once, the unit in the caller's scope, each
/// staff member an employee of the caller's subtree.
async fn checked(state: &AppState, caller: &Caller, i: &InterceptionIn) -> ApiResult<EntryWrite> {
    let mut f = Faults::default();
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", &i.org_unit).await)?;
    let record = f.keep(Interception::parse(i, state.clock.now()).map_err(ApiError::InvalidAll))?;
    let mut people = Vec::new();
    if record.is_some() {
        let mut seen: Vec<&str> = Vec::new();
        for (n, s) in i.staff.iter().enumerate() {
            let s = s.trim();
            if seen.contains(&s) {
                continue;
            }
            seen.push(s);
            if let Some(u) =
                f.keep(crate::api::service_records::employee(state, caller, &format!("staff[{n}]"), s).await)?
            {
                people.push(u.id);
            }
        }
    }
    f.check()?;
    let (Some(unit), Some(record)) = (unit, record) else { return Err(ApiError::Internal) };
    Ok(EntryWrite {
        register: REGISTER.as_str(),
        org_unit_id: unit.id,
        org_path: unit.path,
        occurred_at: record.occurred_at.timestamp_millis(),
        month: month_of(record.occurred_at),
        code: record.scenario.as_str().to_string(),
        amount_fen: record.amount_protected.fen(),
        data: serde_json::to_string(&record).map_err(|_| ApiError::Internal)?,
        people,
        state: "recorded".into(),
        marks: Vec::new(),
    })
}

/// Records a fraud interception.
#[utoipa::path(post, path = "/api/v1/fraud-interceptions", tag = "workbook", request_body = InterceptionIn,
    responses((status = 201, body = InterceptionDetail), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_interception(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<InterceptionIn>,
) -> ApiResult<(StatusCode, Json<InterceptionDetail>)> {
    caller.require(Permission::RecordWorkbook)?;
    Ok((StatusCode::CREATED, Json(create(&state, &caller, &body.parse()?).await?)))
}

pub async fn create(state: &AppState, caller: &Caller, i: &InterceptionIn) -> ApiResult<InterceptionDetail> {
    caller.require(Permission::RecordWorkbook)?;
    let w = checked(state, caller, i).await?;
    let id = state.store.add_entry(&w, caller.user.id, state.clock.now().timestamp_millis()).await?;
    detail(state, caller, id).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInterception {
    /// The version edited (from the record): an edit of an older one is refused (409).
    pub version: i64,
    /// Why it is corrected: required once the bank's grace period after recording has passed.
    #[serde(default)]
    pub reason: Option<String>,
    /// The record whole, as it should now read.
    pub record: InterceptionIn,
}

/// Corrects a fraud interception: its maker or a manager of its unit; the earlier version is kept.
#[utoipa::path(patch, path = "/api/v1/fraud-interceptions/{id}", tag = "workbook", params(("id" = i64, Path)), request_body = EditInterception,
    responses((status = 200, body = InterceptionDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn edit_interception(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<EditInterception>,
) -> ApiResult<Json<InterceptionDetail>> {
    super::editable(&state, &caller, REGISTER, id).await?;
    Ok(Json(edit(&state, &caller, id, &body.parse()?).await?))
}

pub async fn edit(state: &AppState, caller: &Caller, id: i64, b: &EditInterception) -> ApiResult<InterceptionDetail> {
    let e = super::editable(state, caller, REGISTER, id).await?;
    let mut f = Faults::default();
    let w = f.keep(checked(state, caller, &b.record).await)?;
    let reason = f.keep(super::edit_reason(state, &e, b.reason.as_deref()))?;
    f.check()?;
    let (Some(w), Some(reason)) = (w, reason) else { return Err(ApiError::Internal) };
    let at = state.clock.now().timestamp_millis();
    if !state
        .store
        .change_entry(id, b.version, &w, Change::Edit { reason: reason.as_deref() }, caller.user.id, at)
        .await?
    {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.edited_since")));
    }
    detail(state, caller, id).await
}

/// A fraud interception with its files and earlier versions.
#[utoipa::path(get, path = "/api/v1/fraud-interceptions/{id}", tag = "workbook", params(("id" = i64, Path)),
    responses((status = 200, body = InterceptionDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_interception(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InterceptionDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<InterceptionDetail> {
    let e = super::visible(state, caller, REGISTER, id).await?;
    let may_edit =
        xiaobao_core::access::may_edit_workbook_entry(caller.viewer(), caller.user.role, &e.org_path, e.created_by_id);
    let interception = views(state, std::slice::from_ref(&e)).await?.pop().ok_or(ApiError::Internal)?;
    Ok(InterceptionDetail {
        interception,
        files: super::files(state, id).await?,
        versions: state.store.entry_versions(id).await?.iter().map(Into::into).collect(),
        may_edit,
    })
}

/// The list's filters: those every register has, and `scenario` and `staff` (a username).
pub async fn query(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<ListQuery> {
    let mut f = Faults::default();
    let q = f.keep(list_query(state, caller, p).await)?;
    let code = super::choice_param(&mut f, p, "scenario", |n, s| Scenario::parse(n, s).map(|k| k.as_str().into()))?;
    let mut person = None;
    if let Some(u) = p.get("staff").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        person = f.keep(crate::api::service_records::employee(state, caller, "staff", u).await)?.map(|u| u.id);
    }
    f.check()?;
    let mut q = q.ok_or(ApiError::Internal)?;
    q.filter.code = code;
    q.filter.person = person;
    Ok(q)
}

/// Fraud interceptions of a unit's subtree (default the caller's own), newest first: filters
/// `from`, `to` (dates, both included), `scenario`, `staff` (username), `sort` (newest, oldest).
#[utoipa::path(get, path = "/api/v1/fraud-interceptions", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("scenario" = Option<String>, Query), ("staff" = Option<String>, Query), ("sort" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<InterceptionView>), (status = 422, body = crate::error::Problem)))]
pub async fn list_interceptions(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<InterceptionView>>> {
    Ok(Json(list(&state, &caller, &p).await?))
}

pub async fn list(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Paged<InterceptionView>> {
    let q = query(state, caller, p).await?;
    let (rows, total) = super::page_rows(state, REGISTER, &q).await?;
    let shown = rows.as_slice();
    Ok(Paged { items: views(state, shown).await?, total, page: q.page, per_page: q.filter.limit })
}

/// The list's selection (without paging) as an XLSX workbook, in the reader's language.
#[utoipa::path(get, path = "/api/v1/fraud-interceptions/export", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("scenario" = Option<String>, Query), ("staff" = Option<String>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = crate::error::Problem)))]
pub async fn export_interceptions(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(p): Query<Params>,
) -> ApiResult<Response> {
    export(&state, &caller, Lang::from_headers(&headers), &p).await
}

pub async fn export(state: &AppState, caller: &Caller, lang: Lang, p: &Params) -> ApiResult<Response> {
    let q = query(state, caller, p).await?;
    let rows = super::all_for_export(state, REGISTER, &q.filter).await?;
    let views = views(state, &rows).await?;
    let name = format!("fraud-interceptions-{}.xlsx", q.unit.code);
    crate::api::complaints::xlsx_download(&name, xlsx(&q.unit.name, &rows, &views, lang))
}

fn xlsx(
    unit: &str,
    rows: &[EntryRow],
    views: &[InterceptionView],
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use super::sheet::Cell;
    let headers = [
        "fraud.occurred_at",
        "export.unit_code",
        "org_unit",
        "fraud.scenario",
        "fraud.where",
        "fraud.customer_groups",
        "fraud.amount_protected",
        "fraud.staff",
        "fraud.police_called",
        "fraud.description",
        "workbook.recorded_by",
        "workbook.version",
    ];
    let lines = rows.iter().zip(views).map(|(e, v)| {
        let other = |name: &str, o: &Option<String>| match o {
            Some(o) => format!("{name}（{o}）"),
            None => name.to_string(),
        };
        vec![
            Cell::Text(shown_time(e.occurred_at)),
            Cell::Text(v.org_unit.code.clone()),
            Cell::Text(v.org_unit.name.clone()),
            Cell::Text(other(lang.name(v.scenario), &v.scenario_other)),
            Cell::Text(other(lang.name(v.place), &v.where_other)),
            Cell::Text(v.customer_groups.iter().map(|g| lang.name(*g)).collect::<Vec<_>>().join("、")),
            Cell::Money(v.amount_protected.clone()),
            Cell::Text(v.staff.iter().map(|s| format!("{} ({})", s.name, s.username)).collect::<Vec<_>>().join("、")),
            Cell::Text(lang.t(if v.police_called { "yes" } else { "no" }).to_string()),
            Cell::Text(v.description.clone()),
            Cell::Text(format!("{} ({})", v.provenance.recorded_by_name, v.provenance.recorded_by)),
            Cell::Number(v.provenance.version),
        ]
    });
    let title = crate::tr!(lang, "fraud.export_title", unit = unit);
    super::sheet::workbook(&title, lang.t("fraud.title"), &headers.map(|h| lang.t(h)), lines)
}

/// Adds a file to a fraud interception (multipart, field `file`: photos, documents, recordings).
#[utoipa::path(post, path = "/api/v1/fraud-interceptions/{id}/files", tag = "workbook", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::api::attachments::UploadForm, description = "the file, in a field named `file`"),
    responses((status = 201, body = FileView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload_interception_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    // permission and scope before the body is looked at
    let e = super::editable(&state, &caller, REGISTER, id).await?;
    let m = m.map_err(|_| crate::api::attachments::bad_multipart())?;
    let (name, data) = crate::api::attachments::read_only_file(m).await?;
    Ok((StatusCode::CREATED, Json(super::attach(&state, &caller, &e, &name, &data).await?)))
}

/// A staff member who stopped fraud in the month, with how often and the amount protected.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffTally {
    pub user: String,
    pub name: String,
    pub org_unit: String,
    pub interceptions: i64,
    /// Yuan with two decimals: the amount of the interceptions they were named on.
    pub amount_protected: String,
}

/// The staff of a unit's subtree who stopped fraud in `month` (YYYY-MM, default this one), most
/// interceptions first: the list the service records' rewards are given from (managers).
#[utoipa::path(get, path = "/api/v1/fraud-interceptions/staff", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("month" = Option<String>, Query)),
    responses((status = 200, body = Vec<StaffTally>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn interception_staff(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<StaffTally>>> {
    Ok(Json(staff(&state, &caller, &p).await?))
}

pub async fn staff(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Vec<StaffTally>> {
    if !(caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService)) {
        return Err(ApiError::forbidden_role());
    }
    let today = local_date(state.clock.now());
    let mut f = Faults::default();
    let unit = f.keep(crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await)?;
    let month = p.get("month").map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let month = month.unwrap_or_else(|| today.format("%Y-%m").to_string());
    let range = f.keep(crate::api::satisfaction_sheet::month_range(&month, today))?;
    f.check()?;
    let (Some(unit), Some((first, last))) = (unit, range) else { return Err(ApiError::Internal) };
    let end = last.succ_opt().ok_or_else(|| ApiError::Invalid(FieldError::because("month", "field.month")))?;
    let rows = state
        .store
        .entry_people_tally(
            REGISTER.as_str(),
            &unit.path,
            start_of_local_day(first).timestamp_millis(),
            start_of_local_day(end).timestamp_millis(),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffTally {
            user: r.username,
            name: r.display_name,
            org_unit: r.org_name,
            interceptions: r.records,
            amount_protected: Money::from_fen(r.amount_fen).to_string(),
        })
        .collect())
}

/// When a record's stored time is shown.
pub fn shown_time(at_ms: i64) -> String {
    xiaobao_core::time::local_minute(from_millis(at_ms))
}
