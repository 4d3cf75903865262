//! Complaint work orders: register, list with filters and paging, read one, read its timeline.

use crate::api::query::{Params, boolean, instant, int, paging, parse_instant};
use crate::api::views::{ComplaintView, EventView, Paged};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::access::may_see_order;
use xiaobao_core::channel::Channel;
use xiaobao_core::classification::Dimension;
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::{ActionKind, State as OrderState, UnitRef};
use xiaobao_core::deadline::ClockKind;
use xiaobao_core::money::Money;
use xiaobao_core::role::Permission;
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::Instant;
use xiaobao_store::{ComplaintFilter, ComplaintRow, RegisterInput, RegisterOutcome};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplainantInput {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComplaint {
    pub channel: Channel,
    /// The org unit that owns the order (inside the caller's subtree).
    pub org_unit: String,
    /// When the bank received it (RFC 3339); defaults to now.
    pub received_at: Option<String>,
    pub complainant: ComplainantInput,
    /// Business type code (JR/T 0169-2018).
    pub category: Option<String>,
    pub service_channel: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub description: String,
    /// Amount in dispute, a decimal string in yuan.
    pub amount: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredView {
    #[serde(flatten)]
    pub complaint: ComplaintView,
    /// True when the complaint was merged into the complainant's open order on the same matter.
    pub merged: bool,
}

/// A complaint merged into an open order the registering user may not see: they learn that it
/// joined a matter already being handled, and by which unit, and nothing of the order itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinedElsewhere {
    /// Always true.
    pub merged: bool,
    /// The unit handling the order the complaint joined.
    pub handled_by: crate::api::views::OrgUnitRef,
}

/// What registering answers: the order, or (merged into an order out of the caller's scope) only
/// where it is being handled.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Registered {
    Order(Box<RegisteredView>),
    Elsewhere(JoinedElsewhere),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LongUnresolvedRow {
    pub org_unit: crate::api::views::OrgUnitRef,
    pub count: i64,
}

/// The long-unresolved list (久拖不决): orders still open `days` (default 30) after receipt, counted
/// per unit holding them, inside the caller's subtree, most first.
#[utoipa::path(get, path = "/api/v1/long-unresolved", tag = "complaints", params(("days" = Option<i64>, Query)),
    responses((status = 200, body = Vec<LongUnresolvedRow>), (status = 422, body = crate::error::Problem)))]
pub async fn long_unresolved(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<LongUnresolvedRow>>> {
    caller.require(Permission::ReadComplaints)?;
    let days = int(&p, "days")?.unwrap_or(30);
    if !(1..=3660).contains(&days) {
        return Err(ApiError::invalid("days", "field.days_1_3660"));
    }
    let before = (state.clock.now() - chrono::Duration::days(days)).timestamp_millis();
    let rows = state.store.long_unresolved(&caller.user.org_path, before).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(code, name, count)| LongUnresolvedRow {
                org_unit: crate::api::views::OrgUnitRef { code, name },
                count,
            })
            .collect(),
    ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(long_unresolved))
        .routes(routes!(list_complaints, create_complaint))
        .routes(routes!(export_complaints))
        .routes(routes!(get_complaint))
        .routes(routes!(complaint_events))
}

/// One order for the caller: not found outside their scope; for roles that may see personal data,
/// the unmasked read is logged first. Returns the order and whether to show it unmasked.
pub async fn read_complaint(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(ComplaintRow, bool)> {
    let k = read_visible(state, caller, id).await?;
    let unmasked = caller.can(Permission::ViewPersonalData);
    if unmasked {
        let fields = "complainant.phone,complainant.id_number";
        state
            .store
            .log_unmasked_read(caller.user.id, state.clock.now().timestamp_millis(), "complaint", k.order.id, fields)
            .await?;
    }
    Ok((k, unmasked))
}

/// The order if the caller can see it (no personal data read), or not found.
pub async fn read_visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ComplaintRow> {
    state.store.complaint(id).await?.filter(|k| visible(caller, k)).ok_or(ApiError::NotFound)
}

/// Is this order visible to the caller (`xiaobao_core::access::may_see_order`)?
pub fn visible(caller: &Caller, k: &ComplaintRow) -> bool {
    may_see_order(caller.viewer(), k.place())
}

async fn check_class(
    state: &AppState,
    dim: Dimension,
    field: &str,
    code: &Option<String>,
) -> ApiResult<Option<String>> {
    let Some(code) = code.as_ref().map(|c| c.trim()).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if code.len() > 6 || !state.store.class_exists(dim, code).await? {
        return Err(ApiError::Invalid(
            xiaobao_core::FieldError::because(field, "field.unknown_class")
                .with("dimension", dim.as_str())
                .with("code", code),
        ));
    }
    Ok(Some(code.to_string()))
}

/// When the bank received a complaint: the time given (RFC 3339, at most five minutes ahead of the
/// server's clock and at most three years back), else now.
pub fn received_at(given: Option<&str>, now: Instant) -> ApiResult<Instant> {
    let received_at = match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_instant("received_at", s)?,
        None => return Ok(now),
    };
    if received_at > now + chrono::Duration::minutes(5) {
        return Err(ApiError::invalid("received_at", "field.received_in_future"));
    }
    if received_at < now - chrono::Duration::days(3 * 366) {
        return Err(ApiError::invalid("received_at", "field.received_too_old"));
    }
    Ok(received_at)
}

/// Register a complaint. The caller is its first responder. A complaint from a complainant who
/// already has an open order on the same matter is merged into it (200, `merged: true`); when that
/// order is outside the caller's scope, the answer names only the unit handling it.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = CreateComplaint,
    responses((status = 201, body = RegisteredView), (status = 200, description = "merged into an open order", body = Registered),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_complaint(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateComplaint>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    caller.require(Permission::RegisterComplaint)?;
    let (status, view) = register(&state, &caller, body.parse()?).await?;
    Ok((status, Json(view)))
}

/// Checks a registration and registers it (the API and the web form both come here): 201 for a new
/// order, 200 when merged into the complainant's open order on the same matter.
pub async fn register(state: &AppState, caller: &Caller, req: CreateComplaint) -> ApiResult<(StatusCode, Registered)> {
    caller.require(Permission::RegisterComplaint)?;
    let now = state.clock.now();
    // every field is checked before any is refused, so a form shows all its faults at once
    let mut faults = Faults::default();
    let unit = faults.keep(crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await)?;
    let c = &req.complainant;
    let complainant = faults.keep(
        NewComplainant::parse_all(&c.name, c.phone.as_deref(), c.id_number.as_deref(), &c.tags)
            .map_err(|all| ApiError::InvalidAll(all.into_iter().map(|e| e.within("complainant")).collect())),
    )?;
    let category = faults.keep(check_class(state, Dimension::Category, "category", &req.category).await)?;
    let service_channel =
        faults.keep(check_class(state, Dimension::ServiceChannel, "service_channel", &req.service_channel).await)?;
    let cause = faults.keep(check_class(state, Dimension::Cause, "cause", &req.cause).await)?;
    let summary = faults.keep(bounded("summary", &req.summary, 1, limits::SUMMARY).map_err(ApiError::from))?;
    let description =
        faults.keep(bounded("description", &req.description, 1, limits::DESCRIPTION).map_err(ApiError::from))?;
    let amount = faults.keep(
        req.amount
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(|a| Money::parse("amount", a))
            .transpose()
            .map_err(ApiError::from),
    )?;
    let received_at = faults.keep(received_at(req.received_at.as_deref(), now))?;
    faults.check()?;
    let (Some(unit), Some(complainant), Some(category), Some(service_channel), Some(cause)) =
        (unit, complainant, category, service_channel, cause)
    else {
        return Err(ApiError::Internal);
    };
    let (Some(summary), Some(description), Some(amount), Some(received_at)) =
        (summary, description, amount, received_at)
    else {
        return Err(ApiError::Internal);
    };
    let org_name = unit.name.clone();
    let input = RegisterInput {
        at: now,
        received_at,
        channel: req.channel,
        unit: UnitRef { id: unit.id, code: unit.code, path: unit.path },
        first_responder_id: caller.user.id,
        complainant,
        category,
        service_channel,
        cause,
        summary,
        description,
        amount,
    };
    let outcome = state.store.register(input.clone()).await?;
    // A new order is answered from what was written; a merged one as the writer left it.
    let k =
        match (&outcome, input.registered_row(&outcome, &org_name, &caller.user.username, &caller.user.display_name)) {
            (_, Some(k)) => k,
            (RegisterOutcome::Merged { row, .. }, None) => (**row).clone(),
            (RegisterOutcome::Registered { .. }, None) => return Err(ApiError::Internal),
        };
    let merged = matches!(outcome, RegisterOutcome::Merged { .. });
    if merged && !visible(caller, &k) {
        let handled_by = crate::api::views::OrgUnitRef { code: k.org_code, name: k.org_name };
        return Ok((StatusCode::OK, Registered::Elsewhere(JoinedElsewhere { merged: true, handled_by })));
    }
    let status = if merged { StatusCode::OK } else { StatusCode::CREATED };
    let mut complaint = ComplaintView::new(&k, false, now, &state.store.rules().calendar);
    hide_links_out_of_scope(state, caller, &mut complaint).await?;
    Ok((status, Registered::Order(Box::new(RegisteredView { complaint, merged }))))
}

/// The list's filters, as the list, its export and its page take them (`complaint_filter` reads
/// them; this is their documentation, and the list of names the API accepts).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// a complaint number, the complainant's exact name, or a phone number (whole, or masked as the list shows it: 139****5678)
    q: Option<String>,
    state: Option<String>,
    channel: Option<String>,
    /// a unit code: its subtree
    org_unit: Option<String>,
    /// a category code and its subclasses
    category: Option<String>,
    overdue: Option<bool>,
    repeat: Option<bool>,
    /// still open (true) or ended: closed, declined or withdrawn (false)
    open: Option<bool>,
    /// only orders the caller registered (first responder)
    mine: Option<bool>,
    /// a running clock falls due within this many hours
    due_within: Option<i64>,
    /// this clock (response, decision, completion, review) was breached
    breached: Option<String>,
    /// still open this many days after receipt (long-unresolved)
    open_longer_than: Option<i64>,
    /// escalated at least once
    escalated: Option<bool>,
    /// `received` (newest first, the default) or `due` (nearest running deadline first)
    sort: Option<String>,
    /// an appeal in this status: pending, approved, rejected
    appeal: Option<String>,
    /// a unit code: complaints counted against its subtree
    responsible_unit: Option<String>,
    /// orders linked to this hot issue
    hot_issue: Option<i64>,
    /// with org_unit or responsible_unit: that unit itself, not the units below it
    here: Option<bool>,
    received_from: Option<String>,
    received_to: Option<String>,
    /// from 1 (the export has every row)
    page: Option<i64>,
    /// 1 to 200 (the export has every row)
    per_page: Option<i64>,
}

/// Work orders in the caller's scope (their subtree, plus the orders they registered), newest first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints",
    params(ListParams),
    responses((status = 200, body = Paged<ComplaintView>), (status = 422, body = crate::error::Problem)))]
pub async fn list_complaints(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<ComplaintView>>> {
    let (f, page) = complaint_filter(&state, &caller, &p).await?;
    let now = state.clock.now();
    let limit = f.limit;
    let page_rows = state.store.complaints(&f).await?;
    let rules = state.store.rules();
    Ok(Json(Paged {
        items: page_rows.items.iter().map(|k| ComplaintView::new(k, false, now, &rules.calendar)).collect(),
        total: page_rows.total,
        page,
        per_page: limit,
    }))
}

/// The filtered list as an XLSX workbook (the list's parameters; paging ignored; at most 50,000
/// rows, personal data masked), in the caller's language.
#[utoipa::path(get, path = "/api/v1/complaints/export.xlsx", tag = "complaints",
    params(ListParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
        (status = 422, body = crate::error::Problem)))]
pub async fn export_complaints(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::i18n::Lang,
    Query(p): Query<Params>,
) -> ApiResult<axum::response::Response> {
    let (f, _) = complaint_filter(&state, &caller, &p).await?;
    xlsx_response(&state, &f, lang).await
}

/// The workbook of what `f` selects, as a download.
pub async fn xlsx_response(
    state: &AppState,
    f: &ComplaintFilter,
    lang: crate::i18n::Lang,
) -> ApiResult<axum::response::Response> {
    let now = state.clock.now();
    let rows = crate::export::rows_for_export(&state.store, f).await?;
    let name = format!("complaints-{}.xlsx", xiaobao_core::time::local_date(now).format("%Y%m%d"));
    let names = crate::i18n::ClassNames::load(&state.store).await?;
    xlsx_download(&name, crate::export::complaints_xlsx(&rows, lang, &names, now, "export.orders_sheet"))
}

/// A workbook as a download named `name`; a workbook that could not be written is logged (500).
pub fn xlsx_download(
    name: &str,
    bytes: Result<Vec<u8>, rust_xlsxwriter::XlsxError>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, workbook = name, "writing a workbook");
        ApiError::Internal
    })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// The list filter from a query string (the API list, the list page and the export share it): every
/// parameter checked, its field named when it is wrong. Returns the filter and the page number.
pub async fn complaint_filter(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<(ComplaintFilter, i64)> {
    caller.require(Permission::ReadComplaints)?;
    let (offset, limit, page) = paging(p)?;
    let now = state.clock.now();
    let state_filter = match p.get("state").filter(|s| !s.is_empty()) {
        Some(s) => Some(OrderState::from_str_opt(s).ok_or_else(|| {
            let all: Vec<&str> = OrderState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::Invalid(
                xiaobao_core::FieldError::because("state", "field.unknown_state")
                    .with("value", s)
                    .with("choices", all.join(", ")),
            )
        })?),
        None => None,
    };
    let channel = p.get("channel").filter(|s| !s.is_empty()).map(|c| Channel::parse("channel", c)).transpose()?;
    // `here`: the unit itself, not the units below it
    let here = boolean(p, "here")?.unwrap_or(false);
    let unit = match p.get("org_unit").filter(|s| !s.is_empty()) {
        Some(code) => Some(crate::api::unit_in_scope(state, caller, "org_unit", code).await?),
        None => None,
    };
    let unit_id = unit.as_ref().filter(|_| here).map(|u| u.id);
    let unit_path = unit.map(|u| u.path);
    let appeal = match p.get("appeal").filter(|s| !s.is_empty()) {
        Some(a) => Some(
            xiaobao_core::complaint::AppealStatus::from_str_opt(a)
                .ok_or_else(|| ApiError::invalid("appeal", "field.appeal_status"))?,
        ),
        None => None,
    };
    // the unit a complaint counts against (a board's received figures link here)
    let responsible = match p.get("responsible_unit").filter(|s| !s.is_empty()) {
        Some(code) => Some(crate::api::unit_in_scope(state, caller, "responsible_unit", code).await?),
        None => None,
    };
    let responsible_id = responsible.as_ref().filter(|_| here).map(|u| u.id);
    let responsible_path = responsible.map(|u| u.path);
    let category = match p.get("category").filter(|s| !s.is_empty()) {
        Some(c) if xiaobao_core::classification::is_valid_code(c) => Some(c.clone()),
        Some(_) => {
            return Err(ApiError::invalid("category", "field.category_code"));
        }
        None => None,
    };
    let search = match p.get("q").map(|q| q.trim()).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > xiaobao_core::complaint::search::MAX_QUERY => {
            return Err(ApiError::Invalid(
                xiaobao_core::FieldError::because("q", "field.too_long")
                    .with("max", xiaobao_core::complaint::search::MAX_QUERY)
                    .with("len", q.chars().count()),
            ));
        }
        Some(q) => xiaobao_core::complaint::Search::parse(q),
        None => None,
    };
    let received_from = instant(p, "received_from")?;
    let received_to = instant(p, "received_to")?;
    if let (Some(a), Some(b)) = (received_from, received_to)
        && a > b
    {
        return Err(ApiError::invalid("received_to", "field.received_range"));
    }
    let f = ComplaintFilter {
        scope: caller.order_scope(),
        state: state_filter,
        channel,
        unit_path,
        unit_id,
        responsible_id,
        responsible_path,
        appeal,
        hot_issue: int(p, "hot_issue")?,
        search,
        unlinked: false,
        category,
        overdue: boolean(p, "overdue")?,
        escalated: boolean(p, "escalated")?,
        due_within_ms: match int(p, "due_within")? {
            Some(h) if (1..=24 * 60).contains(&h) => Some(h * 3_600_000),
            Some(_) => {
                return Err(ApiError::invalid("due_within", "field.hours"));
            }
            None => None,
        },
        breached: match p.get("breached").filter(|s| !s.is_empty()) {
            Some(k) => {
                Some(ClockKind::from_str_opt(k).ok_or_else(|| ApiError::invalid("breached", "field.clock_kind"))?)
            }
            None => None,
        },
        open_since_before: match int(p, "open_longer_than")? {
            Some(d) if (1..=3660).contains(&d) => Some((now - chrono::Duration::days(d)).timestamp_millis()),
            Some(_) => {
                return Err(ApiError::invalid("open_longer_than", "field.days_1_3660"));
            }
            None => None,
        },
        repeat: boolean(p, "repeat")?,
        open: boolean(p, "open")?,
        first_responder_id: boolean(p, "mine")?.filter(|m| *m).map(|_| caller.user.id),
        received_from: received_from.map(|t| t.timestamp_millis()),
        received_to: received_to.map(|t| t.timestamp_millis()),
        now_ms: now.timestamp_millis(),
        nearest_due_first: match p.get("sort").map(String::as_str) {
            None | Some("") | Some("received") => false,
            Some("due") => true,
            Some(_) => {
                return Err(ApiError::invalid("sort", "field.sort"));
            }
        },
        skip_count: false,
        offset,
        limit,
    };
    Ok((f, page))
}

/// One work order. Phone and ID number are unmasked for roles that may see personal data, and that
/// read is written to the access log before the answer is sent.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), (status = 404, body = crate::error::Problem)))]
pub async fn get_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ComplaintView>> {
    let (k, unmasked) = read_complaint(&state, &caller, id).await?;
    let now = state.clock.now();
    let mut view = ComplaintView::new(&k, unmasked, now, &state.store.rules().calendar);
    view.actions = Some(actions(&state, &caller, &k, now));
    hide_links_out_of_scope(&state, &caller, &mut view).await?;
    Ok(Json(view))
}

/// What the caller may do to the order now, under the rules in force: the API's `actions` and the
/// order page's buttons.
pub fn actions(state: &AppState, caller: &Caller, k: &ComplaintRow, now: Instant) -> Vec<ActionKind> {
    let rules = state.store.rules();
    let has_parent = xiaobao_core::org::path_ids(&k.org_path).len() > 1;
    xiaobao_core::complaint::available_actions(
        &k.order,
        &caller.actor(),
        now,
        &rules.policy,
        &rules.calendar,
        has_parent,
    )
}

/// The earlier complaint a repeat follows may be another unit's: the caller learns that it is a
/// repeat, and the earlier order's id only when they may see that order.
async fn hide_links_out_of_scope(state: &AppState, caller: &Caller, view: &mut ComplaintView) -> ApiResult<()> {
    if let Some(earlier) = view.repeat_of
        && read_visible(state, caller, earlier).await.is_err()
    {
        view.repeat_of = None;
    }
    Ok(())
}

/// The order's timeline: every event, oldest first.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/events", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = crate::error::Problem)))]
pub async fn complaint_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EventView>>> {
    read_visible(&state, &caller, id).await?;
    let events = state.store.events(id).await?;
    Ok(Json(events.iter().map(EventView::from).collect()))
}
