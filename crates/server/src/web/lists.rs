//! The order list page: the API's filters as a form, sorting, paging, and the filtered list exported
//! to XLSX. A wrong filter is shown beside its field and lists nothing.

use super::layout::page;
use super::pages::{csrf, html_response, orders_table};
use crate::api::query::{Params, percent_encode};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::channel::Channel;
use xiaobao_core::classification::Dimension;
use xiaobao_core::complaint::State as OrderState;

/// The query string of `p` with `page` replaced (or dropped when `None`).
pub(super) fn query_with(p: &Params, page: Option<i64>) -> String {
    let mut keys: Vec<&String> = p.keys().filter(|k| k.as_str() != "page" && !p[*k].is_empty()).collect();
    keys.sort();
    let mut parts: Vec<String> =
        keys.iter().map(|k| format!("{}={}", percent_encode(k), percent_encode(&p[*k]))).collect();
    if let Some(n) = page {
        parts.push(format!("page={n}"));
    }
    parts.join("&")
}

/// The error beside its field, when the error names it.
pub(super) fn field_error(error: &Option<(String, String)>, field: &str) -> Markup {
    html! {
        @if let Some((f, m)) = error {
            @if f == field { span.error.field-error data-field=(field) role="alert" { (m) } }
        }
    }
}

pub async fn list(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let (token, set) = csrf(&headers);
    let now = state.clock.now();
    let p = crate::api::query::without_blanks(p);
    let (result, error) = match crate::api::complaints::complaint_filter(&state, &caller, &p).await {
        Ok((f, page)) => match state.store.complaints(&f).await {
            Ok(rows) => (Some((rows, page)), None),
            Err(e) => {
                tracing::error!(error = %e, "list page");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        Err(ApiError::Invalid(e)) | Err(ApiError::BadRequest(e)) => (None, Some((e.field.clone(), lang.invalid(&e)))),
        Err(ApiError::Forbidden(_)) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let categories = state.store.classes(Some(Dimension::Category)).await.unwrap_or_default();
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let checked = |k: &str| p.get(k).is_some_and(|v| v == "true");
    let body = html! {
        div.card {
            h1 { (lang.t("orders")) }
            form #filters method="get" action="/complaints" {
                // from a board's monthly figure: kept through refiltering
                @if !v("responsible_unit").is_empty() { input type="hidden" name="responsible_unit" value=(v("responsible_unit")); }
                @if v("here") == "true" { input type="hidden" name="here" value="true"; }
                (field_error(&error, "here"))
                (field_error(&error, "responsible_unit"))
                div.search {
                    label for="f-q" { (lang.t("search")) }
                    input #f-q name="q" type="search" value=(v("q")) maxlength="50" placeholder=(lang.t("search_hint"));
                    (field_error(&error, "q"))
                }
                div.filters {
                    div {
                        label for="f-state" { (lang.t("state")) }
                        select #f-state name="state" {
                            option value="" { (lang.t("any")) }
                            @for s in OrderState::ALL {
                                option value=(s.as_str()) selected[v("state") == s.as_str()] { (lang.name(s)) }
                            }
                        }
                        (field_error(&error, "state"))
                    }
                    div {
                        label for="f-channel" { (lang.t("channel")) }
                        select #f-channel name="channel" {
                            option value="" { (lang.t("any")) }
                            @for c in Channel::ALL {
                                option value=(c.as_str()) selected[v("channel") == c.as_str()] { (lang.name(c)) }
                            }
                        }
                        (field_error(&error, "channel"))
                    }
                    div {
                        label for="f-unit" { (lang.t("org_unit_code")) }
                        input #f-unit name="org_unit" value=(v("org_unit")) maxlength="32" placeholder=(caller.user.org_code);
                        (field_error(&error, "org_unit"))
                    }
                    div {
                        label for="f-category" { (lang.t("category")) }
                        select #f-category name="category" {
                            option value="" { (lang.t("any")) }
                            @for c in &categories {
                                option value=(c.code) selected[v("category") == c.code] {
                                    (c.code) " " (lang.choose(&c.name_zh, &c.name_en))
                                }
                            }
                        }
                        (field_error(&error, "category"))
                    }
                    div {
                        label for="f-from" { (lang.t("received_from")) }
                        input #f-from name="received_from" type="date" value=(v("received_from"));
                        (field_error(&error, "received_from"))
                    }
                    div {
                        label for="f-to" { (lang.t("received_to")) }
                        input #f-to name="received_to" type="date" value=(v("received_to"));
                        (field_error(&error, "received_to"))
                    }
                    div {
                        label for="f-sort" { (lang.t("sort")) }
                        select #f-sort name="sort" {
                            option value="received" selected[v("sort") != "due"] { (lang.t("sort_received")) }
                            option value="due" selected[v("sort") == "due"] { (lang.t("sort_due")) }
                        }
                        (field_error(&error, "sort"))
                    }
                    div {
                        label for="f-per-page" { (lang.t("per_page")) }
                        select #f-per-page name="per_page" {
                            @for n in ["20", "50", "100", "200"] {
                                option value=(n) selected[v("per_page") == n || (v("per_page").is_empty() && n == "50")] { (n) }
                            }
                        }
                        (field_error(&error, "per_page"))
                    }
                }
                p.checks {
                    @for (key, word) in [("overdue", lang.t("overdue")), ("repeat", lang.t("repeat")), ("escalated", lang.t("escalated")), ("open", lang.t("open")), ("mine", lang.t("mine"))] {
                        label.inline { input type="checkbox" name=(key) value="true" checked[checked(key)]; " " (word) }
                        (field_error(&error, key))
                    }
                }
                (field_error(&error, "page"))
                (field_error(&error, "filter"))
                button.primary #apply type="submit" { (lang.t("apply")) }
                " "
                a.button #reset href="/complaints" { (lang.t("reset")) }
                @if result.is_some() {
                    " "
                    a.button #export href={ "/complaints/export.xlsx?" (query_with(&p, None)) } { (lang.t("export_xlsx")) }
                }
            }
        }
        div.card {
            @match &result {
                None => p.muted { (lang.t("fix_filters")) },
                Some((rows, page)) => {
                    p.muted #total { (lang.t("total")) " " (rows.total) }
                    (orders_table(lang, &rows.items, now, lang.t("no_match")))
                    (pager(lang, "/complaints", &p, *page, rows.limit, rows.total))
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("orders"), body), set);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// The links to the previous and next page of the list at `base` filtered by `p`.
pub(super) fn pager(lang: Lang, base: &str, p: &Params, page: i64, per_page: i64, total: i64) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    html! {
        @if pages > 1 {
            nav.pager aria-label="pages" {
                @if page > 1 { a #prev href={ (base) "?" (query_with(p, Some(page - 1))) } { "‹ " (lang.t("prev")) } " " }
                span #page-of { (page) " / " (pages) }
                @if page < pages { " " a #next href={ (base) "?" (query_with(p, Some(page + 1))) } { (lang.t("next")) " ›" } }
            }
        }
    }
}

/// The filtered list as an XLSX download; a wrong filter goes back to the list page to be shown.
pub async fn export(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let f = match crate::api::complaints::complaint_filter(&state, &caller, &p).await {
        Ok((f, _)) => f,
        Err(_) => return Redirect::to(&format!("/complaints?{}", query_with(&p, None))).into_response(),
    };
    match crate::api::complaints::xlsx_response(&state, &f, lang).await {
        Ok(r) => r,
        Err(ApiError::Invalid(e)) => {
            let body = html! { div.card { p.error role="alert" { (lang.invalid(&e)) } p { a href={ "/complaints?" (query_with(&p, None)) } { (lang.t("back")) } } } };
            let (token, set) = csrf(&headers);
            let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("orders"), body), set);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/complaints", axum::routing::get(list))
        .route("/complaints/export.xlsx", axum::routing::get(export))
}
