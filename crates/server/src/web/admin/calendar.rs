//! The working-day calendar: the years loaded and their holiday arrangements.

use super::*;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
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
    let en = lang.english();
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
                    (if en { "No arrangement loaded for " } else { "以下年份尚未导入节假日安排：" })
                    (missing.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "))
                    (if en { ". Until it is, deadlines in those years count weekends only." } else { "。导入前，这些年份的时限只按周末计算。" })
                }
            }
            nav.tabs #years {
                @for y in &years { a href={ "/admin/calendar?year=" (y) } class=[(*y == year).then_some("current")] { (y) } }
            }
            h2 { (year) }
            @if days.is_empty() {
                p.muted #no-days { (if en { "No holidays or make-up working days loaded for this year. Import the published arrangement below." } else { "该年份没有节假日或调休安排。请在下方导入国务院办公厅公布的安排。" }) }
            } @else {
                table #days {
                    thead { tr { th { (if en { "Date" } else { "日期" }) } th { (if en { "Kind" } else { "类型" }) } th { (if en { "Holiday" } else { "节日" }) } } }
                    tbody {
                        @for d in &days {
                            tr { td { (d.date.format("%Y-%m-%d")) } td { (match (d.kind.as_str(), en) { ("rest", false) => "放假", ("work", false) => "调休上班", (k, _) => k }) } td { (if en { &d.holiday_en } else { &d.holiday_zh }) } }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (if en { "Import an arrangement" } else { "导入节假日安排" }) }
            p.muted { (if en { "Lines date,kind,holiday_en,holiday_zh (kind: rest or work). Every year in the file is replaced whole." } else { "每行：日期,类型,英文节日名,中文节日名（类型为 rest 放假 或 work 调休上班）。文件中出现的年份将整体替换。" }) }
            form #calendar-form method="post" action="/admin/calendar" data-confirm=(if en { "Replace the years in this file?" } else { "确定替换文件中出现的年份吗？" }) {
                (hidden_csrf(&tok))
                textarea #csv name="csv" rows="10" spellcheck="false" style="font-family:monospace" placeholder="2027-01-01,rest,New Year's Day,元旦" { (shown.val("calendar", "csv")) }
                (shown.err("calendar", &[]))
                button.primary type="submit" { (if en { "Import" } else { "导入" }) }
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
    let r = crate::api::rules::put_calendar(State(state.clone()), caller.clone(), HeaderMap::new(), body.into()).await;
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
                Shown { form: "calendar", values: f, error: Some(("csv".into(), msg)) },
                status,
            )
            .await
        }
    }
}
