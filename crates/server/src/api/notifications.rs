//! The caller's in-app inbox of deadline warnings and breaches.

use crate::api::query::{Params, boolean, paging};
use crate::api::views::Paged;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::time::rfc3339;

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// The order's id; for a service notice the outlet's (`overtime_day`) or the
    /// rectification's (`rectification_overdue`).
    pub complaint_id: i64,
    /// The order's number; for a service notice its subject key.
    pub number: String,
    /// `clock_warning`, `clock_breach`, `overtime_day`, `rectification_overdue` or `weekly_report_missing`
    pub kind: String,
    /// `response`, `decision`, `completion` or `review`
    pub clock: String,
    /// The warning's percentage, or the breach's escalation level.
    pub level: i64,
    pub created_at: String,
    pub read_at: Option<String>,
    /// A service notice's subject: "BJ0101:20250303" (outlet and day), "rect:12:2" (rectification
    /// and level).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_key: Option<String>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notifications)).routes(routes!(read_notification))
}

/// The caller's notifications, newest first (`unread=true` for the unread ones).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(("unread" = Option<bool>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<NotificationView>)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<NotificationView>>> {
    let (offset, limit, page) = paging(&p)?;
    let unread = boolean(&p, "unread")?.unwrap_or(false);
    let rows = state.store.notifications(caller.user.id, unread, offset, limit + 1).await?;
    Ok(Json(Paged::from_probe(&rows, offset, limit, page, |n| NotificationView {
        id: n.id,
        complaint_id: n.complaint_id,
        number: n.number.clone(),
        kind: n.kind.clone(),
        clock: n.clock.clone(),
        level: n.level,
        created_at: rfc3339(n.created_at),
        read_at: n.read_at.map(rfc3339),
        subject_key: n.subject_key.clone(),
    })))
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn read_notification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if state.store.mark_notification_read(caller.user.id, id, state.clock.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
