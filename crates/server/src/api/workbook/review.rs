//! Consumer-protection reviews (消保审查): submitted by a department, reviewed by one of the bank's
//! reviewers and re-checked by another, answered opinion by opinion by the submitter, concluded with
//! the final launched material; each step on its clock. The centre draws a monthly sample of each
//! unit's concluded reviews (recorded with its seed, so it can be drawn again) and checks them; a
//! finding becomes a rectification.

use super::{ListQuery, Provenance, VersionView, list_query, month_of};
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
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::access::may_edit_workbook_entry;
use xiaobao_core::role::Permission;
use xiaobao_core::service::rectification::Source;
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::{Instant, from_millis, local_date, rfc3339, start_of_local_day};
use xiaobao_core::workbook::Register;
use xiaobao_core::workbook::review::{
    AnswersIn, Clocks, OpinionsIn, Review, ReviewIn, ReviewKind, ReviewStage, ReviewState, ReviewStep, SampleCheck,
    StepRefusal, draw,
};
use xiaobao_store::workbook::{Change, EntryRow, EntryWrite};

const REGISTER: Register = Register::CpReview;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit_review, list_reviews))
        .routes(routes!(export_reviews))
        .routes(routes!(draw_sample, list_samples))
        .routes(routes!(get_review, edit_review))
        .routes(routes!(give_review))
        .routes(routes!(give_recheck))
        .routes(routes!(give_answers))
        .routes(routes!(conclude_review))
        .routes(routes!(check_sampled))
        .routes(routes!(upload_review_file))
        .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerView {
    pub adopted: bool,
    pub reason: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpinionView {
    pub id: u32,
    /// `review` (the first reviewer) or `recheck` (the re-checker).
    pub step: ReviewStep,
    pub text: String,
    /// Law and compliance: must be adopted.
    pub binding: bool,
    pub by: String,
    pub at: String,
    pub answer: Option<AnswerView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewClockView {
    pub step: ReviewStep,
    pub started_at: String,
    pub due_at: String,
    pub done_at: Option<String>,
    pub by: Option<String>,
    /// Done after its due time, or still open past it.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckView {
    pub wanting: bool,
    pub finding: Option<String>,
    /// The rectification the finding opened.
    pub rectification: Option<i64>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub org_unit: UnitRef,
    pub kind: ReviewKind,
    pub stage: ReviewStage,
    pub title: String,
    pub description: String,
    pub state: ReviewState,
    /// The step it waits for (none once concluded).
    pub waiting_for: Option<ReviewStep>,
    /// When the step it waits for is due.
    pub due_at: Option<String>,
    pub overdue: bool,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewer: Option<String>,
    pub rechecker: Option<String>,
    pub opinions: Vec<OpinionView>,
    pub clocks: Vec<ReviewClockView>,
    /// The file id of the final launched material.
    pub final_material: Option<i64>,
    pub concluded_at: Option<String>,
    /// Concluded with every step in time.
    pub on_time: bool,
    /// YYYY-MM of the monthly draw that sampled it.
    pub sampled_in: Option<String>,
    pub check: Option<CheckView>,
    #[serde(flatten)]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewDetail {
    pub review: ReviewView,
    pub files: Vec<FileView>,
    pub versions: Vec<VersionView>,
    /// What the caller may do now: `edit`, `review`, `recheck`, `respond`, `conclude`, `check`,
    /// `attach`.
    pub actions: Vec<String>,
}

fn record_of(e: &EntryRow) -> ApiResult<Review> {
    serde_json::from_str(&e.data).map_err(|err| {
        tracing::error!(id = e.id, error = %err, "a stored review cannot be read");
        ApiError::Internal
    })
}

fn time(t: Instant) -> String {
    rfc3339(t)
}

pub fn view(e: &EntryRow, r: &Review, now: Instant) -> ReviewView {
    let waiting = r.clocks.last().filter(|c| c.done_at.is_none());
    ReviewView {
        id: e.id,
        org_unit: UnitRef { code: e.org_code.clone(), name: e.org_name.clone() },
        kind: r.kind,
        stage: r.stage,
        title: r.title.clone(),
        description: r.description.clone(),
        state: r.state(),
        waiting_for: waiting.map(|c| c.step),
        due_at: waiting.map(|c| time(c.due_at)),
        overdue: waiting.is_some_and(|c| c.overdue(now)),
        submitted_by: r.submitted_by.clone(),
        submitted_at: time(r.submitted_at),
        reviewer: r.taken_by(ReviewStep::Review).map(str::to_string),
        rechecker: r.taken_by(ReviewStep::Recheck).map(str::to_string),
        opinions: r
            .opinions
            .iter()
            .map(|o| OpinionView {
                id: o.id,
                step: o.step,
                text: o.text.clone(),
                binding: o.binding,
                by: o.by.clone(),
                at: time(o.at),
                answer: o.answer.as_ref().map(|a| AnswerView {
                    adopted: a.adopted,
                    reason: a.reason.clone(),
                    by: a.by.clone(),
                    at: time(a.at),
                }),
            })
            .collect(),
        clocks: r
            .clocks
            .iter()
            .map(|c| ReviewClockView {
                step: c.step,
                started_at: time(c.started_at),
                due_at: time(c.due_at),
                done_at: c.done_at.map(time),
                by: c.by.clone(),
                overdue: c.overdue(now),
            })
            .collect(),
        final_material: r.final_material,
        concluded_at: r.concluded_at.map(time),
        on_time: r.on_time(),
        sampled_in: r.sampled_in.clone(),
        check: r.check.as_ref().map(|c| CheckView {
            wanting: c.wanting,
            finding: c.finding.clone(),
            rectification: c.rectification,
            by: c.by.clone(),
            at: time(c.at),
        }),
        provenance: e.into(),
    }
}

/// What the row of `e` becomes when it holds `r`.
fn write_of(e: &EntryRow, r: &Review) -> ApiResult<EntryWrite> {
    Ok(xiaobao_store::workbook::review_write(e.org_unit_id, &e.org_path, r)?)
}

/// The steps' clocks on the bank's calendar.
fn with_clocks<T>(state: &AppState, f: impl FnOnce(&Clocks<'_>) -> T) -> T {
    let rules = state.store.rules();
    let clocks =
        Clocks { rules: &rules.workbook.reviews, calendar: &rules.calendar, hours: &rules.policy.opening_hours };
    f(&clocks)
}

fn refused(r: StepRefusal) -> ApiError {
    match r {
        StepRefusal::NotNow(s) => {
            let (zh, en) = (Lang::Zh.name(s), Lang::En.name(s));
            ApiError::Conflict(Msg::new(
                Lang::Zh.format("problem.review_not_now", &[("state", &zh)]),
                Lang::En.format("problem.review_not_now", &[("state", &en)]),
            ))
        }
        StepRefusal::NotReviewer => ApiError::Forbidden(Msg::of("problem.not_reviewer")),
        StepRefusal::FourEyes => ApiError::Forbidden(Msg::of("problem.four_eyes")),
        StepRefusal::Invalid(f) => ApiError::InvalidAll(f),
    }
}

/// Is the caller on the submitting side of a review: who submitted it, or a manager of its unit
/// who is not one of the bank's reviewers (a reviewer above the unit reviews; it does not answer).
pub fn submitter_side(state: &AppState, caller: &Caller, e: &EntryRow) -> bool {
    if !caller.can(Permission::SubmitReviews) {
        return false;
    }
    if caller.user.id == e.created_by_id {
        return true;
    }
    may_edit_workbook_entry(caller.viewer(), caller.user.role, &e.org_path, e.created_by_id)
        && !state.store.rules().workbook.reviews.is_reviewer(&caller.user.username, caller.user.role)
}

/// What the caller may do with the review now.
pub fn actions_for(state: &AppState, caller: &Caller, e: &EntryRow, r: &Review) -> Vec<String> {
    let mut out = Vec::new();
    let maker_side = submitter_side(state, caller, e);
    let reviewer = state.store.rules().workbook.reviews.is_reviewer(&caller.user.username, caller.user.role)
        && caller.user.username != r.submitted_by;
    match r.waiting_for() {
        Some(ReviewStep::Review) => {
            if maker_side {
                out.push("edit");
            }
            if reviewer {
                out.push("review");
            }
        }
        Some(ReviewStep::Recheck) if reviewer && r.taken_by(ReviewStep::Review) != Some(&caller.user.username) => {
            out.push("recheck")
        }
        Some(ReviewStep::Respond) if maker_side => out.push("respond"),
        Some(ReviewStep::Conclude) if maker_side => out.push("conclude"),
        _ => {}
    }
    if r.sampled_in.is_some() && r.check.is_none() && caller.can(Permission::SampleReviews) {
        out.push("check");
    }
    if maker_side && r.concluded_at.is_none() {
        out.push("attach");
    }
    out.into_iter().map(String::from).collect()
}

pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ReviewDetail> {
    let e = super::visible(state, caller, REGISTER, id).await?;
    let r = record_of(&e)?;
    Ok(ReviewDetail {
        review: view(&e, &r, state.clock.now()),
        files: super::files(state, id).await?,
        versions: state.store.entry_versions(id).await?.iter().map(Into::into).collect(),
        actions: actions_for(state, caller, &e, &r),
    })
}

/// Submits material for review.
#[utoipa::path(post, path = "/api/v1/cp-reviews", tag = "workbook", request_body = ReviewIn,
    responses((status = 201, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn submit_review(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<ReviewIn>,
) -> ApiResult<(StatusCode, Json<ReviewDetail>)> {
    caller.require(Permission::SubmitReviews)?;
    Ok((StatusCode::CREATED, Json(submit(&state, &caller, &body.parse()?).await?)))
}

pub async fn submit(state: &AppState, caller: &Caller, i: &ReviewIn) -> ApiResult<ReviewDetail> {
    caller.require(Permission::SubmitReviews)?;
    let now = state.clock.now();
    let mut f = Faults::default();
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", &i.org_unit).await)?;
    let review =
        f.keep(with_clocks(state, |c| Review::submit(i, &caller.user.username, now, c)).map_err(ApiError::InvalidAll))?;
    f.check()?;
    let (Some(unit), Some(review)) = (unit, review) else { return Err(ApiError::Internal) };
    let w = xiaobao_store::workbook::review_write(unit.id, &unit.path, &review)?;
    let id = state.store.add_entry(&w, caller.user.id, now.timestamp_millis()).await?;
    detail(state, caller, id).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditReview {
    /// The version edited: an edit of an older one is refused (409).
    pub version: i64,
    /// Why it is corrected: required once the bank's grace period has passed.
    #[serde(default)]
    pub reason: Option<String>,
    /// Kind, stage, title and description as they should now read (`org_unit` must stay).
    pub record: ReviewIn,
}

/// Corrects a review's material before the first reviewer has given opinions; the earlier version
/// is kept.
#[utoipa::path(patch, path = "/api/v1/cp-reviews/{id}", tag = "workbook", params(("id" = i64, Path)), request_body = EditReview,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn edit_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<EditReview>,
) -> ApiResult<Json<ReviewDetail>> {
    for_submitter(&state, &caller, id).await?;
    Ok(Json(edit(&state, &caller, id, &body.parse()?).await?))
}

pub async fn edit(state: &AppState, caller: &Caller, id: i64, b: &EditReview) -> ApiResult<ReviewDetail> {
    let e = for_submitter(state, caller, id).await?;
    let mut r = record_of(&e)?;
    if r.waiting_for() != Some(ReviewStep::Review) {
        return Err(refused(StepRefusal::NotNow(r.state())));
    }
    let mut f = Faults::default();
    if b.record.org_unit.trim() != e.org_code {
        f.add(FieldError::because("record.org_unit", "field.unit_stays").with("code", &e.org_code));
    }
    let fields = f.keep(xiaobao_core::workbook::review::fields(&b.record).map_err(ApiError::InvalidAll))?;
    let reason = f.keep(super::edit_reason(state, &e, b.reason.as_deref()))?;
    f.check()?;
    let (Some((kind, stage, title, description)), Some(reason)) = (fields, reason) else {
        return Err(ApiError::Internal);
    };
    (r.kind, r.stage, r.title, r.description) = (kind, stage, title, description);
    let w = write_of(&e, &r)?;
    let at = state.clock.now().timestamp_millis();
    if !state
        .store
        .change_entry(id, b.version, &w, Change::Edit { reason: reason.as_deref() }, caller.user.id, at)
        .await?
    {
        return Err(ApiError::Conflict(Msg::of("problem.edited_since")));
    }
    detail(state, caller, id).await
}

/// A review with its opinions, clocks, files, earlier versions and what the caller may do.
#[utoipa::path(get, path = "/api/v1/cp-reviews/{id}", tag = "workbook", params(("id" = i64, Path)),
    responses((status = 200, body = ReviewDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReviewDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Takes a step on a review in scope: `apply` changes the record or refuses; it is written at the
/// version read (409 when someone else changed it first).
async fn step(
    state: &AppState,
    caller: &Caller,
    e: EntryRow,
    name: &'static str,
    apply: impl FnOnce(&mut Review, &Clocks<'_>, Instant) -> Result<(), StepRefusal>,
) -> ApiResult<ReviewDetail> {
    let mut r = record_of(&e)?;
    let now = state.clock.now();
    with_clocks(state, |c| apply(&mut r, c, now)).map_err(refused)?;
    let w = write_of(&e, &r)?;
    if !state
        .store
        .change_entry(e.id, e.version, &w, Change::Step(name), caller.user.id, now.timestamp_millis())
        .await?
    {
        return Err(ApiError::Conflict(Msg::of("problem.edited_since")));
    }
    detail(state, caller, e.id).await
}

/// A review in scope that the caller, as one of the bank's reviewers, may review or re-check.
async fn for_reviewer(state: &AppState, caller: &Caller, id: i64) -> ApiResult<EntryRow> {
    if !state.store.rules().workbook.reviews.is_reviewer(&caller.user.username, caller.user.role) {
        return Err(refused(StepRefusal::NotReviewer));
    }
    super::visible(state, caller, REGISTER, id).await
}

/// A review in scope whose submitting side the caller is (else 403; out of scope 404).
pub async fn for_submitter(state: &AppState, caller: &Caller, id: i64) -> ApiResult<EntryRow> {
    caller.require(Permission::SubmitReviews)?;
    let e = super::visible(state, caller, REGISTER, id).await?;
    if !submitter_side(state, caller, &e) {
        return Err(ApiError::forbidden_role());
    }
    Ok(e)
}

/// The first reviewer's opinions (none: no objection); a reviewer, not the submitter.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/review", tag = "workbook", params(("id" = i64, Path)), request_body = OpinionsIn,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn give_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<OpinionsIn>,
) -> ApiResult<Json<ReviewDetail>> {
    let e = for_reviewer(&state, &caller, id).await?;
    Ok(Json(review(&state, &caller, e, &body.parse()?).await?))
}

pub async fn review(state: &AppState, caller: &Caller, e: EntryRow, o: &OpinionsIn) -> ApiResult<ReviewDetail> {
    let (by, role) = (caller.user.username.clone(), caller.user.role);
    step(state, caller, e, "review", |r, c, now| r.review(o, &by, role, now, c)).await
}

/// The re-checker confirms (no opinions) or adds opinions; another reviewer than the first.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/recheck", tag = "workbook", params(("id" = i64, Path)), request_body = OpinionsIn,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn give_recheck(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<OpinionsIn>,
) -> ApiResult<Json<ReviewDetail>> {
    let e = for_reviewer(&state, &caller, id).await?;
    Ok(Json(recheck(&state, &caller, e, &body.parse()?).await?))
}

pub async fn recheck(state: &AppState, caller: &Caller, e: EntryRow, o: &OpinionsIn) -> ApiResult<ReviewDetail> {
    let (by, role) = (caller.user.username.clone(), caller.user.role);
    step(state, caller, e, "recheck", |r, c, now| r.recheck(o, &by, role, now, c)).await
}

/// The submitter's answer to every opinion: binding ones adopted; advisory ones adopted or declined
/// with a reason.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/respond", tag = "workbook", params(("id" = i64, Path)), request_body = AnswersIn,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn give_answers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<AnswersIn>,
) -> ApiResult<Json<ReviewDetail>> {
    let e = for_submitter(&state, &caller, id).await?;
    Ok(Json(respond(&state, &caller, e, &body.parse()?).await?))
}

pub async fn respond(state: &AppState, caller: &Caller, e: EntryRow, a: &AnswersIn) -> ApiResult<ReviewDetail> {
    let by = caller.user.username.clone();
    step(state, caller, e, "respond", |r, c, now| r.respond(a, &by, now, c)).await
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcludeIn {
    /// The id of the review's file that holds the final launched material (upload it first).
    #[serde(default)]
    pub final_material: Option<i64>,
}

/// Concludes a review with its final launched material; refused without it.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/conclude", tag = "workbook", params(("id" = i64, Path)), request_body = ConcludeIn,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn conclude_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<ConcludeIn>,
) -> ApiResult<Json<ReviewDetail>> {
    let e = for_submitter(&state, &caller, id).await?;
    Ok(Json(conclude(&state, &caller, e, &body.parse()?).await?))
}

pub async fn conclude(state: &AppState, caller: &Caller, e: EntryRow, c: &ConcludeIn) -> ApiResult<ReviewDetail> {
    if let Some(file) = c.final_material
        && !super::files(state, e.id).await?.iter().any(|f| f.id == file)
    {
        return Err(ApiError::Invalid(
            FieldError::because("final_material", "field.not_a_file_of_this").with("value", file),
        ));
    }
    let by = caller.user.username.clone();
    step(state, caller, e, "conclude", |r, _, now| r.conclude(c.final_material, &by, now)).await
}

/// Adds a file to a review (multipart, field `file`): the material, drafts, the final launched version.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/files", tag = "workbook", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = crate::api::attachments::UploadForm, description = "the file, in a field named `file`"),
    responses((status = 201, body = FileView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload_review_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileView>)> {
    let e = for_submitter(&state, &caller, id).await?;
    let m = m.map_err(|_| crate::api::attachments::bad_multipart())?;
    let (name, data) = crate::api::attachments::read_only_file(m).await?;
    Ok((StatusCode::CREATED, Json(attach(&state, &caller, &e, &name, &data).await?)))
}

/// Attaches a file to a review still open (a concluded review's material is final).
pub async fn attach(state: &AppState, caller: &Caller, e: &EntryRow, name: &str, data: &[u8]) -> ApiResult<FileView> {
    let r = record_of(e)?;
    if r.concluded_at.is_some() {
        return Err(refused(StepRefusal::NotNow(r.state())));
    }
    super::attach(state, caller, e, name, data).await
}

/// The list's filters: those every register has, and `kind` and `state`.
pub async fn query(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<ListQuery> {
    let mut f = Faults::default();
    let q = f.keep(list_query(state, caller, p).await)?;
    let code = super::choice_param(&mut f, p, "kind", |n, s| ReviewKind::parse(n, s).map(|k| k.as_str().into()))?;
    let st = super::choice_param(&mut f, p, "state", |n, s| ReviewState::parse(n, s).map(|s| s.as_str().into()))?;
    f.check()?;
    let mut q = q.ok_or(ApiError::Internal)?;
    q.filter.code = code;
    q.filter.state = st;
    Ok(q)
}

/// Reviews of a unit's subtree (default the caller's own), newest first: filters `from`, `to`
/// (submission dates, both included), `kind`, `state`, `sort` (newest, oldest).
#[utoipa::path(get, path = "/api/v1/cp-reviews", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("kind" = Option<String>, Query), ("state" = Option<String>, Query), ("sort" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<ReviewView>), (status = 422, body = crate::error::Problem)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<ReviewView>>> {
    Ok(Json(list(&state, &caller, &p).await?))
}

pub async fn list(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Paged<ReviewView>> {
    let q = query(state, caller, p).await?;
    let (rows, total) = super::page_rows(state, REGISTER, &q).await?;
    let shown = rows.as_slice();
    let now = state.clock.now();
    let items = shown.iter().map(|e| Ok(view(e, &record_of(e)?, now))).collect::<ApiResult<_>>()?;
    Ok(Paged { items, total, page: q.page, per_page: q.filter.limit })
}

/// The list's selection (without paging) as an XLSX workbook, in the reader's language.
#[utoipa::path(get, path = "/api/v1/cp-reviews/export", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
        ("kind" = Option<String>, Query), ("state" = Option<String>, Query), ("sort" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = crate::error::Problem)))]
pub async fn export_reviews(
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
    let now = state.clock.now();
    let views: Vec<ReviewView> = rows.iter().map(|e| Ok(view(e, &record_of(e)?, now))).collect::<ApiResult<_>>()?;
    let headers = [
        "review.submitted_at",
        "export.unit_code",
        "org_unit",
        "review.kind",
        "review.stage",
        "review.title",
        "review.state",
        "review.submitted_by",
        "review.reviewer",
        "review.rechecker",
        "review.opinions",
        "review.binding",
        "review.declined",
        "review.concluded_at",
        "review.on_time",
        "review.sampled_in",
        "review.wanting",
    ];
    let yes_no = |b: bool| Cell::Text(lang.t(if b { "yes" } else { "no" }).to_string());
    let local = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| xiaobao_core::time::local_minute(t.to_utc()))
            .unwrap_or_else(|_| t.to_string())
    };
    let lines = views.iter().map(|v| {
        vec![
            Cell::Text(local(&v.submitted_at)),
            Cell::Text(v.org_unit.code.clone()),
            Cell::Text(v.org_unit.name.clone()),
            Cell::Text(lang.name(v.kind).to_string()),
            Cell::Text(lang.name(v.stage).to_string()),
            Cell::Text(v.title.clone()),
            Cell::Text(lang.name(v.state).to_string()),
            Cell::Text(v.submitted_by.clone()),
            Cell::Text(v.reviewer.clone().unwrap_or_default()),
            Cell::Text(v.rechecker.clone().unwrap_or_default()),
            Cell::Number(v.opinions.len() as i64),
            Cell::Number(v.opinions.iter().filter(|o| o.binding).count() as i64),
            Cell::Number(v.opinions.iter().filter(|o| o.answer.as_ref().is_some_and(|a| !a.adopted)).count() as i64),
            Cell::Text(v.concluded_at.as_deref().map(local).unwrap_or_default()),
            yes_no(v.on_time),
            Cell::Text(v.sampled_in.clone().unwrap_or_default()),
            yes_no(v.check.as_ref().is_some_and(|c| c.wanting)),
        ]
    });
    let title = crate::tr!(lang, "review.export_title", unit = &q.unit.name);
    let bytes = super::sheet::workbook(&title, lang.t("review.title"), &headers.map(|h| lang.t(h)), lines);
    crate::api::complaints::xlsx_download(&format!("cp-reviews-{}.xlsx", q.unit.code), bytes)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawIn {
    /// YYYY-MM: the month whose concluded reviews are drawn from (not a later one).
    pub month: String,
    /// The unit whose subtree is drawn (default the caller's own).
    #[serde(default)]
    pub org_unit: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SampledReview {
    pub id: i64,
    pub org_unit: UnitRef,
    pub title: String,
    pub kind: ReviewKind,
    pub check: Option<CheckView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SampleView {
    pub id: i64,
    /// YYYY-MM
    pub month: String,
    pub org_unit: UnitRef,
    /// The draw's seed, as text (it does not fit a JSON number exactly): with `candidates` and
    /// `percent` it draws the same reviews again.
    pub seed: String,
    pub percent: u32,
    /// Every concluded review the draw chose from, as `[unit id, review id]` (for a caller who sees
    /// the draw's unit; empty for one below it, who sees only what it drew of theirs).
    pub candidates: Vec<(i64, i64)>,
    pub drawn: Vec<SampledReview>,
    pub drawn_by: String,
    pub drawn_at: String,
}

fn yyyymm_of(field: &str, text: &str, today: NaiveDate) -> ApiResult<i32> {
    let (first, _) = crate::api::satisfaction_sheet::month_range(text.trim(), today)
        .map_err(|_| ApiError::Invalid(FieldError::because(field, "field.month").with("value", text)))?;
    Ok(month_of(start_of_local_day(first)))
}

/// Draws this month's sample of the concluded reviews of a unit's subtree (the centre): the bank's
/// share of each unit's reviews concluded in `month`, at random from a recorded seed. One draw per
/// unit and month.
#[utoipa::path(post, path = "/api/v1/cp-reviews/samples", tag = "workbook", request_body = DrawIn,
    responses((status = 201, body = SampleView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn draw_sample(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<DrawIn>,
) -> ApiResult<(StatusCode, Json<SampleView>)> {
    caller.require(Permission::SampleReviews)?;
    Ok((StatusCode::CREATED, Json(draw_month(&state, &caller, &body.parse()?, rand::random()).await?)))
}

pub async fn draw_month(state: &AppState, caller: &Caller, d: &DrawIn, seed: u64) -> ApiResult<SampleView> {
    caller.require(Permission::SampleReviews)?;
    let today = local_date(state.clock.now());
    let mut f = Faults::default();
    let own = caller.user.org_code.clone();
    let code = d.org_unit.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(&own);
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", code).await)?;
    let month = f.keep(yyyymm_of("month", &d.month, today))?;
    f.check()?;
    let (Some(unit), Some(month)) = (unit, month) else { return Err(ApiError::Internal) };
    let concluded = concluded_in(state, &unit.path, month).await?;
    let candidates: Vec<(i64, i64)> = concluded.iter().map(|(e, _)| (e.org_unit_id, e.id)).collect();
    let percent = state.store.rules().workbook.reviews.sample_percent;
    let chosen = draw(seed, &candidates, percent);
    let label = format!("{}-{:02}", month / 100, month % 100);
    let mut drawn = Vec::new();
    for (e, r) in &concluded {
        if chosen.contains(&e.id) {
            let mut r = r.clone();
            r.sampled_in = Some(label.clone());
            drawn.push((e.id, e.version, write_of(e, &r)?));
        }
    }
    let new =
        xiaobao_store::NewSample { month, unit_id: unit.id, seed, percent, candidates: &candidates, drawn: &drawn };
    match state.store.record_sample(&new, caller.user.id, state.clock.now().timestamp_millis()).await? {
        xiaobao_store::Drawn::Recorded(id) => {
            let all = samples_of(state, caller, month, None).await?;
            all.into_iter().find(|s| s.id == id).ok_or(ApiError::Internal)
        }
        xiaobao_store::Drawn::AlreadyDrawn => Err(ApiError::Conflict(Msg::of("problem.already_drawn"))),
        xiaobao_store::Drawn::Stale => Err(ApiError::Conflict(Msg::of("problem.edited_since"))),
    }
}

/// The reviews of the subtree at `path` concluded in `month` (yyyymm) and not sampled yet.
async fn concluded_in(state: &AppState, path: &str, month: i32) -> ApiResult<Vec<(EntryRow, Review)>> {
    let mut out = Vec::new();
    let mut filter = xiaobao_store::workbook::EntryFilter {
        path: path.to_string(),
        state: Some(ReviewState::Concluded.as_str().into()),
        newest_first: false,
        limit: 1000,
        ..Default::default()
    };
    loop {
        let (rows, _) = state.store.entries(REGISTER.as_str(), &filter).await?;
        let more = rows.len() as i64 > filter.limit;
        for e in rows.into_iter().take(filter.limit as usize) {
            let r = record_of(&e)?;
            if r.sampled_in.is_none() && r.concluded_at.is_some_and(|t| month_of(t) == month) {
                out.push((e, r));
            }
        }
        if !more {
            break;
        }
        filter.offset += filter.limit;
    }
    Ok(out)
}

/// The monthly draws of `month` (YYYY-MM, default this one) for units of the caller's scope (or of
/// `org_unit`'s subtree), each with the reviews it drew and their checks.
#[utoipa::path(get, path = "/api/v1/cp-reviews/samples", tag = "workbook",
    params(("month" = Option<String>, Query), ("org_unit" = Option<String>, Query)),
    responses((status = 200, body = Vec<SampleView>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_samples(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<SampleView>>> {
    Ok(Json(samples(&state, &caller, &p).await?))
}

pub async fn samples(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Vec<SampleView>> {
    caller.require(Permission::ReadWorkbook)?;
    if !(caller.can(Permission::SampleReviews) || caller.can(Permission::ReadMeasures)) {
        return Err(ApiError::forbidden_role());
    }
    let today = local_date(state.clock.now());
    let mut f = Faults::default();
    let unit = f.keep(crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await)?;
    let text = p.get("month").map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let month = f.keep(yyyymm_of("month", &text.unwrap_or_else(|| today.format("%Y-%m").to_string()), today))?;
    f.check()?;
    let (Some(unit), Some(month)) = (unit, month) else { return Err(ApiError::Internal) };
    samples_of(state, caller, month, Some(&unit.path)).await
}

/// The draws of `month` whose unit the caller sees (and lies in `under`'s subtree), each drawn
/// review shown only when the caller may read it.
async fn samples_of(state: &AppState, caller: &Caller, month: i32, under: Option<&str>) -> ApiResult<Vec<SampleView>> {
    let mut out = Vec::new();
    for s in state.store.samples(month).await? {
        let Some(unit) = state.store.org_unit_by_id(s.unit_id).await? else { continue };
        // a draw of the caller's scope whole; one of a unit above, only what it drew that they see
        let own = xiaobao_core::access::may_see_workbook_entry(caller.viewer(), &unit.path);
        let above = xiaobao_core::org::in_subtree(&unit.path, &caller.user.org_path);
        let related = under.is_none_or(|u| {
            xiaobao_core::org::in_subtree(u, &unit.path) || xiaobao_core::org::in_subtree(&unit.path, u)
        });
        if !(own || above) || !related {
            continue;
        }
        let mut drawn = Vec::new();
        for id in &s.drawn {
            if let Some(e) = state
                .store
                .entry(REGISTER.as_str(), *id)
                .await?
                .filter(|e| xiaobao_core::access::may_see_workbook_entry(caller.viewer(), &e.org_path))
                .filter(|e| under.is_none_or(|u| xiaobao_core::org::in_subtree(u, &e.org_path)))
            {
                let r = record_of(&e)?;
                let v = view(&e, &r, state.clock.now());
                drawn.push(SampledReview {
                    id: e.id,
                    org_unit: v.org_unit,
                    title: v.title,
                    kind: v.kind,
                    check: v.check,
                });
            }
        }
        if !own && drawn.is_empty() {
            continue;
        }
        let candidates = if own { s.candidates } else { Vec::new() };
        out.push(SampleView {
            id: s.id,
            month: format!("{}-{:02}", s.month / 100, s.month % 100),
            org_unit: UnitRef { code: s.unit_code, name: s.unit_name },
            seed: s.seed.to_string(),
            percent: s.percent,
            candidates,
            drawn,
            drawn_by: s.drawn_by,
            drawn_at: rfc3339(from_millis(s.drawn_at)),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Found wanting: the finding opens a rectification.
    pub wanting: bool,
    /// What is wrong (required when wanting) or what was checked.
    #[serde(default)]
    pub finding: Option<String>,
    /// Who puts it right (username in the review's unit; default the submitter).
    #[serde(default)]
    pub owner: Option<String>,
    /// YYYY-MM-DD (default ten working days on).
    #[serde(default)]
    pub due_on: Option<String>,
}

/// The centre's check of a review the monthly sample drew; a finding becomes a rectification of
/// the review's unit.
#[utoipa::path(post, path = "/api/v1/cp-reviews/{id}/check", tag = "workbook", params(("id" = i64, Path)), request_body = CheckIn,
    responses((status = 200, body = ReviewDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn check_sampled(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<CheckIn>,
) -> ApiResult<Json<ReviewDetail>> {
    caller.require(Permission::SampleReviews)?;
    super::visible(&state, &caller, REGISTER, id).await?;
    Ok(Json(check(&state, &caller, id, &body.parse()?).await?))
}

pub async fn check(state: &AppState, caller: &Caller, id: i64, c: &CheckIn) -> ApiResult<ReviewDetail> {
    caller.require(Permission::SampleReviews)?;
    let e = super::visible(state, caller, REGISTER, id).await?;
    let r = record_of(&e)?;
    if r.sampled_in.is_none() || r.check.is_some() {
        return Err(ApiError::Conflict(Msg::of(if r.check.is_some() {
            "problem.checked_already"
        } else {
            "problem.not_sampled"
        })));
    }
    let now = state.clock.now();
    let mut f = Faults::default();
    let finding = match c.finding.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => f.keep(bounded("finding", t, 1, limits::TEXT).map_err(ApiError::Invalid))?,
        None if c.wanting => {
            f.add(FieldError::because("finding", "field.required"));
            None
        }
        None => None,
    };
    let mut rect = None;
    if c.wanting {
        let unit = state.store.org_unit_by_id(e.org_unit_id).await?.ok_or(ApiError::Internal)?;
        let owner = match c.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(o) => f.keep(crate::api::rectifications::owner_in_unit(state, &unit, "owner", Some(o)).await)?,
            None => match state.store.user_by_username(&r.submitted_by).await?.filter(|u| u.active) {
                Some(u) => Some(u),
                None => f.keep(crate::api::rectifications::owner_in_unit(state, &unit, "owner", None).await)?,
            },
        };
        let asked = match c.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => {
                f.keep(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::invalid("due_on", "field.date")))?
            }
        };
        let due = f.keep(
            xiaobao_core::service::rectification::due_on(
                &state.store.rules().calendar,
                local_date(now),
                asked,
                "due_on",
            )
            .map_err(ApiError::Invalid),
        )?;
        if let (Some(owner), Some(due), Some(finding)) = (owner, due, finding.clone()) {
            rect = Some(xiaobao_store::service::NewRectification {
                source: Source::Review,
                source_id: Some(e.id),
                unit_id: unit.id,
                owner_id: owner.id,
                title: crate::tr!(Lang::Zh, "review.rectification_title", title = &r.title),
                detail: finding,
                due_on: xiaobao_core::measure::day_number(due),
                by: caller.user.id,
                at_ms: now.timestamp_millis(),
            });
        }
    }
    f.check()?;
    let by = caller.user.username.clone();
    let written = state
        .store
        .check_sampled_review(
            e.id,
            e.version,
            rect.as_ref(),
            |rect_id| {
                let mut r = r.clone();
                r.check = Some(SampleCheck { wanting: c.wanting, finding, rectification: rect_id, by, at: now });
                write_of(&e, &r).map_err(|_| format!("review {} cannot be written", e.id))
            },
            caller.user.id,
            now.timestamp_millis(),
        )
        .await?;
    if !written {
        return Err(ApiError::Conflict(Msg::of("problem.edited_since")));
    }
    detail(state, caller, id).await
}
