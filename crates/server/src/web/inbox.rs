//! The bell and the inbox: every page shows the reader's unread deadline alerts as a count on a bell
//! in the header; the inbox lists them newest first, each linked to its order (opening it marks it
//! read), with "mark read" one at a time or all at once.

use super::layout::page;
use super::pages::{csrf, form_caller, html_response};
use crate::api::query::{Params, paging};
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use xiaobao_core::deadline::ClockKind;
use xiaobao_core::time::local_minute;

tokio::task_local! {
    static UNREAD: i64;
}

/// Counts the logged-in reader's unread alerts for a page request, for the layout's bell.
pub async fn unread(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || path.starts_with("/static/") || path.starts_with("/progress") || path == "/healthz"
    {
        return next.run(req).await;
    }
    let count = match Caller::from_headers(req.headers(), &state).await {
        Ok(caller) => state.store.unread_notifications(caller.user.id).await.unwrap_or(0),
        Err(_) => return next.run(req).await,
    };
    UNREAD.scope(count, next.run(req)).await
}

/// A bell drawn in the header's colour (fonts without emoji draw no 🔔).
const BELL_SVG: &str = r#"<svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" style="vertical-align:-3px"><path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/><path d="M13.73 21a2 2 0 0 1-3.46 0"/></svg>"#;

/// The bell: a link to the inbox with the unread count (none outside a logged-in page).
pub fn bell(lang: Lang) -> Markup {
    let Ok(n) = UNREAD.try_with(|n| *n) else { return html! {} };
    let label =
        if n == 0 { lang.t("inbox.none_unread").to_string() } else { tr!(lang, "inbox.unread", n = lang.int(n)) };
    html! {
        a #bell href="/inbox" title=(label) aria-label=(label) {
            (maud::PreEscaped(BELL_SVG)) " " span.bell-label { (lang.t("inbox.title")) }
            @if n > 0 { span.count #bell-count { (if n > 99 { "99+".to_string() } else { n.to_string() }) } }
        }
    }
}

pub async fn inbox(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let (token, set) = csrf(&headers);
    let (offset, limit, page_no) = paging(&p).unwrap_or((0, 50, 1));
    let unread_only = p.get("unread").is_some_and(|v| v == "true");
    let rows = match state.store.notifications(caller.user.id, unread_only, offset, limit + 1).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "inbox");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let unread = state.store.unread_notifications(caller.user.id).await.unwrap_or(0);
    let filter = if unread_only { "&unread=true" } else { "" };
    let body = html! {
        div.card #inbox {
            h1 { (lang.t("inbox.title")) }
            p {
                (if unread == 0 { lang.t("inbox.none_unread").to_string() } else { tr!(lang, "inbox.unread", n = lang.int(unread)) })
                " · "
                @if unread_only { a href="/inbox" { (lang.t("inbox.show_all")) } } @else { a #only-unread href="/inbox?unread=true" { (lang.t("inbox.show_unread")) } }
            }
            @if unread > 0 {
                form method="post" action="/inbox/read-all" data-confirm=(tr!(lang, "inbox.confirm_all", n = lang.int(unread))) {
                    input type="hidden" name="_csrf" value=(token);
                    button.primary #read-all type="submit" { (lang.t("inbox.mark_all")) }
                }
            }
            @if rows.is_empty() {
                p.muted #inbox-empty { (lang.t(if unread_only { "inbox.empty_unread" } else { "inbox.empty" })) }
            } @else {
                div.scroll {
                    table #notifications {
                        thead { tr { th { (lang.t("inbox.when")) } th { (lang.t("inbox.what")) } th { (lang.t("number")) } th {} } }
                        tbody {
                            @for n in rows {
                                tr class=[n.read_at.is_none().then_some("unread")] data-id=(n.id) {
                                    td.nowrap { (local_minute(n.created_at)) }
                                    td { (what(lang, &n.kind, &n.clock, n.level)) }
                                    td { a href={ "/inbox/" (n.id) "/open" } { (subject(lang, n)) } }
                                    td {
                                        @if n.read_at.is_none() {
                                            form.inline method="post" action={ "/inbox/" (n.id) "/read" } {
                                                input type="hidden" name="_csrf" value=(token);
                                                button type="submit" { (lang.t("inbox.mark_read")) }
                                            }
                                        } @else { span.muted { (lang.t("inbox.read")) } }
                                    }
                                }
                            }
                        }
                    }
                }
                p.pager {
                    @if page_no > 1 { a href={ "/inbox?page=" (page_no - 1) (filter) } { (lang.t("prev")) } }
                    @if more { a href={ "/inbox?page=" (page_no + 1) (filter) } { (lang.t("next")) } }
                }
            }
        }
    };
    html_response(page(lang, Some(&caller.user), Some(&token), lang.t("inbox.title"), body), set)
}

/// "Decision deadline passed (escalation 1)", "Response deadline near (80%)".
fn what(lang: Lang, kind: &str, clock: &str, level: i64) -> String {
    let clock = ClockKind::from_str_opt(clock).map_or(clock.to_string(), |c| lang.name(c).to_string());
    match kind {
        "clock_breach" => tr!(lang, "inbox.breach", clock = clock),
        "overtime_day" => tr!(lang, "inbox.overtime", pct = format!("{}.{:02}%", level / 100, level % 100)),
        "rectification_overdue" => tr!(lang, "inbox.rect_overdue", level = level),
        "weekly_report_missing" => lang.t("inbox.weekly_missing").to_string(),
        _ => tr!(lang, "inbox.warning", clock = clock, pct = level),
    }
}

/// What a notice is about: the order's number, the outlet's code, the rectification.
fn subject(lang: Lang, n: &xiaobao_store::NotificationRow) -> String {
    match (n.kind.as_str(), &n.subject_key) {
        ("overtime_day", Some(k)) => k.split(':').next().unwrap_or(k).to_string(),
        ("rectification_overdue", Some(_)) => tr!(lang, "inbox.rect_number", id = n.complaint_id),
        // weekly:BJ0101:2026-W48
        ("weekly_report_missing", Some(k)) => k.split(':').skip(1).collect::<Vec<_>>().join(" · "),
        _ => n.number.clone(),
    }
}

/// Where a notice opens: its order, its outlet's service measures of today, its rectification.
fn target(n: &xiaobao_store::NotificationRow) -> String {
    match (n.kind.as_str(), &n.subject_key) {
        ("overtime_day", Some(k)) => {
            let code = k.split(':').next().unwrap_or(k);
            format!("/service?org_unit={}&by=hour", crate::api::query::percent_encode(code))
        }
        ("rectification_overdue", Some(_)) => format!("/rectifications/{}", n.complaint_id),
        ("weekly_report_missing", Some(_)) => "/workbook/weekly".to_string(),
        _ => format!("/complaints/{}", n.complaint_id),
    }
}

/// Opening an alert marks it read and goes to what it is about.
pub async fn open(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    match state.store.notification(caller.user.id, id).await {
        Ok(Some(n)) => {
            let _ = state.store.mark_notification_read(caller.user.id, id, state.clock.now()).await;
            Redirect::to(&target(&n)).into_response()
        }
        Ok(None) => super::pages::not_found(Lang::from_headers(&headers), &caller, csrf(&headers)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn read_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match state.store.mark_notification_read(caller.user.id, id, state.clock.now()).await {
        Ok(true) => Redirect::to("/inbox").into_response(),
        Ok(false) => super::pages::not_found(Lang::from_headers(&headers), &caller, csrf(&headers)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn read_all(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match state.store.mark_all_notifications_read(caller.user.id, state.clock.now()).await {
        Ok(_) => Redirect::to("/inbox").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/inbox", axum::routing::get(inbox))
        .route("/inbox/read-all", axum::routing::post(read_all))
        .route("/inbox/{id}/open", axum::routing::get(open))
        .route("/inbox/{id}/read", axum::routing::post(read_one))
}
