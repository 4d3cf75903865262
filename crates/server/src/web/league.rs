//! The league page: a month's best and worst outlets or employees of a unit's subtree by a chosen
//! measure, those left unranked for too small a volume, and (for the centre) the minimum volume.

use super::layout::page;
use super::pages::{csrf, form_caller, html_response, no_permission, shown};
use crate::api::league::{LeagueEntry, LeagueSettings, LeagueView, league};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::league::league_measures;
use xiaobao_core::role::Permission;

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    setting_error: Option<String>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let title = lang.t("league");
    if !caller.can(Permission::ReadMeasures) {
        return no_permission(lang, caller, (token, set), title);
    }
    let (view, error) = match shown(league(state, caller, p).await, lang, "league") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let measure = p.get("measure").map(String::as_str).unwrap_or("per_10k_customers");
    let of = p.get("of").map(String::as_str).unwrap_or("outlets");
    let field_error = |field: &str| super::lists::field_error(&error, field);
    let body = html! {
        (super::measures::tabs(lang, caller, "league"))
        div.card {
            h1 { (title) }
            form #league-filter method="get" action="/league" {
                div.filters {
                    (super::measures::unit_field(lang, "l-unit", &v("org_unit"), caller, &error))
                    div {
                        label for="l-month" { (lang.t("by_month")) }
                        input #l-month type="month" name="month" value=(view.as_ref().map_or(v("month"), |x| x.month.clone()));
                        (field_error("month"))
                    }
                    div {
                        label for="l-of" { (lang.t("league_of")) }
                        select #l-of name="of" {
                            option value="outlets" selected[of == "outlets"] { (lang.t("outlets")) }
                            option value="employees" selected[of == "employees"] { (lang.t("employees")) }
                        }
                        (field_error("of"))
                    }
                    div {
                        label for="l-measure" { (lang.t("league_measure")) }
                        select #l-measure name="measure" {
                            @for m in league_measures() { option value=(m) selected[m == measure] { (lang.t(m)) } }
                        }
                        (field_error("measure"))
                    }
                    div {
                        label for="l-min" { (lang.t("min_volume")) }
                        input #l-min name="min_volume" inputmode="numeric" value=(v("min_volume")) placeholder=(view.as_ref().map_or(String::new(), |x| x.min_volume.to_string()));
                        (field_error("min_volume"))
                    }
                }
                button type="submit" { (lang.t("apply")) }
            }
        }
        @if let Some(view) = &view {
            @if view.ranked_count == 0 && view.unranked_count == 0 {
                div.card { p.muted #empty { (lang.t("league.empty")) } }
            } @else {
                div.card {
                    p.muted #league-summary {
                        @let better = if view.higher_is_better { lang.t("league.higher_better") } else { lang.t("league.lower_better") };
                        (tr!(lang, "league.summary", ranked = lang.int(view.ranked_count as i64), unranked = lang.int(view.unranked_count as i64), min = lang.int(view.min_volume), better = better))
                    }
                    div.columns {
                        div { h2 { (lang.t("league_best")) } (entries(lang, view, &view.best, "best")) }
                        div { h2 { (lang.t("league_worst")) } (entries(lang, view, &view.worst, "worst")) }
                    }
                    @if !view.unranked.is_empty() {
                        h3 { (lang.t("league_unranked")) }
                        (entries(lang, view, &view.unranked, "unranked"))
                    }
                }
            }
        }
        @if caller.can(Permission::ConfigureMeasures) {
            div.card {
                h2 { (lang.t("min_volume")) }
                p.muted { (lang.t("league.min_volume_help")) }
                form #league-settings method="post" action="/league/settings" {
                    input type="hidden" name="_csrf" value=(token);
                    input #setting-min name="min_volume" inputmode="numeric" required value=(view.as_ref().map_or(String::new(), |x| x.min_volume.to_string()));
                    @if let Some(e) = &setting_error { span.error.field-error data-field="min_volume" role="alert" { (e) } }
                    button.primary type="submit" { (lang.t("save")) }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    if error.is_some() || setting_error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

fn entries(lang: Lang, view: &LeagueView, list: &[LeagueEntry], id: &str) -> Markup {
    let outlets = view.of == "outlets";
    html! {
        table id={ "league-" (id) } {
            thead { tr {
                th.num { (lang.t("rank")) }
                th { (if outlets { lang.t("org_unit") } else { lang.t("employees") }) }
                th.num { (lang.word(&view.measure)) }
                th.num { (lang.t("volume")) }
            } }
            tbody {
                @for e in list {
                    tr data-key=(e.key) {
                        td.num { (e.rank.map_or("—".to_string(), |r| r.to_string())) }
                        td {
                            @if outlets {
                                a href={ "/measures?org_unit=" (e.key) "&from=" (view.month) "-01" } { (e.name) " (" (e.key) ")" }
                            } @else {
                                (e.name) " (" (e.key) ", " (e.org_unit) ")"
                            }
                        }
                        td.num { (lang.measure(&view.measure, e.value)) }
                        td.num { (lang.int(e.volume)) }
                    }
                }
            }
        }
    }
}

pub async fn page_league(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    render(&state, &headers, &caller, &p, None).await
}

/// The minimum volume set from the page.
pub async fn settings(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Params>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let value = f.get("min_volume").map(|s| s.trim()).unwrap_or("");
    let result = match value.parse::<i64>() {
        Ok(min_volume) => {
            let body = crate::json::JsonBody::of(&LeagueSettings { min_volume });
            crate::api::league::put_league_settings(State(state.clone()), caller.clone(), body).await.map(|_| ())
        }
        Err(_) => Err(ApiError::invalid("min_volume", "field.whole_number")),
    };
    match result {
        Ok(()) => Redirect::to("/league").into_response(),
        Err(e) => {
            let p = e.problem(lang.english());
            let msg = p.msg.map_or(p.detail.clone(), |m| m.in_lang(lang.english()).to_string());
            let mut res = render(&state, &headers, &caller, &Params::new(), Some(msg)).await;
            if p.status == 403 {
                *res.status_mut() = StatusCode::FORBIDDEN;
            }
            res
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/league", axum::routing::get(page_league))
        .route("/league/settings", axum::routing::post(settings))
}
