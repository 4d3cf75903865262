//! The fraud interception pages: the register (`/workbook/fraud`) with its filters, pages and
//! export; the form that records one (`/workbook/fraud/new`); one interception with its files and
//! earlier versions (`/workbook/fraud/{id}`), and the form that corrects it (`/workbook/fraud/{id}/edit`,
//! a reason asked once the grace period has passed).

use super::super::forms::{Fields, Shown, caller_or_login, field, hidden_csrf};
use super::super::layout::page;
use super::super::lists::{pager, query_with};
use super::super::pages::{csrf, form_caller, html_response, not_found};
use crate::api::query::Params;
use crate::api::workbook::fraud::{EditInterception, InterceptionDetail, InterceptionView, create, detail, edit, list};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::role::Permission;
use xiaobao_core::workbook::CustomerGroup;
use xiaobao_core::workbook::fraud::{InterceptionIn, Place, Scenario};

/// "2026-12-07T10:20:00+08:00" as shown: "2026-12-07 10:20".
fn minute(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

fn place_text(lang: Lang, v: &InterceptionView) -> String {
    match &v.where_other {
        Some(o) => format!("{}（{o}）", lang.name(v.place)),
        None => lang.name(v.place).to_string(),
    }
}

fn scenario_text(lang: Lang, v: &InterceptionView) -> String {
    match &v.scenario_other {
        Some(o) => format!("{}（{o}）", lang.name(v.scenario)),
        None => lang.name(v.scenario).to_string(),
    }
}

/// `/workbook/fraud`: filters, the table, pages, the export and the way to record one.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("fraud.title");
    let (rows, error) = match list(&state, &caller, &p).await {
        Ok(r) => (Some(r), None),
        Err(ApiError::Forbidden(_)) => return not_found(lang, &caller, csrf(&headers)),
        Err(e) => (None, Some(crate::web::forms::refused_all(lang, e).1)),
    };
    let notice = (p.get("done").map(String::as_str) == Some("created")).then(|| lang.t("fraud.done_created"));
    let val = |k: &str| p.get(k).cloned().unwrap_or_default();
    let tok = csrf(&headers);
    let body = html! {
        div.card {
            p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " (title) }
            h1 { (title) }
            @if let Some(n) = notice { p.notice #notice role="status" { (n) } }
            @if caller.can(Permission::RecordWorkbook) {
                p { a.button.primary #new-interception href="/workbook/fraud/new" { (lang.t("fraud.new")) } }
            }
            form.filters #fraud-filters method="get" action="/workbook/fraud" {
                div { label for="f-unit" { (lang.t("org_unit_code")) } input #f-unit name="org_unit" value=(val("org_unit")) placeholder=(caller.user.org_code); }
                div { label for="f-from" { (lang.t("workbook.from_date")) } input #f-from type="date" name="from" value=(val("from")); }
                div { label for="f-to" { (lang.t("workbook.to_date")) } input #f-to type="date" name="to" value=(val("to")); }
                div { label for="f-scenario" { (lang.t("fraud.scenario")) }
                    select #f-scenario name="scenario" {
                        option value="" { (lang.t("any")) }
                        @for s in Scenario::ALL { option value=(s.as_str()) selected[val("scenario") == s.as_str()] { (lang.name(s)) } }
                    }
                }
                div { label for="f-staff" { (lang.t("fraud.staff_filter")) } input #f-staff name="staff" value=(val("staff")); }
                div { label for="f-sort" { (lang.t("workbook.sort")) }
                    select #f-sort name="sort" {
                        option value="newest" selected[val("sort") != "oldest"] { (lang.t("workbook.newest")) }
                        option value="oldest" selected[val("sort") == "oldest"] { (lang.t("workbook.oldest")) }
                    }
                }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(errors) = &error { @for (f, m) in errors { p.error role="alert" data-field=(f) { (f) ": " (m) } } }
        }
        @if let Some(rows) = &rows {
            div.card #interceptions {
                p.muted #fraud-total { (tr!(lang, "workbook.total", total = rows.total)) " · "
                    a #fraud-xlsx href={ "/api/v1/fraud-interceptions/export?" (query_with(&p, None)) } { (lang.t("workbook.export")) } }
                @if rows.items.is_empty() {
                    p.muted #no-interceptions { (lang.t("fraud.none")) }
                } @else {
                    table.orders {
                        thead { tr {
                            th { (lang.t("fraud.occurred_at")) } th { (lang.t("org_unit")) } th { (lang.t("fraud.scenario")) }
                            th { (lang.t("fraud.where")) } th.num { (lang.t("fraud.amount_protected")) } th { (lang.t("fraud.staff")) }
                            th { (lang.t("fraud.police_called")) }
                        } }
                        tbody { @for v in &rows.items { tr data-id=(v.id) {
                            td data-label=(lang.t("fraud.occurred_at")) { a href={ "/workbook/fraud/" (v.id) } { (minute(&v.occurred_at)) } }
                            td data-label=(lang.t("org_unit")) { (v.org_unit.name) }
                            td data-label=(lang.t("fraud.scenario")) { (scenario_text(lang, v)) }
                            td data-label=(lang.t("fraud.where")) { (place_text(lang, v)) }
                            td.num data-label=(lang.t("fraud.amount_protected")) { (v.amount_protected) }
                            td data-label=(lang.t("fraud.staff")) { (v.staff.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("、")) }
                            td data-label=(lang.t("fraud.police_called")) { (lang.t(if v.police_called { "yes" } else { "no" })) }
                        } } }
                    }
                    (pager(lang, "/workbook/fraud", &p, rows.page, rows.per_page, rows.total))
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

/// The form's values: what was typed after a refusal, else the record being corrected, else the
/// defaults (the caller's unit, now, the caller as staff).
fn form_values(state: &AppState, caller: &Caller, v: Option<&InterceptionView>) -> Fields {
    let mut f = Fields::new();
    match v {
        Some(v) => {
            f.insert("org_unit".into(), v.org_unit.code.clone());
            f.insert("occurred_at".into(), v.occurred_at.get(..16).unwrap_or_default().to_string());
            f.insert("scenario".into(), v.scenario.as_str().into());
            f.insert("scenario_other".into(), v.scenario_other.clone().unwrap_or_default());
            f.insert("where".into(), v.place.as_str().into());
            f.insert("where_other".into(), v.where_other.clone().unwrap_or_default());
            for g in &v.customer_groups {
                f.insert(format!("group.{}", g.as_str()), "on".into());
            }
            f.insert("amount_protected".into(), v.amount_protected.clone());
            f.insert("staff".into(), v.staff.iter().map(|s| s.username.as_str()).collect::<Vec<_>>().join(", "));
            if v.police_called {
                f.insert("police_called".into(), "on".into());
            }
            f.insert("description".into(), v.description.clone());
            f.insert("version".into(), v.provenance.version.to_string());
        }
        None => {
            f.insert("org_unit".into(), caller.user.org_code.clone());
            let now = xiaobao_core::time::local_minute(state.clock.now()).replace(' ', "T");
            f.insert("occurred_at".into(), now);
            f.insert("staff".into(), caller.user.username.clone());
        }
    }
    f
}

/// The typed form as the API's record.
fn record_from(f: &Fields) -> InterceptionIn {
    let opt = |k: &str| Some(field(f, k)).filter(|v| !v.trim().is_empty());
    InterceptionIn {
        org_unit: field(f, "org_unit"),
        occurred_at: super::local_rfc3339(&field(f, "occurred_at")),
        scenario: field(f, "scenario"),
        scenario_other: opt("scenario_other"),
        place: field(f, "where"),
        where_other: opt("where_other"),
        customer_groups: CustomerGroup::ALL
            .iter()
            .filter(|g| f.contains_key(&format!("group.{}", g.as_str())))
            .map(|g| g.as_str().to_string())
            .collect(),
        amount_protected: field(f, "amount_protected"),
        staff: field(f, "staff")
            .split([',', '，', '、', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        police_called: f.contains_key("police_called"),
        description: field(f, "description"),
    }
}

const FIELDS: &[&str] = &[
    "org_unit",
    "occurred_at",
    "scenario",
    "scenario_other",
    "where",
    "where_other",
    "customer_groups",
    "amount_protected",
    "staff",
    "police_called",
    "description",
    "reason",
    "version",
];

/// The interception form, new (`id` none) or correcting one; `late` asks for the reason.
fn form(lang: Lang, tok: &str, id: Option<i64>, s: &Shown, late: Option<u32>) -> Markup {
    let v = |k: &str| s.val("fraud", k);
    let req = html! { span.required aria-hidden="true" { " *" } };
    let action = match id {
        Some(id) => format!("/workbook/fraud/{id}/edit"),
        None => "/workbook/fraud/new".to_string(),
    };
    // every error whose field is `customer_groups[1]` or `staff[0]` shown beside its list
    let errs = |name: &str| {
        html! { @if s.form == "fraud" { @for (f, m) in &s.errors {
            @if f == name || f.strip_prefix(name).is_some_and(|r| r.starts_with('[')) {
                span.error.field-error data-field=(f) role="alert" { (m) }
            }
        } } }
    };
    let counted = s.errors.len();
    html! {
        form.card #fraud-form method="post" action=(action) novalidate {
            (hidden_csrf(&(tok.to_string(), None)))
            @if s.form == "fraud" && counted > 0 { p.error #error-count role="alert" { (tr!(lang, "workbook.errors", count = counted)) } }
            (s.top("fraud", FIELDS))
            @if id.is_some() { input type="hidden" name="version" value=(v("version")); }
            div.columns {
                div { label for="w-unit" { (lang.t("export.unit_code")) (req) } input #w-unit name="org_unit" value=(v("org_unit")) maxlength="50"; (errs("org_unit")) }
                div { label for="w-at" { (lang.t("fraud.occurred_at")) (req) } input #w-at type="datetime-local" name="occurred_at" value=(v("occurred_at")); (errs("occurred_at")) }
            }
            div.columns {
                div { label for="w-scenario" { (lang.t("fraud.scenario")) (req) }
                    select #w-scenario name="scenario" {
                        @for x in Scenario::ALL { option value=(x.as_str()) selected[v("scenario") == x.as_str()] { (lang.name(x)) } }
                    }
                    (errs("scenario"))
                    label for="w-scenario-other" { (lang.t("fraud.scenario_other")) }
                    input #w-scenario-other name="scenario_other" value=(v("scenario_other")) maxlength="50";
                    (errs("scenario_other"))
                }
                div { label for="w-where" { (lang.t("fraud.where")) (req) }
                    select #w-where name="where" {
                        @for x in Place::ALL { option value=(x.as_str()) selected[v("where") == x.as_str()] { (lang.name(x)) } }
                    }
                    (errs("where"))
                    label for="w-where-other" { (lang.t("fraud.where_other")) }
                    input #w-where-other name="where_other" value=(v("where_other")) maxlength="50";
                    (errs("where_other"))
                }
            }
            fieldset #w-groups { legend { (lang.t("fraud.customer_groups")) }
                @for g in CustomerGroup::ALL {
                    @let name = format!("group.{}", g.as_str());
                    label.inline { input type="checkbox" name=(name) checked[!v(&name).is_empty()]; " " (lang.name(g)) }
                }
                (errs("customer_groups"))
            }
            div.columns {
                div { label for="w-amount" { (lang.t("fraud.amount_protected")) (req) } input #w-amount name="amount_protected" inputmode="decimal" value=(v("amount_protected")); (errs("amount_protected")) }
                div { label for="w-staff" { (lang.t("fraud.staff")) (req) } input #w-staff name="staff" value=(v("staff"));
                    small.muted { (lang.t("fraud.staff_hint")) } (errs("staff")) }
            }
            label.inline { input #w-police type="checkbox" name="police_called" checked[!v("police_called").is_empty()]; " " (lang.t("fraud.police_called")) }
            label for="w-description" { (lang.t("fraud.description")) (req) }
            textarea #w-description name="description" rows="5" maxlength="2000" { (v("description")) }
            (errs("description"))
            @if let Some(hours) = late {
                label for="w-reason" { (lang.t("workbook.edit_reason")) (req) }
                input #w-reason name="reason" maxlength="500" value=(v("reason"));
                small.muted { (tr!(lang, "workbook.reason_hint", hours = hours)) }
                (errs("reason"))
            } @else if id.is_some() {
                label for="w-reason" { (lang.t("workbook.edit_reason")) }
                input #w-reason name="reason" maxlength="500" value=(v("reason"));
                (errs("reason"))
            }
            p { button.primary #fraud-submit type="submit" { (lang.t(if id.is_some() { "workbook.save" } else { "fraud.record" })) } }
        }
    }
}

async fn show_form(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: Option<i64>,
    s: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tok = csrf(headers);
    let title = lang.t(if id.is_some() { "fraud.edit" } else { "fraud.new" });
    let late = match id {
        Some(id) => {
            match crate::api::workbook::editable(state, caller, xiaobao_core::workbook::Register::FraudInterception, id)
                .await
            {
                Ok(e) => crate::api::workbook::edit_reason(state, &e, None)
                    .err()
                    .map(|_| state.store.rules().workbook.edit_grace_hours),
                Err(ApiError::NotFound) => return not_found(lang, caller, tok),
                Err(e) => {
                    let (status, shown) = Shown::refused("refused", Fields::new(), lang, e);
                    let body = html! { div.card { (shown.top("refused", &[])) p { a href={ "/workbook/fraud/" (id) } { (lang.t("back")) } } } };
                    let mut res =
                        html_response(page(lang, Some(&caller.user), Some(&tok.0), lang.t("fraud.edit"), body), tok.1);
                    *res.status_mut() = status;
                    return res;
                }
            }
        }
        None => None,
    };
    let body = html! {
        div.card {
            p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " a href="/workbook/fraud" { (lang.t("fraud.title")) } }
            h1 { (title) }
            p.hint { (lang.t("fraud.form_hint")) }
        }
        (form(lang, &tok.0, id, &s, late))
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1);
    *res.status_mut() = status;
    res
}

/// `/workbook/fraud/new`.
pub async fn new_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !caller.can(Permission::RecordWorkbook) {
        return not_found(Lang::from_headers(&headers), &caller, csrf(&headers));
    }
    let s = Shown { form: "fraud", values: form_values(&state, &caller, None), ..Shown::default() };
    show_form(&state, &headers, &caller, None, s, StatusCode::OK).await
}

pub async fn new_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    match create(&state, &caller, &record_from(&f)).await {
        Ok(d) => Redirect::to(&format!("/workbook/fraud/{}?done=created", d.interception.id)).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("fraud", f, lang, e);
            show_form(&state, &headers, &caller, None, shown, status).await
        }
    }
}

/// `/workbook/fraud/{id}/edit`.
pub async fn edit_form(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let d = match detail(&state, &caller, id).await {
        Ok(d) => d,
        Err(_) => return not_found(lang, &caller, csrf(&headers)),
    };
    let s = Shown { form: "fraud", values: form_values(&state, &caller, Some(&d.interception)), ..Shown::default() };
    show_form(&state, &headers, &caller, Some(id), s, StatusCode::OK).await
}

pub async fn edit_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let version = field(&f, "version").trim().parse::<i64>().unwrap_or(0);
    let reason = Some(field(&f, "reason")).filter(|r| !r.trim().is_empty());
    let body = EditInterception { version, reason, record: record_from(&f) };
    match edit(&state, &caller, id, &body).await {
        Ok(_) => Redirect::to(&format!("/workbook/fraud/{id}?done=saved")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let (status, shown) = Shown::refused("fraud", f, lang, e);
            show_form(&state, &headers, &caller, Some(id), shown, status).await
        }
    }
}

/// `/workbook/fraud/{id}`: the record, its files (and the upload for who may correct it), its
/// earlier versions.
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
    let notice = match p.get("done").map(String::as_str) {
        Some("created") => Some("fraud.done_created"),
        Some("saved") => Some("workbook.done_saved"),
        Some("file") => Some("workbook.done_file"),
        _ => None,
    };
    let lang = Lang::from_headers(&headers);
    show_page(
        &state,
        &headers,
        &caller,
        id,
        Shown { notice: notice.map(|n| lang.t(n).to_string()), ..Shown::default() },
        StatusCode::OK,
    )
    .await
}

async fn show_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    s: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tok = csrf(headers);
    let d: InterceptionDetail = match detail(state, caller, id).await {
        Ok(d) => d,
        Err(_) => return not_found(lang, caller, tok),
    };
    let v = &d.interception;
    let title = lang.t("fraud.one");
    let body = html! {
        div.card #interception data-id=(v.id) {
            p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " a href="/workbook/fraud" { (lang.t("fraud.title")) } }
            h1 { (title) " · " (minute(&v.occurred_at)) }
            (s.notice())
            dl.facts {
                dt { (lang.t("org_unit")) } dd { (v.org_unit.name) " (" (v.org_unit.code) ")" }
                dt { (lang.t("fraud.scenario")) } dd #v-scenario { (scenario_text(lang, v)) }
                dt { (lang.t("fraud.where")) } dd { (place_text(lang, v)) }
                dt { (lang.t("fraud.customer_groups")) } dd { @if v.customer_groups.is_empty() { "—" } @else { (v.customer_groups.iter().map(|g| lang.name(*g)).collect::<Vec<_>>().join("、")) } }
                dt { (lang.t("fraud.amount_protected")) } dd #v-amount { (v.amount_protected) }
                dt { (lang.t("fraud.staff")) } dd { (v.staff.iter().map(|s| format!("{} ({})", s.name, s.username)).collect::<Vec<_>>().join("、")) }
                dt { (lang.t("fraud.police_called")) } dd { (lang.t(if v.police_called { "yes" } else { "no" })) }
                dt { (lang.t("fraud.description")) } dd.text { (v.description) }
                dt { (lang.t("workbook.recorded_by")) } dd { (v.provenance.recorded_by_name) " · " (minute(&v.provenance.recorded_at)) }
                dt { (lang.t("workbook.version")) } dd #v-version { (v.provenance.version) }
            }
            p.no-print {
                @if d.may_edit { a.button #edit-interception href={ "/workbook/fraud/" (v.id) "/edit" } { (lang.t("fraud.edit")) } " " }
                button type="button" data-print="" { (lang.t("workbook.print")) }
            }
        }
        div.card #files {
            h2 { (lang.t("workbook.files")) }
            @if d.files.is_empty() { p.muted #no-files { (lang.t("workbook.no_files")) } }
            @else { ul { @for f in &d.files { li { a href=(f.url) { (f.name) } " · " (f.uploaded_by) " · " (minute(&f.uploaded_at)) } } } }
            @if d.may_edit {
                form #file-form method="post" enctype="multipart/form-data" action={ "/workbook/fraud/" (v.id) "/files" } {
                    (hidden_csrf(&tok))
                    input type="file" name="file" accept=(xiaobao_core::attachment::ACCEPTED) required;
                    (s.err("file", &[]))
                    button type="submit" { (lang.t("rect.upload")) }
                    p.hint { (lang.t("workbook.upload_hint")) }
                }
            }
        }
        @if !d.versions.is_empty() {
            div.card #versions {
                h2 { (lang.t("workbook.versions")) }
                table.orders {
                    thead { tr { th { (lang.t("workbook.version")) } th { (lang.t("workbook.replaced")) } th { (lang.t("workbook.edit_reason")) } th { (lang.t("fraud.amount_protected")) } } }
                    tbody { @for x in &d.versions { tr {
                        td data-label=(lang.t("workbook.version")) { (x.version) }
                        td data-label=(lang.t("workbook.replaced")) { (x.replaced_by) " · " (minute(&x.replaced_at)) }
                        td data-label=(lang.t("workbook.edit_reason")) { (x.reason.clone().unwrap_or_else(|| "—".into())) }
                        td data-label=(lang.t("fraud.amount_protected")) { (x.record["amount_protected"].as_str().unwrap_or_default()) }
                    } } }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1);
    *res.status_mut() = status;
    res
}

pub async fn file_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let file = match super::super::forms::uploaded_file(&headers, &format!("/workbook/fraud/{id}"), m).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let e =
        match crate::api::workbook::editable(&state, &caller, xiaobao_core::workbook::Register::FraudInterception, id)
            .await
        {
            Ok(e) => e,
            Err(ApiError::NotFound) => return not_found(lang, &caller, csrf(&headers)),
            Err(err) => {
                let (status, shown) = Shown::refused("file", Fields::new(), lang, err);
                return show_page(&state, &headers, &caller, id, shown, status).await;
            }
        };
    let result = match file {
        Ok(Some((name, data))) => crate::api::workbook::attach(&state, &caller, &e, &name, &data).await.map(|_| ()),
        Ok(None) => Err(ApiError::invalid("file", "field.upload_choose_file")),
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/workbook/fraud/{id}?done=file#files")).into_response(),
        Err(err) => {
            let (status, shown) = Shown::refused("file", Fields::new(), lang, err);
            show_page(&state, &headers, &caller, id, shown, status).await
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/workbook/fraud", get(index))
        .route("/workbook/fraud/new", get(new_form).post(new_submit))
        .route("/workbook/fraud/{id}", get(show))
        .route("/workbook/fraud/{id}/edit", get(edit_form).post(edit_submit))
        .route(
            "/workbook/fraud/{id}/files",
            post(file_submit).layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
}
