//! The measures page: a unit's complaint measures over a date range (DESIGN §5), a drill-down table,
//! and SVG trend charts of volume and of the timely-response and satisfaction rates by month.

use super::layout::page;
use super::pages::{csrf, html_response};
use crate::api::measures::{FiguresView, MeasuresView, measures, range, unit_or_own};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use xiaobao_core::channel::Channel;
use xiaobao_core::measure::RATES;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;

const SPLITS: [&str; 5] = ["unit", "month", "channel", "category", "cause"];

/// The columns of the drill-down table.
const BREAKDOWN_RATES: [&str; 6] = [
    "per_10k_customers",
    "timely_response_rate",
    "on_time_resolution_rate",
    "escalation_rate",
    "repeat_rate",
    "satisfaction",
];

/// The filter field of the unit whose subtree a page shows (the caller's own when left empty), with
/// its refusal beside it.
pub fn unit_field(lang: Lang, id: &str, value: &str, caller: &Caller, error: &Option<(String, String)>) -> Markup {
    html! {
        div {
            label for=(id) { (lang.t("org_unit_code")) }
            input id=(id) name="org_unit" value=(value) maxlength="32" placeholder=(caller.user.org_code);
            (super::lists::field_error(error, "org_unit"))
        }
    }
}

/// The sections of the measures area the caller may open, as tabs.
pub fn tabs(lang: Lang, caller: &Caller, current: &str) -> Markup {
    let mut sections = Vec::new();
    if caller.can(Permission::ReadMeasures) {
        sections.push(("/measures", "measures", lang.t("measures")));
        sections.push(("/league", "league", lang.t("league")));
        sections.push(("/hot-issues", "hot_issues", lang.t("hot_issues")));
        sections.push(("/reports", "reports", lang.t("reports")));
    }
    if caller.can(Permission::ReadMeasures) || caller.can(Permission::EnterStatistics) {
        sections.push(("/statistics", "period_stats", lang.t("period_stats")));
    }
    html! {
        nav.tabs #measures-tabs {
            @for (href, key, words) in sections {
                a href=(href) class=[(key == current).then_some("current")] { (words) }
            }
        }
    }
}

pub async fn page_measures(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let (token, set) = csrf(&headers);
    if !caller.can(Permission::ReadMeasures) {
        return super::pages::no_permission(lang, &caller, (token, set), lang.t("measures"));
    }
    let today = local_date(state.clock.now());
    let by = p.get("by").map(String::as_str).filter(|b| !b.is_empty());
    let result = async {
        let (from, to) = range(&p, today)?;
        let unit = unit_or_own(&state, &caller, p.get("org_unit")).await?;
        let view = measures(&state, &unit, from, to, by).await?;
        // the monthly trend beside whatever drill-down was asked for
        let trend =
            if by == Some("month") { view.clone() } else { measures(&state, &unit, from, to, Some("month")).await? };
        Ok::<_, ApiError>((view, trend))
    }
    .await;
    let (data, error) = match super::pages::shown(result, lang, "measures") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let field_error = |field: &str| super::lists::field_error(&error, field);
    let body = html! {
        (tabs(lang, &caller, "measures"))
        div.card {
            h1 { (lang.t("measures")) }
            form #measures-filter method="get" action="/measures" {
                div.filters {
                    (unit_field(lang, "m-unit", &v("org_unit"), &caller, &error))
                    div {
                        label for="m-from" { (lang.t("date_from")) }
                        input #m-from type="date" name="from" value=(v("from"));
                        (field_error("from"))
                    }
                    div {
                        label for="m-to" { (lang.t("date_to")) }
                        input #m-to type="date" name="to" value=(v("to"));
                        (field_error("to"))
                    }
                    div {
                        label for="m-by" { (lang.t("breakdown")) }
                        select #m-by name="by" {
                            option value="" { (lang.t("none")) }
                            @for s in SPLITS {
                                option value=(s) selected[by == Some(s)] { (by_label(lang, s)) }
                            }
                        }
                        (field_error("by"))
                    }
                }
                button type="submit" { (lang.t("apply")) }
            }
        }
        @if let Some((view, trend)) = &data {
            (figures_card(lang, view))
            @if view.figures.received == 0 {
                div.card { p.muted #empty { (lang.t("no_complaints_in_range")) } }
            } @else {
                (trend_card(lang, trend))
                @if view.by.is_some() { (breakdown_card(lang, view)) }
            }
        } @else {
            div.card { p.muted { (lang.t("fix_filters")) } }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("measures"), body), set);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

fn figures_card(lang: Lang, view: &MeasuresView) -> Markup {
    let f = &view.figures;
    let count = |k: &str| f.counts.get(k).copied().unwrap_or(0);
    html! {
        div.card #figures {
            h2 { (view.org_unit.name) " (" (view.org_unit.code) ") · " (view.from) " — " (view.to) }
            table {
                tbody {
                    tr { th { (lang.t("received")) } td.num #received { (lang.int(f.received)) } td.muted { } }
                    tr { th { (lang.t("customers")) } td.num #customers { (f.customers.map_or("—".to_string(), |c| lang.int(c))) } td.muted { } }
                    tr { th { (lang.t("transactions")) } td.num #transactions { (f.transactions.map_or("—".to_string(), |c| lang.int(c))) } td.muted { } }
                    @for name in RATES {
                        @let r = &f.rates[name];
                        tr data-rate=(name) {
                            th { (lang.t(name)) }
                            td.num { (lang.measure(name, r.value)) }
                            td.muted { (lang.int(r.numerator)) " / " (lang.int(r.denominator)) }
                        }
                    }
                    tr { th { (lang.t("open")) } td.num { (lang.int(count("open"))) } td.muted { } }
                }
            }
            h3 { (lang.t("by_channel")) }
            table #by-channel {
                thead { tr { @for c in Channel::ALL { th.num { (lang.name(c)) } } } }
                tbody { tr { @for c in Channel::ALL { td.num { (lang.int(view.by_channel.get(c.as_str()).copied().unwrap_or(0))) } } } }
            }
        }
    }
}

fn breakdown_card(lang: Lang, view: &MeasuresView) -> Markup {
    let by = view.by.as_deref().unwrap_or_default();
    html! {
        div.card #breakdown {
            h2 { (by_label(lang, by)) }
            table {
                thead { tr {
                    th { (by_label(lang, by)) }
                    th.num { (lang.t("received")) }
                    @for r in BREAKDOWN_RATES { th.num { (lang.t(r)) } }
                } }
                tbody {
                    @for row in &view.breakdown {
                        tr data-key=(row.key) {
                            td {
                                @if by == "unit" {
                                    a href={ "/measures?org_unit=" (row.key) "&from=" (view.from) "&to=" (view.to) "&by=unit" } { (row.label_zh) }
                                } @else {
                                    (lang.choose(&row.label_zh, &row.label_en))
                                }
                            }
                            td.num { (lang.int(row.figures.received)) }
                            @for r in BREAKDOWN_RATES { td.num { (lang.measure(r, row.figures.rates[r].value)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Monthly volume as bars and two rates as lines, drawn as SVG on the server (`charts`).
fn trend_card(lang: Lang, trend: &MeasuresView) -> Markup {
    let rows: Vec<(&str, &FiguresView)> = trend.breakdown.iter().map(|r| (r.key.as_str(), &r.figures)).collect();
    html! {
        div.card #trend {
            h2 { (lang.t("trend")) }
            (PreEscaped(super::charts::volume_svg(lang, &rows)))
            (PreEscaped(super::charts::rates_svg(lang, &rows)))
        }
    }
}

fn by_label(lang: Lang, by: &str) -> &'static str {
    match by {
        "unit" => lang.t("by_unit"),
        "month" => lang.t("by_month"),
        "channel" => lang.t("by_channel"),
        "category" => lang.t("by_category"),
        _ => lang.t("by_cause"),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/measures", axum::routing::get(page_measures))
}
