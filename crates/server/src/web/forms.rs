//! What every form page shares: a form shown again after a refusal with each error beside its
//! field and the values typed kept, the notice after a change, the CSRF field, and the signed-in
//! caller or the way to the login page.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;

pub(crate) type Fields = HashMap<String, String>;

/// A form shown again after a refusal: the values typed and every error (its field, its message);
/// or a page after a change, with its notice.
#[derive(Default)]
pub(crate) struct Shown {
    pub form: &'static str,
    pub values: Fields,
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
}

impl Shown {
    /// The form shown again with every error `e` tells, beside its field.
    pub fn refused(form: &'static str, values: Fields, lang: Lang, e: ApiError) -> (StatusCode, Self) {
        let (status, errors) = refused_all(lang, e);
        (status, Self { form, values, errors, notice: None })
    }

    pub fn val(&self, form: &str, name: &str) -> String {
        if self.form == form { self.values.get(name).cloned().unwrap_or_default() } else { String::new() }
    }

    pub fn err(&self, form: &str, names: &[&str]) -> Markup {
        html! {
            @if self.form == form {
                @for (f, m) in &self.errors {
                    @if names.contains(&f.as_str()) || names.is_empty() {
                        span.error.field-error data-field=(f) role="alert" { (m) }
                    }
                }
            }
        }
    }

    /// The errors that name no field of the form: shown at the form's top.
    pub fn top(&self, form: &str, names: &[&str]) -> Markup {
        html! {
            @if self.form == form {
                @for (f, m) in &self.errors {
                    @if !names.contains(&f.as_str()) { p.error.form-error data-field=(f) role="alert" { (m) } }
                }
            }
        }
    }

    /// The notice of a change just made.
    pub fn notice(&self) -> Markup {
        html! { @if let Some(n) = &self.notice { p.notice #notice role="status" { (n) } } }
    }
}

pub(crate) async fn caller_or_login(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    Caller::from_headers(headers, state).await.map_err(|_| Redirect::to("/login").into_response())
}

/// Every error a refusal tells, each with its field (empty for one that names none) and its words
/// without the field's name (shown beside the field).
pub(crate) fn refused_all(lang: Lang, e: ApiError) -> (StatusCode, Vec<(String, String)>) {
    let fields = e.field_errors(lang.english());
    let p = e.problem(lang.english());
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
    if fields.is_empty() { (status, vec![(String::new(), p.detail)]) } else { (status, fields) }
}

/// A form field's text, empty when the form did not send it (validation then names it).
pub(crate) fn field(f: &Fields, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// The request's CSRF token and the cookie that sets it when the browser has none: decided once per
/// page, so every form on it and the cookie agree.
pub(crate) type Csrf = (String, Option<HeaderValue>);

pub(crate) fn hidden_csrf(token: &Csrf) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token.0); }
}

/// A page's upload form: the file part (if any) once the form's CSRF token has been checked; a
/// body that is not a form, or a token that is not the browser's, is answered with its error page.
pub(crate) async fn uploaded_file(
    headers: &HeaderMap,
    back: &str,
    m: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Result<Option<(String, Vec<u8>)>, ApiError>, Response> {
    let Ok(m) = m else {
        return Err(super::errors::error_page(
            headers,
            back,
            super::errors::PageError::BadForm,
            StatusCode::BAD_REQUEST,
        ));
    };
    let mut token = String::new();
    let file = crate::api::attachments::read_file_part(m, |name, value| {
        if name == "_csrf" {
            token = value;
        }
    })
    .await;
    if !super::pages::csrf_ok(headers, &token) {
        return Err(super::pages::forbidden_form());
    }
    // a browser sends an empty part, without a name, when no file was chosen
    Ok(file.map(|f| f.filter(|(name, data)| !(name.is_empty() && data.is_empty()))))
}
