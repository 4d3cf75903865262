//! The work order page: header, clocks, the forms of the actions this user may take now (field
//! errors shown beside their field, typed values kept), attachments, and the timeline.

use super::layout::page;
use super::pages::{clocks, csrf, csrf_ok, forbidden_form, html_response};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use xiaobao_core::classification::Dimension;
use xiaobao_core::complaint::{Action, ActionKind, Feedback, RootCause};
use xiaobao_core::time::rfc3339;
use xiaobao_store::{ClassRow, ComplaintRow};

/// A refused form: which form, which field (if the refusal names one), the message, and the values
/// that were typed, to show them again.
pub(super) struct FormError {
    pub status: StatusCode,
    /// The action's name, or `attach`.
    pub form: String,
    pub field: Option<String>,
    pub message: String,
    pub values: HashMap<String, String>,
}

impl FormError {
    pub(super) fn from_api(e: ApiError, form: &str, values: HashMap<String, String>, lang: Lang) -> Self {
        let p = e.problem(lang.english());
        Self {
            status: StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
            form: form.to_string(),
            field: p.field,
            message: p.detail,
            values,
        }
    }
}

/// The fields each action's form has (an error naming another field is shown at the form's top).
fn form_fields(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::Accept => &[],
        ActionKind::Respond => &["text"],
        ActionKind::Transfer => &["to_org_unit", "reason"],
        ActionKind::Decide => &["liable", "root_cause", "cause", "remedy", "amount", "text"],
        ActionKind::Close => &["feedback", "note"],
        ActionKind::DecideAppeal => &["approve", "note"],
        _ => &["reason"],
    }
}

pub async fn complaint(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    complaint_page(&state, &headers, &caller, id, None).await
}

/// An action's form, posted to `target`.
pub(super) fn action_form(
    lang: Lang,
    target: &str,
    csrf: &str,
    kind: ActionKind,
    causes: &[ClassRow],
    err: Option<&FormError>,
) -> Markup {
    let confirm = matches!(kind, ActionKind::Decline | ActionKind::Withdraw).then(|| lang.t("order.confirm_end"));
    let err = err.filter(|e| e.form == kind.as_str());
    let val = |name: &str| err.and_then(|e| e.values.get(name)).cloned().unwrap_or_default();
    let field_err = |name: &str| {
        html! {
            @if let Some(e) = err.filter(|e| e.field.as_deref() == Some(name)) {
                span.error.field-error data-field=(name) role="alert" { (e.message) }
            }
        }
    };
    let form_err = err.filter(|e| e.field.as_deref().is_none_or(|f| !form_fields(kind).contains(&f)));
    let input = |name: &str, label: &str, max: u32| {
        html! {
            label for={ (kind.as_str()) "-" (name) } { (label) }
            input id={ (kind.as_str()) "-" (name) } name=(name) maxlength=(max) value=(val(name));
            (field_err(name))
        }
    };
    let textarea = |name: &str, label: &str, rows: u32| {
        html! {
            label for={ (kind.as_str()) "-" (name) } { (label) }
            textarea id={ (kind.as_str()) "-" (name) } name=(name) rows=(rows) maxlength="2000" { (val(name)) }
            (field_err(name))
        }
    };
    let reason_label = lang.t("order.reason");
    html! {
        form.action method="post" action=(target) data-confirm=[confirm] id={ "action-" (kind.as_str()) } {
            input type="hidden" name="_csrf" value=(csrf);
            @if let Some(e) = form_err { p.error #action-error role="alert" { (e.message) } }
            @match kind {
                ActionKind::Accept => {}
                ActionKind::Respond => { (textarea("text", lang.t("order.respond_text"), 2)) }
                ActionKind::Transfer => {
                    (input("to_org_unit", lang.t("order.to_org_unit"), 32))
                    (input("reason", reason_label, 500))
                }
                ActionKind::Decide => {
                    label.inline { input type="checkbox" name="liable" value="true" checked[val("liable") == "true"]; " " (lang.t("order.liable")) }
                    label for="decide-root_cause" { (lang.t("order.root_cause")) }
                    select #decide-root_cause name="root_cause" {
                        @for (v, label) in [("service_fault", lang.t("order.root_service_fault")), ("misunderstanding", lang.t("order.root_misunderstanding")), ("beyond_service", lang.t("order.root_beyond_service"))] {
                            option value=(v) selected[val("root_cause") == v] { (label) }
                        }
                    }
                    (field_err("root_cause"))
                    label for="decide-cause" { (lang.t("order.cause_code")) }
                    select #decide-cause name="cause" {
                        option value="" { "—" }
                        @for c in causes.iter().filter(|c| c.active) {
                            option value=(c.code) selected[val("cause") == c.code] { (c.code) " " (lang.choose(&c.name_zh, &c.name_en)) }
                        }
                    }
                    (field_err("cause"))
                    (input("remedy", lang.t("order.remedy"), 2000))
                    label for="decide-amount" { (lang.t("order.amount")) }
                    input #decide-amount name="amount" maxlength="16" inputmode="decimal" value=(val("amount"));
                    (field_err("amount"))
                    (textarea("text", lang.t("order.decide_text"), 3))
                }
                ActionKind::Close => {
                    label for="close-feedback" { (lang.t("order.feedback")) }
                    select #close-feedback name="feedback" {
                        @for (v, label) in [("satisfied", lang.t("order.feedback_satisfied")), ("dissatisfied", lang.t("order.feedback_dissatisfied")), ("unreachable", lang.t("order.feedback_unreachable"))] {
                            option value=(v) selected[val("feedback") == v] { (label) }
                        }
                    }
                    (field_err("feedback"))
                    (input("note", lang.t("order.close_note"), 500))
                }
                ActionKind::DecideAppeal => {
                    label for="decide_appeal-approve" { (lang.t("order.appeal_decision")) }
                    select #decide_appeal-approve name="approve" {
                        option value="true" selected[val("approve") == "true"] { (lang.t("order.appeal_approve")) }
                        option value="false" selected[val("approve") == "false"] { (lang.t("order.appeal_reject")) }
                    }
                    (input("note", lang.t("order.appeal_note"), 500))
                }
                _ => { (input("reason", reason_label, 500)) }
            }
            button.primary type="submit" { (lang.name(kind)) }
        }
    }
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
                            td.nowrap { (rfc3339(a.uploaded_at).get(0..16).unwrap_or("").replace('T', " ")) }
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
    let events = state.store.events(id).await.unwrap_or_default();
    let atts = state.store.attachments(id).await.unwrap_or_default();
    let causes = state.store.classes(Some(Dimension::Cause)).await.unwrap_or_default();
    let actions = crate::api::complaints::actions(state, caller, &k, now);
    let may_attach = caller.can(xiaobao_core::role::Permission::RegisterComplaint)
        || caller.can(xiaobao_core::role::Permission::HandleComplaint);
    // an error for a form no longer offered (the state moved on) is shown at the top
    let orphan = error.as_ref().filter(|e| e.form != "attach" && !actions.iter().any(|a| a.as_str() == e.form));
    let today = xiaobao_core::time::local_date(now).to_string();
    let progress_stopped = state.store.progress_stopped(id, &today).await.ok().flatten().is_some();
    let body = html! {
        (super::calendar_gap::order_banner(state, lang, caller, &k))
        @if let Some(e) = orphan { div.card { p.error #action-error role="alert" { (e.message) } } }
        @if progress_stopped {
            div.card { p.error #progress-stopped role="alert" { (lang.t("order.progress_stopped")) } }
        }
        div.card {
            h1 #number { (k.number) }
            p { strong { (lang.t("state")) ": " } span #state { (lang.name(k.order.state)) }
                @if let Some(a) = k.order.appeal { " · " span.badge #appeal data-appeal=(a.as_str()) { (lang.name(a)) } }
                " · " strong { (lang.t("org_unit")) ": " } (k.org_name)
                " · " strong { (lang.t("first_responder")) ": " } (k.first_responder_name) }
            p { (clocks(lang, &k, now)) }
        }
        @if !actions.is_empty() {
            div.card #actions {
                @for a in &actions { (action_form(lang, &format!("/complaints/{id}/act/{}", a.as_str()), &token, *a, &causes, error.as_ref())) }
            }
        }
        div.card {
            h2 { (k.summary) }
            p { (k.description) }
            p.muted { (lang.t("complainant")) ": " (view.complainant.name) " · " (view.complainant.phone.clone().unwrap_or_default()) }
        }
        (attachments_card(lang, &k, &atts, &token, may_attach, error.as_ref()))
        div.card {
            h2 { (lang.t("timeline")) }
            table #timeline {
                @for e in &events {
                    tr data-kind=(e.kind) {
                        td.nowrap { (rfc3339(e.at).get(0..16).unwrap_or("").replace('T', " ")) }
                        td { (event_label(lang, &e.kind)) } td { (e.actor_name) }
                        td { @if !e.from_state.is_empty() { (state_label(lang, &e.from_state)) " → " } (state_label(lang, &e.to_state)) }
                        td.detail { (event_detail(lang, &e.payload)) }
                    }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), &k.number, body), set);
    if let Some(e) = error {
        *res.status_mut() = e.status;
    }
    res
}

/// An action form's fields read into the typed body the API takes, and checked as the API checks it:
/// empty optional fields are absent, checkboxes are booleans.
pub(super) async fn action_from_form(
    state: &AppState,
    kind: ActionKind,
    f: &HashMap<String, String>,
) -> Result<Action, ApiError> {
    use crate::api::complaint_actions::{CloseBody, DecideAppealBody, RespondBody, TransferBody};
    use xiaobao_core::complaint::action::reason;
    let text = |name: &str| f.get(name).cloned().unwrap_or_default();
    let optional = |name: &str| f.get(name).filter(|v| !v.trim().is_empty()).cloned();
    let checked = |name: &str| f.get(name).is_some_and(|v| v == "true");
    let because = || reason(&text("reason"));
    Ok(match kind {
        ActionKind::Accept => Action::Accept,
        ActionKind::Respond => RespondBody { text: text("text") }.into_action()?,
        ActionKind::Transfer => {
            TransferBody { to_org_unit: text("to_org_unit"), reason: text("reason") }.into_action(state).await?
        }
        ActionKind::Decide => decide_body(f)?.into_action(state).await?,
        ActionKind::Close => {
            CloseBody { feedback: Feedback::parse("feedback", &text("feedback"))?, note: optional("note") }
                .into_action()?
        }
        ActionKind::DecideAppeal => {
            DecideAppealBody { approve: checked("approve"), note: text("note") }.into_action()?
        }
        ActionKind::Escalate => Action::Escalate { to: None, reason: because()?, overdue: None },
        ActionKind::Decline => Action::Decline { reason: because()? },
        ActionKind::Extend => Action::Extend { reason: because()? },
        ActionKind::Pause => Action::Pause { reason: because()? },
        ActionKind::Resume => Action::Resume { reason: because()? },
        ActionKind::Reopen => Action::Reopen { reason: because()? },
        ActionKind::RequestReview => Action::RequestReview { reason: because()? },
        ActionKind::Withdraw => Action::Withdraw { reason: because()? },
        ActionKind::Appeal => Action::Appeal { reason: because()? },
    })
}

/// The decision form's fields as the decision body the API takes.
pub(super) fn decide_body(f: &HashMap<String, String>) -> Result<crate::api::complaint_actions::DecideBody, ApiError> {
    let optional = |name: &str| f.get(name).filter(|v| !v.trim().is_empty()).cloned();
    Ok(crate::api::complaint_actions::DecideBody {
        liable: f.get("liable").is_some_and(|v| v == "true"),
        root_cause: RootCause::parse("root_cause", f.get("root_cause").map_or("", String::as_str))?,
        cause: optional("cause"),
        remedy: optional("remedy"),
        amount: optional("amount"),
        text: f.get("text").cloned().unwrap_or_default(),
    })
}

/// An action form's submission: checked as the API checks it; back to the order page.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    if !csrf_ok(&headers, fields.get("_csrf").map(String::as_str).unwrap_or("")) {
        return forbidden_form();
    }
    let lang = Lang::from_headers(&headers);
    let Some(kind) = ActionKind::from_str_opt(&action) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let result = match action_from_form(&state, kind, &fields).await {
        Ok(a) => crate::api::complaint_actions::act(&state, &caller, id, a).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/complaints/{id}")).into_response(),
        Err(ApiError::NotFound) => complaint_page(&state, &headers, &caller, id, None).await,
        Err(e) => {
            let mut values = fields;
            values.remove("_csrf");
            let err = FormError::from_api(e, kind.as_str(), values, lang);
            complaint_page(&state, &headers, &caller, id, Some(err)).await
        }
    }
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
    let Ok(m) = m else { return forbidden_form() };
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

/// An event's name on the timeline (its stored kind when this version has no word for it).
/// What an event says to a reader: the unit it went to, the decision and the complainant's response
/// in words, and what was written with it; an escalation the system made for a breached clock is
/// worded from the clock's code. Empty for an event with nothing more to say.
fn event_detail(lang: Lang, payload: &serde_json::Value) -> String {
    use xiaobao_core::complaint::{AppealStatus, Change};
    let Ok(change) = serde_json::from_value::<Change>(payload.clone()) else {
        return String::new();
    };
    let written = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
    let due = |at| rfc3339(at).get(0..16).unwrap_or("").replace('T', " ");
    let parts: Vec<Option<String>> = match change {
        Change::Register { .. } | Change::Accept => vec![],
        Change::Merge { summary, .. } => vec![written(&summary)],
        Change::Respond { text } => vec![written(&text)],
        Change::Transfer { to, reason, .. } => vec![Some(format!("→ {}", to.code)), written(&reason)],
        Change::Escalate { to, reason, overdue, .. } => vec![
            Some(format!("→ {}", to.code)),
            overdue.map(|clock| tr!(lang, "order.auto_escalated", clock = lang.name(clock))),
            written(&reason),
        ],
        Change::Extend { reason, decision_due_at, .. } => {
            vec![Some(tr!(lang, "order.extended_to", due = due(decision_due_at))), written(&reason)]
        }
        Change::Decide { decision: d } => vec![
            Some(lang.t(if d.liable { "order.liable" } else { "order.not_liable" }).to_string()),
            Some(lang.name(d.root_cause).to_string()),
            d.cause.map(|c| format!("{} {c}", lang.t("order.cause_code"))),
            d.remedy.as_deref().and_then(written),
            d.amount.map(|a| tr!(lang, "order.amount_of", amount = a)),
            written(&d.text),
        ],
        Change::Close { feedback, note } => {
            vec![Some(lang.name(feedback).to_string()), note.as_deref().and_then(written)]
        }
        Change::AppealDecided { approved, note } => vec![
            Some(lang.name(if approved { AppealStatus::Approved } else { AppealStatus::Rejected }).to_string()),
            written(&note),
        ],
        Change::Attach { name, .. } => vec![Some(name)],
        Change::ClockAlert { clock, .. } => vec![Some(lang.name(clock).to_string())],
        Change::HotIssue { title, .. } | Change::HotIssueLeft { title, .. } => vec![Some(title)],
        Change::Decline { reason }
        | Change::Pause { reason }
        | Change::Resume { reason }
        | Change::Reopen { reason, .. }
        | Change::RequestReview { reason, .. }
        | Change::Withdraw { reason }
        | Change::Appeal { reason } => vec![written(&reason)],
    };
    parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

fn event_label(lang: Lang, kind: &str) -> String {
    lang.event_name(kind)
}

/// A state's name as stored on an event (shown as stored when unknown).
pub(super) fn state_label(lang: Lang, s: &str) -> String {
    match xiaobao_core::complaint::State::from_str_opt(s) {
        Some(st) => lang.name(st).to_string(),
        None => s.to_string(),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/complaints/{id}", axum::routing::get(complaint))
        .route("/complaints/{id}/act/{action}", axum::routing::post(act))
        .route(
            "/complaints/{id}/attachments",
            axum::routing::post(attach)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/complaints/{id}/attachments/{attachment_id}", axum::routing::get(download))
}
