//! The reports page: the regulator's category × cause × channel table of a unit and period, shown and
//! downloadable as XLSX, and the download of a unit's ledger (台账) for a date range.

use super::layout::page;
use super::pages::{csrf, html_response, no_permission, shown};
use crate::api::query::{Params, percent_encode};
use crate::api::reports::regulatory;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use xiaobao_core::channel::Channel;
use xiaobao_core::role::Permission;

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    download_error: Option<(String, String)>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let title = lang.t("reports");
    if !caller.can(Permission::ReadMeasures) {
        return no_permission(lang, caller, (token, set), title);
    }
    let (table, error) = match shown(regulatory(state, caller, p, lang).await, lang, "reports") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let error = error.or(download_error);
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let field_error = |f: &str| super::lists::field_error(&error, f);
    let body = html! {
        (super::measures::tabs(lang, caller, "reports"))
        div.card {
            h1 { (lang.t("reports.regulatory_title")) }
            form #regulatory-filter method="get" action="/reports" {
                div.filters {
                    (super::measures::unit_field(lang, "r-unit", &v("org_unit"), caller, &error))
                    div {
                        label for="r-period" { (lang.t("period")) }
                        input #r-period name="period" value=(table.as_ref().map_or(v("period"), |t| t.period.clone())) maxlength="7" placeholder="2025-03 / 2025-Q1 / 2025";
                        (field_error("period"))
                    }
                }
                button type="submit" { (lang.t("apply")) }
            }
            @if let Some(t) = &table {
                p {
                    a.button #regulatory-download href={ "/reports/regulatory.xlsx?org_unit=" (percent_encode(&t.org_unit.code)) "&period=" (t.period) } { (lang.t("export_xlsx")) }
                }
                @if t.lines.is_empty() {
                    p.muted #empty { (lang.t("reports.no_complaints")) }
                } @else {
                    div.scroll {
                        table #regulatory {
                            thead { tr {
                                th { (lang.t("by_category")) } th { (lang.t("by_cause")) }
                                @for c in Channel::ALL { th.num { (lang.name(c)) } }
                                th.num { (lang.t("reports.total")) }
                            } }
                            tbody {
                                @for l in &t.lines {
                                    tr data-key={ (l.category) "|" (l.cause) } {
                                        td { (l.category) " " (l.category_name) } td { (l.cause) " " (l.cause_name) }
                                        @for c in Channel::ALL { td.num { (lang.int(l.by_channel.get(c.as_str()).copied().unwrap_or(0))) } }
                                        td.num { (lang.int(l.total)) }
                                    }
                                }
                                tr #regulatory-total {
                                    th colspan="2" { (lang.t("reports.total")) }
                                    @for c in Channel::ALL { th.num { (lang.int(t.totals.get(c.as_str()).copied().unwrap_or(0))) } }
                                    th.num { (lang.int(t.total)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("reports.ledger_title")) }
            p.muted { (lang.t("reports.ledger_help")) }
            form #ledger-form method="get" action="/reports/ledger.xlsx" {
                div.filters {
                    div { label for="g-unit" { (lang.t("org_unit_code")) } input #g-unit name="org_unit" value=(v("org_unit")) maxlength="32" placeholder=(caller.user.org_code); }
                    div { label for="g-from" { (lang.t("date_from")) } input #g-from type="date" name="from"; (field_error("from")) }
                    div { label for="g-to" { (lang.t("date_to")) } input #g-to type="date" name="to"; (field_error("to")) }
                }
                button.primary type="submit" { (lang.t("export_xlsx")) }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub async fn page_reports(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    render(&state, &headers, &caller, &p, None).await
}

/// A download, or the page again with the refusal beside its field.
async fn download(state: &AppState, headers: &HeaderMap, p: Params, ledger: bool) -> Response {
    let Ok(caller) = Caller::from_headers(headers, state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(headers);
    let r = if ledger {
        crate::api::reports::ledger_download(state, &caller, &p, lang).await
    } else {
        crate::api::reports::regulatory_download(state, &caller, &p, lang).await
    };
    match r {
        Ok(r) => r,
        Err(ApiError::Invalid(e)) | Err(ApiError::BadRequest(e)) => {
            // the regulatory table as it was asked for; after a ledger refusal, the default table
            let back = if ledger { Params::new() } else { p };
            render(state, headers, &caller, &back, Some((e.field.clone(), Lang::from_headers(headers).invalid(&e))))
                .await
        }
        Err(ApiError::Forbidden(_)) => render(state, headers, &caller, &p, None).await,
        Err(e) => {
            tracing::error!(error = ?e, "report download");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn ledger(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    download(&state, &headers, p, true).await
}

pub async fn regulatory_xlsx(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    download(&state, &headers, p, false).await
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/reports", axum::routing::get(page_reports))
        .route("/reports/ledger.xlsx", axum::routing::get(ledger))
        .route("/reports/regulatory.xlsx", axum::routing::get(regulatory_xlsx))
}
