//! The service measures page (`/service`): a unit's counter satisfaction, ratings by score, the
//! dissatisfied by reason, waits and inspections over a date range, a trend by month or day, the day ×
//! hour waiting heat map and a breakdown whose rows open the level below. Read from the same
//! `service_measures` as the API.

use super::charts::{self, Bar, HeatMap, Line};
use super::layout::page;
use super::pages::{csrf, html_response, not_found};
use crate::api::query::{Params, percent_encode};
use crate::api::service_measures::{ServiceFiguresView, ServiceMeasuresView, service_measures};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, PreEscaped, html};
use std::collections::{BTreeMap, HashMap};
use xiaobao_core::classification::Dimension;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;
use xiaobao_store::OrgUnitRow;

const SPLITS: [&str; 6] = ["unit", "month", "day", "hour", "day_hour", "teller"];
/// The heat map shows at most this many days (the last of the range).
const HEAT_DAYS: i64 = 31;

/// The page's own layout: headline figures side by side, wrapping to one column on a phone.
const STYLE: &str = ".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.6rem;margin:.6rem 0}\
.kpi{border:1px solid #d5d9de;border-radius:6px;padding:.5rem .7rem;background:#fafbfc}\
.kpi .label{font-size:.9rem;color:#5b6571;margin:0}.kpi .value{font-size:1.5rem;font-weight:700;margin:.1rem 0}\
.kpi .of{font-size:.85rem;color:#5b6571;margin:0}.svc-two{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}\
svg.chart{max-width:100%;height:auto}";

fn by_label(lang: Lang, by: &str) -> &'static str {
    match by {
        "unit" => lang.t("by_unit"),
        "month" => lang.t("by_month"),
        "day" => lang.t("svc.by_day"),
        "hour" => lang.t("svc.by_hour"),
        "day_hour" => lang.t("svc.by_day_hour"),
        _ => lang.t("svc.by_teller"),
    }
}

pub fn score_name(lang: Lang, score: usize) -> &'static str {
    match score {
        1 => lang.t("svc.score_1"),
        2 => lang.t("svc.score_2"),
        3 => lang.t("svc.score_3"),
        4 => lang.t("svc.score_4"),
        _ => lang.t("svc.score_5"),
    }
}

pub fn wait_text(lang: Lang, seconds: Option<i64>) -> String {
    match seconds {
        None => lang.t("svc.none").to_string(),
        // to the tenth of a minute: 1152 s reads 19.2
        Some(s) => tr!(lang, "svc.minutes", n = format!("{:.1}", s as f64 / 60.0)),
    }
}

/// The dissatisfaction reasons of the editable list, code → name in this language.
pub async fn reason_names(state: &AppState, lang: Lang) -> BTreeMap<String, String> {
    state
        .store
        .classes(Some(Dimension::DissatisfactionReason))
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let name = lang.choose(&c.name_zh, &c.name_en).clone();
            (c.code, name)
        })
        .collect()
}

fn month_end(d: NaiveDate) -> NaiveDate {
    d.with_day(1).and_then(|f| f.checked_add_months(chrono::Months::new(1))).and_then(|n| n.pred_opt()).unwrap_or(d)
}

struct Shown {
    unit: OrgUnitRow,
    view: ServiceMeasuresView,
    trend: ServiceMeasuresView,
    heat: ServiceMeasuresView,
    /// Child units' codes that are outlets (their drill-down is by teller).
    outlets: Vec<String>,
}

pub async fn page_service(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let tok = csrf(&headers);
    if !caller.can(Permission::ReadMeasures) {
        return super::pages::no_permission(lang, &caller, tok, lang.t("svc.title"));
    }
    // the unit first: one out of scope reads as not found, as any unit out of scope
    let code =
        p.get("org_unit").map(|c| c.trim()).filter(|c| !c.is_empty()).unwrap_or(&caller.user.org_code).to_string();
    let unit = match state.store.org_unit_by_code(&code).await {
        Ok(Some(u)) if caller.sees_unit(&u.path) => u,
        Ok(_) => return not_found(lang, &caller, tok),
        Err(e) => {
            tracing::error!(error = ?e, page = "service", "page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let by = p.get("by").map(String::as_str).filter(|b| !b.is_empty());
    let today = local_date(state.clock.now());
    let result = async {
        let (from, to) = crate::api::measures::range(&p, today)?;
        let view = service_measures(&state, &unit, from, to, by).await?;
        let trend_by = if (to - from).num_days() > 62 { "month" } else { "day" };
        let trend = if by == Some(trend_by) {
            view.clone()
        } else {
            service_measures(&state, &unit, from, to, Some(trend_by)).await?
        };
        let heat_from = from.max(to - chrono::Duration::days(HEAT_DAYS - 1));
        let heat = if by == Some("day_hour") && heat_from == from {
            view.clone()
        } else {
            service_measures(&state, &unit, heat_from, to, Some("day_hour")).await?
        };
        let outlets = state
            .store
            .org_unit_children(unit.id)
            .await?
            .into_iter()
            .filter(|c| c.kind == OrgUnitKind::Outlet)
            .map(|c| c.code)
            .collect();
        Ok::<_, ApiError>(Shown { unit: unit.clone(), view, trend, heat, outlets })
    }
    .await;
    let (data, error) = match super::pages::shown(result, lang, "service") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let reasons = reason_names(&state, lang).await;
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let field_error = |field: &str| super::lists::field_error(&error, field);
    let body = html! {
        style { (PreEscaped(STYLE)) }
        div.card {
            h1 { (lang.t("svc.title")) }
            p.muted { (lang.t("svc.intro")) }
            form #service-filter method="get" action="/service" {
                div.filters {
                    (super::measures::unit_field(lang, "s-unit", &v("org_unit"), &caller, &error))
                    div {
                        label for="s-from" { (lang.t("svc.from")) }
                        input #s-from type="date" name="from" value=(v("from"));
                        (field_error("from"))
                    }
                    div {
                        label for="s-to" { (lang.t("svc.to")) }
                        input #s-to type="date" name="to" value=(v("to"));
                        (field_error("to"))
                    }
                    div {
                        label for="s-by" { (lang.t("breakdown")) }
                        select #s-by name="by" {
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
        @if let Some(d) = &data {
            (figures_card(lang, d))
            @if d.view.figures.ratings == 0 && d.view.figures.tickets_taken == 0 {
                div.card { p.muted #empty { (lang.t("svc.empty")) } }
            } @else {
                div.svc-two {
                    (scores_card(lang, &d.view.figures))
                    (reasons_card(lang, &d.view.figures, &reasons))
                }
                (trend_card(lang, &d.trend))
                (heat_card(lang, &d.heat, &d.view))
                @if d.view.by.is_some() { (breakdown_card(lang, d)) }
            }
        } @else {
            div.card { p.muted { (lang.t("fix_filters")) } }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), lang.t("svc.title"), body), tok.1);
    if error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

fn kpi(id: &str, label: &str, value: String, of: Option<String>) -> Markup {
    html! {
        div.kpi #(id) {
            p.label { (label) }
            p.value { (value) }
            @if let Some(of) = of { p.of { (of) } }
        }
    }
}

fn figures_card(lang: Lang, d: &Shown) -> Markup {
    let v = &d.view;
    let f = &v.figures;
    let of =
        |r: &crate::api::measures::RateView| Some(format!("{} / {}", lang.int(r.numerator), lang.int(r.denominator)));
    let month = v.from.get(..7).unwrap_or_default();
    html! {
        div.card #service-figures {
            h2 { (v.org_unit.name) " (" (v.org_unit.code) ") · " (tr!(lang, "svc.period", from = v.from, to = v.to)) }
            @if d.unit.kind == OrgUnitKind::Outlet {
                p.no-print { a #sheet-link href={ "/service/sheet?org_unit=" (percent_encode(&v.org_unit.code)) "&month=" (month) } { (lang.t("svc.sheet_link")) " →" } }
            }
            div.kpis {
                (kpi("svc-rate", lang.t("svc.satisfaction_rate"), f.counter_satisfaction_rate.display.clone(), of(&f.counter_satisfaction_rate)))
                (kpi("svc-ratings", lang.t("svc.ratings"), lang.int(f.ratings), None))
                (kpi("svc-dissatisfied", lang.t("svc.dissatisfied"), lang.int(f.dissatisfied), None))
                (kpi("svc-flagged", lang.t("svc.flagged"), lang.int(f.flagged), None))
                (kpi("svc-average-wait", lang.t("svc.average_wait"), wait_text(lang, f.average_wait_seconds), Some(format!("{} {}", lang.t("svc.tickets"), lang.int(f.tickets)))))
                (kpi("svc-p90-wait", lang.t("svc.p90_wait"), wait_text(lang, f.p90_wait_seconds), None))
                (kpi("svc-overtime", lang.t("svc.overtime_ratio"), f.overtime_wait_ratio.display.clone(), of(&f.overtime_wait_ratio)))
                (kpi("svc-coverage", lang.t("svc.inspection_coverage"), v.inspection_coverage.display.clone(), of(&v.inspection_coverage)))
                (kpi("svc-inspection-score", lang.t("svc.inspection_score"), v.average_inspection_score.display.clone(), Some(tr!(lang, "svc.inspections_n", n = lang.int(v.inspections)))))
            }
            p.muted { (lang.t("svc.satisfaction_hint")) }
        }
    }
}

fn scores_card(lang: Lang, f: &ServiceFiguresView) -> Markup {
    let count = |s: usize| f.scores.get(&s.to_string()).copied().unwrap_or(0);
    let bars: Vec<Bar> = (1..=5)
        .rev()
        .map(|s| Bar {
            key: s.to_string(),
            label: score_name(lang, s).to_string(),
            value: count(s) as f64,
            shown: lang.int(count(s)),
        })
        .collect();
    html! {
        div.card #by-score {
            h2 { (lang.t("svc.by_score")) }
            (PreEscaped(charts::bar_chart("score-chart", lang.t("svc.by_score"), "score", &bars)))
            table {
                tbody {
                    @for s in (1..=5).rev() {
                        tr data-score=(s) { th { (s) " · " (score_name(lang, s)) } td.num { (lang.int(count(s))) } }
                    }
                }
            }
        }
    }
}

fn reasons_card(lang: Lang, f: &ServiceFiguresView, names: &BTreeMap<String, String>) -> Markup {
    let mut rows: Vec<(&String, &i64)> = f.dissatisfied_by_reason.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    html! {
        div.card #by-reason {
            h2 { (lang.t("svc.by_reason")) }
            @if rows.is_empty() {
                p.muted { (lang.t("svc.no_dissatisfied")) }
            } @else {
                table {
                    tbody {
                        @for (code, n) in rows {
                            tr data-reason=(code) {
                                th { (names.get(code).cloned().unwrap_or_else(|| tr!(lang, "svc.reason_other", code = code))) }
                                td.num { (lang.int(*n)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn trend_card(lang: Lang, trend: &ServiceMeasuresView) -> Markup {
    let monthly = trend.by.as_deref() == Some("month");
    let labels: Vec<String> = trend
        .breakdown
        .iter()
        .map(|r| if monthly { r.key.get(2..) } else { r.key.get(5..) }.unwrap_or(&r.key).to_string())
        .collect();
    let lines = [
        Line {
            name: "counter_satisfaction_rate",
            legend: lang.t("svc.satisfaction_rate"),
            colour: charts::GREEN,
            values: trend.breakdown.iter().map(|r| r.figures.counter_satisfaction_rate.value).collect(),
        },
        Line {
            name: "overtime_wait_ratio",
            legend: lang.t("svc.overtime_ratio"),
            colour: charts::RED,
            values: trend.breakdown.iter().map(|r| r.figures.overtime_wait_ratio.value).collect(),
        },
    ];
    let bars: Vec<Bar> = trend
        .breakdown
        .iter()
        .zip(&labels)
        .map(|(r, l)| Bar {
            key: r.key.clone(),
            label: l.clone(),
            value: r.figures.ratings as f64,
            shown: lang.int(r.figures.ratings),
        })
        .collect();
    let title = if monthly { lang.t("svc.trend_month") } else { lang.t("svc.trend_day") };
    html! {
        div.card #service-trend {
            h2 { (title) }
            (PreEscaped(charts::rate_chart("service-rates-chart", title, &labels, &lines)))
            h3 { (lang.t("svc.ratings_trend")) }
            (PreEscaped(charts::bar_chart("service-ratings-chart", lang.t("svc.ratings_trend"), if monthly { "month" } else { "day" }, &bars)))
        }
    }
}

fn heat_card(lang: Lang, heat: &ServiceMeasuresView, view: &ServiceMeasuresView) -> Markup {
    let mut days: Vec<String> = Vec::new();
    let mut cells = Vec::new();
    let mut hours: Vec<u32> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in &heat.breakdown {
        let Some((day, hour)) = r.key.split_once(' ') else { continue };
        let Ok(h) = hour.parse::<u32>() else { continue };
        let f = &r.figures;
        if f.tickets == 0 {
            continue;
        }
        let d = *index.entry(day.to_string()).or_insert_with(|| {
            days.push(day.to_string());
            days.len() - 1
        });
        hours.push(h);
        let hover = tr!(
            lang,
            "svc.heat_cell",
            day = day,
            hour = format!("{h:02}"),
            tickets = lang.int(f.tickets),
            wait = wait_text(lang, f.average_wait_seconds),
            overtime = lang.int(f.overtime_waits)
        );
        cells.push((d, h, f.average_wait_seconds.unwrap_or(0) as f64, hover));
    }
    hours.sort_unstable();
    hours.dedup();
    let first = hours.first().copied().unwrap_or(8).min(9);
    let last = hours.last().copied().unwrap_or(17).max(17);
    let labels: Vec<String> = days.iter().map(|d| d.get(5..).unwrap_or(d).to_string()).collect();
    let map = HeatMap { days: labels, hours: (first..=last).collect(), cells };
    html! {
        div.card #heat-map-card {
            h2 { (lang.t("svc.heat_map")) }
            p.muted { (lang.t("svc.heat_hint")) }
            @if heat.from != view.from { p.muted { (lang.t("svc.heat_limited")) } }
            @if days.is_empty() {
                p.muted { (lang.t("svc.empty")) }
            } @else {
                div.scroll { (PreEscaped(charts::heat_map("heat-map", lang.t("svc.heat_map"), &map))) }
            }
        }
    }
}

fn breakdown_card(lang: Lang, d: &Shown) -> Markup {
    let view = &d.view;
    let by = view.by.as_deref().unwrap_or_default();
    let unit = percent_encode(&view.org_unit.code);
    let link = |key: &str| -> Option<String> {
        match by {
            "unit" => {
                let next = if d.outlets.iter().any(|o| o == key) { "teller" } else { "unit" };
                Some(format!("/service?org_unit={}&from={}&to={}&by={next}", percent_encode(key), view.from, view.to))
            }
            "month" => {
                let first = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
                Some(format!("/service?org_unit={unit}&from={first}&to={}&by=day", month_end(first)))
            }
            "day" => Some(format!("/service?org_unit={unit}&from={key}&to={key}&by=hour")),
            "teller" if d.unit.kind == OrgUnitKind::Outlet => {
                Some(format!("/service/sheet?org_unit={unit}&month={}", view.from.get(..7).unwrap_or_default()))
            }
            _ => None,
        }
    };
    html! {
        div.card #service-breakdown {
            h2 { (lang.t("svc.breakdown")) " · " (by_label(lang, by)) }
            @if ["unit", "month", "day"].contains(&by) { p.muted { (lang.t("svc.drill")) } }
            div.scroll {
                table {
                    thead { tr {
                        th { (by_label(lang, by)) }
                        th.num { (lang.t("svc.ratings")) }
                        th.num { (lang.t("svc.satisfaction_rate")) }
                        th.num { (lang.t("svc.dissatisfied")) }
                        th.num { (lang.t("svc.tickets")) }
                        th.num { (lang.t("svc.average_wait")) }
                        th.num { (lang.t("svc.overtime_ratio")) }
                    } }
                    tbody {
                        @for row in &view.breakdown {
                            @let f = &row.figures;
                            tr data-key=(row.key) {
                                td {
                                    @let name = lang.choose(&row.label_zh, &row.label_en);
                                    @if let Some(href) = link(&row.key) { a href=(href) { (name) } } @else { (name) }
                                }
                                td.num { (lang.int(f.ratings)) }
                                td.num { (f.counter_satisfaction_rate.display) }
                                td.num { (lang.int(f.dissatisfied)) }
                                td.num { (lang.int(f.tickets)) }
                                td.num { (wait_text(lang, f.average_wait_seconds)) }
                                td.num { (f.overtime_wait_ratio.display) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/service", axum::routing::get(page_service)).route(
        "/service/sheet",
        axum::routing::get(super::service_sheet::page_sheet).post(super::service_sheet::post_note),
    )
}
