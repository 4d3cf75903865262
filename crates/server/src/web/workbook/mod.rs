//! The workbook's pages: the hub (`/workbook`) with each register and, for managers, the figures
//! of a unit and period (records per register, amount protected by scenario, by month and by child
//! unit, the month's staff who stopped fraud); one module per register.

mod fraud;
mod review;
mod weekly;

use super::forms::caller_or_login;
use super::layout::page;
use super::pages::{csrf, html_response};
use crate::api::query::Params;
use crate::api::workbook::figures::{FigureLine, figures};
use crate::app::AppState;
use crate::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use xiaobao_core::role::Permission;
use xiaobao_core::workbook::Register;

/// The registers with pages so far, and where each lives.
const PAGES: &[(Register, &str)] = &[
    (Register::FraudInterception, "/workbook/fraud"),
    (Register::CpReview, "/workbook/reviews"),
    (Register::WeeklyReport, "/workbook/weekly"),
];

/// The browser's local date-time ("2026-12-03T09:30") as RFC 3339 in the bank's offset; anything
/// else passed on as typed, for the API to refuse in words.
pub(super) fn local_rfc3339(typed: &str) -> String {
    let t = typed.trim();
    let parsed = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(n) => format!("{}+08:00", n.format("%Y-%m-%dT%H:%M:%S")),
        Err(_) => t.to_string(),
    }
}

fn counts(lang: Lang, line: &FigureLine) -> Markup {
    html! {
        @for r in &line.registers {
            @if PAGES.iter().any(|(g, _)| *g == r.register) {
                td.num data-label=(lang.name(r.register)) data-register=(r.register.as_str()) { (r.records) }
            }
        }
        td.num data-label=(lang.t("fraud.amount_protected")) { (line.amount_protected) }
    }
}

/// `/workbook?org_unit=&from=&to=`.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("workbook.title");
    let manager = caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService);
    let (fig, error) = if manager {
        match figures(&state, &caller, &p).await {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(crate::web::forms::refused_all(lang, e).1)),
        }
    } else {
        (None, None)
    };
    let staff = match &fig {
        Some(f) => {
            let mut q = Params::new();
            q.insert("org_unit".into(), f.org_unit.code.clone());
            q.insert("month".into(), f.to.clone());
            crate::api::workbook::fraud::staff(&state, &caller, &q).await.unwrap_or_default()
        }
        None => Vec::new(),
    };
    let val = |k: &str| p.get(k).cloned().unwrap_or_default();
    let heads = html! {
        @for (g, _) in PAGES { th.num { (lang.name(*g)) } }
        th.num { (lang.t("fraud.amount_protected")) }
    };
    let tok = csrf(&headers);
    let body = html! {
        div.card {
            h1 { (title) }
            p.hint { (lang.t("workbook.intro")) }
            ul.registers #registers { @for (g, href) in PAGES {
                li { a href=(href) data-register=(g.as_str()) { (lang.name(*g)) } }
            } }
        }
        @if manager {
            div.card #figures {
                h2 { (lang.t("workbook.figures")) }
                form.filters method="get" action="/workbook" {
                    div { label for="g-unit" { (lang.t("org_unit_code")) } input #g-unit name="org_unit" value=(val("org_unit")) placeholder=(caller.user.org_code); }
                    div { label for="g-from" { (lang.t("workbook.from_month")) } input #g-from type="month" name="from" value=(val("from")); }
                    div { label for="g-to" { (lang.t("workbook.to_month")) } input #g-to type="month" name="to" value=(val("to")); }
                    div { button type="submit" { (lang.t("inspections.show")) } }
                }
                @if let Some(errors) = &error { @for (f, m) in errors { p.error role="alert" data-field=(f) { (f) ": " (m) } } }
                @if let Some(f) = &fig {
                    p.muted #figures-period { (f.org_unit.name) " · " (f.from) " — " (f.to) }
                    table.orders #figures-units {
                        thead { tr { th { (lang.t("org_unit")) } (heads) } }
                        tbody {
                            @for u in &f.units { tr data-unit=(u.org_unit.code) { td data-label=(lang.t("org_unit")) { a href={ "/workbook?org_unit=" (u.org_unit.code) "&from=" (f.from) "&to=" (f.to) } { (u.org_unit.name) } } (counts(lang, &u.figures)) } }
                            tr.total #figures-total { th { (lang.t("workbook.all")) } (counts(lang, &f.total)) }
                        }
                    }
                    h3 { (lang.t("workbook.by_scenario")) }
                    table.orders #figures-scenarios {
                        thead { tr { th { (lang.t("fraud.scenario")) } th.num { (lang.t("workbook.cases")) } th.num { (lang.t("fraud.amount_protected")) } } }
                        tbody { @for s in &f.fraud_by_scenario { tr data-scenario=(s.scenario.as_str()) {
                            td data-label=(lang.t("fraud.scenario")) { (lang.name(s.scenario)) }
                            td.num data-label=(lang.t("workbook.cases")) { (s.interceptions) }
                            td.num data-label=(lang.t("fraud.amount_protected")) { (s.amount_protected) }
                        } } }
                    }
                    h3 { (lang.t("workbook.by_month")) }
                    table.orders #figures-months {
                        thead { tr { th { (lang.t("workbook.month")) } (heads) } }
                        tbody { @for m in &f.months { tr { td data-label=(lang.t("workbook.month")) { (m.month) } (counts(lang, &m.figures)) } } }
                    }
                    h3 { (crate::tr!(lang, "workbook.staff_of_month", month = f.to)) }
                    @if staff.is_empty() { p.muted #no-staff { (lang.t("workbook.no_staff")) } }
                    @else {
                        table.orders #fraud-staff {
                            thead { tr { th { (lang.t("export.employee")) } th { (lang.t("org_unit")) } th.num { (lang.t("workbook.cases")) } th.num { (lang.t("fraud.amount_protected")) } } }
                            tbody { @for s in &staff { tr data-user=(s.user) {
                                td data-label=(lang.t("export.employee")) { (s.name) " (" (s.user) ")" }
                                td data-label=(lang.t("org_unit")) { (s.org_unit) }
                                td.num data-label=(lang.t("workbook.cases")) { (s.interceptions) }
                                td.num data-label=(lang.t("fraud.amount_protected")) { (s.amount_protected) }
                            } } }
                        }
                        p.hint { (lang.t("workbook.staff_hint")) }
                    }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/workbook", axum::routing::get(index))
        .merge(fraud::routes())
        .merge(review::routes())
        .merge(weekly::routes())
}
