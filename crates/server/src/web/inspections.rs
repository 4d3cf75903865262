//! The inspection pages: coverage of the period with the planner of outlets not yet inspected and
//! the list of inspections (`/inspections`); recording one on a checklist (`/inspections/new`); an
//! inspection as scored, printable (`/inspections/{id}`); the checklist templates and their versions
//! (`/inspections/templates`). Every form goes through the API's application functions.

use super::forms::{Csrf, Fields, Shown, caller_or_login, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, form_caller, html_response, no_permission, not_found};
use crate::api::inspections::{
    CreateInspection, InspectionDetail, ScoreIn, TemplateIn, coverage, detail, inspect, inspections, make_template,
};
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
use maud::{Markup, PreEscaped, html};
use xiaobao_core::role::Permission;
use xiaobao_core::service::inspection::{InspectionKind, TemplateItem};
use xiaobao_core::time::local_date;

/// The pages' own touches: score inputs in a row, groups as table rows, print without the chrome.
const CSS: &str = "\
table.checklist td.score input{width:4.5rem}table.checklist tr.group th{background:#f4f5f7;text-align:left}\
table.checklist textarea{min-height:2.2rem;width:100%;box-sizing:border-box}\
table.checklist td.rectify{width:13rem}table.checklist td.rectify input{width:100%;box-sizing:border-box;margin:.15rem 0}\
table.checklist td.rectify label{display:flex;align-items:center;gap:.3rem;font-weight:normal;margin:0}\
table.checklist td.rectify input[type=checkbox]{width:auto;margin:0}#t-choose{width:auto;max-width:100%}\
.score-big{font-size:2rem;font-weight:600;color:#1c5a8a}ul.planner{columns:2;padding-left:1.2rem}\
@media (max-width:600px){ul.planner{columns:1}}\
@media print{header,nav,.no-print,form{display:none!important}.card{box-shadow:none;border:0}}\
";

fn render(
    headers: &HeaderMap,
    caller: &Caller,
    (token, set): Csrf,
    title: &str,
    status: StatusCode,
    body: Markup,
) -> Response {
    let lang = Lang::from_headers(headers);
    let body = html! { style { (PreEscaped(CSS)) } (body) };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    *res.status_mut() = status;
    res
}

fn may_read(caller: &Caller) -> bool {
    caller.can(Permission::Inspect) || caller.can(Permission::ManageService) || caller.can(Permission::ReadMeasures)
}

/// `/inspections`: this period's coverage, the outlets still to inspect, and the inspections made.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let title = lang.t("inspections.title");
    if !may_read(&caller) {
        return no_permission(lang, &caller, csrf(&headers), title);
    }
    let p = crate::api::query::without_blanks(p);
    let (cov, list) = match (coverage(&state, &caller, &p).await, inspections(&state, &caller, &p).await) {
        (Ok(c), Ok(l)) => (c, l),
        (Err(e), _) | (_, Err(e)) => {
            let body = html! { div.card { h1 { (title) } p.error role="alert" { (e.problem(lang.english()).detail) } p { a href="/inspections" { (lang.t("inspections.reset")) } } } };
            return render(&headers, &caller, csrf(&headers), title, StatusCode::UNPROCESSABLE_ENTITY, body);
        }
    };
    let inspector = caller.can(Permission::Inspect);
    let t = &cov.total;
    let body = html! {
        div.card {
            h1 { (title) }
            form.filters.no-print method="get" action="/inspections" {
                div { label for="f-unit" { (lang.t("org_unit")) } input #f-unit name="org_unit" value=(p.get("org_unit").cloned().unwrap_or_default()) placeholder=(caller.user.org_code); }
                div { label for="f-from" { (lang.t("date_from")) } input #f-from type="date" name="from" value=(cov.from); }
                div { label for="f-to" { (lang.t("date_to")) } input #f-to type="date" name="to" value=(cov.to); }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if inspector { p.no-print { a.button.primary #new-inspection href="/inspections/new" { (lang.t("inspections.new")) } } }
            @if caller.can(Permission::ManageService) { p.no-print { a #templates-link href="/inspections/templates" { (lang.t("inspections.templates")) } } }
        }
        div.card #coverage {
            h2 { (tr!(lang, "inspections.coverage_of", unit = t.org_unit.name, from = cov.from, to = cov.to)) }
            p #coverage-total { (tr!(lang, "inspections.coverage_line", inspected = t.inspected, outlets = t.outlets, rate = t.coverage.display, n = t.inspections, avg = t.average_score.display)) }
            @if !cov.children.is_empty() {
                table.orders #coverage-children {
                    thead { tr { th { (lang.t("org_unit")) } th { (lang.t("inspections.outlets")) } th { (lang.t("inspections.inspected")) } th { (lang.t("inspections.coverage")) } th { (lang.t("inspections.average_score")) } } }
                    tbody { @for c in &cov.children { tr {
                        td data-label=(lang.t("org_unit")) { a href={ "/inspections?org_unit=" (c.org_unit.code) "&from=" (cov.from) "&to=" (cov.to) } { (c.org_unit.name) } }
                        td data-label=(lang.t("inspections.outlets")) { (c.outlets) }
                        td data-label=(lang.t("inspections.inspected")) { (c.inspected) }
                        td data-label=(lang.t("inspections.coverage")) { (c.coverage.display) }
                        td data-label=(lang.t("inspections.average_score")) { (c.average_score.display) }
                    } } }
                }
            }
        }
        div.card #planner {
            h2 { (lang.t("inspections.planner")) }
            @if cov.not_inspected.is_empty() {
                p.ok #planner-done { (lang.t("inspections.planner_done")) }
            } @else {
                p.muted { (tr!(lang, "inspections.planner_count", n = cov.not_inspected.len())) }
                ul.planner { @for u in &cov.not_inspected { li data-outlet=(u.code) {
                    (u.name) " (" (u.code) ")"
                    @if inspector { " · " a href={ "/inspections/new?org_unit=" (u.code) } { (lang.t("inspections.inspect_now")) } }
                } } }
            }
        }
        div.card #inspections {
            h2 { (lang.t("inspections.list")) }
            @if list.items.is_empty() {
                p.muted #no-inspections { (lang.t("inspections.none")) }
            } @else {
                table.orders {
                    thead { tr { th { (lang.t("inspections.date")) } th { (lang.t("org_unit")) } th { (lang.t("inspections.kind")) } th { (lang.t("inspections.score")) } th { (lang.t("inspections.inspector")) } } }
                    tbody { @for i in &list.items { tr data-inspection=(i.id) {
                        td data-label=(lang.t("inspections.date")) { a href={ "/inspections/" (i.id) } { (i.inspected_on) } }
                        td data-label=(lang.t("org_unit")) { (i.org_unit.name) }
                        td data-label=(lang.t("inspections.kind")) { (lang.name(i.kind)) }
                        td data-label=(lang.t("inspections.score")) { (i.score.display) }
                        td data-label=(lang.t("inspections.inspector")) { (i.inspector_name) }
                    } } }
                }
                (super::lists::pager(lang, "/inspections", &p, list.page, list.per_page, list.total))
            }
        }
    };
    render(&headers, &caller, csrf(&headers), title, StatusCode::OK, body)
}

/// `/inspections/new`: the checklist of the chosen template to score.
pub async fn new_form(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let shown = Shown { values: p, ..Default::default() };
    new_page(&state, &headers, &caller, shown, StatusCode::OK).await
}

async fn new_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let title = lang.t("inspections.new");
    if !caller.can(Permission::Inspect) {
        return no_permission(lang, caller, csrf(headers), title);
    }
    let templates = state.store.templates().await.unwrap_or_default();
    let val = |n: &str| shown.values.get(n).cloned().unwrap_or_default();
    let chosen = templates.iter().find(|t| t.code == val("template")).or(templates.first());
    let units = state.unit_choices.get(|| state.store.org_units_in_subtree("/")).await.unwrap_or_default();
    let tok = csrf(headers);
    let today = local_date(state.clock.now()).to_string();
    let err = |names: &[&str]| shown.err("new", names);
    let beside_names = beside(chosen.map_or(0, |t| t.items.len()));
    let beside_refs: Vec<&str> = beside_names.iter().map(String::as_str).collect();
    let body = html! {
        div.card {
            h1 { (title) }
            @if templates.is_empty() {
                p #no-templates { (lang.t("inspections.no_templates")) }
            } @else {
                form.filters.no-print method="get" action="/inspections/new" {
                    input type="hidden" name="org_unit" value=(val("org_unit"));
                    div { label for="t-choose" { (lang.t("inspections.template")) }
                        select #t-choose name="template" { @for t in &templates { option value=(t.code) selected[chosen.is_some_and(|c| c.code == t.code)] { (t.name) " (" (t.code) " v" (t.version) ")" } } } }
                    div { button type="submit" { (lang.t("inspections.load_template")) } }
                }
            }
        }
        @if let Some(t) = chosen {
            form.card #inspection-form method="post" action="/inspections/new" {
                (hidden_csrf(&tok))
                input type="hidden" name="template" value=(t.code);
                (shown.top("new", &beside_refs))
                div.filters {
                    div { label for="i-unit" { (lang.t("inspections.outlet")) " *" }
                        input #i-unit name="org_unit" list="outlets" required value=(val("org_unit")) autocomplete="off" placeholder=(lang.t("order.unit_search"));
                        datalist #outlets { @for u in units.iter().filter(|u| u.kind == xiaobao_core::org::OrgUnitKind::Outlet && caller.sees_unit(&u.path)) { option value=(u.code) { (u.code) " " (u.name) } } }
                        (err(&["org_unit"])) }
                    div { label for="i-kind" { (lang.t("inspections.kind")) }
                        select #i-kind name="kind" { @for k in InspectionKind::ALL { option value=(k.as_str()) selected[val("kind") == k.as_str()] { (lang.name(k)) } } }
                        (err(&["kind"])) }
                    div { label for="i-date" { (lang.t("inspections.date")) }
                        input #i-date type="date" name="inspected_on" max=(today) value=(if val("inspected_on").is_empty() { today.clone() } else { val("inspected_on") });
                        (err(&["inspected_on"])) }
                }
                p.hint { (tr!(lang, "inspections.how_to_score", possible = t.items.iter().map(|i| i.weight).sum::<u32>())) }
                (checklist(lang, &t.items, &shown))
                label for="i-summary" { (lang.t("inspections.summary")) }
                textarea #i-summary name="summary" maxlength="2000" { (val("summary")) }
                (err(&["summary"]))
                p { button.primary #save-inspection type="submit" { (lang.t("inspections.save")) } }
            }
        }
    };
    render(headers, caller, tok, title, status, body)
}

/// The fields whose errors are shown beside them on the new-inspection form (others go on top).
fn beside(items: usize) -> Vec<String> {
    let mut names: Vec<String> = ["org_unit", "kind", "inspected_on", "summary"].map(String::from).to_vec();
    for n in 0..items {
        for f in ["score", "item", "finding", "owner", "due_on"] {
            names.push(format!("scores[{n}].{f}"));
        }
    }
    names
}

/// The items by group, each with its score (full marks by default), finding and rectification.
fn checklist(lang: Lang, items: &[TemplateItem], shown: &Shown) -> Markup {
    let val = |n: String| shown.values.get(&n).cloned();
    html! {
        table.orders.checklist #checklist {
            thead { tr { th { (lang.t("inspections.item")) } th { (lang.t("inspections.points")) } th { (lang.t("inspections.finding")) } th { (lang.t("inspections.rectify")) } } }
            tbody {
                @for (n, i) in items.iter().enumerate() {
                    @if n == 0 || items[n - 1].group != i.group {
                        tr.group { th colspan="4" { (i.group) } }
                    }
                    tr data-item=(i.code) {
                        td data-label=(lang.t("inspections.item")) { strong { (i.code) } " " (i.text) }
                        td.score data-label=(lang.t("inspections.points")) {
                            input name={ "score_" (n) } type="number" min="0" max=(i.weight) required
                                value=(val(format!("score_{n}")).unwrap_or_else(|| i.weight.to_string()))
                                aria-label=(tr!(lang, "inspections.points_of", item = i.code, max = i.weight));
                            " / " (i.weight)
                            (shown.err("new", &[&format!("scores[{n}].score"), &format!("scores[{n}].item")]))
                        }
                        td data-label=(lang.t("inspections.finding")) {
                            textarea name={ "finding_" (n) } maxlength="500" aria-label=(tr!(lang, "inspections.finding_of", item = i.code)) { (val(format!("finding_{n}")).unwrap_or_default()) }
                            (shown.err("new", &[&format!("scores[{n}].finding")]))
                        }
                        td.rectify data-label=(lang.t("inspections.rectify")) {
                            label { input type="checkbox" name={ "rectify_" (n) } value="on" checked[val(format!("rectify_{n}")).is_some()]; " " (lang.t("inspections.rectify_yes")) }
                            br;
                            input name={ "owner_" (n) } maxlength="64" placeholder=(lang.t("inspections.owner_default")) value=(val(format!("owner_{n}")).unwrap_or_default()) aria-label=(lang.t("inspections.owner"));
                            input name={ "due_" (n) } type="date" value=(val(format!("due_{n}")).unwrap_or_default()) aria-label=(lang.t("inspections.due_on"));
                            (shown.err("new", &[&format!("scores[{n}].owner"), &format!("scores[{n}].due_on")]))
                        }
                    }
                }
            }
        }
    }
}

pub async fn new_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let template = state.store.template_by_code(field(&f, "template").trim()).await.ok().flatten();
    let scores = template
        .iter()
        .flat_map(|t| t.items.iter().enumerate())
        .map(|(n, i)| {
            let opt = |k: &str| f.get(&format!("{k}_{n}")).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
            ScoreIn {
                item: i.code.clone(),
                // a score that is no number is out of range, and said so beside it
                score: opt("score").map_or(0, |s| s.parse().unwrap_or(u32::MAX)),
                finding: opt("finding"),
                rectify: opt("rectify").is_some(),
                owner: opt("owner"),
                due_on: opt("due"),
            }
        })
        .collect();
    let req = CreateInspection {
        org_unit: field(&f, "org_unit"),
        kind: field(&f, "kind"),
        template: field(&f, "template"),
        inspected_on: Some(field(&f, "inspected_on")),
        summary: field(&f, "summary"),
        scores,
    };
    match inspect(&state, &caller, req).await {
        Ok(d) => Redirect::to(&format!("/inspections/{}?done=created", d.inspection.id)).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("new", f, lang, e);
            new_page(&state, &headers, &caller, shown, status).await
        }
    }
}

/// `/inspections/{id}`: the inspection as scored, with the rectifications it opened; printable.
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
    let d: InspectionDetail = match detail(&state, &caller, id).await {
        Ok(d) => d,
        Err(ApiError::Forbidden(_)) => {
            return no_permission(lang, &caller, csrf(&headers), lang.t("inspections.title"));
        }
        Err(_) => return not_found(lang, &caller, csrf(&headers)),
    };
    let i = &d.inspection;
    let title = tr!(lang, "inspections.of", unit = i.org_unit.name, date = i.inspected_on);
    let body = html! {
        div.card #inspection {
            @if p.get("done").is_some_and(|d| d == "created") { p.notice #notice role="status" { (tr!(lang, "inspections.created", n = d.rectifications.len())) } }
            h1 { (title) }
            p { span.score-big #inspection-score { (i.score.display) } " " (tr!(lang, "inspections.earned", earned = i.earned, possible = i.possible)) }
            dl.facts {
                dt { (lang.t("inspections.kind")) } dd { (lang.name(i.kind)) }
                dt { (lang.t("inspections.template")) } dd { (i.template) " v" (i.template_version) }
                dt { (lang.t("inspections.inspector")) } dd { (i.inspector_name) }
                @if !i.summary.is_empty() { dt { (lang.t("inspections.summary")) } dd { (i.summary) } }
            }
            p.no-print { button type="button" data-print #print { (lang.t("inspections.print")) } " " a href="/inspections" { (lang.t("inspections.back")) } }
            table.orders.checklist #scored {
                thead { tr { th { (lang.t("inspections.item")) } th { (lang.t("inspections.points")) } th { (lang.t("inspections.finding")) } } }
                tbody { @for (n, s) in d.items.iter().enumerate() {
                    @if n == 0 || d.items[n - 1].group != s.group { tr.group { th colspan="3" { (s.group) } } }
                    tr data-item=(s.item) class=[(s.score < s.weight).then_some("lost")] {
                        td data-label=(lang.t("inspections.item")) { strong { (s.item) } " " (s.text) }
                        td data-label=(lang.t("inspections.points")) { (s.score) " / " (s.weight) }
                        td data-label=(lang.t("inspections.finding")) { (s.finding.clone().unwrap_or_default()) @if s.rectify { " " span.warning { (lang.t("inspections.to_rectify")) } } }
                    }
                } }
            }
        }
        div.card #opened {
            h2 { (lang.t("inspections.rectifications")) }
            @if d.rectifications.is_empty() { p.muted { (lang.t("inspections.no_rectifications")) } }
            @else { ul { @for r in &d.rectifications { li { a href={ "/rectifications/" (r.id) } { (r.title) } " · " (r.owner_name) " · " (tr!(lang, "rect.due", date = r.due_on)) " · " (lang.name(r.state)) } } } }
        }
    };
    render(&headers, &caller, csrf(&headers), &title, StatusCode::OK, body)
}

/// `/inspections/templates`: the templates at their current versions, a new one, and an edit
/// (each edit a new version), items one a line: code | group | text | points.
pub async fn templates(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let mut shown = Shown::default();
    if let Some(code) = p.get("saved") {
        shown.notice = Some(tr!(lang, "inspections.template_saved", code = code));
    }
    templates_page(&state, &headers, &caller, shown, StatusCode::OK).await
}

fn item_lines(items: &[TemplateItem]) -> String {
    items.iter().map(|i| format!("{} | {} | {} | {}", i.code, i.group, i.text, i.weight)).collect::<Vec<_>>().join("\n")
}

async fn templates_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let title = lang.t("inspections.templates");
    if !caller.can(Permission::ManageService) {
        return no_permission(lang, caller, csrf(headers), title);
    }
    let rows = state.store.templates().await.unwrap_or_default();
    let tok = csrf(headers);
    let editing = shown.values.get("id").cloned().unwrap_or_default();
    let body = html! {
        div.card {
            h1 { (title) }
            (shown.notice())
            p.muted { (lang.t("inspections.templates_explained")) }
            @if rows.is_empty() { p #no-templates { (lang.t("inspections.no_templates")) } }
            @for t in &rows {
                details #{ "template-" (t.code) } open[editing == t.id.to_string()] {
                    summary { strong { (t.name) } " (" (t.code) " · v" (t.version) " · " (tr!(lang, "inspections.items_points", n = t.items.len(), points = t.items.iter().map(|i| i.weight).sum::<u32>())) ")" }
                    form method="post" action="/inspections/templates" data-confirm=(tr!(lang, "inspections.new_version_confirm", version = t.version + 1)) {
                        (hidden_csrf(&tok))
                        input type="hidden" name="id" value=(t.id);
                        @if editing == t.id.to_string() { (shown.top("template", &[])) }
                        label { (lang.t("inspections.template_name")) input name="name" maxlength="100" value=(if editing == t.id.to_string() { shown.values.get("name").cloned().unwrap_or_default() } else { t.name.clone() }); }
                        label { (lang.t("inspections.items")) textarea name="items" rows="8" { (if editing == t.id.to_string() { shown.values.get("items").cloned().unwrap_or_default() } else { item_lines(&t.items) }) } }
                        button type="submit" { (lang.t("inspections.save_version")) }
                    }
                }
            }
        }
        form.card #new-template method="post" action="/inspections/templates" {
            h2 { (lang.t("inspections.new_template")) }
            (hidden_csrf(&tok))
            @if editing.is_empty() { (shown.top("template", &["code", "name", "items"])) }
            div.filters {
                div { label for="t-code" { (lang.t("inspections.template_code")) " *" } input #t-code name="code" maxlength="40" value=(if editing.is_empty() { shown.val("template", "code") } else { String::new() }); (if editing.is_empty() { shown.err("template", &["code"]) } else { html!{} }) }
                div { label for="t-name" { (lang.t("inspections.template_name")) " *" } input #t-name name="name" maxlength="100" value=(if editing.is_empty() { shown.val("template", "name") } else { String::new() }); (if editing.is_empty() { shown.err("template", &["name"]) } else { html!{} }) }
            }
            label for="t-items" { (lang.t("inspections.items")) " *" }
            textarea #t-items name="items" rows="8" placeholder="A01 | 环境与设施 | 大堂整洁，标识清楚 | 10" { (if editing.is_empty() { shown.val("template", "items") } else { String::new() }) }
            (if editing.is_empty() { shown.err("template", &[]) } else { html!{} })
            p.hint { (lang.t("inspections.items_hint")) }
            button.primary #make-template type="submit" { (lang.t("inspections.create_template")) }
        }
    };
    render(headers, caller, tok, title, status, body)
}

/// The items typed one a line; a line that cannot be read is refused naming its number.
fn parse_lines(text: &str) -> Result<Vec<TemplateItem>, ApiError> {
    let mut items = Vec::new();
    let mut faults = Vec::new();
    for (n, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        match parts.as_slice() {
            [code, group, text, weight] => items.push(TemplateItem {
                code: code.to_string(),
                group: group.to_string(),
                text: text.to_string(),
                weight: weight.parse().unwrap_or(0),
            }),
            _ => faults.push(xiaobao_core::FieldError::because(format!("items[{n}]"), "field.item_line")),
        }
    }
    if faults.is_empty() { Ok(items) } else { Err(ApiError::InvalidAll(faults)) }
}

pub async fn templates_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let id = field(&f, "id").parse::<i64>().ok();
    let result = match parse_lines(&field(&f, "items")) {
        Err(e) => Err(e),
        Ok(items) => match id {
            None => {
                make_template(&state, &caller, TemplateIn { code: field(&f, "code"), name: field(&f, "name"), items })
                    .await
            }
            Some(id) => {
                crate::api::inspections::new_version(
                    &state,
                    &caller,
                    id,
                    TemplateIn { code: String::new(), name: field(&f, "name"), items },
                )
                .await
            }
        },
    };
    match result {
        Ok(t) => Redirect::to(&format!("/inspections/templates?saved={}", crate::api::query::percent_encode(&t.code)))
            .into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("template", f, lang, e);
            templates_page(&state, &headers, &caller, shown, status).await
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/inspections", get(index))
        .route("/inspections/new", get(new_form).post(new_submit))
        .route("/inspections/templates", get(templates).post(templates_submit))
        .route("/inspections/{id}", get(show))
}
