//! The complainant's progress page: no login; the complaint number and the last four digits of the
//! phone show the state and dates, nothing else (a PBOC requirement). Throttled against guessing.

use super::i18n::Lang;
use super::layout::page;
use super::pages::{CSRF_COOKIE, csrf};
use crate::app::AppState;
use crate::auth::cookie;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant as StdInstant};
use xiaobao_core::time::rfc3339;

#[derive(Deserialize)]
pub struct Lookup {
    number: String,
    last4: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Lookups per browser (its CSRF cookie) and overall: ten a minute for one browser.
static ATTEMPTS: Mutex<Option<HashMap<String, Vec<StdInstant>>>> = Mutex::new(None);
const PER_MINUTE: usize = 10;

fn throttled(key: &str) -> bool {
    let mut guard = ATTEMPTS.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if map.len() > 100_000 {
        map.retain(|_, v| v.iter().any(|t| t.elapsed() < Duration::from_secs(60)));
    }
    let v = map.entry(key.to_string()).or_default();
    v.retain(|t| t.elapsed() < Duration::from_secs(60));
    if v.len() >= PER_MINUTE {
        return true;
    }
    v.push(StdInstant::now());
    false
}

fn render(headers: &HeaderMap, result: Option<Markup>, status: StatusCode) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let body = html! {
        div.card style="max-width:32rem;margin:2rem auto" {
            h1 { (lang.t("progress")) }
            form method="post" action="/progress" {
                input type="hidden" name="_csrf" value=(token);
                label for="number" { (lang.t("number")) }
                input #number name="number" required maxlength="32";
                label for="last4" { (lang.t("phone_last4")) }
                input #last4 name="last4" required maxlength="4" inputmode="numeric";
                button.primary #lookup type="submit" { (lang.t("lookup")) }
            }
            @if let Some(r) = result { (r) }
        }
    };
    let mut res =
        maud::PreEscaped(page(lang, None, Some(&token), lang.t("progress"), body).into_string()).into_response();
    if let Some(c) = set {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    *res.status_mut() = status;
    res
}

pub async fn form(headers: HeaderMap) -> Response {
    render(&headers, None, StatusCode::OK)
}

pub async fn lookup(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Lookup>) -> Response {
    let lang = Lang::from_headers(&headers);
    let Some(browser) = cookie(&headers, CSRF_COOKIE).filter(|c| c.len() == 64 && *c == f.csrf) else {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    };
    if throttled(&browser) {
        return render(
            &headers,
            Some(html! { p.error #progress-result { (lang.t("too_many")) } }),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let number = f.number.trim();
    let last4 = f.last4.trim();
    let found = if number.len() <= 32 && last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()) {
        state
            .store
            .complaint_by_number(number)
            .await
            .ok()
            .flatten()
            .filter(|k| k.complainant.phone.as_deref().is_some_and(|p| p.ends_with(last4)))
    } else {
        None
    };
    let result = match found {
        Some(k) => html! {
            table #progress-result {
                tr { th { (lang.t("number")) } td { (k.number) } }
                tr { th { (lang.t("state")) } td { (if lang.english() { k.order.state.label_en() } else { k.order.state.label_zh() }) } }
                tr { th { (lang.t("received_at")) } td { (rfc3339(k.order.received_at).get(0..10).unwrap_or("")) } }
                @for c in &k.order.clocks {
                    tr { th { (lang.t(c.kind.as_str())) } td { (rfc3339(c.due_at).get(0..10).unwrap_or("")) } }
                }
            }
        },
        None => html! { p.error #progress-result { (lang.t("progress_none")) } },
    };
    render(&headers, Some(result), StatusCode::OK)
}
