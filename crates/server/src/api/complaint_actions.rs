//! One endpoint per action on a work order: `POST /api/v1/complaints/{id}/{action}`. Each checks the
//! caller's permission and scope first (`may_try`), then parses its body into a core `Action`; the
//! writer checks scope, permission and state again inside the transaction.
//! Refusals: 404 outside scope, 403 without permission, 409 in the wrong state — and nothing changes.

use crate::api::views::ComplaintView;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::complaint::action::reason;
use xiaobao_core::complaint::{Action, ActionKind, Decision, Feedback, Refusal, RootCause, UnitRef, permission_for};
use xiaobao_core::text::{bounded, limits};
use xiaobao_store::ActInput;
use xiaobao_store::ComplaintRow;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondBody {
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    pub to_org_unit: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    pub liable: bool,
    pub root_cause: RootCause,
    pub cause: Option<String>,
    pub remedy: Option<String>,
    pub amount: Option<String>,
    pub text: String,
    /// Usernames of the employees a liable decision holds to account (at most 10): each is proposed
    /// to the service department, which confirms a penalty or dismisses it.
    #[serde(default)]
    pub liable_staff: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    pub feedback: Feedback,
    pub note: Option<String>,
}

/// Runs a parsed action and returns the order as it now stands.
/// May the caller try an action of this kind on the order at all: the order in scope (404, as the
/// writer answers), then the role's permission (403). Checked before the body is read, so the body's
/// checks tell nothing to a caller who may not act.
pub async fn may_try(state: &AppState, caller: &Caller, id: i64, kind: ActionKind) -> ApiResult<()> {
    crate::api::complaints::read_visible(state, caller, id).await?;
    if !caller.can(permission_for(kind)) {
        return Err(Refusal::NoPermission { action: kind, role: caller.user.role }.into());
    }
    Ok(())
}

async fn run(state: &AppState, caller: &Caller, id: i64, action: Action) -> ApiResult<Json<ComplaintView>> {
    let k = act(state, caller, id, action).await?;
    Ok(Json(ComplaintView::new(&k, false, state.clock.now(), &state.store.rules().calendar)))
}

impl RespondBody {
    pub fn into_action(self) -> ApiResult<Action> {
        Ok(Action::Respond { text: bounded("text", &self.text, 1, limits::TEXT)? })
    }
}

impl TransferBody {
    pub async fn into_action(self, state: &AppState) -> ApiResult<Action> {
        let reason = reason(&self.reason)?;
        let unit = state.store.org_unit_by_code(self.to_org_unit.trim()).await?.ok_or_else(|| {
            ApiError::Invalid(
                xiaobao_core::FieldError::because("to_org_unit", "field.transfer_unit")
                    .with("to_org_unit", self.to_org_unit),
            )
        })?;
        Ok(Action::Transfer { to: UnitRef { id: unit.id, code: unit.code, path: unit.path }, reason })
    }
}

impl DecideBody {
    /// The decision; the employees it names must be active and of the deciding caller's subtree.
    pub async fn into_action(self, state: &AppState, caller: &Caller) -> ApiResult<Action> {
        let mut faults = Vec::new();
        let mut staff = Vec::new();
        if !self.liable && !self.liable_staff.is_empty() {
            faults.push(xiaobao_core::FieldError::because("liable_staff", "field.staff_only_if_liable"));
        } else if self.liable_staff.len() > 10 {
            faults.push(xiaobao_core::FieldError::because("liable_staff", "field.too_many").with("max", 10));
        } else {
            for (n, name) in self.liable_staff.iter().enumerate() {
                let name = name.trim();
                match state.store.user_by_username(name).await? {
                    Some(u) if u.active && caller.sees_unit(&u.org_path) => {
                        if !staff.contains(&u.id) {
                            staff.push(u.id);
                        }
                    }
                    _ => faults.push(
                        xiaobao_core::FieldError::because(format!("liable_staff[{n}]"), "field.unknown_employee")
                            .with("name", name),
                    ),
                }
            }
        }
        let cause = match self.cause.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c)
                if c.len() <= 6
                    && state.store.class_exists(xiaobao_core::classification::Dimension::Cause, c).await? =>
            {
                Some(c.to_string())
            }
            Some(c) => {
                faults.push(xiaobao_core::FieldError::because("cause", "field.unknown_cause").with("c", c));
                None
            }
            None => None,
        };
        match Decision::parse(
            self.liable,
            self.root_cause,
            cause,
            self.remedy.as_deref(),
            self.amount.as_deref(),
            &self.text,
        ) {
            Ok(decision) if faults.is_empty() => Ok(Action::Decide(Decision { liable_staff: staff, ..decision })),
            Ok(_) => Err(ApiError::InvalidAll(faults)),
            Err(more) => Err(ApiError::InvalidAll(faults.into_iter().chain(more).collect())),
        }
    }
}

impl CloseBody {
    pub fn into_action(self) -> ApiResult<Action> {
        let note = self
            .note
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .map(|n| bounded("note", n, 1, limits::TEXT))
            .transpose()?;
        Ok(Action::Close { feedback: self.feedback, note })
    }
}

/// Head office's decision on a unit's appeal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideAppealBody {
    /// true: exclude the complaint from the unit's figures; false: keep it counted.
    pub approve: bool,
    /// Why (1–500 characters).
    pub note: String,
}

impl DecideAppealBody {
    pub fn into_action(self) -> ApiResult<Action> {
        Ok(Action::DecideAppeal { approve: self.approve, note: bounded("note", &self.note, 1, limits::REASON)? })
    }
}

/// Runs a parsed action for the caller; the order as it now stands.
pub async fn act(state: &AppState, caller: &Caller, id: i64, action: Action) -> ApiResult<ComplaintRow> {
    let at = state.clock.now();
    state.store.act(ActInput { complaint_id: id, actor: caller.actor(), action, at }).await?;
    state.store.complaint(id).await?.ok_or(ApiError::NotFound)
}

macro_rules! reason_action {
    ($fn:ident, $path:literal, $variant:ident, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "complaint actions", params(("id" = i64, Path)), request_body = ReasonBody,
            responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
                (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
        pub async fn $fn(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, body: JsonBody<ReasonBody>) -> ApiResult<Json<ComplaintView>> {
            may_try(&state, &caller, id, ActionKind::$variant).await?;
            let b = body.parse()?;
            run(&state, &caller, id, Action::$variant { reason: reason(&b.reason)? }).await
        }
    };
}

reason_action!(
    decline,
    "/api/v1/complaints/{id}/decline",
    Decline,
    "Decline to accept (registered → declined), with the reason."
);
reason_action!(
    extend,
    "/api/v1/complaints/{id}/extend",
    Extend,
    "Extend the decision deadline (30 days from receipt; 60 with approval), with the reason told to the complainant."
);
reason_action!(
    pause,
    "/api/v1/complaints/{id}/pause",
    Pause,
    "Pause the clocks for an outside appraisal, test or assessment."
);
reason_action!(
    resume,
    "/api/v1/complaints/{id}/resume",
    Resume,
    "Resume paused clocks; due times move by the paused span."
);
reason_action!(
    reopen,
    "/api/v1/complaints/{id}/reopen",
    Reopen,
    "Reopen a closed order on the complainant's request (counts as a repeat complaint)."
);
reason_action!(
    request_review,
    "/api/v1/complaints/{id}/request_review",
    RequestReview,
    "The complainant asks the superior unit for a re-review of the decision."
);
reason_action!(
    appeal,
    "/api/v1/complaints/{id}/appeal",
    Appeal,
    "The unit asks head office to exclude the complaint from its figures (申诉), with the reason; in any state, once unless rejected."
);
reason_action!(
    withdraw,
    "/api/v1/complaints/{id}/withdraw",
    Withdraw,
    "The complainant withdraws the complaint; the order ends."
);

/// Accept the order (registered → accepted).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/accept", tag = "complaint actions", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<NoBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Accept).await?;
    body.parse()?;
    run(&state, &caller, id, Action::Accept).await
}

/// Tell the complainant the plan (accepted → in_progress); meets the response clock.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/respond", tag = "complaint actions", params(("id" = i64, Path)), request_body = RespondBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<RespondBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Respond).await?;
    let b = body.parse()?;
    run(&state, &caller, id, b.into_action()?).await
}

/// Transfer the order to another unit, with the reason.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/transfer", tag = "complaint actions", params(("id" = i64, Path)), request_body = TransferBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<TransferBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Transfer).await?;
    let b = body.parse()?;
    run(&state, &caller, id, b.into_action(&state).await?).await
}

/// Escalate the order to the parent unit, with the reason; repeatable up to head office.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/escalate", tag = "complaint actions", params(("id" = i64, Path)), request_body = ReasonBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<ReasonBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Escalate).await?;
    let b = body.parse()?;
    run(&state, &caller, id, Action::Escalate { to: None, reason: reason(&b.reason)?, overdue: None }).await
}

/// Record the handling decision (in_progress or under_review → decided).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/decide", tag = "complaint actions", params(("id" = i64, Path)), request_body = DecideBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<DecideBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Decide).await?;
    let b = body.parse()?;
    run(&state, &caller, id, b.into_action(&state, &caller).await?).await
}

/// Close a decided order with the complainant's response.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/close", tag = "complaint actions", params(("id" = i64, Path)), request_body = CloseBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<CloseBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::Close).await?;
    let b = body.parse()?;
    run(&state, &caller, id, b.into_action()?).await
}

/// Head office approves (the complaint leaves the unit's figures and its parents', kept in the ledger
/// marked) or rejects a pending appeal.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/decide_appeal", tag = "complaint actions", params(("id" = i64, Path)), request_body = DecideAppealBody,
    responses((status = 200, body = ComplaintView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn decide_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<DecideAppealBody>,
) -> ApiResult<Json<ComplaintView>> {
    may_try(&state, &caller, id, ActionKind::DecideAppeal).await?;
    let b = body.parse()?;
    run(&state, &caller, id, b.into_action()?).await
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(respond))
        .routes(routes!(transfer))
        .routes(routes!(escalate))
        .routes(routes!(extend))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(decide))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(request_review))
        .routes(routes!(withdraw))
        .routes(routes!(appeal))
        .routes(routes!(decide_appeal))
}
