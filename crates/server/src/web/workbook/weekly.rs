//! The weekly lobby report pages: the register (`/workbook/weekly`) with its filters, pages, export
//! and, for managers, the week's outlets still without a signed report; the form that writes one
//! (`/workbook/weekly/new`, the outlet's figures of the week shown) and writes it again
//! (`/workbook/weekly/{id}/edit`); one report with the outlet head's sign-off and send-back.

use super::super::forms::{Fields, Shown, caller_or_login, field, hidden_csrf};
use super::super::layout::page;
use super::super::lists::{pager, query_with};
use super::super::pages::{csrf, form_caller, html_response, not_found};
use crate::api::query::Params;
use crate::api::workbook::weekly::{
    RewriteReport, SendBackIn, WeeklyDetail, detail, list, missing, prefill, rewrite, send_back, sign_off, write,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::role::Permission;
use xiaobao_core::workbook::weekly::{IsoWeek, WeekFigures, WeeklyIn, WeeklyState};

fn minute(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

fn crumbs(lang: Lang) -> Markup {
    html! { p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " a href="/workbook/weekly" { (lang.t("weekly.title")) } } }
}

fn respond(
    lang: Lang,
    caller: &Caller,
    tok: &(String, Option<HeaderValue>),
    title: &str,
    body: Markup,
    status: StatusCode,
) -> Response {
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1.clone());
    *res.status_mut() = status;
    res
}

fn figures_table(lang: Lang, f: &WeekFigures) -> Markup {
    let rows = [
        ("weekly.complaints_received", f.complaints_received),
        ("weekly.complaints_decided", f.complaints_decided),
        ("weekly.complaints_liable", f.complaints_liable),
        ("weekly.ratings", f.ratings),
        ("weekly.satisfied", f.satisfied),
        ("weekly.tickets_called", f.tickets_called),
        ("weekly.overtime_waits", f.overtime_waits),
    ];
    html! {
        dl.facts #week-figures { @for (k, v) in rows { dt { (lang.t(k)) } dd data-figure=(k) { (v) } } }
    }
}

/// `/workbook/weekly`.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("weekly.title");
    let (rows, error) = match list(&state, &caller, &p).await {
        Ok(r) => (Some(r), None),
        Err(ApiError::Forbidden(_)) => return not_found(lang, &caller, csrf(&headers)),
        Err(e) => (None, Some(crate::web::forms::refused_all(lang, e).1)),
    };
    let manager = caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService);
    let gaps = if manager { missing(&state, &caller, &p).await.ok() } else { None };
    let val = |k: &str| p.get(k).cloned().unwrap_or_default();
    let tok = csrf(&headers);
    let body = html! {
        div.card {
            p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " (title) }
            h1 { (title) }
            p.hint { (lang.t("weekly.intro")) }
            @if caller.can(Permission::WriteWeeklyReports) {
                p { a.button.primary #new-weekly href="/workbook/weekly/new" { (lang.t("weekly.new")) } }
            }
            form.filters #weekly-filters method="get" action="/workbook/weekly" {
                div { label for="f-unit" { (lang.t("org_unit_code")) } input #f-unit name="org_unit" value=(val("org_unit")) placeholder=(caller.user.org_code); }
                div { label for="f-week" { (lang.t("weekly.week")) } input #f-week type="week" name="week" value=(val("week")) placeholder="2026-W48"; }
                div { label for="f-state" { (lang.t("weekly.state")) }
                    select #f-state name="state" {
                        option value="" { (lang.t("any")) }
                        @for s in WeeklyState::ALL { option value=(s.as_str()) selected[val("state") == s.as_str()] { (lang.name(s)) } }
                    }
                }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(errors) = &error { @for (f, m) in errors { p.error role="alert" data-field=(f) { (f) ": " (m) } } }
        }
        @if let Some(g) = &gaps {
            div.card #weekly-missing {
                h2 { (tr!(lang, "weekly.missing_title", week = &g.week)) }
                p.muted { (tr!(lang, "weekly.missing_facts", signed = g.signed, outlets = g.outlets, due = minute(&g.due_at)))
                    @if g.past_due { " · " span.overdue { (lang.t("weekly.past_due")) } } }
                @if g.missing.is_empty() { p #none-missing { (lang.t("weekly.none_missing")) } }
                @else {
                    ul { @for m in &g.missing { li data-unit=(m.org_unit.code) {
                        (m.org_unit.name) " (" (m.org_unit.code) ") · "
                        @match (m.report, m.state) {
                            (Some(id), Some(s)) => { a href={ "/workbook/weekly/" (id) } { (lang.name(s)) } }
                            _ => { (lang.t("weekly.not_written")) }
                        }
                    } } }
                }
            }
        }
        @if let Some(rows) = &rows {
            div.card #weekly-reports {
                p.muted #weekly-total { (tr!(lang, "workbook.total", total = rows.total)) " · "
                    a #weekly-xlsx href={ "/api/v1/weekly-reports/export?" (query_with(&p, None)) } { (lang.t("workbook.export")) } }
                @if rows.items.is_empty() {
                    p.muted #no-weekly { (lang.t("weekly.none")) }
                } @else {
                    table.orders {
                        thead { tr { th { (lang.t("weekly.week")) } th { (lang.t("org_unit")) } th { (lang.t("weekly.state")) } th { (lang.t("weekly.written_by")) } th.num { (lang.t("weekly.complaints_received")) } } }
                        tbody { @for v in &rows.items { tr data-id=(v.id) {
                            td data-label=(lang.t("weekly.week")) { a href={ "/workbook/weekly/" (v.id) } { (v.week) } }
                            td data-label=(lang.t("org_unit")) { (v.org_unit.name) }
                            td data-label=(lang.t("weekly.state")) { (lang.name(v.state)) }
                            td data-label=(lang.t("weekly.written_by")) { (v.written_by) " · " (minute(&v.written_at)) }
                            td.num data-label=(lang.t("weekly.complaints_received")) { (v.figures.complaints_received) }
                        } } }
                    }
                    (pager(lang, "/workbook/weekly", &p, rows.page, rows.per_page, rows.total))
                }
            }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    respond(lang, &caller, &tok, title, body, status)
}

const FIELDS: &[&str] = &[
    "org_unit",
    "week",
    "consumer_protection",
    "service_quality",
    "complaints",
    "reason",
    "version",
    "record.org_unit",
    "record.week",
];

fn record_from(f: &Fields) -> WeeklyIn {
    WeeklyIn {
        org_unit: field(f, "org_unit"),
        week: field(f, "week"),
        consumer_protection: field(f, "consumer_protection"),
        service_quality: field(f, "service_quality"),
        complaints: field(f, "complaints"),
    }
}

async fn show_form(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: Option<i64>,
    s: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tok = csrf(headers);
    let title = lang.t(if id.is_some() { "weekly.rewrite" } else { "weekly.new" });
    let v = |k: &str| s.val("weekly", k);
    let mut p = Params::new();
    p.insert("org_unit".into(), v("org_unit"));
    p.insert("week".into(), v("week"));
    let figures = prefill(state, caller, &p).await.ok();
    let req = html! { span.required aria-hidden="true" { " *" } };
    let errs = |names: &[&str]| s.err("weekly", names);
    let counted = if s.form == "weekly" { s.errors.len() } else { 0 };
    let action = match id {
        Some(id) => format!("/workbook/weekly/{id}/edit"),
        None => "/workbook/weekly/new".into(),
    };
    let body = html! {
        div.card { (crumbs(lang)) h1 { (title) } p.hint { (lang.t("weekly.form_hint")) } }
        form.card #weekly-form method="post" action=(action) novalidate {
            (hidden_csrf(&tok))
            @if counted > 0 { p.error #error-count role="alert" { (tr!(lang, "workbook.errors", count = counted)) } }
            (s.top("weekly", FIELDS))
            @if id.is_some() { input type="hidden" name="version" value=(v("version")); }
            div.columns {
                div { label for="k-unit" { (lang.t("export.unit_code")) (req) } input #k-unit name="org_unit" value=(v("org_unit")) readonly[id.is_some()]; (errs(&["org_unit", "record.org_unit"])) }
                div { label for="k-week" { (lang.t("weekly.week")) (req) } input #k-week name="week" value=(v("week")) placeholder="2026-W48" readonly[id.is_some()];
                    small.muted { (lang.t("weekly.week_hint")) } (errs(&["week", "record.week"])) }
            }
            @if let Some(f) = &figures {
                h2 { (lang.t("weekly.figures")) }
                (figures_table(lang, f))
            }
            label for="k-cp" { (lang.t("weekly.consumer_protection")) (req) }
            textarea #k-cp name="consumer_protection" rows="4" maxlength="2000" { (v("consumer_protection")) }
            (errs(&["consumer_protection"]))
            label for="k-sq" { (lang.t("weekly.service_quality")) (req) }
            textarea #k-sq name="service_quality" rows="4" maxlength="2000" { (v("service_quality")) }
            (errs(&["service_quality"]))
            label for="k-c" { (lang.t("weekly.complaints")) (req) }
            textarea #k-c name="complaints" rows="4" maxlength="2000" { (v("complaints")) }
            (errs(&["complaints"]))
            @if id.is_some() {
                label for="k-reason" { (lang.t("workbook.edit_reason")) }
                input #k-reason name="reason" maxlength="500" value=(v("reason"));
                (errs(&["reason"]))
            }
            p { button.primary #weekly-submit type="submit" { (lang.t(if id.is_some() { "weekly.resubmit" } else { "weekly.submit" })) } }
        }
    };
    respond(lang, caller, &tok, title, body, status)
}

/// `/workbook/weekly/new?week=`: last week of the caller's outlet by default.
pub async fn new_form(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !caller.can(Permission::WriteWeeklyReports) {
        return not_found(Lang::from_headers(&headers), &caller, csrf(&headers));
    }
    let last = IsoWeek::of(xiaobao_core::time::local_date(state.clock.now())).previous().label();
    let mut values = Fields::new();
    values.insert("org_unit".into(), caller.user.org_code.clone());
    values.insert("week".into(), p.get("week").cloned().unwrap_or(last));
    show_form(&state, &headers, &caller, None, Shown { form: "weekly", values, ..Shown::default() }, StatusCode::OK)
        .await
}

pub async fn new_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    match write(&state, &caller, &record_from(&f)).await {
        Ok(d) => Redirect::to(&format!("/workbook/weekly/{}?done=created", d.report.id)).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("weekly", f, lang, e);
            show_form(&state, &headers, &caller, None, shown, status).await
        }
    }
}

/// `/workbook/weekly/{id}/edit`: written again.
pub async fn edit_form(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let Ok(d) = detail(&state, &caller, id).await else { return not_found(lang, &caller, csrf(&headers)) };
    if !d.actions.iter().any(|a| a == "rewrite") {
        return not_found(lang, &caller, csrf(&headers));
    }
    let v = &d.report;
    let mut values = Fields::new();
    for (k, x) in [
        ("org_unit", &v.org_unit.code),
        ("week", &v.week),
        ("consumer_protection", &v.consumer_protection),
        ("service_quality", &v.service_quality),
        ("complaints", &v.complaints),
    ] {
        values.insert(k.into(), x.clone());
    }
    values.insert("version".into(), v.provenance.version.to_string());
    show_form(&state, &headers, &caller, Some(id), Shown { form: "weekly", values, ..Shown::default() }, StatusCode::OK)
        .await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let b = RewriteReport {
        version: field(&f, "version").trim().parse().unwrap_or(0),
        reason: Some(field(&f, "reason")).filter(|r| !r.trim().is_empty()),
        record: record_from(&f),
    };
    match rewrite(&state, &caller, id, &b).await {
        Ok(_) => Redirect::to(&format!("/workbook/weekly/{id}?done=saved")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let (status, shown) = Shown::refused("weekly", f, lang, e);
            show_form(&state, &headers, &caller, Some(id), shown, status).await
        }
    }
}

/// `/workbook/weekly/{id}`.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<Params>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let notice = p.get("done").and_then(|d| match d.as_str() {
        "created" => Some("weekly.done_created"),
        "saved" => Some("weekly.done_saved"),
        "signed" => Some("weekly.done_signed"),
        "sent_back" => Some("weekly.done_sent_back"),
        _ => None,
    });
    let s = Shown { notice: notice.map(|n| lang.t(n).to_string()), ..Shown::default() };
    show_page(&state, &headers, &caller, id, s, StatusCode::OK).await
}

async fn show_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    s: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tok = csrf(headers);
    let d: WeeklyDetail = match detail(state, caller, id).await {
        Ok(d) => d,
        Err(_) => return not_found(lang, caller, tok),
    };
    let v = &d.report;
    let may = |a: &str| d.actions.iter().any(|x| x == a);
    let title = lang.t("weekly.one");
    let body = html! {
        div.card #weekly data-id=(v.id) data-state=(v.state.as_str()) {
            (crumbs(lang))
            h1 { (v.org_unit.name) " · " (v.week) }
            (s.notice())
            (s.top("sign", &["reason"]))
            p #weekly-state { strong { (lang.name(v.state)) }
                @if let (Some(by), Some(at)) = (&v.signed_by, &v.signed_at) { " · " (by) " · " (minute(at)) }
                " · " (tr!(lang, "weekly.due", due = minute(&v.due_at))) }
            h2 { (lang.t("weekly.figures")) }
            (figures_table(lang, &v.figures))
            dl.facts {
                dt { (lang.t("weekly.consumer_protection")) } dd.text { (v.consumer_protection) }
                dt { (lang.t("weekly.service_quality")) } dd.text { (v.service_quality) }
                dt { (lang.t("weekly.complaints")) } dd.text #v-complaints { (v.complaints) }
                dt { (lang.t("weekly.written_by")) } dd { (v.written_by) " · " (minute(&v.written_at)) }
            }
            @if !v.sent_back.is_empty() {
                h2 { (lang.t("weekly.sent_back")) }
                ul #sent-back { @for b in &v.sent_back { li { (b.by) " · " (minute(&b.at)) "：" (b.reason) } } }
            }
            p.no-print {
                @if may("rewrite") { a.button #rewrite-weekly href={ "/workbook/weekly/" (v.id) "/edit" } { (lang.t("weekly.rewrite")) } " " }
                button type="button" data-print="" { (lang.t("workbook.print")) }
            }
        }
        @if may("sign_off") {
            div.card #sign-forms {
                form #sign-form method="post" action={ "/workbook/weekly/" (v.id) "/sign_off" } {
                    (hidden_csrf(&tok))
                    button.primary #sign-off type="submit" { (lang.t("weekly.sign_off")) }
                }
                form #send-back-form method="post" action={ "/workbook/weekly/" (v.id) "/send_back" } {
                    (hidden_csrf(&tok))
                    label for="back-reason" { (lang.t("weekly.send_back_reason")) }
                    input #back-reason name="reason" maxlength="500" value=(s.val("sign", "reason"));
                    (s.err("sign", &["reason"]))
                    button #send-back type="submit" { (lang.t("weekly.send_back")) }
                }
            }
        }
        @if !d.versions.is_empty() {
            div.card #versions {
                h2 { (lang.t("workbook.versions")) }
                table.orders {
                    thead { tr { th { (lang.t("workbook.version")) } th { (lang.t("workbook.replaced")) } th { (lang.t("weekly.complaints")) } } }
                    tbody { @for x in &d.versions { tr {
                        td data-label=(lang.t("workbook.version")) { (x.version) }
                        td data-label=(lang.t("workbook.replaced")) { (x.replaced_by) " · " (minute(&x.replaced_at)) }
                        td data-label=(lang.t("weekly.complaints")) { (x.record["complaints"].as_str().unwrap_or_default()) }
                    } } }
                }
            }
        }
    };
    respond(lang, caller, &tok, title, body, status)
}

pub async fn sign_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = sign_off(&state, &caller, id).await;
    after(&state, &headers, &caller, id, f, "signed", r).await
}

pub async fn send_back_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = send_back(&state, &caller, id, &SendBackIn { reason: field(&f, "reason") }).await;
    after(&state, &headers, &caller, id, f, "sent_back", r).await
}

async fn after(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    f: Fields,
    done: &str,
    r: Result<WeeklyDetail, ApiError>,
) -> Response {
    let lang = Lang::from_headers(headers);
    match r {
        Ok(_) => Redirect::to(&format!("/workbook/weekly/{id}?done={done}")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, caller, csrf(headers)),
        Err(e) => {
            let (status, shown) = Shown::refused("sign", f, lang, e);
            show_page(state, headers, caller, id, shown, status).await
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/workbook/weekly", get(index))
        .route("/workbook/weekly/new", get(new_form).post(new_submit))
        .route("/workbook/weekly/{id}", get(show))
        .route("/workbook/weekly/{id}/edit", get(edit_form).post(edit_submit))
        .route("/workbook/weekly/{id}/sign_off", post(sign_submit))
        .route("/workbook/weekly/{id}/send_back", post(send_back_submit))
}
