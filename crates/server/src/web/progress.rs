//! The complainant's progress page: no login; the complaint number and the last four digits of the
//! phone show the state and dates, nothing else (a PBOC requirement), in large type and plain words.
//! Guessing is held back per complaint number (a few wrong tries a day, then nothing) and, apart,
//! per source address (many more wrong tries, shared by everyone behind it).

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
use xiaobao_core::complaint::intake::typed_complaint_number;
use xiaobao_core::deadline::ClockKind;
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

/// Wrong lookups from one address before it is slowed: many more than one number admits, since
/// many people may share an address (a branch's network), and only wrong lookups count, so one
/// person's guesses leave the others' right lookups alone until the address has guessed this much;
/// then a doubling wait from two seconds up to a quarter of an hour, forgotten after an hour
/// without a wrong lookup (the browser's own cookie is no key: a client invents a new one per
/// request).
pub const ADDRESS_RULE: Rule = Rule { free: 100, base_ms: 2000, max_ms: 15 * 60_000, window_ms: 60 * 60_000 };

pub struct ProgressGuard {
    address: Throttle,
}

impl Default for ProgressGuard {
    fn default() -> Self {
        Self { address: Throttle::new(ADDRESS_RULE) }
    }
}

/// Large type for the elderly: 20 px text, inputs and the button over 48 px high, strong contrast
/// and a visible focus, one column that fits a phone 390 px wide.
const LARGE_TYPE: &str = "
#progress-page{max-width:34rem;margin:1.2rem auto;padding:1.3rem 1.3rem 1.5rem;font-size:20px;line-height:1.6;color:#111}
#progress-page h1{font-size:1.6em;line-height:1.3;margin:.1em 0 .5em}
#progress-page p{margin:.4em 0}
#progress-page label{font-size:1.1em;margin:1.1em 0 .3em;color:#111}
#progress-page .help{display:block;font-size:.9em;color:#333;margin:.3em 0 0}
#progress-page input{font-size:1.2em;min-height:2.7em;padding:.4em .7em;border:2px solid #333;border-radius:6px;color:#111;background:#fff}
#progress-page input:focus,#progress-page button:focus{outline:4px solid #e8a200;outline-offset:2px}
#progress-page button.primary{width:100%;min-height:2.9em;font-size:1.2em;font-weight:700;margin-top:1.3em;border-radius:8px;background:#8a1c1c;color:#fff}
#progress-page .error{font-size:1em;color:#8b0000;background:#fff0f0;border-left:6px solid #8b0000;padding:.6em .8em;margin-top:1.2em}
#progress-page table{margin:.4em 0 1.2em}
#progress-page .error{margin:.4em 0 1em}
#progress-page th,#progress-page td{padding:.6em .4em;border-bottom:2px solid #c8cdd3;font-size:1em}
#progress-page th{font-weight:600;width:55%}
#progress-page td{font-weight:700}
#progress-page .contact{margin-top:1.2em;color:#333}
@media (max-width:32rem){
#progress-page{margin:.5rem auto;padding:1rem .9rem 1.2rem}
#progress-page tr{display:block;padding:.5em 0;border-bottom:2px solid #c8cdd3}
#progress-page th,#progress-page td{display:block;width:auto;border:0;padding:.1em 0}
}
";

/// The page's plain words for a clock's due date (the bank's names, such as 限时办结, say nothing to
/// a complainant).
fn due_words(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Response => "progress.due.response",
        ClockKind::Decision => "progress.due.decision",
        ClockKind::Completion => "progress.due.completion",
        ClockKind::Review => "progress.due.review",
    }
}

fn render(headers: &HeaderMap, typed: &str, result: Option<Markup>, status: StatusCode) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let body = html! {
        style { (maud::PreEscaped(LARGE_TYPE)) }
        div.card #progress-page {
            h1 { (lang.t("progress")) }
            // the answer first, where a phone shows it without scrolling; the form below for another lookup
            @if let Some(r) = result { (r) }
            p { (lang.t("progress.intro")) }
            form method="post" action="/progress" {
                input type="hidden" name="_csrf" value=(token);
                label for="number" { (lang.t("progress.number")) }
                input #number name="number" required maxlength="40" value=(typed) autocomplete="off"
                    autocapitalize="characters" spellcheck="false" aria-describedby="number-help";
                span.help #number-help { (lang.t("progress.number_help")) }
                label for="last4" { (lang.t("progress.last4")) }
                input #last4 name="last4" required maxlength="4" inputmode="numeric" pattern="[0-9]*"
                    autocomplete="off" aria-describedby="last4-help";
                span.help #last4-help { (lang.t("progress.last4_help")) }
                button.primary #lookup type="submit" { (lang.t("progress.lookup")) }
            }
            p.contact { (lang.t("progress.contact")) }
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
    render(&headers, "", None, StatusCode::OK)
}

pub async fn lookup(
    State(state): State<AppState>,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<Lookup>,
) -> Response {
    let lang = Lang::from_headers(&headers);
    if cookie(&headers, CSRF_COOKIE).filter(|c| c.len() == 64 && *c == f.csrf).is_none() {
        return super::errors::csrf_refused();
    }
    let key = from.to_string();
    let now_ms = state.clock.now().timestamp_millis();
    if let Err(wait) = state.progress.address.reserve(&key, now_ms) {
        let mut res = render(
            &headers,
            &f.number,
            Some(html! { p.error #progress-result role="alert" { (lang.t("too_many")) } }),
            StatusCode::TOO_MANY_REQUESTS,
        );
        res.headers_mut().insert(header::RETRY_AFTER, wait.seconds().into());
        return res;
    }
    // as typed: any case, spaces, the full-width letters of a Chinese input method
    let number = typed_complaint_number(&f.number);
    let last4 = f.last4.trim();
    let well_formed = last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit());
    let order = match number.as_deref().filter(|_| well_formed) {
        Some(n) => state.store.complaint_by_number(n).await.ok().flatten(),
        None => None,
    };
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
    // only a wrong lookup counts against the address
    state.progress.address.finish(&key, found.is_none(), now_ms);
    let result = match found {
        Some(k) => html! {
            table #progress-result {
                tr { th { (lang.t("progress.number")) } td { (k.number) } }
                tr { th { (lang.t("progress.state")) } td #progress-state { (lang.name(k.order.state)) } }
                tr { th { (lang.t("progress.received")) } td { (rfc3339(k.order.received_at).get(0..10).unwrap_or("")) } }
                @for c in &k.order.clocks {
                    tr { th { (lang.t(due_words(c.kind))) } td { (xiaobao_core::time::deadline_day(c.due_at).format("%Y-%m-%d").to_string()) } }
                }
            }
        },
        None => html! { p.error #progress-result role="alert" { (lang.t("progress_none")) } },
    };
    render(&headers, &f.number, Some(result), StatusCode::OK)
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/progress", axum::routing::get(form).post(lookup))
}
