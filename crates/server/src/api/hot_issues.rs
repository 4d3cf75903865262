//! Hot issues (热点问题): suggested groups of alike complaints across the units of a subtree within a
//! window; linking a group (or any chosen orders) as one hot issue, an event on each order; and one
//! decision applied to each open order of an issue, each through the ordinary decide action with its
//! own event.

use crate::api::complaint_actions::DecideBody;
use crate::api::measures::{UnitRef, unit_or_own};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::access::may_see_hot_issue;
use xiaobao_core::complaint::ActionKind;
use xiaobao_core::hot_issue::{Candidate, DEFAULT_MIN_SIZE, keywords, suggest, terms};
use xiaobao_core::role::Permission;
use xiaobao_core::text::bounded;
use xiaobao_core::time::rfc3339;
use xiaobao_store::{ComplaintFilter, ComplaintRow, HotIssueRow, HotIssueTarget, LinkInput};

/// The newest complaints of a window that the grouping reads.
pub const MAX_CANDIDATES: i64 = 5_000;
/// Most orders linked in one request, and listed on one issue.
pub const MAX_MEMBERS: usize = 500;
/// Default window of the suggestions, in days.
pub const DEFAULT_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub id: i64,
    pub number: String,
    pub org_unit: String,
    pub org_name: String,
    pub state: String,
    pub category: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub received_at: String,
}

impl MemberView {
    /// Still being handled (not closed, declined or withdrawn).
    pub fn is_open(&self) -> bool {
        xiaobao_core::complaint::State::from_str_opt(&self.state).is_some_and(|s| s.is_open())
    }
}

impl From<&ComplaintRow> for MemberView {
    fn from(k: &ComplaintRow) -> Self {
        Self {
            id: k.order.id,
            number: k.number.clone(),
            org_unit: k.org_code.clone(),
            org_name: k.org_name.clone(),
            state: k.order.state.as_str().to_string(),
            category: k.category.clone(),
            cause: k.reported_cause().map(str::to_string),
            summary: k.summary.clone(),
            received_at: rfc3339(k.order.received_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    /// The words most of its complaints share.
    pub keywords: Vec<String>,
    pub size: usize,
    /// Distinct units among its complaints.
    pub units: usize,
    /// The most common category and cause among them.
    pub category: Option<String>,
    pub cause: Option<String>,
    pub complaints: Vec<MemberView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionsView {
    pub org_unit: UnitRef,
    pub days: i64,
    pub min_size: usize,
    /// Complaints read (the newest of the window not yet in a hot issue).
    pub candidates: usize,
    /// The window held more than the grouping reads; the oldest were left out.
    pub truncated: bool,
    pub groups: Vec<SuggestionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotIssueView {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
    pub org_unit: UnitRef,
    pub created_by: String,
    pub created_at: String,
    pub members: i64,
    pub open_members: i64,
}

impl From<HotIssueRow> for HotIssueView {
    fn from(h: HotIssueRow) -> Self {
        Self {
            id: h.id,
            title: h.title,
            keywords: h.keywords.split_whitespace().map(str::to_string).collect(),
            org_unit: UnitRef { code: h.org_code, name: h.org_name },
            created_by: h.created_by,
            created_at: rfc3339(h.created_at),
            members: h.members,
            open_members: h.open_members,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotIssueDetail {
    #[serde(flatten)]
    pub issue: HotIssueView,
    /// Its orders inside the caller's scope, newest first.
    pub complaints: Vec<MemberView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHotIssue {
    /// 1–100 characters.
    pub title: String,
    /// Ids of the orders to link (2–500, each in the caller's scope and in no hot issue yet).
    pub complaints: Vec<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoreComplaints {
    pub complaints: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchResult {
    pub id: i64,
    pub number: String,
    pub ok: bool,
    /// Why this order was not decided (its state, a paused clock, …): the problem the decide action
    /// answered for it alone, in the caller's language.
    pub problem: Option<crate::error::Problem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    pub decided: usize,
    /// Distinct units among the decided orders.
    pub units: usize,
    pub refused: usize,
    pub results: Vec<BatchResult>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_suggestions))
        .routes(routes!(list_hot_issues, create_hot_issue))
        .routes(routes!(get_hot_issue))
        .routes(routes!(add_complaints))
        .routes(routes!(remove_complaint))
        .routes(routes!(get_decide_plan, decide_all))
}

fn most_common(values: impl Iterator<Item = Option<String>>) -> Option<String> {
    let mut freq: BTreeMap<String, usize> = BTreeMap::new();
    for v in values.flatten() {
        *freq.entry(v).or_default() += 1;
    }
    freq.into_iter().max_by_key(|(_, n)| *n).map(|(v, _)| v)
}

/// The suggested hot issues of `p` (org_unit, days, min_size) for the caller.
pub async fn suggestions(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<SuggestionsView> {
    caller.require(Permission::ReadMeasures)?;
    let days = crate::api::query::bounded(p, "days", DEFAULT_DAYS, 1, 365)?;
    let min_size = crate::api::query::bounded(p, "min_size", DEFAULT_MIN_SIZE as i64, 2, 100)? as usize;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let now = state.clock.now();
    let f = ComplaintFilter {
        unit_path: Some(unit.path.clone()),
        received_from: Some((now - chrono::Duration::days(days)).timestamp_millis()),
        unlinked: true,
        now_ms: now.timestamp_millis(),
        skip_count: true,
        limit: MAX_CANDIDATES + 1,
        ..ComplaintFilter::new(caller.order_scope())
    };
    let mut rows = state.store.complaints(&f).await?.items;
    let truncated = rows.len() as i64 > MAX_CANDIDATES;
    rows.truncate(MAX_CANDIDATES as usize);
    let cands: Vec<Candidate> = rows
        .iter()
        .map(|k| Candidate {
            id: k.order.id,
            unit_id: k.order.responsible_unit_id,
            category: k.category.clone(),
            cause: k.reported_cause().map(str::to_string),
            terms: terms(&format!("{} {}", k.summary, k.description)),
        })
        .collect();
    let groups = suggest(&cands, min_size)
        .into_iter()
        .map(|g| {
            let members: Vec<&ComplaintRow> = g.members.iter().map(|&i| &rows[i]).collect();
            SuggestionView {
                keywords: g.keywords,
                size: members.len(),
                units: g.units,
                category: most_common(members.iter().map(|k| k.category.clone())),
                cause: most_common(members.iter().map(|k| k.reported_cause().map(str::to_string))),
                complaints: members.iter().take(MAX_MEMBERS).map(|k| MemberView::from(*k)).collect(),
            }
        })
        .collect();
    Ok(SuggestionsView {
        org_unit: UnitRef { code: unit.code, name: unit.name },
        days,
        min_size,
        candidates: rows.len(),
        truncated,
        groups,
    })
}

/// Complaints of a unit's subtree (`org_unit`, default the caller's) received in the last `days`
/// (default 30) and in no hot issue yet, grouped by what they are about: groups of at least
/// `min_size` (default 3), those spanning more units first.
#[utoipa::path(get, path = "/api/v1/hot-issues/suggestions", tag = "hot issues",
    params(("org_unit" = Option<String>, Query), ("days" = Option<i64>, Query), ("min_size" = Option<usize>, Query)),
    responses((status = 200, body = SuggestionsView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<SuggestionsView>> {
    Ok(Json(suggestions(&state, &caller, &p).await?))
}

/// Whether the caller may see a hot issue: made inside the caller's subtree, or above it.
fn visible(caller: &Caller, h: &HotIssueRow) -> bool {
    may_see_hot_issue(caller.viewer(), &h.org_path)
}

pub async fn hot_issue_list(state: &AppState, caller: &Caller) -> ApiResult<Vec<HotIssueView>> {
    caller.require(Permission::ReadComplaints)?;
    Ok(state.store.hot_issues().await?.into_iter().filter(|h| visible(caller, h)).map(HotIssueView::from).collect())
}

/// The hot issues the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/hot-issues", tag = "hot issues",
    responses((status = 200, body = [HotIssueView]), (status = 401, body = crate::error::Problem)))]
pub async fn list_hot_issues(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<HotIssueView>>> {
    Ok(Json(hot_issue_list(&state, &caller).await?))
}

/// The orders of `ids`, each in the caller's scope and in no hot issue: checked before anything is
/// linked, so a refusal names the order.
async fn linkable(state: &AppState, caller: &Caller, ids: &[i64], least: usize) -> ApiResult<Vec<ComplaintRow>> {
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    if distinct.len() < least || ids.len() > MAX_MEMBERS || distinct.len() != ids.len() {
        return Err(ApiError::Invalid(
            xiaobao_core::FieldError::because("complaints", "field.hot_issue_members")
                .with("least", least)
                .with("max_members", MAX_MEMBERS),
        ));
    }
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let k = state.store.complaint(*id).await?.filter(|k| crate::api::complaints::visible(caller, k)).ok_or_else(
            || {
                ApiError::Invalid(
                    xiaobao_core::FieldError::because("complaints", "field.complaint_out_of_scope").with("id", id),
                )
            },
        )?;
        rows.push(k);
    }
    Ok(rows)
}

/// The words most of the orders share, as stored with the issue.
fn keywords_of(rows: &[ComplaintRow]) -> String {
    let sets: Vec<BTreeSet<String>> = rows.iter().map(|k| terms(&format!("{} {}", k.summary, k.description))).collect();
    keywords(sets.iter()).join(" ")
}

pub async fn create(state: &AppState, caller: &Caller, req: NewHotIssue) -> ApiResult<HotIssueView> {
    caller.require(Permission::HandleComplaint)?;
    let title = bounded("title", &req.title, 1, 100)?;
    let rows = linkable(state, caller, &req.complaints, 2).await?;
    let out = state
        .store
        .link_hot_issue(LinkInput {
            target: HotIssueTarget::New { title, keywords: keywords_of(&rows), org_unit_id: caller.user.org_unit_id },
            complaint_ids: req.complaints,
            actor: caller.actor(),
            at: state.clock.now(),
        })
        .await?;
    let h = state.store.hot_issue(out.hot_issue_id).await?.ok_or(ApiError::Internal)?;
    Ok(h.into())
}

/// Links orders as one new hot issue, with an event on each; all or none.
#[utoipa::path(post, path = "/api/v1/hot-issues", tag = "hot issues", request_body = NewHotIssue,
    responses((status = 201, body = HotIssueView), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_hot_issue(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<NewHotIssue>,
) -> ApiResult<(StatusCode, Json<HotIssueView>)> {
    caller.require(Permission::HandleComplaint)?;
    Ok((StatusCode::CREATED, Json(create(&state, &caller, body.parse()?).await?)))
}

/// A hot issue the caller may see, and its orders in the caller's scope, newest first.
async fn member_rows(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(HotIssueRow, Vec<ComplaintRow>)> {
    caller.require(Permission::ReadComplaints)?;
    let h = state.store.hot_issue(id).await?.filter(|h| visible(caller, h)).ok_or(ApiError::NotFound)?;
    let f = ComplaintFilter {
        hot_issue: Some(id),
        now_ms: state.clock.now().timestamp_millis(),
        skip_count: true,
        limit: MAX_MEMBERS as i64,
        ..ComplaintFilter::new(caller.order_scope())
    };
    Ok((h, state.store.complaints(&f).await?.items))
}

/// A hot issue the caller may see, with its orders in the caller's scope.
pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<HotIssueDetail> {
    let (h, rows) = member_rows(state, caller, id).await?;
    Ok(HotIssueDetail { issue: h.into(), complaints: rows.iter().map(MemberView::from).collect() })
}

#[utoipa::path(get, path = "/api/v1/hot-issues/{id}", tag = "hot issues", params(("id" = i64, Path)),
    responses((status = 200, body = HotIssueDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get_hot_issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<HotIssueDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// May the caller work on this hot issue at all: the permission (403), then the issue in scope (404);
/// checked before a body is read.
async fn may_change(state: &AppState, caller: &Caller, id: i64) -> ApiResult<()> {
    caller.require(Permission::HandleComplaint)?;
    state.store.hot_issue(id).await?.filter(|h| visible(caller, h)).ok_or(ApiError::NotFound)?;
    Ok(())
}

pub async fn add(state: &AppState, caller: &Caller, id: i64, ids: Vec<i64>) -> ApiResult<HotIssueDetail> {
    change_members(state, caller, id, ids, false).await
}

/// Orders join (or, with `leave`, leave) an issue the caller may see; then the issue as the caller sees it.
async fn change_members(
    state: &AppState,
    caller: &Caller,
    id: i64,
    ids: Vec<i64>,
    leave: bool,
) -> ApiResult<HotIssueDetail> {
    caller.require(Permission::HandleComplaint)?;
    state.store.hot_issue(id).await?.filter(|h| visible(caller, h)).ok_or(ApiError::NotFound)?;
    let target = if leave {
        HotIssueTarget::Leave { id }
    } else {
        linkable(state, caller, &ids, 1).await?;
        HotIssueTarget::Existing { id }
    };
    let input = LinkInput { target, complaint_ids: ids, actor: caller.actor(), at: state.clock.now() };
    state.store.link_hot_issue(input).await?;
    detail(state, caller, id).await
}

/// Links more orders to a hot issue, with an event on each; all or none.
#[utoipa::path(post, path = "/api/v1/hot-issues/{id}/complaints", tag = "hot issues", params(("id" = i64, Path)), request_body = MoreComplaints,
    responses((status = 200, body = HotIssueDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_complaints(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<MoreComplaints>,
) -> ApiResult<Json<HotIssueDetail>> {
    may_change(&state, &caller, id).await?;
    Ok(Json(add(&state, &caller, id, body.parse()?.complaints).await?))
}

pub async fn remove(state: &AppState, caller: &Caller, id: i64, complaint_id: i64) -> ApiResult<HotIssueDetail> {
    change_members(state, caller, id, vec![complaint_id], true).await
}

/// Takes an order out of the hot issue, with an event on it; it is suggested again and may join
/// another issue. 409 when the order is not in this issue.
#[utoipa::path(delete, path = "/api/v1/hot-issues/{id}/complaints/{complaint_id}", tag = "hot issues",
    params(("id" = i64, Path), ("complaint_id" = i64, Path)),
    responses((status = 200, body = HotIssueDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn remove_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, complaint_id)): Path<(i64, i64)>,
) -> ApiResult<Json<HotIssueDetail>> {
    Ok(Json(remove(&state, &caller, id, complaint_id).await?))
}

/// What one decision would do to an issue for the caller now: the open orders in the caller's scope
/// it can decide (in a state that allows this caller to decide them), and the other open ones, each
/// with the reason it cannot be decided.
pub struct Plan {
    pub decidable: Vec<ComplaintRow>,
    pub not_decidable: Vec<(ComplaintRow, xiaobao_core::complaint::Refusal)>,
}

impl Plan {
    /// Distinct units among the orders it can decide.
    pub fn units(&self) -> usize {
        self.decidable.iter().map(|k| k.order.responsible_unit_id).collect::<BTreeSet<_>>().len()
    }
}

/// The issue's open orders in the caller's scope, split by whether the caller may decide each now.
pub async fn plan(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Plan> {
    caller.require(Permission::HandleComplaint)?;
    let (_, rows) = member_rows(state, caller, id).await?;
    let now = state.clock.now();
    let rules = state.store.rules();
    let actor = caller.actor();
    let mut plan = Plan { decidable: Vec::new(), not_decidable: Vec::new() };
    for k in rows.into_iter().filter(|k| k.order.state.is_open()) {
        let has_parent = xiaobao_core::org::path_ids(&k.org_path).len() > 1;
        match xiaobao_core::complaint::allows(
            &k.order,
            ActionKind::Decide,
            &actor,
            now,
            &rules.policy,
            &rules.calendar,
            has_parent,
        ) {
            Ok(()) => plan.decidable.push(k),
            Err(r) => plan.not_decidable.push((k, r)),
        }
    }
    Ok(plan)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    /// Orders the decision would be applied to: open, in the caller's scope, and in a state that lets
    /// the caller decide them now. `POST …/decide?confirm=` takes this number.
    pub orders: usize,
    /// Distinct units among them.
    pub units: usize,
    pub complaints: Vec<MemberView>,
    /// The issue's other open orders in the caller's scope, which the decision would not reach now,
    /// each with the reason (`ok` is false).
    pub not_decidable: Vec<BatchResult>,
}

fn refused_result(k: &ComplaintRow, e: ApiError, lang: crate::i18n::Lang) -> BatchResult {
    BatchResult { id: k.order.id, number: k.number.clone(), ok: false, problem: Some(e.problem(lang.english())) }
}

impl PlanView {
    pub fn new(plan: &Plan, lang: crate::i18n::Lang) -> Self {
        Self {
            orders: plan.decidable.len(),
            units: plan.units(),
            complaints: plan.decidable.iter().map(MemberView::from).collect(),
            not_decidable: plan.not_decidable.iter().map(|(k, r)| refused_result(k, r.clone().into(), lang)).collect(),
        }
    }
}

/// What one decision for the hot issue would reach now, for the caller: the count of orders and of
/// units to confirm before deciding, the orders, and the open orders it would not reach with why.
#[utoipa::path(get, path = "/api/v1/hot-issues/{id}/decide", tag = "hot issues", params(("id" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_decide_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    lang: crate::i18n::Lang,
) -> ApiResult<Json<PlanView>> {
    may_change(&state, &caller, id).await?;
    Ok(Json(PlanView::new(&plan(&state, &caller, id).await?, lang)))
}

/// The confirmation did not match what the decision would reach now: nothing was decided.
pub fn stale_confirmation(confirmed: usize, now: usize) -> ApiError {
    ApiError::Conflict(crate::i18n::Msg::format(
        "problem.batch_changed",
        &[("confirmed", &confirmed), ("orders", &now)],
    ))
}

pub async fn decide_each(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: DecideBody,
    confirm: Option<usize>,
    lang: crate::i18n::Lang,
) -> ApiResult<BatchView> {
    caller.require(Permission::HandleComplaint)?;
    let action = body.into_action(state, caller).await?;
    let plan = plan(state, caller, id).await?;
    if let Some(n) = confirm
        && n != plan.decidable.len()
    {
        return Err(stale_confirmation(n, plan.decidable.len()));
    }
    let mut results = Vec::new();
    let mut units = BTreeSet::new();
    for k in &plan.decidable {
        let r = crate::api::complaint_actions::act(state, caller, k.order.id, action.clone()).await;
        match r {
            Ok(_) => {
                units.insert(k.order.responsible_unit_id);
                results.push(BatchResult { id: k.order.id, number: k.number.clone(), ok: true, problem: None });
            }
            Err(e) => results.push(refused_result(k, e, lang)),
        }
    }
    results.extend(plan.not_decidable.iter().map(|(k, r)| refused_result(k, r.clone().into(), lang)));
    let decided = results.iter().filter(|r| r.ok).count();
    Ok(BatchView { decided, units: units.len(), refused: results.len() - decided, results })
}

/// One decision applied to each open order of the hot issue in the caller's scope that the caller
/// may decide now, each through the decide action with its own event. `confirm` is the count of
/// orders the caller was shown (`GET …/decide` answers it as `orders`): when it no longer matches,
/// 409 and nothing is decided. The open orders that cannot be decided now (not yet responded,
/// paused, …) are listed as refused with the reason, and left as they are.
#[utoipa::path(post, path = "/api/v1/hot-issues/{id}/decide", tag = "hot issues",
    params(("id" = i64, Path), ("confirm" = Option<usize>, Query, description = "the count of orders confirmed (`orders` of `GET …/decide`)")),
    request_body = DecideBody,
    responses((status = 200, body = BatchView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn decide_all(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<Params>,
    lang: crate::i18n::Lang,
    body: JsonBody<DecideBody>,
) -> ApiResult<Json<BatchView>> {
    may_change(&state, &caller, id).await?;
    let confirm = match p.get("confirm") {
        Some(_) => Some(crate::api::query::bounded(&p, "confirm", 0, 0, MAX_MEMBERS as i64)? as usize),
        None => None,
    };
    Ok(Json(decide_each(&state, &caller, id, body.parse()?, confirm, lang).await?))
}
