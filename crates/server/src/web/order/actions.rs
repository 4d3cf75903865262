//! The order's actions, one panel each, from the core's available actions: the main next step first
//! and open, the others folded under their names; each says what it does, heavy or final ones are
//! marked and confirmed before they are sent. A refused form shows every error beside its field and
//! keeps what was typed; a done action comes back to the order with a message saying what happened.

use super::super::pages::{csrf_ok, forbidden_form};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use xiaobao_core::complaint::{Action, ActionKind, Feedback, RootCause};
use xiaobao_store::{ClassRow, OrgUnitRow};

/// The cookie that carries a done action to the page the browser is sent back to, once.
pub(super) const DONE_COOKIE: &str = "xiaobao_done";

/// A refused form: which form, which field (if the refusal names one), the message, and the values
/// that were typed, to show them again.
pub(crate) struct FormError {
    pub status: StatusCode,
    /// The action's name, or `attach`.
    pub form: String,
    pub field: Option<String>,
    pub message: String,
    /// Every field's fault, (field, words), when the refusal names fields.
    pub errors: Vec<(String, String)>,
    pub values: HashMap<String, String>,
}

impl FormError {
    pub(crate) fn from_api(e: ApiError, form: &str, values: HashMap<String, String>, lang: Lang) -> Self {
        let p = e.problem(lang.english());
        Self {
            status: StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
            form: form.to_string(),
            // beside its field, the words alone (the field's name is where it is shown)
            message: p.errors.first().map_or(p.detail.clone(), |e| e.detail.clone()),
            errors: p.errors.iter().map(|e| (e.field.clone(), e.detail.clone())).collect(),
            field: p.field,
            values,
        }
    }
}

/// What the forms offer to choose from: the cause codes, and the units an order may go to.
pub(crate) struct Choices<'a> {
    pub causes: &'a [&'a ClassRow],
    pub units: &'a [OrgUnitRow],
}

/// The fields each action's form has (an error naming another field is shown at the form's top).
fn form_fields(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::Accept => &[],
        ActionKind::Respond => &["text"],
        ActionKind::Transfer => &["to_org_unit", "reason"],
        ActionKind::Decide => &["liable", "root_cause", "cause", "remedy", "amount", "liable_staff", "text"],
        ActionKind::Close => &["feedback", "note"],
        ActionKind::DecideAppeal => &["approve", "note"],
        _ => &["reason"],
    }
}

/// The steps that move an order on, in the order they come: the first one offered is the main one.
const MAIN_STEPS: [ActionKind; 6] = [
    ActionKind::Accept,
    ActionKind::Respond,
    ActionKind::Decide,
    ActionKind::Close,
    ActionKind::DecideAppeal,
    ActionKind::Resume,
];

/// Actions that end the order, decide it, or take it out of the unit's hands: marked and confirmed.
pub(crate) fn is_heavy(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::Withdraw | ActionKind::Decline | ActionKind::Decide | ActionKind::Escalate | ActionKind::Close
    )
}

/// The question asked before a heavy action is sent.
fn confirmation(lang: Lang, kind: ActionKind) -> Option<String> {
    match kind {
        ActionKind::Decline | ActionKind::Withdraw => Some(lang.t("order.confirm_end").to_string()),
        k if is_heavy(k) => Some(tr!(lang, "order.confirm_action", action = lang.name(k))),
        _ => None,
    }
}

/// The main next step among the offered actions, if any.
pub(super) fn main_step(actions: &[ActionKind]) -> Option<ActionKind> {
    MAIN_STEPS.into_iter().find(|m| actions.contains(m))
}

/// Every offered action as its own panel: the main next step first and open, then the others,
/// folded (a panel whose form was refused is open).
pub(super) fn panels(
    lang: Lang,
    id: i64,
    csrf: &str,
    actions: &[ActionKind],
    choices: &Choices,
    err: Option<&FormError>,
) -> Markup {
    let main = main_step(actions);
    let target = |k: ActionKind| format!("/complaints/{id}/act/{}", k.as_str());
    let panel_class = |k: ActionKind| if is_heavy(k) { "panel heavy" } else { "panel" };
    html! {
        div.card #actions {
            h2 { (lang.t("order.actions")) }
            @if let Some(m) = main {
                section class={ (panel_class(m)) " main" } id={ "panel-" (m.as_str()) } {
                    h3 { (tr!(lang, "order.next_step", action = lang.name(m))) }
                    p.hint { (lang.t(hint_key(m))) }
                    (action_form(lang, &target(m), csrf, m, choices, err))
                }
            }
            @let others: Vec<ActionKind> = actions.iter().copied().filter(|a| Some(*a) != main).collect();
            @if !others.is_empty() {
                h3.others { (lang.t(if main.is_some() { "order.other_actions" } else { "order.actions_offered" })) }
                @for a in others {
                    details class=(panel_class(a)) id={ "panel-" (a.as_str()) } open[err.is_some_and(|e| e.form == a.as_str())] {
                        summary { (lang.name(a)) @if is_heavy(a) { " " span.heavy-mark { (lang.t("order.heavy")) } } }
                        p.hint { (lang.t(hint_key(a))) }
                        (action_form(lang, &target(a), csrf, a, choices, err))
                    }
                }
            }
        }
    }
}

/// What an action does, in one sentence a new teller understands.
fn hint_key(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Accept => "order.hint.accept",
        ActionKind::Decline => "order.hint.decline",
        ActionKind::Respond => "order.hint.respond",
        ActionKind::Transfer => "order.hint.transfer",
        ActionKind::Escalate => "order.hint.escalate",
        ActionKind::Extend => "order.hint.extend",
        ActionKind::Pause => "order.hint.pause",
        ActionKind::Resume => "order.hint.resume",
        ActionKind::Decide => "order.hint.decide",
        ActionKind::Close => "order.hint.close",
        ActionKind::Reopen => "order.hint.reopen",
        ActionKind::RequestReview => "order.hint.request_review",
        ActionKind::Withdraw => "order.hint.withdraw",
        ActionKind::Appeal => "order.hint.appeal",
        ActionKind::DecideAppeal => "order.hint.decide_appeal",
    }
}

/// What the order page says once after the browser was sent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Said {
    Done(ActionKind),
    /// A new order was registered: its receipt can be printed.
    Registered,
    /// The registration joined the complainant's open order on the same matter.
    Merged,
}

impl Said {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "registered" => Some(Self::Registered),
            "merged" => Some(Self::Merged),
            other => ActionKind::from_str_opt(other).map(Self::Done),
        }
    }
}

/// What is said after an action was done.
pub(super) fn done_key(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Accept => "order.done.accept",
        ActionKind::Decline => "order.done.decline",
        ActionKind::Respond => "order.done.respond",
        ActionKind::Transfer => "order.done.transfer",
        ActionKind::Escalate => "order.done.escalate",
        ActionKind::Extend => "order.done.extend",
        ActionKind::Pause => "order.done.pause",
        ActionKind::Resume => "order.done.resume",
        ActionKind::Decide => "order.done.decide",
        ActionKind::Close => "order.done.close",
        ActionKind::Reopen => "order.done.reopen",
        ActionKind::RequestReview => "order.done.request_review",
        ActionKind::Withdraw => "order.done.withdraw",
        ActionKind::Appeal => "order.done.appeal",
        ActionKind::DecideAppeal => "order.done.decide_appeal",
    }
}

/// An action's form, posted to `target`.
pub(crate) fn action_form(
    lang: Lang,
    target: &str,
    csrf: &str,
    kind: ActionKind,
    choices: &Choices,
    err: Option<&FormError>,
) -> Markup {
    action_form_asking(lang, target, csrf, kind, choices, err, None)
}

/// An action's form that, when `ask` is given, asks its question before it is sent and, once the
/// user agrees, sends its value as `confirm` (app.js fills it in; without JavaScript `confirm` stays
/// empty and the server asks on a page of its own).
pub(crate) fn action_form_asking(
    lang: Lang,
    target: &str,
    csrf: &str,
    kind: ActionKind,
    choices: &Choices,
    err: Option<&FormError>,
    ask: Option<(String, String)>,
) -> Markup {
    let err = err.filter(|e| e.form == kind.as_str());
    let val = |name: &str| err.and_then(|e| e.values.get(name)).cloned().unwrap_or_default();
    let field_err = |name: &str| {
        html! {
            @if let Some(e) = err {
                @for (f, m) in e.errors.iter().filter(|(f, _)| f == name) {
                    span.error.field-error data-field=(f) role="alert" { (m) }
                }
            }
        }
    };
    // a refusal that names no field of this form is said at its top
    let form_err = err.filter(|e| e.field.as_deref().is_none_or(|f| !form_fields(kind).contains(&f)));
    let id = |name: &str| format!("{}-{name}", kind.as_str());
    let required = |label: &str| html! { (label) " " span.required title=(lang.t("required")) { "*" } };
    let input = |name: &str, label: &str, max: u32| {
        html! {
            label for=(id(name)) { (required(label)) }
            input id=(id(name)) name=(name) maxlength=(max) value=(val(name));
            (field_err(name))
        }
    };
    let textarea = |name: &str, label: Markup, rows: u32| {
        html! {
            label for=(id(name)) { (label) }
            textarea id=(id(name)) name=(name) rows=(rows) data-counter data-max="2000" { (val(name)) }
            (field_err(name))
        }
    };
    let reason_label = lang.t("order.reason");
    let button_class = if is_heavy(kind) { "primary heavy" } else { "primary" };
    html! {
        form.action method="post" action=(target) data-confirm=[ask.as_ref().map(|a| a.0.clone()).or_else(|| confirmation(lang, kind))] id={ "action-" (kind.as_str()) } {
            input type="hidden" name="_csrf" value=(csrf);
            @if let Some((_, value)) = &ask { input type="hidden" name="confirm" value="" data-confirmed-value=(value); }
            @if let Some(e) = form_err { p.error #action-error role="alert" { (e.message) } }
            @match kind {
                ActionKind::Accept => {}
                ActionKind::Respond => { (textarea("text", required(lang.t("order.respond_text")), 3)) }
                ActionKind::Transfer => {
                    label for="transfer-to_org_unit" { (required(lang.t("order.to_org_unit"))) }
                    input #transfer-to_org_unit name="to_org_unit" list="transfer-units" maxlength="64"
                        autocomplete="off" placeholder=(lang.t("order.unit_search")) value=(val("to_org_unit"));
                    datalist #transfer-units {
                        @for u in choices.units { option value=(u.code) { (u.code) " " (u.name) } }
                    }
                    (field_err("to_org_unit"))
                    (input("reason", reason_label, 500))
                }
                ActionKind::Decide => {
                    fieldset.liability {
                        legend { (required(lang.t("order.liability"))) }
                        label.inline { input type="radio" name="liable" value="true" checked[val("liable") == "true"]; " " (lang.t("order.liable")) }
                        label.inline { input type="radio" name="liable" value="false" checked[val("liable") != "true"]; " " (lang.t("order.not_liable")) }
                    }
                    label for="decide-root_cause" { (required(lang.t("order.root_cause"))) }
                    select #decide-root_cause name="root_cause" {
                        @for r in RootCause::ALL {
                            option value=(r.as_str()) selected[val("root_cause") == r.as_str()] { (lang.name(r)) }
                        }
                    }
                    (field_err("root_cause"))
                    label for="decide-cause" { (lang.t("order.cause_code")) }
                    select #decide-cause name="cause" {
                        option value="" { (lang.t("order.cause_as_registered")) }
                        @for c in choices.causes.iter().filter(|c| c.active) {
                            option value=(c.code) selected[val("cause") == c.code] { (c.code) " " (lang.choose(&c.name_zh, &c.name_en)) }
                        }
                    }
                    (field_err("cause"))
                    label for="decide-remedy" { (lang.t("order.remedy")) }
                    input #decide-remedy name="remedy" maxlength="2000" value=(val("remedy"));
                    (field_err("remedy"))
                    label for="decide-amount" { (lang.t("order.amount")) }
                    input #decide-amount name="amount" maxlength="16" inputmode="decimal" value=(val("amount"));
                    (field_err("amount"))
                    label for="decide-liable_staff" { (lang.t("order.liable_staff")) }
                    input #decide-liable_staff name="liable_staff" maxlength="300" value=(val("liable_staff"))
                        placeholder=(lang.t("order.liable_staff_hint"));
                    (field_err("liable_staff"))
                    (textarea("text", required(lang.t("order.decide_text")), 3))
                }
                ActionKind::Close => {
                    label for="close-feedback" { (required(lang.t("order.feedback"))) }
                    select #close-feedback name="feedback" {
                        @for f in Feedback::ALL {
                            option value=(f.as_str()) selected[val("feedback") == f.as_str()] { (lang.name(f)) }
                        }
                    }
                    (field_err("feedback"))
                    label for="close-note" { (lang.t("order.close_note")) }
                    input #close-note name="note" maxlength="500" value=(val("note"));
                    (field_err("note"))
                }
                ActionKind::DecideAppeal => {
                    label for="decide_appeal-approve" { (required(lang.t("order.appeal_decision"))) }
                    select #decide_appeal-approve name="approve" {
                        option value="true" selected[val("approve") == "true"] { (lang.t("order.appeal_approve")) }
                        option value="false" selected[val("approve") == "false"] { (lang.t("order.appeal_reject")) }
                    }
                    (input("note", lang.t("order.appeal_note"), 500))
                }
                _ => { (input("reason", reason_label, 500)) }
            }
            button class=(button_class) type="submit" { (lang.name(kind)) }
        }
    }
}

/// An action form's fields read into the typed body the API takes, and checked as the API checks it:
/// empty optional fields are absent, checkboxes are booleans.
pub(super) async fn action_from_form(
    state: &AppState,
    caller: &Caller,
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
            TransferBody { to_org_unit: unit_code(&text("to_org_unit")), reason: text("reason") }
                .into_action(state)
                .await?
        }
        ActionKind::Decide => decide_body(f)?.into_action(state, caller).await?,
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
pub(crate) fn decide_body(f: &HashMap<String, String>) -> Result<crate::api::complaint_actions::DecideBody, ApiError> {
    let optional = |name: &str| f.get(name).filter(|v| !v.trim().is_empty()).cloned();
    Ok(crate::api::complaint_actions::DecideBody {
        liable: f.get("liable").is_some_and(|v| v == "true"),
        root_cause: RootCause::parse("root_cause", f.get("root_cause").map_or("", String::as_str))?,
        cause: optional("cause"),
        remedy: optional("remedy"),
        amount: optional("amount"),
        text: f.get("text").cloned().unwrap_or_default(),
        // usernames apart by spaces, commas or the enumeration comma
        liable_staff: f
            .get("liable_staff")
            .map(|v| v.split([' ', ',', '，', '、']).filter(|n| !n.is_empty()).map(String::from).collect())
            .unwrap_or_default(),
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
    let result = match action_from_form(&state, &caller, kind, &fields).await {
        Ok(a) => crate::api::complaint_actions::act(&state, &caller, id, a).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => done(id, kind),
        Err(ApiError::NotFound) => super::complaint_page(&state, &headers, &caller, id, None).await,
        Err(e) => {
            let mut values = fields;
            values.remove("_csrf");
            let err = FormError::from_api(e, kind.as_str(), values, lang);
            super::complaint_page(&state, &headers, &caller, id, Some(err)).await
        }
    }
}

/// Back to the order, with word of what was done.
fn done(id: i64, kind: ActionKind) -> Response {
    done_redirect(id, kind.as_str())
}

/// To the order's page, which then says once what was done: an action's name, or `registered` /
/// `merged` after a registration (see [`Said`]).
pub(crate) fn done_redirect(id: i64, said: &str) -> Response {
    let mut res = Redirect::to(&format!("/complaints/{id}")).into_response();
    let cookie = format!("{DONE_COOKIE}={said}; Path=/complaints/{id}; Max-Age=120; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The unit the transfer field names: its code, also when the picker's "code name" was typed whole.
fn unit_code(typed: &str) -> String {
    typed.split_whitespace().next().unwrap_or("").to_string()
}
