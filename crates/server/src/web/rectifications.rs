//! The rectification pages: the list of what the caller owns and what their subtree must put right,
//! overdue first to see (`/rectifications`); one rectification with its history, its evidence and the
//! caller's next step (`/rectifications/{id}`): submit with a note and files, or verify or send back
//! with a reason, each asked first and told after.

use super::forms::{Fields, Shown, caller_or_login, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, form_caller, html_response, not_found};
use crate::api::query::Params;
use crate::api::rectifications::{RectActionIn, RectificationView, act, add_evidence, detail, list, visible};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::service::rectification::{RectAction, RectState};

fn state_badge(lang: Lang, r: &RectificationView) -> Markup {
    html! {
        span class={ "state state-" (r.state.as_str()) } { (lang.name(r.state)) }
        @if r.overdue_level > 0 { " " span.error.overdue { (tr!(lang, "rect.overdue", level = r.overdue_level)) } }
    }
}

/// `/rectifications`: filters (state, overdue, mine) and the table.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("rect.title");
    let (rows, error) = match list(&state, &caller, &p).await {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.problem(lang.english()).detail)),
    };
    let chosen = p.get("state").cloned().unwrap_or_default();
    let (token, set) = csrf(&headers);
    let body = html! {
        div.card {
            h1 { (title) }
            form.filters method="get" action="/rectifications" {
                div { label for="r-state" { (lang.t("rect.state")) }
                    select #r-state name="state" {
                        option value="" { (lang.t("rect.any_state")) }
                        @for s in RectState::ALL { option value=(s.as_str()) selected[chosen == s.as_str()] { (lang.name(s)) } }
                    } }
                div { label { input type="checkbox" name="overdue" value="true" checked[p.contains_key("overdue")]; " " (lang.t("rect.only_overdue")) } }
                div { label { input type="checkbox" name="mine" value="true" checked[p.contains_key("mine")]; " " (lang.t("rect.only_mine")) } }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
        }
        @if let Some(rows) = &rows {
            div.card #rectifications {
                @if rows.items.is_empty() {
                    p.muted #no-rectifications { (lang.t("rect.none")) }
                } @else {
                    table.orders {
                        thead { tr { th { (lang.t("rect.item")) } th { (lang.t("org_unit")) } th { (lang.t("rect.owner")) } th { (lang.t("rect.due_on")) } th { (lang.t("rect.state")) } } }
                        tbody { @for r in &rows.items { tr data-rectification=(r.id) {
                            td data-label=(lang.t("rect.item")) { a href={ "/rectifications/" (r.id) } { (r.title) } br; span.muted { (lang.name(r.source)) } }
                            td data-label=(lang.t("org_unit")) { (r.org_unit.name) }
                            td data-label=(lang.t("rect.owner")) { (r.owner_name) }
                            td data-label=(lang.t("rect.due_on")) { (r.due_on) }
                            td data-label=(lang.t("rect.state")) { (state_badge(lang, r)) }
                        } } }
                    }
                    (super::lists::pager(lang, "/rectifications", &p, rows.page, rows.per_page, rows.total))
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<Params>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let mut shown = Shown::default();
    let done = match p.get("done").map(String::as_str) {
        Some("submit") => Some("rect.done_submit"),
        Some("verify") => Some("rect.done_verify"),
        Some("send_back") => Some("rect.done_send_back"),
        Some("evidence") => Some("rect.done_evidence"),
        _ => None,
    };
    shown.notice = done.map(|k| lang.t(k).to_string());
    show_page(&state, &headers, &caller, id, shown, StatusCode::OK).await
}

async fn show_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let d = match detail(state, caller, id).await {
        Ok(d) => d,
        Err(_) => return not_found(lang, caller, csrf(headers)),
    };
    let r = &d.rectification;
    let tok = csrf(headers);
    let may_submit = d.actions.contains(&RectAction::Submit);
    let body = html! {
        div.card #rectification data-state=(r.state.as_str()) {
            (shown.notice())
            h1 { (r.title) }
            p { (state_badge(lang, r)) }
            dl.facts {
                dt { (lang.t("rect.source")) } dd { (lang.name(r.source))
                    @if let (xiaobao_core::service::rectification::Source::InspectionFinding, Some(i)) = (r.source, r.source_id) { " · " a href={ "/inspections/" (i) } { (lang.t("rect.open_inspection")) } } }
                dt { (lang.t("org_unit")) } dd { (r.org_unit.name) " (" (r.org_unit.code) ")" }
                dt { (lang.t("rect.owner")) } dd { (r.owner_name) }
                dt { (lang.t("rect.due_on")) } dd #due-on { (r.due_on) }
                @if !r.detail.is_empty() { dt { (lang.t("rect.detail")) } dd { (r.detail) } }
            }
            p.hint #next-step { (lang.t(next_step(r.state, &d.actions))) }
        }
        @for a in &d.actions {
            form.card id={ "act-" (a.as_str()) } method="post" action={ "/rectifications/" (r.id) "/act" }
                data-confirm=(lang.t(words(*a).0)) {
                (hidden_csrf(&tok))
                input type="hidden" name="action" value=(a.as_str());
                input type="hidden" name="seq" value=(r.seq);
                h2 { (lang.name(*a)) }
                @if shown.form == a.as_str() { (shown.top(a.as_str(), &["note"])) }
                label for={ "note-" (a.as_str()) } { (lang.t(words(*a).1)) @if *a == RectAction::SendBack { " *" } }
                textarea id={ "note-" (a.as_str()) } name="note" maxlength="500" required[*a == RectAction::SendBack] { (shown.val(a.as_str(), "note")) }
                (shown.err(a.as_str(), &["note"]))
                p { button.primary type="submit" { (lang.name(*a)) } }
            }
        }
        div.card #evidence {
            h2 { (lang.t("rect.evidence")) }
            @if d.evidence.is_empty() { p.muted #no-evidence { (lang.t("rect.no_evidence")) } }
            @else { ul { @for f in &d.evidence { li { a href={ "/rectifications/" (r.id) "/files/" (f.id) } { (f.name) } " · " (f.uploaded_by) } } } }
            @if may_submit {
                form #evidence-form method="post" enctype="multipart/form-data" action={ "/rectifications/" (r.id) "/evidence" } {
                    (hidden_csrf(&tok))
                    input type="file" name="file" accept=(xiaobao_core::attachment::ACCEPTED) required;
                    (shown.err("evidence", &[]))
                    button type="submit" { (lang.t("rect.upload")) }
                    p.hint { (lang.t("rect.upload_hint")) }
                }
            }
        }
        div.card #history {
            h2 { (lang.t("rect.history")) }
            ol { @for e in &d.history { li {
                span.nowrap { (e.at.get(..16).unwrap_or(&e.at).replace('T', " ")) } " · " (lang.t(event_word(&e.action)))
                @if let Some(b) = &e.by_name { " · " (b) }
                @if let Some(n) = &e.note { ": " (n) }
            } } }
        }
        p { a href="/rectifications" { (lang.t("rect.back")) } }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), &r.title, body), tok.1);
    *res.status_mut() = status;
    res
}

/// The confirmation and the note's label of an action.
fn words(a: RectAction) -> (&'static str, &'static str) {
    match a {
        RectAction::Submit => ("rect.confirm_submit", "rect.note_submit"),
        RectAction::Verify => ("rect.confirm_verify", "rect.note_verify"),
        RectAction::SendBack => ("rect.confirm_send_back", "rect.note_send_back"),
    }
}

/// The name of a history entry's action.
fn event_word(action: &str) -> &'static str {
    match action {
        "open" => "rect_action.open",
        "submit" => "rect_action.submit",
        "verify" => "rect_action.verify",
        "send_back" => "rect_action.send_back",
        _ => "rect_action.escalate",
    }
}

fn next_step(state: RectState, actions: &[RectAction]) -> &'static str {
    match (state, actions.is_empty()) {
        (RectState::Verified, _) => "rect.next_done",
        (RectState::Submitted, false) => "rect.next_verify",
        (RectState::Submitted, true) => "rect.next_wait_verify",
        (_, false) => "rect.next_submit",
        (_, true) => "rect.next_wait_owner",
    }
}

pub async fn act_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let action = field(&f, "action");
    let req = RectActionIn { action: action.clone(), note: field(&f, "note"), seq: field(&f, "seq").parse().ok() };
    match act(&state, &caller, id, req).await {
        Ok(_) => Redirect::to(&format!("/rectifications/{id}?done={}", crate::api::query::percent_encode(&action)))
            .into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let form = match action.as_str() {
                "submit" => "submit",
                "verify" => "verify",
                _ => "send_back",
            };
            let (status, shown) = Shown::refused(form, f, lang, e);
            show_page(&state, &headers, &caller, id, shown, status).await
        }
    }
}

pub async fn evidence_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let file = match super::forms::uploaded_file(&headers, &format!("/rectifications/{id}"), m).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = match visible(&state, &caller, id).await {
        Ok(r) => r,
        Err(_) => return not_found(lang, &caller, csrf(&headers)),
    };
    let may = xiaobao_core::access::may_submit_rectification(
        caller.viewer(),
        caller.user.role,
        xiaobao_core::access::RectPlace { unit_path: &r.unit_path, owner_id: r.owner_id },
    );
    let result = match file {
        _ if !may => Err(ApiError::forbidden_role()),
        Ok(Some((name, data))) => add_evidence(&state, &caller, &r, &name, &data).await.map(|_| ()),
        Ok(None) => Err(ApiError::invalid("file", "field.upload_choose_file")),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/rectifications/{id}?done=evidence#evidence")).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("evidence", Fields::new(), lang, e);
            show_page(&state, &headers, &caller, id, shown, status).await
        }
    }
}

/// A file of the rectification, as a download.
pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let found = match visible(&state, &caller, id).await {
        Ok(_) => state
            .store
            .service_file(file_id)
            .await
            .ok()
            .flatten()
            .filter(|(f, _)| f.owner_kind == "rectification" && f.owner_id == id),
        Err(_) => None,
    };
    match found {
        Some((f, data)) => crate::api::attachments::file_response(&f.name, &f.content_type, data),
        None => not_found(lang, &caller, csrf(&headers)),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/rectifications", get(index))
        .route("/rectifications/{id}", get(show))
        .route("/rectifications/{id}/act", post(act_submit))
        .route(
            "/rectifications/{id}/evidence",
            post(evidence_submit)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/rectifications/{id}/files/{file_id}", get(file))
}
