//! The work order page: the facts and clocks, what was complained of, what the bank has told and
//! decided, one panel per action this user may take now, the attachments, and the timeline.

mod actions;
mod facts;
mod receipt;
mod timeline;

use actions::Said;
pub(crate) use actions::{Choices, FormError, action_form_asking, decide_body, done_redirect};
pub(crate) use timeline::state_label;

use super::layout::page;
use super::pages::{csrf, csrf_ok, forbidden_form, html_response};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use xiaobao_core::classification::Dimension;
use xiaobao_core::complaint::ActionKind;
use xiaobao_core::time::local_minute;
use xiaobao_store::{ClassRow, ComplaintRow};

pub async fn complaint(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    complaint_page(&state, &headers, &caller, id, None).await
}

fn attachments_card(
    lang: Lang,
    k: &ComplaintRow,
    atts: &[xiaobao_store::AttachmentRow],
    csrf: &str,
    may_attach: bool,
    err: Option<&FormError>,
) -> Markup {
    let err = err.filter(|e| e.form == "attach");
    html! {
        div.card #attachments {
            h2 { (lang.t("order.attachments")) }
            @if atts.is_empty() {
                p.muted #no-attachments { (lang.t("order.no_attachments")) }
            } @else {
                table {
                    @for a in atts {
                        tr {
                            td { a href={ "/complaints/" (k.order.id) "/attachments/" (a.id) } download { (a.name) } }
                            td.num { (human_size(a.size)) }
                            td { (a.uploaded_by) }
                            td.nowrap { (local_minute(a.uploaded_at)) }
                        }
                    }
                }
            }
            @if may_attach {
                form #attach method="post" action={ "/complaints/" (k.order.id) "/attachments" } enctype="multipart/form-data" {
                    input type="hidden" name="_csrf" value=(csrf);
                    label for="attach-file" { (lang.t("order.attach_file")) }
                    input #attach-file type="file" name="file" accept=(xiaobao_core::attachment::ACCEPTED) required;
                    @if let Some(e) = err { span.error.field-error data-field="file" role="alert" { (e.message) } }
                    button.primary type="submit" { (lang.t("order.upload")) }
                }
            }
        }
    }
}

fn human_size(n: i64) -> String {
    match n {
        n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1048576.0),
        n if n >= 1024 => format!("{:.0} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

pub(super) async fn complaint_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    error: Option<FormError>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let now = state.clock.now();
    let (k, unmasked) = match crate::api::complaints::read_complaint(state, caller, id).await {
        Ok(found) => found,
        Err(ApiError::NotFound) => return super::pages::not_found(lang, caller, (token, set)),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let view = crate::api::views::ComplaintView::new(&k, unmasked, now, &state.store.rules().calendar);
    let events = timeline::read(state.store.events(id).await.unwrap_or_default());
    let atts = state.store.attachments(id).await.unwrap_or_default();
    let classes = crate::api::categories::held(state).await.unwrap_or_default();
    let names = &classes.names;
    let causes: Vec<&ClassRow> = classes.of(Dimension::Cause).collect();
    let actions = crate::api::complaints::actions(state, caller, &k, now);
    let units = if actions.contains(&ActionKind::Transfer) { transfer_units(state, &k).await } else { vec![] };
    let choices = actions::Choices { causes: &causes, units: &units };
    let may_attach = caller.can(xiaobao_core::role::Permission::RegisterComplaint)
        || caller.can(xiaobao_core::role::Permission::HandleComplaint);
    // an error for a form no longer offered (the state moved on) is shown at the top
    let orphan = error.as_ref().filter(|e| e.form != "attach" && !actions.iter().any(|a| a.as_str() == e.form));
    let done = if error.is_none() { done_action(headers) } else { None };
    let today = xiaobao_core::time::local_date(now).to_string();
    let progress_stopped = state.store.progress_stopped(id, &today).await.ok().flatten().is_some();
    let body = html! {
        @match done {
            Some(Said::Done(kind)) => { div.card.done #done role="status" { p.notice { (lang.t(actions::done_key(kind))) } } }
            Some(Said::Registered) => {
                div.card.done #done role="status" {
                    p.notice { (lang.t("order.done.registered")) " "
                        a.button #print-receipt href={ "/complaints/" (id) "/receipt" } { (lang.t("receipt.print")) } }
                }
            }
            Some(Said::Merged) => { div.card.done #done role="status" { p.notice #merged { (lang.t("order.done.merged")) } } }
            None => {}
        }
        (super::calendar_gap::order_banner(state, lang, caller, &k))
        @if let Some(e) = orphan { div.card { p.error #action-error role="alert" { (e.message) } } }
        @if progress_stopped {
            div.card { p.error #progress-stopped role="alert" { (lang.t("order.progress_stopped")) } }
        }
        (facts::header(lang, &k, names, now))
        (facts::matter(lang, &k, &view, &events))
        (facts::outcome(lang, &k, &events, names))
        @if !actions.is_empty() { (actions::panels(lang, id, &token, &actions, &choices, error.as_ref())) }
        (attachments_card(lang, &k, &atts, &token, may_attach, error.as_ref()))
        (timeline::card(lang, &events))
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), &k.number, body), set);
    if done.is_some() {
        // said once: a reload does not repeat it
        let clear = format!("{}=; Path=/complaints/{id}; Max-Age=0; HttpOnly; SameSite=Strict", actions::DONE_COOKIE);
        if let Ok(v) = axum::http::HeaderValue::from_str(&clear) {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    if let Some(e) = error {
        *res.status_mut() = e.status;
    }
    res
}

/// What the browser was sent here after, if its cookie names it.
fn done_action(headers: &HeaderMap) -> Option<Said> {
    crate::auth::cookie(headers, actions::DONE_COOKIE).and_then(|v| Said::parse(&v))
}

/// The units an order may be transferred to: every unit of the bank but the one handling it, in tree
/// order with siblings by code.
async fn transfer_units(state: &AppState, k: &ComplaintRow) -> Vec<xiaobao_store::OrgUnitRow> {
    let root = k.org_path.split('/').find(|s| !s.is_empty()).map(|r| format!("/{r}/")).unwrap_or_default();
    let units = state.unit_choices.get(|| state.store.org_units_in_subtree("/")).await.unwrap_or_default();
    units.iter().filter(|u| u.id != k.order.org_unit_id && u.path.starts_with(&root)).cloned().collect()
}

/// The upload form's submission (multipart, with the CSRF token as a field).
pub async fn attach(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    // a body that is no upload form is a form that cannot be read, not a missing token
    let Ok(m) = m else {
        return super::errors::error_page(
            &headers,
            &format!("/complaints/{id}/attachments"),
            super::errors::PageError::BadForm,
            StatusCode::BAD_REQUEST,
        );
    };
    let mut token = String::new();
    let file = crate::api::attachments::read_file_part(m, |name, value| {
        if name == "_csrf" {
            token = value;
        }
    })
    .await;
    if !csrf_ok(&headers, &token) {
        return forbidden_form();
    }
    let result = match file {
        Ok(Some((name, data))) => {
            crate::api::attachments::attach_file(&state, &caller, id, &name, data).await.map(|_| ())
        }
        Ok(None) => Err(ApiError::invalid("file", "field.upload_choose_file")),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/complaints/{id}#attachments")).into_response(),
        Err(e) => {
            let mut err = FormError::from_api(e, "attach", HashMap::new(), lang);
            err.field = Some("file".into());
            complaint_page(&state, &headers, &caller, id, Some(err)).await
        }
    }
}

pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    match crate::api::attachments::download(&state, &caller, id, attachment_id).await {
        Ok(r) => r,
        // an attachment of another order (or none) is not found, whatever order the address names
        Err(ApiError::NotFound) => super::pages::not_found(Lang::from_headers(&headers), &caller, csrf(&headers)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/complaints/{id}", axum::routing::get(complaint))
        .route("/complaints/{id}/receipt", axum::routing::get(receipt::receipt))
        .route("/complaints/{id}/act/{action}", axum::routing::post(actions::act))
        .route(
            "/complaints/{id}/attachments",
            axum::routing::post(attach)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/complaints/{id}/attachments/{attachment_id}", axum::routing::get(download))
}
