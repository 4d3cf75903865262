//! The consumer-protection workbook (DESIGN §4): one module per register, and what they share —
//! reading a record in scope (out of scope reads as not found), the list's filters and paging, the
//! edit rule (a reason after the grace period; every earlier version kept), files, the bank's
//! workbook rules, and the figures per unit and month.

pub mod figures;
pub mod fraud;
pub mod review;
pub mod sheet;
pub mod weekly;

pub use xiaobao_core::workbook::month_of;

use crate::api::query::{Params, paging};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Serialize;
use sha2::Digest;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::access::{may_edit_workbook_entry, may_see_workbook_entry};
use xiaobao_core::role::Permission;
use xiaobao_core::time::{from_millis, rfc3339, start_of_local_day};
use xiaobao_core::workbook::{Register, WorkbookRules};
use xiaobao_store::OrgUnitRow;
use xiaobao_store::workbook::{EntryFilter, EntryRow, VersionRow};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(fraud::routes())
        .merge(review::routes())
        .merge(weekly::routes())
        .merge(figures::routes())
        .routes(routes!(get_workbook_rules, put_workbook_rules))
}

/// The bank's workbook rules.
#[utoipa::path(get, path = "/api/v1/workbook/rules", tag = "workbook", responses((status = 200, body = WorkbookRules)))]
pub async fn get_workbook_rules(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<WorkbookRules>> {
    caller.require(Permission::ReadWorkbook)?;
    Ok(Json(state.store.rules().workbook.clone()))
}

/// Replaces the workbook rules (the consumer-protection centre, admins).
#[utoipa::path(put, path = "/api/v1/workbook/rules", tag = "workbook", request_body = WorkbookRules,
    responses((status = 200, body = WorkbookRules), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_workbook_rules(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<WorkbookRules>,
) -> ApiResult<Json<WorkbookRules>> {
    caller.require(Permission::ConfigureMeasures)?;
    let rules = body.parse()?;
    rules.check().map_err(ApiError::InvalidAll)?;
    let audit = xiaobao_store::Audit {
        by: caller.user.id,
        at_ms: state.clock.now().timestamp_millis(),
        subject: "workbook_rules",
        what: serde_json::to_string(&rules).unwrap_or_default(),
    };
    state.store.set_workbook_rules(&rules, &audit).await?;
    Ok(Json(rules))
}

/// Who made or last changed a record, and when; its version (send it back with an edit).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Provenance {
    pub version: i64,
    pub recorded_by: String,
    pub recorded_by_name: String,
    pub recorded_at: String,
    pub updated_by: String,
    pub updated_at: String,
}

impl From<&EntryRow> for Provenance {
    fn from(r: &EntryRow) -> Self {
        Self {
            version: r.version,
            recorded_by: r.created_by.clone(),
            recorded_by_name: r.created_by_name.clone(),
            recorded_at: rfc3339(from_millis(r.created_at)),
            updated_by: r.updated_by.clone(),
            updated_at: rfc3339(from_millis(r.updated_at)),
        }
    }
}

/// An earlier version of a record, as an edit replaced it, with the edit's reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub org_unit: crate::api::measures::UnitRef,
    pub made_by: String,
    pub made_at: String,
    pub replaced_by: String,
    pub replaced_at: String,
    pub reason: Option<String>,
    /// The record's fields as they were.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

impl From<&VersionRow> for VersionView {
    fn from(v: &VersionRow) -> Self {
        Self {
            version: v.version,
            org_unit: crate::api::measures::UnitRef { code: v.org_code.clone(), name: v.org_name.clone() },
            made_by: v.made_by.clone(),
            made_at: rfc3339(from_millis(v.made_at)),
            replaced_by: v.replaced_by.clone(),
            replaced_at: rfc3339(from_millis(v.replaced_at)),
            reason: v.reason.clone(),
            record: serde_json::from_str(&v.data).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// A record of `register` the caller may read, else not found (also for another register's id).
pub async fn visible(state: &AppState, caller: &Caller, register: Register, id: i64) -> ApiResult<EntryRow> {
    caller.require(Permission::ReadWorkbook)?;
    state
        .store
        .entry(register.as_str(), id)
        .await?
        .filter(|e| may_see_workbook_entry(caller.viewer(), &e.org_path))
        .ok_or(ApiError::NotFound)
}

/// A record the caller may correct: read in scope first (else 404), then the edit rule (else 403).
pub async fn editable(state: &AppState, caller: &Caller, register: Register, id: i64) -> ApiResult<EntryRow> {
    caller.require(Permission::RecordWorkbook)?;
    let e = visible(state, caller, register, id).await?;
    if !may_edit_workbook_entry(caller.viewer(), caller.user.role, &e.org_path, e.created_by_id) {
        return Err(ApiError::forbidden_role());
    }
    Ok(e)
}

/// The reason an edit of `e` carries under the bank's rules (required after the grace period).
pub fn edit_reason(state: &AppState, e: &EntryRow, reason: Option<&str>) -> ApiResult<Option<String>> {
    state
        .store
        .rules()
        .workbook
        .edit_reason(from_millis(e.created_at), state.clock.now(), reason)
        .map_err(ApiError::Invalid)
}

/// A list's filters shared by every register: `org_unit` (its subtree; default the caller's own),
/// `from` and `to` (dates, both included), `sort` (`newest`, the default, or `oldest`) and paging.
pub struct ListQuery {
    pub unit: OrgUnitRow,
    pub filter: EntryFilter,
    pub page: i64,
}

pub async fn list_query(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<ListQuery> {
    caller.require(Permission::ReadWorkbook)?;
    let mut faults = crate::error::Faults::default();
    let unit = faults.keep(crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await)?;
    let from = faults.keep(date(p, "from"))?.flatten();
    let to = faults.keep(date(p, "to"))?.flatten();
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        faults.add(xiaobao_core::FieldError::because("to", "field.date_range"));
    }
    let newest_first = match p.get("sort").map(|s| s.trim()) {
        None | Some("") | Some("newest") => true,
        Some("oldest") => false,
        Some(other) => {
            faults.add(
                xiaobao_core::FieldError::because("sort", "field.unknown_choice")
                    .with("value", other)
                    .with("choices", "newest, oldest"),
            );
            true
        }
    };
    let paged = faults.keep(paging(p))?;
    faults.check()?;
    let (Some(unit), Some((offset, limit, page))) = (unit, paged) else { return Err(ApiError::Internal) };
    let filter = EntryFilter {
        path: unit.path.clone(),
        from: from.map(|d| start_of_local_day(d).timestamp_millis()),
        to: to.and_then(|d| d.succ_opt()).map(|d| start_of_local_day(d).timestamp_millis()),
        newest_first,
        limit,
        offset,
        ..Default::default()
    };
    Ok(ListQuery { unit, filter, page })
}

/// A list's filter `name` given as a code: none when blank, else its code as `parse` reads it, a
/// fault kept in `f` to be told with the others.
pub fn choice_param(
    f: &mut crate::error::Faults,
    p: &Params,
    name: &str,
    parse: impl Fn(&str, &str) -> Result<String, xiaobao_core::FieldError>,
) -> ApiResult<Option<String>> {
    match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => f.keep(parse(name, s).map_err(ApiError::Invalid)),
        None => Ok(None),
    }
}

fn date(p: &Params, name: &str) -> ApiResult<Option<NaiveDate>> {
    match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| ApiError::invalid(name, "field.date"))
        }
    }
}

/// The page of records a list's query selects (without the look-ahead row), with the total.
pub async fn page_rows(state: &AppState, register: Register, q: &ListQuery) -> ApiResult<(Vec<EntryRow>, i64)> {
    let (mut rows, total) = state.store.entries(register.as_str(), &q.filter).await?;
    rows.truncate(q.filter.limit.max(0) as usize);
    Ok((rows, total))
}

/// Every record a list's filter selects, for an export (refused above the export cap).
pub async fn all_for_export(state: &AppState, register: Register, f: &EntryFilter) -> ApiResult<Vec<EntryRow>> {
    let mut f = f.clone();
    f.offset = 0;
    f.limit = crate::export::MAX_EXPORT_ROWS;
    let (rows, total) = state.store.entries(register.as_str(), &f).await?;
    if total > crate::export::MAX_EXPORT_ROWS {
        return Err(ApiError::Invalid(
            xiaobao_core::FieldError::because("filter", "field.export_too_many")
                .with("max_export_rows", crate::export::MAX_EXPORT_ROWS)
                .with("total", total),
        ));
    }
    Ok(rows)
}

/// Attaches a checked file (photos, documents, recordings) to a record the caller may correct.
pub async fn attach(
    state: &AppState,
    caller: &Caller,
    e: &EntryRow,
    name: &str,
    data: &[u8],
) -> ApiResult<crate::api::rectifications::FileView> {
    let (name, content_type) = xiaobao_core::attachment::check(name, data).map_err(ApiError::Invalid)?;
    let sha = hex::encode(sha2::Sha256::digest(data));
    let at = state.clock.now().timestamp_millis();
    let id = state.store.add_entry_file(e.id, &name, content_type, data, &sha, caller.user.id, at).await?;
    let row = files(state, e.id).await?.into_iter().find(|f| f.id == id).ok_or(ApiError::Internal)?;
    Ok(row)
}

/// The files of a record.
pub async fn files(state: &AppState, id: i64) -> ApiResult<Vec<crate::api::rectifications::FileView>> {
    Ok(state.store.service_files(xiaobao_store::workbook::SUBJECT, id).await?.iter().map(Into::into).collect())
}

/// May the caller read the record a file belongs to (any register)?
pub async fn file_visible(state: &AppState, caller: &Caller, entry_id: i64) -> ApiResult<()> {
    caller.require(Permission::ReadWorkbook)?;
    state
        .store
        .entry_by_id(entry_id)
        .await?
        .filter(|e| may_see_workbook_entry(caller.viewer(), &e.org_path))
        .map(|_| ())
        .ok_or(ApiError::NotFound)
}
