//! Rectifications (DESIGN §3): opened from an inspection's finding (`api::inspections`), a liable
//! complaint, a hot issue or a review; the owner submits with evidence, an inspector verifies or
//! sends back. Overdue ones rise a level every five working days past due (the scheduler tells the
//! owner's managers). Anyone outside the unit's subtree who does not own it reads it as not found.

use crate::api::query::{Params, paging};
use crate::api::views::Paged;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::access::{RectPlace, may_see_rectification, may_submit_rectification, may_verify_rectification};
use xiaobao_core::measure::day_number;
use xiaobao_core::role::{Permission, Role};
use xiaobao_core::service::rectification::{RectAction, RectState, Source, due_on, overdue_level};
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::service::{FileRow, NewRectification, RectFilter, RectificationRow};
use xiaobao_store::{OrgUnitRow, UserRow};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_rectification, list_rectifications))
        .routes(routes!(get_rectification))
        .routes(routes!(act_on_rectification))
        .routes(routes!(upload_evidence))
        .routes(routes!(download_file))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationView {
    pub id: i64,
    pub source: Source,
    pub source_id: Option<i64>,
    pub org_unit: crate::api::measures::UnitRef,
    pub owner: String,
    pub owner_name: String,
    pub title: String,
    pub detail: String,
    pub due_on: String,
    pub state: RectState,
    /// 0 when not overdue; 1 from the day after the due date, one more each further five working days.
    pub overdue_level: u32,
    pub created_at: String,
    pub updated_at: String,
    /// The history's last number: send it back with an action.
    pub seq: i64,
}

impl RectificationView {
    pub fn new(state: &AppState, r: &RectificationRow) -> Self {
        let today = local_date(state.clock.now());
        let rules = state.store.rules();
        let due = date_of(r.due_on);
        Self {
            id: r.id,
            source: r.source,
            source_id: r.source_id,
            org_unit: crate::api::measures::UnitRef { code: r.unit_code.clone(), name: r.unit_name.clone() },
            owner: r.owner.clone(),
            owner_name: r.owner_name.clone(),
            title: r.title.clone(),
            detail: r.detail.clone(),
            due_on: due.to_string(),
            state: r.state,
            overdue_level: overdue_level(&rules.calendar, r.state, due, today),
            created_at: rfc3339(from_millis(r.created_at)),
            updated_at: rfc3339(from_millis(r.updated_at)),
            seq: r.last_seq,
        }
    }
}

pub fn date_of(n: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(n / 10_000, (n / 100 % 100) as u32, (n % 100) as u32).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectEventView {
    pub seq: i64,
    /// open, submit, verify, send_back or escalate.
    pub action: String,
    pub by: Option<String>,
    pub by_name: Option<String>,
    pub at: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub url: String,
}

impl From<&FileRow> for FileView {
    fn from(f: &FileRow) -> Self {
        Self {
            id: f.id,
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            sha256: f.sha256.clone(),
            uploaded_by: f.uploaded_by.clone(),
            uploaded_at: rfc3339(from_millis(f.uploaded_at)),
            url: format!("/api/v1/service-files/{}", f.id),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationDetail {
    pub rectification: RectificationView,
    pub history: Vec<RectEventView>,
    pub evidence: Vec<FileView>,
    /// What the caller may do now: submit, verify, send_back.
    pub actions: Vec<RectAction>,
}

fn place(r: &RectificationRow) -> RectPlace<'_> {
    RectPlace { unit_path: &r.unit_path, owner_id: r.owner_id }
}

/// A rectification the caller may see (else not found).
pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<RectificationRow> {
    state
        .store
        .rectification(id)
        .await?
        .filter(|r| may_see_rectification(caller.viewer(), place(r)))
        .ok_or(ApiError::NotFound)
}

/// What the caller may do to `r` now.
pub fn actions_for(caller: &Caller, r: &RectificationRow) -> Vec<RectAction> {
    let mut out = Vec::new();
    if RectAction::Submit.next(r.state).is_some()
        && may_submit_rectification(caller.viewer(), caller.user.role, place(r))
    {
        out.push(RectAction::Submit);
    }
    if r.state == RectState::Submitted && may_verify_rectification(caller.viewer(), caller.user.role, place(r)) {
        out.extend([RectAction::Verify, RectAction::SendBack]);
    }
    out
}

pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<RectificationDetail> {
    let r = visible(state, caller, id).await?;
    let history = state
        .store
        .rectification_events(id)
        .await?
        .into_iter()
        .map(|e| RectEventView {
            seq: e.seq,
            action: e.action,
            by: e.by,
            by_name: e.by_name,
            at: rfc3339(from_millis(e.at)),
            note: e.note,
        })
        .collect();
    let evidence = state.store.service_files("rectification", id).await?.iter().map(Into::into).collect();
    Ok(RectificationDetail {
        actions: actions_for(caller, &r),
        rectification: RectificationView::new(state, &r),
        history,
        evidence,
    })
}

/// The active user `username` of `unit` (or of its subtree) who is to put something right; without a
/// name, the unit's head.
pub async fn owner_in_unit(
    state: &AppState,
    unit: &OrgUnitRow,
    field: &str,
    username: Option<&str>,
) -> ApiResult<UserRow> {
    match username.map(str::trim).filter(|u| !u.is_empty()) {
        Some(name) => state
            .store
            .user_by_username(name)
            .await?
            .filter(|u| u.active && xiaobao_core::org::in_subtree(&unit.path, &u.org_path))
            .ok_or_else(|| {
                ApiError::Invalid(
                    FieldError::because(field, "field.unknown_teller").with("code", &unit.code).with("name", name),
                )
            }),
        None => state
            .store
            .users_in_subtree(&unit.path, 0, 500)
            .await?
            .into_iter()
            .find(|u| u.active && u.org_unit_id == unit.id && u.role == Role::OutletHead)
            .ok_or_else(|| {
                ApiError::Invalid(FieldError::because(field, "field.owner_needed").with("code", &unit.code))
            }),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRectification {
    /// liable_complaint, hot_issue or review (findings open theirs with the inspection).
    pub source: String,
    /// The complaint's number, the hot issue's id or the review's reference.
    #[serde(default)]
    pub source_ref: Option<String>,
    /// The unit that must put it right.
    pub org_unit: String,
    /// Its username (default: the unit's head).
    #[serde(default)]
    pub owner: Option<String>,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// YYYY-MM-DD (default: ten working days on).
    #[serde(default)]
    pub due_on: Option<String>,
}

/// Opens a rectification (inspectors).
#[utoipa::path(post, path = "/api/v1/rectifications", tag = "inspections", request_body = CreateRectification,
    responses((status = 201, body = RectificationDetail), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_rectification(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateRectification>,
) -> ApiResult<(StatusCode, Json<RectificationDetail>)> {
    caller.require(Permission::Inspect)?;
    Ok((StatusCode::CREATED, Json(open(&state, &caller, body.parse()?).await?)))
}

pub async fn open(state: &AppState, caller: &Caller, req: CreateRectification) -> ApiResult<RectificationDetail> {
    caller.require(Permission::Inspect)?;
    let now = state.clock.now();
    let today = local_date(now);
    let mut f = Faults::default();
    let source = f.keep(Source::parse("source", req.source.trim()).map_err(ApiError::Invalid))?;
    if source == Some(Source::InspectionFinding) {
        f.add(FieldError::because("source", "field.finding_with_inspection"));
    }
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await)?;
    let owner = match &unit {
        Some(u) => f.keep(owner_in_unit(state, u, "owner", req.owner.as_deref()).await)?,
        None => None,
    };
    let title = f.keep(bounded("title", &req.title, 1, limits::SUMMARY).map_err(ApiError::Invalid))?;
    let detail_text = f.keep(bounded("detail", &req.detail, 0, limits::TEXT).map_err(ApiError::Invalid))?;
    let asked = match req.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| FieldError::because("due_on", "field.date"))
        }
    };
    let due = match asked {
        Ok(a) => f.keep(due_on(&state.store.rules().calendar, today, a, "due_on").map_err(ApiError::Invalid))?,
        Err(e) => {
            f.add(e);
            None
        }
    };
    let source_ref = req.source_ref.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let source_id = match (source, source_ref) {
        (Some(Source::LiableComplaint), Some(number)) => {
            let k =
                state.store.complaint_by_number(number).await?.filter(|k| crate::api::complaints::visible(caller, k));
            if k.is_none() {
                f.add(FieldError::because("source_ref", "field.unknown_complaint").with("value", number));
            }
            k.map(|k| k.order.id)
        }
        (Some(Source::HotIssue), Some(id)) => {
            let h = match id.parse::<i64>() {
                Ok(id) => state.store.hot_issue(id).await?,
                Err(_) => None,
            };
            if h.is_none() {
                f.add(FieldError::because("source_ref", "field.unknown_hot_issue").with("value", id));
            }
            h.map(|h| h.id)
        }
        (Some(Source::LiableComplaint | Source::HotIssue), None) => {
            f.add(FieldError::because("source_ref", "field.required"));
            None
        }
        _ => None,
    };
    f.check()?;
    let (Some(source), Some(unit), Some(owner), Some(title), Some(detail_text), Some(due)) =
        (source, unit, owner, title, detail_text, due)
    else {
        return Err(ApiError::Internal);
    };
    let id = state
        .store
        .create_rectification(&NewRectification {
            source,
            source_id,
            unit_id: unit.id,
            owner_id: owner.id,
            title,
            detail: detail_text,
            due_on: day_number(due),
            by: caller.user.id,
            at_ms: now.timestamp_millis(),
        })
        .await?;
    detail(state, caller, id).await
}

/// A rectification with its history and evidence.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = RectificationDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_rectification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RectificationDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// The rectifications of the caller's subtree (or of `org_unit` in it) and those the caller owns,
/// soonest due first; `mine=true` only the caller's, `overdue=true` only those past due.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "inspections",
    params(("org_unit" = Option<String>, Query), ("state" = Option<String>, Query), ("overdue" = Option<bool>, Query),
           ("mine" = Option<bool>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<RectificationView>), (status = 422, body = crate::error::Problem)))]
pub async fn list_rectifications(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<RectificationView>>> {
    Ok(Json(list(&state, &caller, &p).await?))
}

pub async fn list(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Paged<RectificationView>> {
    let (offset, limit, page) = paging(p)?;
    let rect_state = p
        .get("state")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| RectState::parse("state", s).map_err(ApiError::Invalid))
        .transpose()?;
    let overdue = crate::api::query::boolean(p, "overdue")?.unwrap_or(false);
    let mine = crate::api::query::boolean(p, "mine")?.unwrap_or(false);
    let path = match p.get("org_unit").map(|c| c.trim()).filter(|c| !c.is_empty()) {
        Some(c) => crate::api::unit_in_scope(state, caller, "org_unit", c).await?.path,
        None => caller.user.org_path.clone(),
    };
    // a teller sees only what they own; managers their subtree as well
    let mine = mine || !caller.can(Permission::ReadMeasures) && !caller.can(Permission::Inspect);
    let rows = state
        .store
        .rectifications(&RectFilter {
            path,
            owner_id: Some(caller.user.id),
            mine_only: mine,
            state: rect_state,
            due_before: overdue.then(|| day_number(local_date(state.clock.now()))),
            limit,
            offset,
        })
        .await?;
    Ok(Paged::from_probe(&rows, offset, limit, page, |r| RectificationView::new(state, r)))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectActionIn {
    /// submit, verify or send_back.
    pub action: String,
    /// What was done (submit), the reason (send_back, required), a remark (verify).
    #[serde(default)]
    pub note: String,
    /// The `seq` the caller saw: refused with 409 if someone acted since.
    #[serde(default)]
    pub seq: Option<i64>,
}

/// Submits a rectification as put right (its owner or the unit's manager), or verifies or sends it
/// back (an inspector other than the owner). 409 when the action does not fit its state or someone
/// acted first.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/actions", tag = "inspections", params(("id" = i64, Path)),
    request_body = RectActionIn,
    responses((status = 200, body = RectificationDetail), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn act_on_rectification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<RectActionIn>,
) -> ApiResult<Json<RectificationDetail>> {
    // permission, then scope, then the body
    caller.require(Permission::WorkOnRectification)?;
    visible(&state, &caller, id).await?;
    Ok(Json(act(&state, &caller, id, body.parse()?).await?))
}

pub async fn act(state: &AppState, caller: &Caller, id: i64, req: RectActionIn) -> ApiResult<RectificationDetail> {
    caller.require(Permission::WorkOnRectification)?;
    let r = visible(state, caller, id).await?;
    let action = match req.action.trim() {
        "submit" => RectAction::Submit,
        "verify" => RectAction::Verify,
        "send_back" => RectAction::SendBack,
        other => {
            return Err(ApiError::Invalid(
                FieldError::because("action", "field.unknown_choice")
                    .with("value", other)
                    .with("choices", "submit, verify, send_back"),
            ));
        }
    };
    let allowed = match action {
        RectAction::Submit => may_submit_rectification(caller.viewer(), caller.user.role, place(&r)),
        RectAction::Verify | RectAction::SendBack => {
            may_verify_rectification(caller.viewer(), caller.user.role, place(&r))
        }
    };
    if !allowed {
        return Err(ApiError::forbidden_role());
    }
    let min = if action == RectAction::SendBack { 1 } else { 0 };
    let note = bounded("note", &req.note, min, limits::REASON).map_err(ApiError::Invalid)?;
    let Some(to) = action.next(r.state) else {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.rectification_state")));
    };
    if req.seq.is_some_and(|s| s != r.last_seq) {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.acted_since")));
    }
    let note = (!note.is_empty()).then_some(note);
    let done = state
        .store
        .act_on_rectification(
            id,
            r.last_seq,
            action.as_str(),
            to,
            caller.user.id,
            state.clock.now().timestamp_millis(),
            note.as_deref(),
        )
        .await?;
    if !done {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.acted_since")));
    }
    detail(state, caller, id).await
}

/// Adds evidence to a rectification (multipart, field `file`; PDF, images, office files, 10 MB at
/// most): whoever may submit it, while it is with its owner or waiting for verification.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/evidence", tag = "inspections", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::api::attachments::UploadForm, description = "the file, in a field named `file`"),
    responses((status = 201, body = FileView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    // permission and scope before the body is looked at
    caller.require(Permission::WorkOnRectification)?;
    let r = visible(&state, &caller, id).await?;
    if !may_submit_rectification(caller.viewer(), caller.user.role, place(&r)) {
        return Err(ApiError::forbidden_role());
    }
    let m = m.map_err(|_| crate::api::attachments::bad_multipart())?;
    let (name, data) = crate::api::attachments::read_only_file(m).await?;
    Ok((StatusCode::CREATED, Json(add_evidence(&state, &caller, &r, &name, &data).await?)))
}

pub async fn add_evidence(
    state: &AppState,
    caller: &Caller,
    r: &RectificationRow,
    name: &str,
    data: &[u8],
) -> ApiResult<FileView> {
    if r.state == RectState::Verified {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.rectification_state")));
    }
    let (name, content_type) = xiaobao_core::attachment::check(name, data).map_err(ApiError::Invalid)?;
    let sha = hex::encode(sha2::Sha256::digest(data));
    let at = state.clock.now().timestamp_millis();
    let id = state
        .store
        .add_service_file("rectification", r.id, &name, content_type, data, &sha, caller.user.id, at)
        .await?;
    let row = state
        .store
        .service_files("rectification", r.id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(ApiError::Internal)?;
    Ok((&row).into())
}

/// A file of a rectification, an inspection or a workbook record the caller may see.
#[utoipa::path(get, path = "/api/v1/service-files/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, description = "the file as uploaded (the accepted types)", content(
            (Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "audio/mpeg"), (Vec<u8> = "audio/wav"), (Vec<u8> = "text/plain"), (Vec<u8> = "application/octet-stream"))),
        (status = 404, body = crate::error::Problem)))]
pub async fn download_file(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Response> {
    let (f, data) = state.store.service_file(id).await?.ok_or(ApiError::NotFound)?;
    match f.owner_kind.as_str() {
        "rectification" => {
            visible(&state, &caller, f.owner_id).await?;
        }
        "inspection" => {
            crate::api::inspections::detail(&state, &caller, f.owner_id).await.map_err(|_| ApiError::NotFound)?;
        }
        xiaobao_store::workbook::SUBJECT => crate::api::workbook::file_visible(&state, &caller, f.owner_id).await?,
        _ => return Err(ApiError::NotFound),
    }
    Ok(crate::api::attachments::file_response(&f.name, &f.content_type, data))
}
