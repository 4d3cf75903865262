//! The password page: a user changes their own password here — and must, before any other page
//! opens, after an administrator has reset it (`auth::must_change`).

use super::layout::page;
use super::pages::{csrf, form_caller, html_response};
use crate::app::AppState;
use crate::auth::Caller;
use crate::auth::must_change::PASSWORD_PAGE;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::collections::HashMap;

pub async fn password_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match Caller::from_headers(&headers, &state).await {
        Ok(c) => render(&headers, &c, &[], StatusCode::OK),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

fn render(headers: &HeaderMap, caller: &Caller, errors: &[(String, String)], status: StatusCode) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let err = |name: &str| {
        html! {
            @for (f, m) in errors.iter().filter(|(f, _)| f == name) {
                span.error.field-error data-field=(f) role="alert" { (m) }
            }
        }
    };
    let known = ["current_password", "new_password", "new_password_again"];
    let body = html! {
        div.card style="max-width:30rem;margin:2rem auto" {
            h1 { (lang.t("account.password")) }
            @if caller.user.must_change_password {
                p.notice #must-change role="status" { (lang.t("account.must_change")) }
            }
            @for (_, m) in errors.iter().filter(|(f, _)| !known.contains(&f.as_str())) {
                p.error.form-error role="alert" { (m) }
            }
            form #password-form method="post" action=(PASSWORD_PAGE) {
                input type="hidden" name="_csrf" value=(token);
                label for="current_password" { (lang.t("account.current_password")) }
                input #current_password name="current_password" type="password" autocomplete="current-password";
                (err("current_password"))
                label for="new_password" { (lang.t("account.new_password")) }
                input #new_password name="new_password" type="password" autocomplete="new-password";
                (err("new_password"))
                label for="new_password_again" { (lang.t("account.new_password_again")) }
                input #new_password_again name="new_password_again" type="password" autocomplete="new-password";
                (err("new_password_again"))
                p.muted { (tr!(lang, "admin.users.password_rule", min = xiaobao_core::password::MIN_CHARS)) }
                button.primary #change-password type="submit" { (lang.t("account.change")) }
            }
            form method="post" action="/logout" {
                input type="hidden" name="_csrf" value=(token);
                button #logout-here type="submit" { (lang.t("logout")) }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("account.password"), body), set);
    *res.status_mut() = status;
    res
}

pub async fn password_change(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let req = crate::api::user_access::ChangePassword {
        current_password: get("current_password"),
        new_password: get("new_password"),
    };
    let mine = if get("new_password") == get("new_password_again") {
        Vec::new()
    } else {
        vec![xiaobao_core::FieldError::because("new_password_again", "field.passwords_differ")]
    };
    match crate::api::user_access::change_own(&state, &caller, req, mine).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => {
            let mut errors = e.field_errors(lang.english());
            if errors.is_empty() {
                errors.push((String::new(), e.problem(lang.english()).detail));
            }
            let status = StatusCode::from_u16(e.problem(false).status).unwrap_or(StatusCode::BAD_REQUEST);
            render(&headers, &caller, &errors, status)
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(PASSWORD_PAGE, axum::routing::get(password_form).post(password_change))
}
