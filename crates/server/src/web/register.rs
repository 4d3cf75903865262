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
    pub summary: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

/// Field name (as the API names it) → message.
pub type FieldErrors = HashMap<String, String>;

fn err(errors: &FieldErrors, field: &str) -> Markup {
    html! { @if let Some(m) = errors.get(field) { span.error.field-error data-field=(field) { (m) } } }
}

pub async fn form(state: &AppState, lang: Lang, csrf: &str, f: &RegisterForm, errors: &FieldErrors) -> Markup {
    let categories = state.store.classes(Some(Dimension::Category)).await.unwrap_or_default();
    // the page's script fills in the count; the catalogue's words hold no markup, so they go in as they are
    let count = html! { span.count {} }.into_string();
    let watchlist = PreEscaped(tr!(lang, "register.watchlist", count = count));
    html! {
        div.card #register {
            h2 { (lang.t("register.title")) }
            @if let Some(m) = errors.get("") { p.error { (m) } }
            form method="post" action="/complaints/new" {
                input type="hidden" name="_csrf" value=(csrf);
                label for="channel" { (lang.t("channel")) }
                select #channel name="channel" {
                    @for c in Channel::ALL {
                        option value=(c.as_str()) selected[f.channel == c.as_str()] { (lang.name(c)) }
                    }
                }
                (err(errors, "channel"))
                label for="name" { (lang.t("register.name")) }
                input #name name="name" value=(f.name) maxlength="50";
                (err(errors, "complainant.name"))
                label for="phone" { (lang.t("register.phone")) }
                input #phone name="phone" value=(f.phone) maxlength="20" inputmode="tel";
                (err(errors, "complainant.phone"))
                p.error #watchlist-warning hidden {
                    (watchlist)
                }
                label for="id_number" { (lang.t("register.id_number")) }
                input #id_number name="id_number" value=(f.id_number) maxlength="20";
                (err(errors, "complainant.id_number"))
                p {
                    label style="display:inline;font-weight:normal" { input type="checkbox" name="elderly" value="1" checked[f.elderly.is_some()] style="width:auto"; " " (lang.t("register.elderly")) }
                    " "
                    label style="display:inline;font-weight:normal" { input type="checkbox" name="disabled" value="1" checked[f.disabled.is_some()] style="width:auto"; " " (lang.t("register.disabled")) }
                    " "
                    label style="display:inline;font-weight:normal" { input type="checkbox" name="foreigner" value="1" checked[f.foreigner.is_some()] style="width:auto"; " " (lang.t("register.foreigner")) }
                }
                label for="category" { (lang.t("register.business_type")) }
                select #category name="category" {
                    option value="" { "—" }
                    @for c in categories.iter().filter(|c| c.active) {
                        option value=(c.code) selected[f.category == c.code] { (c.code) " " (lang.choose(&c.name_zh, &c.name_en)) }
                    }
                }
                (err(errors, "category"))
                label for="summary" { (lang.t("summary")) }
                input #summary name="summary" value=(f.summary) maxlength="200";
                (err(errors, "summary"))
                label for="description" { (lang.t("description")) }
                textarea #description name="description" rows="4" maxlength="4000" { (f.description) }
                (err(errors, "description"))
                button.primary #register-submit type="submit" { (lang.t("register.submit")) }
            }
        }
    }
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
        received_at: None,
        complainant: crate::api::complaints::ComplainantInput {
            name: f.name.clone(),
            phone: Some(f.phone.clone()),
            id_number: Some(f.id_number.clone()),
            tags,
        },
        category: Some(f.category.clone()),
        service_channel: None,
        cause: None,
        summary: f.summary.clone(),
        description: f.description.clone(),
        amount: None,
    };
    match crate::api::complaints::register(&state, &caller, req).await {
        Ok((_, crate::api::complaints::Registered::Order(view))) => {
            Redirect::to(&format!("/complaints/{}", view.complaint.id)).into_response()
        }
        Ok((_, crate::api::complaints::Registered::Elsewhere(j))) => {
            let (unit, code) = (&j.handled_by.name, &j.handled_by.code);
            let notice = tr!(lang, "register.merged", unit = unit, code = code);
            super::pages::home_notice(&state, &headers, &caller, &notice).await
        }
        Err(ApiError::Invalid(e)) | Err(ApiError::BadRequest(e)) => {
            let errors: FieldErrors = [(e.field.clone(), lang.invalid(&e))].into();
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
    axum::Router::new().route("/complaints/new", axum::routing::post(submit))
}
