//! Login, the language switch, and the home page of each role (with the board for those who oversee).

use super::layout::page;
use crate::app::AppState;
use crate::auth::{Caller, SESSION_COOKIE, SESSION_HOURS, cookie};
use crate::i18n::{LANG_COOKIE, Lang};
use crate::tr;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use xiaobao_core::deadline::Clock;
use xiaobao_core::role::{Permission, Role};
use xiaobao_core::time::{Instant, deadline_text, local_minute};
use xiaobao_store::{ComplaintFilter, ComplaintRow};

pub const CSRF_COOKIE: &str = "xiaobao_csrf";

/// The request's CSRF token (double-submit: a random cookie every form repeats), and the cookie to
/// set when the browser has none yet.
pub fn csrf(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, CSRF_COOKIE).filter(|c| c.len() == 64) {
        Some(t) => (t, None),
        None => {
            let (t, _) = crate::auth::new_token();
            let set = HeaderValue::from_str(&format!("{CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict")).ok();
            (t, set)
        }
    }
}

pub(super) fn csrf_ok(headers: &HeaderMap, form_token: &str) -> bool {
    cookie(headers, CSRF_COOKIE).is_some_and(|c| c.len() == 64 && c == form_token)
}

pub(super) fn html_response(markup: Markup, set_cookie: Option<HeaderValue>) -> Response {
    let mut res = maud::PreEscaped(markup.into_string()).into_response();
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

pub(super) fn forbidden_form() -> Response {
    super::errors::csrf_refused()
}

/// The caller of a form submission: logged in (else to the login page), and the form carries the
/// CSRF token (else 403).
pub(super) async fn form_caller(
    state: &AppState,
    headers: &HeaderMap,
    f: &std::collections::HashMap<String, String>,
) -> Result<Caller, Response> {
    let caller = Caller::from_headers(headers, state).await.map_err(|_| Redirect::to("/login").into_response())?;
    if !csrf_ok(headers, f.get("_csrf").map(String::as_str).unwrap_or("")) {
        return Err(forbidden_form());
    }
    Ok(caller)
}

/// A page saying the caller's role may not open it (403).
pub(super) fn no_permission(
    lang: Lang,
    caller: &Caller,
    (token, set): (String, Option<HeaderValue>),
    title: &str,
) -> Response {
    let body = html! { div.card { p.error { (lang.t("no_permission")) } } };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    *res.status_mut() = StatusCode::FORBIDDEN;
    res
}

/// The page of something that does not exist or lies outside the caller's scope (the two read alike).
pub(super) fn not_found(lang: Lang, caller: &Caller, (token, set): (String, Option<HeaderValue>)) -> Response {
    let body = html! { div.card { h1 #not-found { (lang.t("not_found")) } p { a href="/" { (lang.t("home")) } } } };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("not_found"), body), set);
    *res.status_mut() = StatusCode::NOT_FOUND;
    res
}

/// What an API call gives a page: its value, or a refusal naming a field, to show beside that field
/// (the field, the message in the reader's language). Anything else is logged and answered 500.
#[allow(clippy::type_complexity, clippy::result_large_err)] // a page's answer, as every handler returns it
pub(super) fn shown<T>(
    r: crate::error::ApiResult<T>,
    lang: Lang,
    what: &str,
) -> Result<(Option<T>, Option<(String, String)>), Response> {
    use crate::error::ApiError;
    match r {
        Ok(v) => Ok((Some(v), None)),
        Err(ApiError::Invalid(e)) | Err(ApiError::BadRequest(e)) => {
            Ok((None, Some((e.field.clone(), lang.invalid(&e)))))
        }
        Err(e) => {
            tracing::error!(error = ?e, page = what, "page");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

pub async fn login_form(headers: HeaderMap) -> Response {
    render_login(&headers, None)
}

fn render_login(headers: &HeaderMap, error: Option<&str>) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let body = html! {
        div.card style="max-width:26rem;margin:3rem auto" {
            h1 { (lang.t("login")) }
            @if let Some(e) = error { p.error #login-error role="alert" { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="_csrf" value=(token);
                label for="username" { (lang.t("username")) }
                input #username name="username" autocomplete="username" required;
                label for="password" { (lang.t("password")) }
                input #password name="password" type="password" autocomplete="current-password" required;
                button.primary #login type="submit" { (lang.t("login")) }
            }
            p.muted { a href="/progress" { (lang.t("progress")) } }
        }
    };
    html_response(page(lang, None, Some(&token), lang.t("login"), body), set)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    crate::app::ClientAddr(from): crate::app::ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return forbidden_form();
    }
    let lang = Lang::from_headers(&headers);
    match crate::api::session::authenticate(&state, &f.username, &f.password, from).await {
        Ok((token, _)) => {
            let mut res = Redirect::to("/").into_response();
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                SESSION_HOURS * 3600
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(crate::error::ApiError::TooManyRequests(m, _) | crate::error::ApiError::Unavailable(m, _)) => {
            render_login(&headers, Some(m.in_lang(lang.english())))
        }
        Err(_) => render_login(&headers, Some(lang.t("login_failed"))),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return forbidden_form();
    }
    if let Ok(caller) = Caller::from_headers(&headers, &state).await {
        let _ = state.store.revoke_session(&caller.token_hash, state.clock.now().timestamp_millis()).await;
        state.sessions.forget(&caller.token_hash);
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("xiaobao_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    res
}

#[derive(Deserialize)]
pub struct LangForm {
    to: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn switch_lang(headers: HeaderMap, Form(f): Form<LangForm>) -> Response {
    if !csrf_ok(&headers, &f.csrf) {
        return forbidden_form();
    }
    let to = if f.to == "en" { "en" } else { "zh" };
    // back to the page the switch was on, if it was ours
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{LANG_COOKIE}={to}; Path=/; SameSite=Strict; Max-Age=31536000")) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The colour class of a clock: ok, warning (past 80 % of its time), breached, or done.
fn clock_class(c: &Clock, now: Instant) -> &'static str {
    use xiaobao_core::deadline::ClockStatus::*;
    match c.status(now) {
        Running if c.is_due_soon(now) => "warning",
        Running => "ok",
        Overdue | Breached => "breached",
        Met => "met",
        Stopped => "stopped",
        Paused => "paused",
    }
}

pub(super) fn clocks(lang: Lang, k: &ComplaintRow, now: Instant) -> Markup {
    html! {
        @for c in &k.order.clocks {
            @let class = clock_class(c, now);
            span class={ "clock " (class) } {
                (lang.t(c.kind.as_str())) " " (lang.t(class)) " · " (tr!(lang, "due_by", at = deadline_text(c.due_at)))
            }
        }
    }
}

/// The orders as a table; `empty` is what is said when there are none.
pub(super) fn orders_table(lang: Lang, rows: &[ComplaintRow], now: Instant, empty: &str) -> Markup {
    html! {
        @if rows.is_empty() {
            p.muted #empty { (empty) }
        } @else {
            table.orders #orders {
                thead { tr { th { (lang.t("number")) } th { (lang.t("received_at")) } th { (lang.t("channel")) } th { (lang.t("summary")) } th { (lang.t("state")) } th { (lang.t("org_unit")) } th { (lang.t("clocks")) } } }
                tbody {
                    @for k in rows {
                        tr {
                            td data-label=(lang.t("number")) { a href={ "/complaints/" (k.order.id) } { (k.number) } }
                            td.nowrap data-label=(lang.t("received_at")) { (local_minute(k.order.received_at)) }
                            td data-label=(lang.t("channel")) { (lang.name(k.channel)) }
                            td data-label=(lang.t("summary")) { (k.summary) }
                            td data-label=(lang.t("state")) {
                                (lang.name(k.order.state))
                                @if let Some(a) = k.order.appeal { br; small.badge data-appeal=(a.as_str()) { (lang.name(a)) } }
                            }
                            td data-label=(lang.t("org_unit")) { (k.org_name) }
                            td data-label=(lang.t("clocks")) { (clocks(lang, k, now)) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    home_with(&state, &headers, &caller, &super::register::RegisterForm::default(), &Default::default(), None).await
}

/// The home page with a message saying what the last action did.
pub(super) async fn home_notice(state: &AppState, headers: &HeaderMap, caller: &Caller, notice: &str) -> Response {
    home_with(state, headers, caller, &super::register::RegisterForm::default(), &Default::default(), Some(notice))
        .await
}

/// The home page of the caller's role; for front-line staff with the registration form, showing
/// `form`'s values and `errors` after a refused registration.
pub(super) async fn home_with(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    form: &super::register::RegisterForm,
    errors: &super::register::FieldErrors,
    notice: Option<&str>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let now = state.clock.now();
    let front_line = matches!(caller.user.role, Role::Teller | Role::LobbyManager | Role::RelationshipManager);
    let filter = ComplaintFilter {
        first_responder_id: front_line.then_some(caller.user.id),
        open_since_before: (!front_line).then_some(i64::MAX),
        nearest_due_first: !front_line,
        skip_count: true,
        now_ms: now.timestamp_millis(),
        // one more than is shown: whether the list goes on
        limit: HOME_ROWS + 1,
        ..ComplaintFilter::new(caller.order_scope())
    };
    let queue = ComplaintFilter { overdue: oversees(caller.user.role).then_some(false), ..filter.clone() };
    let rows = match state.store.complaints(&queue).await {
        Ok(p) => p.items,
        Err(e) => {
            tracing::error!(error = %e, "home page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // Supervisors and above also see what broke and what climbed up in their subtree.
    let oversees = oversees(caller.user.role);
    let (title, empty) = match (front_line, oversees) {
        (true, _) => (lang.t("my_orders"), lang.t("no_orders")),
        // the breaches have their own list above: the queue holds the rest
        (false, true) => (lang.t("queue_rest"), lang.t("no_queue")),
        (false, false) => (lang.t("queue"), lang.t("no_queue")),
    };
    let all_of_mine = match (front_line, oversees) {
        (true, _) => "/complaints?mine=true",
        (false, true) => "/complaints?open=true&overdue=false&sort=due",
        (false, false) => "/complaints?open=true&sort=due",
    };
    let mut extra = Vec::new();
    if oversees {
        for (key, heading, empty, all, f) in [
            (
                "breaches",
                lang.t("breaches"),
                lang.t("no_breaches"),
                "/complaints?overdue=true&open=true&sort=due",
                ComplaintFilter { overdue: Some(true), ..filter.clone() },
            ),
            (
                "escalations",
                lang.t("escalations"),
                lang.t("no_escalations"),
                "/complaints?escalated=true&open=true&sort=due",
                ComplaintFilter { escalated: Some(true), ..filter.clone() },
            ),
        ] {
            match state.store.complaints(&f).await {
                Ok(p) => extra.push((key, heading, empty, all, p.items)),
                Err(e) => {
                    tracing::error!(error = %e, "home page");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            }
        }
    }
    let board = if oversees {
        match crate::api::board::board(state, caller, None).await {
            Ok(rows) => Some(rows),
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        None
    };
    let service = super::home_service::card(state, caller, lang, now).await;
    let register = if caller.can(Permission::RegisterComplaint) && front_line {
        Some(super::register::form(state, lang, &token, form, errors).await)
    } else {
        None
    };
    // the most urgent first: what broke, the queue, what climbed up, then the board; each list shows
    // its first rows and links to the whole list
    let breaches = extra.iter().find(|e| e.0 == "breaches");
    let escalations = extra.iter().find(|e| e.0 == "escalations");
    let section = |key: &str, heading: &str, empty: &str, all: &str, items: &[ComplaintRow], open: bool| {
        html! {
            details.card.section id=(key) open[open || items.is_empty()] {
                summary { h2 { (heading) @if !items.is_empty() { " " span.muted.count { "(" (shown_count(lang, items.len())) ")" } } } }
                (orders_table(lang, &items[..items.len().min(HOME_ROWS as usize)], now, empty))
                @if items.len() as i64 > HOME_ROWS { p { a.button href=(all) { (lang.t("home.see_all")) } } }
            }
        }
    };
    let body = html! {
        @if let Some(n) = notice { p.notice #notice role="status" { (n) } }
        @if let Some(r) = register { (r) }
        @if let Some(s) = &service { @if caller.user.role == Role::ServiceDept { (s) } }
        @if let Some((key, heading, empty, all, items)) = breaches { (section(key, heading, empty, all, items, true)) }
        (section("queue", title, empty, all_of_mine, &rows, true))
        @if let Some((key, heading, empty, all, items)) = escalations { (section(key, heading, empty, all, items, false)) }
        @if let Some(s) = &service { @if caller.user.role != Role::ServiceDept { (s) } }
        @if let Some(rows) = &board { (board_card(lang, rows, now)) }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("home"), body), set);
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// Roles that oversee a subtree: their home shows its breaches, escalations and board.
fn oversees(role: Role) -> bool {
    matches!(
        role,
        Role::OperationsSupervisor
            | Role::VicePresident
            | Role::President
            | Role::CpCentre
            | Role::ServiceDept
            | Role::Auditor
    )
}

/// How many rows each list of a home page shows before linking to the whole list.
const HOME_ROWS: i64 = 10;

/// "10+" when the list goes on past what is shown, else the count.
fn shown_count(lang: Lang, n: usize) -> String {
    if n as i64 > HOME_ROWS { format!("{}+", lang.int(HOME_ROWS)) } else { lang.int(n as i64) }
}

/// The board: each child unit side by side, then the whole subtree; each figure opens its list.
fn board_card(lang: Lang, rows: &[xiaobao_store::BoardRow], now: Instant) -> Markup {
    let month = format!("&received_from={}", xiaobao_core::time::local_date(crate::api::board::month_start(now)));
    let cell = |code: &str, n: i64, q: &str| html! { td.num { a href={ "/complaints?org_unit=" (code) (q) } { (lang.int(n)) } } };
    // the month's figures count complaints against the unit responsible, wherever they are handled now
    let counted = |code: &str, n: i64, q: &str| html! { td.num { a href={ "/complaints?responsible_unit=" (code) (q) } { (lang.int(n)) } } };
    html! {
        div.card #board {
            h2 { (lang.t("board")) }
            div.scroll { table {
                thead { tr {
                    th { (lang.t("org_unit")) } th.num { (lang.t("open")) } th.num { (lang.t("overdue")) } th.num { (lang.t("escalated_open")) }
                    th.num { (lang.t("received_month")) } th.num { (lang.t("regulator_month")) } th.num { (lang.t("repeat_month")) }
                } }
                tbody {
                    @for (i, r) in rows.iter().enumerate() {
                        @let total = i + 1 == rows.len();
                        @let here = if r.own { "&here=true" } else { "" };
                        tr class=[if total { Some("total") } else if r.own { Some("own") } else { None }] data-unit=(r.code) data-own=[r.own.then_some("true")] {
                            td { @if total { (lang.t("total")) " · " } @if r.own { (lang.t("board.own")) " · " } (r.name) " (" (r.code) ")" }
                            (cell(&r.code, r.open, &format!("&open=true{here}")))
                            (cell(&r.code, r.overdue, &format!("&overdue=true{here}")))
                            (cell(&r.code, r.escalated, &format!("&escalated=true&open=true{here}")))
                            (counted(&r.code, r.received, &format!("{month}{here}")))
                            (counted(&r.code, r.regulator, &format!("{month}&channel=regulator{here}")))
                            (counted(&r.code, r.repeat, &format!("{month}&repeat=true{here}")))
                        }
                    }
                }
            } }
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", axum::routing::get(home))
        .route("/login", axum::routing::get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/lang", axum::routing::post(switch_lang))
}
