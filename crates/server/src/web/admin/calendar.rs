//! The working-day calendar: the years loaded and their holiday arrangements.

use super::*;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::json;
use xiaobao_core::role::Permission;

pub async fn calendar(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => calendar_page(&state, &headers, &c, &p, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn calendar_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    shown: Shown,
    status: StatusCode,
) -> Response {
    use chrono::Datelike;
    let lang = Lang::from_headers(headers);
    if !caller.can(Permission::ManageRules) {
        return forbidden(headers, caller, "admin_calendar");
    }
    let rules = state.store.rules();
    let this_year = xiaobao_core::time::local_date(state.clock.now()).year();
    let year =
        p.get("year").and_then(|y| y.parse::<i32>().ok()).filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year);
    let years: Vec<i32> = rules.calendar.years().collect();
    let missing = rules.calendar.missing_years(this_year - 1, this_year + 1);
    let days = state.store.calendar_entries(Some(year)).await.unwrap_or_default();
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_calendar")) }
            @if !missing.is_empty() {
                p.error #missing-years role="alert" {
                    @let years = missing.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ");
                    (tr!(lang, "admin.calendar.missing_years", years = years))
                }
            }
            nav.tabs #years {
                @for y in &years { a href={ "/admin/calendar?year=" (y) } class=[(*y == year).then_some("current")] { (y) } }
            }
            h2 { (year) }
            @if days.is_empty() {
                p.muted #no-days { (lang.t("admin.calendar.no_days")) }
            } @else {
                table #days {
                    thead { tr { th { (lang.t("admin.calendar.date")) } th { (lang.t("admin.calendar.kind")) } th { (lang.t("admin.calendar.holiday")) } } }
                    tbody {
                        @for d in &days {
                            tr { td { (d.date.format("%Y-%m-%d")) } td { (match d.kind.as_str() { "rest" => lang.t("admin.calendar.rest"), "work" => lang.t("admin.calendar.work"), k => k }) } td { (lang.choose(&d.holiday_zh, &d.holiday_en)) } }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("admin.calendar.import")) }
            p.muted { (lang.t("admin.calendar.format_help")) }
            form #calendar-form method="post" action="/admin/calendar" data-confirm=(lang.t("admin.calendar.replace_confirm")) {
                (hidden_csrf(&tok))
                textarea #csv name="csv" rows="10" spellcheck="false" style="font-family:monospace" placeholder="2027-01-01,rest,New Year's Day,元旦" { (shown.val("calendar", "csv")) }
                (shown.err("calendar", &[]))
                button.primary type="submit" { (lang.t("import")) }
            }
        }
    };
    render(headers, caller, tok, "admin_calendar", status, body)
}

pub async fn calendar_put(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = json!({"csv": f.get("csv")}).to_string();
    let r =
        crate::api::rules::put_calendar(State(state.clone()), caller.clone(), HeaderMap::new(), Ok(body.into())).await;
    match r {
        Ok(imported) => {
            let year = imported.0.years.first().copied().unwrap_or(2026);
            Redirect::to(&format!("/admin/calendar?year={year}")).into_response()
        }
        Err(e) => {
            let (status, _, msg) = refused(Lang::from_headers(&headers), e);
            calendar_page(
                &state,
                &headers,
                &caller,
                &Params::new(),
                Shown { form: "calendar", values: f, errors: vec![("csv".into(), msg)], notice: None },
                status,
            )
            .await
        }
    }
}
