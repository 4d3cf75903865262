//! The complainant's progress page: no login; the complaint number and the last four digits of the
//! phone show the state and dates, nothing else (a PBOC requirement). Guessing is held back per
//! source address and, above all, per complaint number: a few wrong tries a day, then nothing.

use super::layout::page;
use super::pages::{CSRF_COOKIE, csrf};
use crate::app::AppState;
use crate::app::ClientAddr;
use crate::auth::cookie;
use crate::i18n::Lang;
use crate::throttle::{Rule, Throttle};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use xiaobao_core::time::rfc3339;

#[derive(Deserialize)]
pub struct Lookup {
    number: String,
    last4: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// Wrong tries a complaint number admits in a day (Asia/Shanghai), counted before each is checked:
/// past them the number answers nothing until the next day, and its order says so.
pub const DAILY_TRIES_PER_NUMBER: i64 = 5;

/// Wrong lookups from one address: ten, then a doubling wait from two seconds up to a quarter of an
/// hour (the browser's own cookie is no key: a client invents a new one per request).
pub const ADDRESS_RULE: Rule = Rule { free: 10, base_ms: 2000, max_ms: 15 * 60_000, window_ms: 60 * 60_000 };

pub struct ProgressGuard {
    address: Throttle,
}

impl Default for ProgressGuard {
    fn default() -> Self {
        Self { address: Throttle::new(ADDRESS_RULE) }
    }
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

pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<Lookup>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    if cookie(&headers, CSRF_COOKIE).filter(|c| c.len() == 64 && *c == f.csrf).is_none() {
        return (StatusCode::FORBIDDEN, "CSRF token missing or wrong").into_response();
    }
    let too_many = |headers: &HeaderMap| {
        render(
            headers,
            Some(html! { p.error #progress-result { (lang.t("too_many")) } }),
            StatusCode::TOO_MANY_REQUESTS,
        )
    };
    let key = from.to_string();
    let now_ms = state.clock.now().timestamp_millis();
    if state.progress.address.reserve(&key, now_ms).is_err() {
        return too_many(&headers);
    }
    let number = f.number.trim();
    let last4 = f.last4.trim();
    let well_formed = number.len() <= 32 && last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit());
    let order = if well_formed { state.store.complaint_by_number(number).await.ok().flatten() } else { None };
    let day = xiaobao_core::time::local_date(state.clock.now()).to_string();
    let mut found = None;
    if let Some(k) = order {
        // the number's budget is spent before the digits are compared, so concurrent guesses share it
        match state.store.progress_try(k.order.id, &day, DAILY_TRIES_PER_NUMBER).await {
            Ok(true) => {
                let right = k.complainant.phone.as_deref().is_some_and(|p| p.ends_with(last4));
                let stopped = state.store.progress_tried(k.order.id, &day, right, DAILY_TRIES_PER_NUMBER, now_ms).await;
                if matches!(stopped, Ok(true)) {
                    tracing::warn!(number = %k.number, "progress page stopped for the day after wrong tries");
                }
                if right {
                    found = Some(k);
                }
            }
            // spent for today: answered as a wrong try, whatever the digits
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "progress page");
                state.progress.address.finish(&key, false, now_ms);
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    }
    state.progress.address.finish(&key, found.is_none(), now_ms);
    let result = match found {
        Some(k) => html! {
            table #progress-result {
                tr { th { (lang.t("number")) } td { (k.number) } }
                tr { th { (lang.t("state")) } td { (lang.name(k.order.state)) } }
                tr { th { (lang.t("received_at")) } td { (rfc3339(k.order.received_at).get(0..10).unwrap_or("")) } }
                @for c in &k.order.clocks {
                    tr { th { (lang.t(c.kind.as_str())) } td { (xiaobao_core::time::deadline_day(c.due_at).format("%Y-%m-%d").to_string()) } }
                }
            }
        },
        None => html! { p.error #progress-result { (lang.t("progress_none")) } },
    };
    render(&headers, Some(result), StatusCode::OK)
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/progress", axum::routing::get(form).post(lookup))
}
