//! The one short form a teller registers a complaint with, on their home page: field errors are shown
//! beside the field they concern, and the values typed are kept.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use std::collections::HashMap;
use xiaobao_core::channel::Channel;
use xiaobao_core::classification::Dimension;
use xiaobao_core::text::limits;

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub elderly: Option<String>,
    #[serde(default)]
    pub disabled: Option<String>,
    #[serde(default)]
    pub foreigner: Option<String>,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub service_channel: String,
    #[serde(default)]
    pub cause: String,
    /// When the bank received it, as the browser's date-time box gives it ("2026-12-03T09:30", the
    /// bank's local time); empty is now.
    #[serde(default)]
    pub received_at: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

/// The registration form's body limit: room for a letter many times longer than the description may
/// be, so that an over-long one is told so beside its field.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// Field name (as the API names it) → message.
pub type FieldErrors = HashMap<String, String>;

fn err(errors: &FieldErrors, field: &str) -> Markup {
    html! { @if let Some(m) = errors.get(field) { span.error.field-error data-field=(field) { (m) } } }
}

pub async fn form(state: &AppState, lang: Lang, csrf: &str, f: &RegisterForm, errors: &FieldErrors) -> Markup {
    let classes = crate::api::categories::held(state).await.unwrap_or_default();
    let of = |dim: Dimension| classes.of(dim).filter(|c| c.active);
    // the page's script fills in the count; the catalogue's words hold no markup, so they go in as they are
    let count = html! { span.count {} }.into_string();
    let watchlist = PreEscaped(tr!(lang, "register.watchlist", count = count));
    let now = state.clock.now().with_timezone(&xiaobao_core::time::shanghai());
    let received_default =
        if f.received_at.is_empty() { now.format("%Y-%m-%dT%H:%M").to_string() } else { f.received_at.clone() };
    let required = || html! { " " span.required title=(lang.t("required")) { "*" } };
    // a classification's active codes by name, the field named as the API names it
    let class_select = |field: &str, label: &str, dim: Dimension, chosen: &str| {
        html! {
            div {
                label for=(field) { (label) }
                select id=(field) name=(field) {
                    option value="" { "—" }
                    @for c in of(dim) {
                        option value=(c.code) selected[chosen == c.code] { (c.code) " " (lang.choose(&c.name_zh, &c.name_en)) }
                    }
                }
                (err(errors, field))
            }
        }
    };
    let unnamed: Vec<&String> = errors.keys().filter(|k| !FIELDS.contains(&k.as_str())).collect();
    html! {
        div.card #register {
            h2 { (lang.t("register.title")) }
            p.muted { (lang.t("register.required_note")) }
            @if errors.len() > 1 {
                div.error #register-errors role="alert" {
                    p { (tr!(lang, "register.n_errors", n = errors.len())) }
                }
            }
            @for k in unnamed { p.error role="alert" { (errors[k]) } }
            form method="post" action="/complaints/new" novalidate {
                input type="hidden" name="_csrf" value=(csrf);
                div.columns {
                    div {
                        label for="channel" { (lang.t("channel")) (required()) }
                        select #channel name="channel" {
                            @for c in Channel::ALL {
                                option value=(c.as_str()) selected[f.channel == c.as_str()] { (lang.name(c)) }
                            }
                        }
                        (err(errors, "channel"))
                    }
                    div {
                        label for="received_at" { (lang.t("register.received_at")) (required()) }
                        input #received_at type="datetime-local" name="received_at" value=(received_default)
                            max=(now.format("%Y-%m-%dT%H:%M").to_string());
                        small.muted { (lang.t("register.received_at_hint")) }
                        (err(errors, "received_at"))
                    }
                }
                div.columns {
                    div {
                        label for="name" { (lang.t("register.name")) (required()) }
                        input #name name="name" value=(f.name) autocomplete="off";
                        (err(errors, "complainant.name"))
                    }
                    div {
                        label for="phone" { (lang.t("register.phone")) }
                        input #phone name="phone" value=(f.phone) inputmode="tel" autocomplete="off";
                        small.muted { (lang.t("register.contact_hint")) }
                        (err(errors, "complainant.phone"))
                        p.error #watchlist-warning hidden { (watchlist) }
                    }
                    div {
                        label for="id_number" { (lang.t("register.id_number")) }
                        input #id_number name="id_number" value=(f.id_number) autocomplete="off";
                        (err(errors, "complainant.id_number"))
                    }
                }
                p {
                    label.inline { input type="checkbox" name="elderly" value="1" checked[f.elderly.is_some()]; " " (lang.t("register.elderly")) }
                    label.inline { input type="checkbox" name="disabled" value="1" checked[f.disabled.is_some()]; " " (lang.t("register.disabled")) }
                    label.inline { input type="checkbox" name="foreigner" value="1" checked[f.foreigner.is_some()]; " " (lang.t("register.foreigner")) }
                }
                div.columns {
                    (class_select("category", lang.t("register.business_type"), Dimension::Category, &f.category))
                    (class_select("service_channel", lang.t("order.service_channel"), Dimension::ServiceChannel, &f.service_channel))
                    (class_select("cause", lang.t("order.cause"), Dimension::Cause, &f.cause))
                    div {
                        label for="amount" { (lang.t("order.amount")) }
                        input #amount name="amount" value=(f.amount) inputmode="decimal" autocomplete="off";
                        (err(errors, "amount"))
                    }
                }
                label for="summary" { (lang.t("summary")) (required()) }
                input #summary name="summary" value=(f.summary) data-max=(limits::SUMMARY);
                (err(errors, "summary"))
                label for="description" { (lang.t("description")) (required()) }
                textarea #description name="description" rows="5" data-counter data-max=(limits::DESCRIPTION) { (f.description) }
                small.muted { (tr!(lang, "register.description_limit", max = lang.int(limits::DESCRIPTION as i64))) }
                (err(errors, "description"))
                button.primary #register-submit type="submit" { (lang.t("register.submit")) }
            }
        }
    }
}

/// The form's fields as the API names them: an error naming another field is shown at the top.
const FIELDS: [&str; 12] = [
    "cause",
    "channel",
    "received_at",
    "complainant.name",
    "complainant.phone",
    "complainant.id_number",
    "category",
    "service_channel",
    "amount",
    "summary",
    "description",
    "complainant.tags",
];

/// The browser's local date-time ("2026-12-03T09:30") as the API's RFC 3339 in the bank's offset;
/// anything else is passed on as typed, for the API to refuse in words.
fn received_at_rfc3339(typed: &str) -> Option<String> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    let parsed = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"));
    Some(match parsed {
        Ok(n) => format!("{}+08:00", n.format("%Y-%m-%dT%H:%M:%S")),
        Err(_) => t.to_string(),
    })
}

pub async fn submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<RegisterForm>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    if !super::pages::csrf_ok(&headers, &f.csrf) {
        return super::pages::forbidden_form();
    }
    let lang = Lang::from_headers(&headers);
    let mut tags = Vec::new();
    for (on, tag) in [(&f.elderly, "elderly"), (&f.disabled, "disabled"), (&f.foreigner, "foreigner")] {
        if on.is_some() {
            tags.push(tag.to_string());
        }
    }
    let channel = match Channel::parse("channel", &f.channel) {
        Ok(c) => c,
        Err(e) => {
            return super::pages::home_with(
                &state,
                &headers,
                &caller,
                &f,
                &[(e.field.clone(), lang.invalid(&e))].into(),
                None,
            )
            .await;
        }
    };
    let req = crate::api::complaints::CreateComplaint {
        channel,
        org_unit: caller.user.org_code.clone(),
        received_at: received_at_rfc3339(&f.received_at),
        complainant: crate::api::complaints::ComplainantInput {
            name: f.name.clone(),
            phone: Some(f.phone.clone()),
            id_number: Some(f.id_number.clone()),
            tags,
        },
        category: Some(f.category.clone()),
        service_channel: Some(f.service_channel.clone()),
        cause: Some(f.cause.clone()),
        summary: f.summary.clone(),
        description: f.description.clone(),
        amount: Some(f.amount.clone()),
    };
    match crate::api::complaints::register(&state, &caller, req).await {
        Ok((_, crate::api::complaints::Registered::Order(view))) => {
            let said = if view.merged { "merged" } else { "registered" };
            super::order::done_redirect(view.complaint.id, said)
        }
        Ok((_, crate::api::complaints::Registered::Elsewhere(j))) => {
            let (unit, code) = (&j.handled_by.name, &j.handled_by.code);
            let notice = tr!(lang, "register.merged", unit = unit, code = code);
            super::pages::home_notice(&state, &headers, &caller, &notice).await
        }
        Err(e @ (ApiError::Invalid(_) | ApiError::InvalidAll(_) | ApiError::BadRequest(_))) => {
            // every fault, each in words beside its field
            let errors: FieldErrors =
                e.problem(lang.english()).errors.into_iter().map(|p| (p.field, p.detail)).collect();
            super::pages::home_with(&state, &headers, &caller, &f, &errors, None).await
        }
        Err(e) => {
            let p = e.problem(lang.english());
            super::pages::home_with(&state, &headers, &caller, &f, &[(String::new(), p.detail)].into(), None).await
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    // a letter pasted whole is refused in words, not by the body limit: 10,000 Chinese characters are
    // 90 KB once form-encoded
    axum::Router::new().route(
        "/complaints/new",
        axum::routing::post(submit).layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES)),
    )
}
