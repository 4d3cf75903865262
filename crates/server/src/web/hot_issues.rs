//! The hot-issue pages: suggested groups of alike complaints (each with the orders ticked, a title
//! and a button to link them as one hot issue), the hot issues already linked, and an issue's page with
//! its orders and one decision for all of them, with the outcome for each.

use super::layout::page;
use super::order::{FormError, action_form_asking, decide_body, state_label};
use super::pages::{csrf, csrf_ok, forbidden_form, form_caller, html_response, no_permission, shown};
use crate::api::hot_issues::{BatchView, HotIssueDetail, MemberView, NewHotIssue, PlanView, SuggestionsView};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use xiaobao_core::classification::Dimension;
use xiaobao_core::complaint::{ActionKind, RootCause};
use xiaobao_core::role::Permission;

/// How the rows of an issue's orders are offered: to be ticked for linking, to be taken out of the
/// issue (its id, and the form's CSRF token), or only shown.
enum Rows<'a> {
    Tick,
    Remove(i64, &'a str),
    Show,
}

fn members_table(lang: Lang, members: &[MemberView], rows: Rows) -> Markup {
    html! {
        div.scroll { table.members {
            thead { tr {
                @if matches!(rows, Rows::Tick) { th { } }
                th { (lang.t("number")) } th { (lang.t("org_unit")) } th { (lang.t("state")) }
                th { (lang.t("summary")) } th { (lang.t("received_at")) }
                @if matches!(rows, Rows::Remove(..)) { th { } }
            } }
            tbody {
                @for m in members {
                    tr data-id=(m.id) {
                        @if matches!(rows, Rows::Tick) { td { input type="checkbox" name="c" value=(m.id) checked aria-label=(m.number); } }
                        td { a href={ "/complaints/" (m.id) } { (m.number) } }
                        td { (m.org_name) " (" (m.org_unit) ")" }
                        td { (state_label(lang, &m.state)) }
                        td { (m.summary) }
                        td.nowrap { (m.received_at.get(0..16).unwrap_or("").replace('T', " ")) }
                        @if let Rows::Remove(issue, token) = rows {
                            td { form.inline method="post" action={ "/hot-issues/" (issue) "/remove" }
                                data-confirm=(tr!(lang, "hot.take_out_confirm", number = m.number)) {
                                input type="hidden" name="_csrf" value=(token);
                                input type="hidden" name="c" value=(m.id);
                                button type="submit" { (lang.t("hot.take_out")) }
                            } }
                        }
                    }
                }
            }
        } }
    }
}

async fn render_list(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    link_error: Option<(usize, String)>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    if !caller.can(Permission::ReadMeasures) {
        return no_permission(lang, caller, (token, set), lang.t("hot_issues"));
    }
    let (view, error): (Option<SuggestionsView>, _) =
        match shown(crate::api::hot_issues::suggestions(state, caller, p).await, lang, "hot issues") {
            Ok(v) => v,
            Err(r) => return r,
        };
    let issues = match crate::api::hot_issues::hot_issue_list(state, caller).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = ?e, "hot issues page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let may_link = caller.can(Permission::HandleComplaint);
    let v = |k: &str| p.get(k).cloned().unwrap_or_default();
    let field_error = |f: &str| super::lists::field_error(&error, f);
    let body = html! {
        (super::measures::tabs(lang, caller, "hot_issues"))
        div.card {
            h1 { (lang.t("hot_issues")) }
            @if issues.is_empty() {
                p.muted #no-issues { (lang.t("hot.no_issues")) }
            } @else {
                table #issues {
                    thead { tr {
                        th { (lang.t("hot.issue")) } th { (lang.t("hot.keywords")) }
                        th { (lang.t("org_unit")) } th.num { (lang.t("hot.orders")) } th.num { (lang.t("open")) }
                        th { (lang.t("hot.linked")) }
                    } }
                    tbody {
                        @for h in &issues {
                            tr data-id=(h.id) {
                                td { a href={ "/hot-issues/" (h.id) } { (h.title) } }
                                td { (h.keywords.join(" ")) }
                                td { (h.org_unit.name) }
                                td.num { (h.members) }
                                td.num { (h.open_members) }
                                td.nowrap { (h.created_at.get(0..10).unwrap_or("")) " · " (h.created_by) }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("hot.suggested")) }
            form #suggest-filter method="get" action="/hot-issues" {
                div.filters {
                    (super::measures::unit_field(lang, "h-unit", &v("org_unit"), caller, &error))
                    div {
                        label for="h-days" { (lang.t("hot.days")) }
                        input #h-days name="days" inputmode="numeric" value=(v("days")) placeholder="30";
                        (field_error("days"))
                    }
                    div {
                        label for="h-min" { (lang.t("hot.min_size")) }
                        input #h-min name="min_size" inputmode="numeric" value=(v("min_size")) placeholder="3";
                        (field_error("min_size"))
                    }
                }
                button type="submit" { (lang.t("apply")) }
            }
            @if let Some(view) = &view {
                p.muted #suggest-summary {
                    (tr!(lang, "hot.compared", n = view.candidates, days = view.days))
                    @if view.truncated { " " (lang.t("hot.truncated")) }
                }
                @if view.groups.is_empty() {
                    p.muted #no-groups { (lang.t("hot.no_groups")) }
                }
                @for (i, g) in view.groups.iter().enumerate() {
                    div.group id={ "group-" (i) } {
                        h3 {
                            (g.keywords.join(" · "))
                            span.muted { " — " (tr!(lang, "hot.group_size", n = g.size, units = g.units)) }
                        }
                        @if may_link {
                            form.link method="post" action="/hot-issues" {
                                input type="hidden" name="_csrf" value=(token);
                                input type="hidden" name="group" value=(i);
                                details open[g.complaints.len() <= 10] {
                                    summary { (tr!(lang, "hot.untick", n = g.size)) }
                                    (members_table(lang, &g.complaints, Rows::Tick))
                                }
                                label for={ "title-" (i) } { (lang.t("hot.title")) }
                                input id={ "title-" (i) } name="title" maxlength="100" required value=(g.complaints.first().map(|m| m.summary.clone()).unwrap_or_default());
                                @if let Some((gi, msg)) = &link_error { @if *gi == i { span.error.field-error role="alert" { (msg) } } }
                                button.primary type="submit" { (lang.t("hot.link")) }
                            }
                        } @else {
                            details open[g.complaints.len() <= 10] {
                                summary { (tr!(lang, "hot.n_orders", n = g.size)) }
                                (members_table(lang, &g.complaints, Rows::Show))
                            }
                        }
                    }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("hot_issues"), body), set);
    if error.is_some() || link_error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub async fn page_hot_issues(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    render_list(&state, &headers, &caller, &p, None).await
}

/// A suggested group's form: the ticked orders linked under the title.
pub async fn link(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Vec<(String, String)>>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    if !csrf_ok(&headers, &get("_csrf")) {
        return forbidden_form();
    }
    let ids: Vec<i64> = f.iter().filter(|(n, _)| n == "c").filter_map(|(_, v)| v.parse().ok()).collect();
    match crate::api::hot_issues::create(&state, &caller, NewHotIssue { title: get("title"), complaints: ids }).await {
        Ok(h) => Redirect::to(&format!("/hot-issues/{}", h.id)).into_response(),
        Err(e) => {
            let lang = Lang::from_headers(&headers);
            let p = e.problem(lang.english());
            let group = get("group").parse().unwrap_or(0);
            let mut res = render_list(&state, &headers, &caller, &Params::new(), Some((group, p.detail))).await;
            if p.status == 403 || p.status == 409 {
                *res.status_mut() = StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST);
            }
            res
        }
    }
}

/// What the issue's page shows above everything after its decision form was sent.
enum Step {
    /// The page as opened.
    Opened,
    /// The decision, checked, waits for the user to confirm the orders and units it will reach (the
    /// form's values, and the count confirmed before when it no longer matches).
    Confirm { values: HashMap<String, String>, changed_from: Option<usize> },
    /// What the decision did.
    Outcome(BatchView),
}

/// An order's number linked to its page.
fn order_link(id: i64, number: &str) -> Markup {
    html! { a href={ "/complaints/" (id) } { (number) } }
}

fn outcome_card(lang: Lang, o: &BatchView) -> Markup {
    let refused: Vec<_> = o.results.iter().filter(|r| !r.ok).collect();
    let decided: Vec<_> = o.results.iter().filter(|r| r.ok).collect();
    html! {
        div.card.outcome #outcome role="status" {
            h2 { (tr!(lang, "hot.outcome", decided = lang.int(o.decided as i64), units = lang.int(o.units as i64), refused = lang.int(o.refused as i64))) }
            @if !refused.is_empty() {
                p { (tr!(lang, "hot.refused_list", n = lang.int(refused.len() as i64))) }
                ul #refused {
                    @for r in &refused {
                        li data-id=(r.id) data-ok=(r.ok) {
                            (order_link(r.id, &r.number)) " — "
                            span.error { (r.problem.as_ref().map(|p| p.detail.as_str()).unwrap_or_default()) }
                        }
                    }
                }
            }
            @if !decided.is_empty() {
                details #decided open[refused.is_empty() && decided.len() <= 10] {
                    summary { (tr!(lang, "hot.decided_list", n = lang.int(decided.len() as i64))) }
                    ul {
                        @for r in &decided {
                            li data-id=(r.id) data-ok=(r.ok) { (order_link(r.id, &r.number)) " " span.muted { (lang.t("hot.decided")) } }
                        }
                    }
                }
            }
        }
    }
}

/// The confirmation step of a decision: the orders and units it will reach, the decision, and a
/// button sending it again with `confirm` (what the browser's dialog sends when JavaScript runs).
fn confirm_card(
    lang: Lang,
    id: i64,
    token: &str,
    plan: &PlanView,
    values: &HashMap<String, String>,
    changed_from: Option<usize>,
) -> Markup {
    let root_cause = values.get("root_cause").and_then(|v| RootCause::parse("root_cause", v).ok());
    let liable = values.get("liable").is_some_and(|v| v == "true");
    let mut kept: Vec<(&String, &String)> = values.iter().filter(|(k, _)| *k != "_csrf" && *k != "confirm").collect();
    kept.sort();
    html! {
        div.card.confirm #confirm-batch {
            h2 { (tr!(lang, "hot.confirm_title", orders = lang.int(plan.orders as i64), units = lang.int(plan.units as i64))) }
            @if let Some(before) = changed_from {
                p.error #batch-changed role="alert" { (tr!(lang, "hot.batch_changed", confirmed = lang.int(before as i64), orders = lang.int(plan.orders as i64))) }
            }
            p { (lang.t("hot.confirm_help")) }
            dl.decision {
                dt { (lang.t("order.liability")) } dd { (lang.t(if liable { "order.liable" } else { "order.not_liable" })) }
                @if let Some(r) = root_cause { dt { (lang.t("order.root_cause")) } dd { (lang.name(r)) } }
                dt { (lang.t("order.decide_text")) } dd { (values.get("text").map(String::as_str).unwrap_or("")) }
            }
            ul #confirm-orders {
                @for m in &plan.complaints {
                    li data-id=(m.id) { (order_link(m.id, &m.number)) " " span.muted { (m.org_name) } }
                }
            }
            @if !plan.not_decidable.is_empty() {
                p.muted { (tr!(lang, "hot.not_reached", n = lang.int(plan.not_decidable.len() as i64))) }
            }
            form #confirm-form method="post" action={ "/hot-issues/" (id) "/decide" } {
                input type="hidden" name="_csrf" value=(token);
                @for (k, v) in &kept { input type="hidden" name=(k) value=(v); }
                input type="hidden" name="confirm" value=(plan.orders);
                button.primary.heavy type="submit" { (tr!(lang, "hot.confirm_button", orders = lang.int(plan.orders as i64))) }
                " "
                a.button href={ "/hot-issues/" (id) } { (lang.t("hot.cancel")) }
            }
        }
    }
}

async fn render_issue(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    step: Step,
    error: Option<FormError>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    if !caller.can(Permission::ReadMeasures) {
        return no_permission(lang, caller, (token, set), lang.t("hot_issues"));
    }
    let d: HotIssueDetail = match crate::api::hot_issues::detail(state, caller, id).await {
        Ok(d) => d,
        Err(ApiError::NotFound) => return super::pages::not_found(lang, caller, (token, set)),
        Err(e) => {
            tracing::error!(error = ?e, "hot issue page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let may_handle = caller.can(Permission::HandleComplaint);
    let plan = if may_handle {
        match crate::api::hot_issues::plan(state, caller, id).await {
            Ok(p) => Some(PlanView::new(&p, lang)),
            Err(e) => {
                tracing::error!(error = ?e, "hot issue page");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    } else {
        None
    };
    let classes = crate::api::categories::held(state).await.unwrap_or_default();
    let causes: Vec<_> = classes.of(Dimension::Cause).collect();
    let open = d.complaints.iter().filter(|m| m.is_open()).count();
    let status = error.as_ref().map(|e| e.status);
    let confirming = matches!(step, Step::Confirm { .. });
    let body = html! {
        (super::measures::tabs(lang, caller, "hot_issues"))
        @if let Step::Outcome(o) = &step { (outcome_card(lang, o)) }
        @if let (Step::Confirm { values, changed_from }, Some(plan)) = (&step, &plan) {
            (confirm_card(lang, id, &token, plan, values, *changed_from))
        }
        div.card {
            h1 #issue-title { (d.issue.title) }
            p.muted {
                (d.issue.keywords.join(" · ")) " — " (d.issue.org_unit.name) " · " (d.issue.created_by) " · " (d.issue.created_at.get(0..10).unwrap_or(""))
            }
            p { a href={ "/complaints?hot_issue=" (d.issue.id) } { (lang.t("hot.open_in_list")) } }
            @if let Some(e) = error.as_ref().filter(|e| e.form == "remove") { p.error #remove-error role="alert" { (e.message) } }
            (members_table(lang, &d.complaints, if may_handle { Rows::Remove(id, &token) } else { Rows::Show }))
        }
        @if let Some(plan) = plan.as_ref().filter(|_| open > 0 && !confirming) {
            div.card #decide-card {
                @if plan.orders > 0 {
                    h2 { (tr!(lang, "hot.decide_all", orders = lang.int(plan.orders as i64), units = lang.int(plan.units as i64))) }
                } @else {
                    h2 { (lang.t("hot.decide_none")) }
                }
                p.muted { (lang.t("hot.decide_each_help")) }
                @if !plan.not_decidable.is_empty() {
                    details #not-decidable {
                        summary { (tr!(lang, "hot.not_decidable", n = lang.int(plan.not_decidable.len() as i64))) }
                        ul {
                            @for r in &plan.not_decidable {
                                li data-id=(r.id) { (order_link(r.id, &r.number)) " — " (r.problem.as_ref().map(|p| p.detail.as_str()).unwrap_or_default()) }
                            }
                        }
                    }
                }
                @if plan.orders > 0 {
                    (action_form_asking(lang, &format!("/hot-issues/{id}/decide"), &token, ActionKind::Decide,
                        &super::order::Choices { causes: &causes, units: &[] }, error.as_ref(),
                        Some((tr!(lang, "hot.confirm_decide", orders = lang.int(plan.orders as i64), units = lang.int(plan.units as i64)), plan.orders.to_string()))))
                } @else {
                    @if let Some(e) = error.as_ref().filter(|e| e.form == ActionKind::Decide.as_str()) { p.error #action-error role="alert" { (e.message) } }
                    p.muted #nothing-to-decide { (lang.t("hot.nothing_to_decide")) }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), &d.issue.title, body), set);
    if let Some(s) = status {
        *res.status_mut() = s;
    }
    res
}

pub async fn page_hot_issue(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    render_issue(&state, &headers, &caller, id, Step::Opened, None).await
}

/// The decision form of an issue's page. The decision is checked first (errors beside its fields);
/// without `confirm` the page asks to confirm the orders and units it will reach and decides
/// nothing; with `confirm` equal to the count of orders it can decide now, each is decided and the
/// outcome shown at the top; when the count has changed since, the page asks again.
pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let caller = match form_caller(&state, &headers, &fields).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let mut values = fields.clone();
    values.remove("_csrf");
    values.remove("confirm");
    let refused = |e: ApiError, values: HashMap<String, String>| {
        let err = FormError::from_api(e, ActionKind::Decide.as_str(), values, lang);
        render_issue(&state, &headers, &caller, id, Step::Opened, Some(err))
    };
    let checked = match decide_body(&fields) {
        Ok(b) => b.into_action(&state, &caller).await.map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = checked {
        return refused(e, values).await;
    }
    let plan = match crate::api::hot_issues::plan(&state, &caller, id).await {
        Ok(p) => p,
        Err(e) => return refused(e, values).await,
    };
    if plan.decidable.is_empty() {
        return refused(ApiError::Conflict(crate::i18n::Msg::of("problem.nothing_to_decide")), values).await;
    }
    let confirmed = fields.get("confirm").and_then(|c| c.trim().parse::<usize>().ok());
    match confirmed {
        Some(n) if n == plan.decidable.len() => {}
        other => {
            let step = Step::Confirm { values, changed_from: other };
            return render_issue(&state, &headers, &caller, id, step, None).await;
        }
    }
    let result = match decide_body(&fields) {
        Ok(b) => crate::api::hot_issues::decide_each(&state, &caller, id, b, confirmed, lang).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => render_issue(&state, &headers, &caller, id, Step::Outcome(outcome), None).await,
        Err(e) => refused(e, values).await,
    }
}

/// Takes one order out of the issue (after the browser's confirmation), then shows the issue again.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let caller = match form_caller(&state, &headers, &fields).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let order = fields.get("c").and_then(|c| c.trim().parse::<i64>().ok());
    let result = match order {
        Some(c) => crate::api::hot_issues::remove(&state, &caller, id, c).await.map(|_| ()),
        None => Err(ApiError::invalid("c", "field.choose_order_to_remove")),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/hot-issues/{id}")).into_response(),
        Err(e) => {
            let err = FormError::from_api(e, "remove", HashMap::new(), lang);
            render_issue(&state, &headers, &caller, id, Step::Opened, Some(err)).await
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/hot-issues", axum::routing::get(page_hot_issues).post(link))
        .route("/hot-issues/{id}", axum::routing::get(page_hot_issue))
        .route("/hot-issues/{id}/decide", axum::routing::post(decide))
        .route("/hot-issues/{id}/remove", axum::routing::post(remove))
}
