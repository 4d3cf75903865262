//! The period statistics page: a unit's and its children's customers and transactions for a month,
//! quarter or year — entered, summed from below, or missing — with a form to enter one unit's figures,
//! a button to clear them, and the import of a whole table (XLSX or CSV). Every change goes through the
//! API's own functions, so the checks are the same.

use super::layout::page;
use super::pages::{csrf, csrf_ok, forbidden_form, form_caller, html_response, no_permission, shown};
use crate::api::period_stats::{CheckedFigures, FiguresPreview, PeriodStatsImported, PeriodStatsView, period_table};
use crate::api::query::{Params, percent_encode};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;

/// The period shown when none is asked for: last month, whose figures are the ones being entered.
fn default_period(state: &AppState) -> String {
    Period::month_before(local_date(state.clock.now())).to_string()
}

fn may_open(caller: &Caller) -> bool {
    caller.can(Permission::ReadMeasures) || caller.can(Permission::EnterStatistics)
}

/// A refused form: which, the field named first, and every problem in words.
struct PageError {
    form: &'static str,
    field: String,
    problems: Vec<String>,
}

/// An import checked and waiting for its user to confirm what it replaces.
struct Preview {
    token: String,
    report: PeriodStatsImported,
    /// The figures changed between the preview shown before and this one.
    changed: bool,
}

/// The page, with a notice after a change, an error beside the form that caused it, or an import's
/// preview to confirm.
async fn render(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    error: Option<PageError>,
    preview: Option<Preview>,
) -> Response {
    let lang = Lang::from_headers(headers);
    let (token, set) = csrf(headers);
    let title = lang.t("period_stats");
    if !may_open(caller) {
        return no_permission(lang, caller, (token, set), title);
    }
    let mut q = p.clone();
    if q.get("period").is_none_or(|s| s.trim().is_empty()) {
        q.insert("period".into(), default_period(state));
    }
    let table = period_table(state, caller, &q).await;
    let (rows, filter_error): (Option<Vec<PeriodStatsView>>, _) = match shown(table, lang, "period statistics") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let rows = rows.unwrap_or_default();
    let period = q.get("period").cloned().unwrap_or_default();
    let unit = q.get("org_unit").cloned().unwrap_or_default();
    let may_enter = caller.can(Permission::EnterStatistics);
    let form_error = |form: &str| {
        html! {
            @if let Some(e) = error.as_ref().filter(|e| e.form == form) {
                @if e.problems.len() > 1 {
                    div.error.form-error data-form=(form) data-field=(e.field) role="alert" {
                        p { (tr!(lang, "statistics.import_problems", n = lang.int(e.problems.len() as i64))) }
                        ul #import-problems { @for d in &e.problems { li { (d) } } }
                    }
                } @else {
                    p.error.form-error data-form=(form) data-field=(e.field) role="alert" { (e.problems.join(" ")) }
                }
            }
        }
    };
    let figure = |v: Option<i64>| v.map_or("—".to_string(), |v| lang.int(v));
    let body = html! {
        (super::measures::tabs(lang, caller, "period_stats"))
        @if let Some(pv) = &preview { (preview_card(lang, &token, &unit, pv)) }
        div.card {
            h1 { (title) }
            form #stats-filter method="get" action="/statistics" {
                div.filters {
                    (super::measures::unit_field(lang, "s-unit", &unit, caller, &filter_error))
                    div {
                        label for="s-period" { (lang.t("period")) }
                        input #s-period name="period" value=(period) maxlength="7" placeholder="2025-03 / 2025-Q1 / 2025";
                        (super::lists::field_error(&filter_error, "period"))
                    }
                }
                button type="submit" { (lang.t("apply")) }
            }
            @if p.get("imported").is_some() {
                @let count = |k: &str| lang.int(p.get(k).and_then(|v| v.parse().ok()).unwrap_or(0));
                p.notice #notice role="status" {
                    (tr!(lang, "statistics.imported", n = count("imported"), added = count("added"), unchanged = count("unchanged"), replaced = count("replaced")))
                }
            }
            @if p.get("saved").is_some() {
                p.notice #notice role="status" { (lang.t("statistics.saved")) }
            }
            @if p.get("cleared").is_some() {
                p.notice #notice role="status" { (lang.t("statistics.cleared")) }
            }
            (form_error("clear"))
            @if filter_error.is_none() {
                div.scroll { table #stats {
                    thead { tr {
                        th { (lang.t("org_unit")) }
                        th.num { (lang.t("customers")) }
                        th.num { (lang.t("transactions")) }
                        th { (lang.t("source")) }
                        @if may_enter { th { } }
                    } }
                    tbody {
                        @for (i, r) in rows.iter().enumerate() {
                            tr data-unit=(r.org_unit) {
                                td {
                                    @if i == 0 { (r.name) " (" (r.org_unit) ")" }
                                    @else { a href={ "/statistics?org_unit=" (r.org_unit) "&period=" (r.period) } { (r.name) " (" (r.org_unit) ")" } }
                                }
                                td.num { (figure(r.customers)) }
                                td.num { (figure(r.transactions)) }
                                td {
                                    @if r.entered { (lang.t("entered")) }
                                    @else if r.customers.is_some() { span.muted { (lang.t("summed")) } }
                                    @else { span.muted { (lang.t("missing")) } }
                                }
                                @if may_enter {
                                    td {
                                        @if r.entered {
                                            @let (row_unit, row_period) = (&r.org_unit, &r.period);
                                            form.inline method="post" action="/statistics/clear" data-confirm=(tr!(lang, "statistics.confirm_clear", unit = row_unit, period = row_period)) {
                                                input type="hidden" name="_csrf" value=(token);
                                                input type="hidden" name="org_unit" value=(r.org_unit);
                                                input type="hidden" name="period" value=(r.period);
                                                input type="hidden" name="back" value=(unit);
                                                button type="submit" { (lang.t("clear")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
                @if rows.iter().skip(1).all(|r| r.customers.is_none()) && rows.first().is_some_and(|r| r.customers.is_none()) {
                    p.muted #empty { (lang.t("statistics.no_figures")) }
                }
                p { a #template href={ "/statistics/template.csv?org_unit=" (unit) "&period=" (period) } { (lang.t("download_template")) } }
            }
        }
        @if may_enter {
            div.card {
                h2 { (lang.t("enter_figures")) }
                form #stats-form method="post" action="/statistics" {
                    input type="hidden" name="_csrf" value=(token);
                    input type="hidden" name="back" value=(unit);
                    div.filters {
                        div {
                            label for="e-unit" { (lang.t("org_unit_code")) }
                            input #e-unit name="org_unit" required maxlength="32" list="stats-units";
                            datalist #stats-units { @for r in &rows { option value=(r.org_unit) { (r.name) } } }
                        }
                        div {
                            label for="e-period" { (lang.t("period")) }
                            input #e-period name="period" required maxlength="7" value=(period);
                        }
                        div {
                            label for="e-customers" { (lang.t("customers")) }
                            input #e-customers name="customers" required inputmode="numeric";
                        }
                        div {
                            label for="e-transactions" { (lang.t("transactions")) }
                            input #e-transactions name="transactions" required inputmode="numeric";
                        }
                    }
                    (form_error("enter"))
                    button.primary type="submit" { (lang.t("save")) }
                }
            }
            div.card {
                h2 { (lang.t("import_figures")) }
                p.muted { (import_help(lang)) }
                form #import-form method="post" action="/statistics/import" enctype="multipart/form-data" {
                    input type="hidden" name="_csrf" value=(token);
                    input type="hidden" name="back" value=(unit);
                    input #import-file type="file" name="file" accept=".xlsx,.csv,text/csv" required;
                    (form_error("import"))
                    button.primary type="submit" { (lang.t("import")) }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), title, body), set);
    if error.is_some() || (filter_error.is_some() && preview.is_none()) {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

pub async fn page_statistics(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    render(&state, &headers, &caller, &p, None, None).await
}

/// Back to the page of the unit shown before, on the period just changed, with a notice.
fn back(f: &Params, notice: &str) -> Response {
    let unit = f.get("back").map(String::as_str).unwrap_or("");
    let period = f.get("period").map(String::as_str).unwrap_or("");
    let q: String = [("org_unit", unit), ("period", period)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}&", percent_encode(v)))
        .collect();
    Redirect::to(&format!("/statistics?{q}{notice}")).into_response()
}

/// The page again after a refusal, showing what was asked for.
async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    f: &Params,
    form: &'static str,
    e: ApiError,
) -> Response {
    let lang = Lang::from_headers(headers);
    let p = e.problem(lang.english());
    let mut q = Params::new();
    if let Some(u) = f.get("back") {
        q.insert("org_unit".into(), u.clone());
    }
    if let Some(period) = f.get("period") {
        q.insert("period".into(), period.clone());
    }
    let field = p.field.clone().unwrap_or_default();
    let problems =
        if p.errors.len() > 1 { p.errors.iter().map(|e| e.detail.clone()).collect() } else { vec![p.detail.clone()] };
    let mut res = render(state, headers, caller, &q, Some(PageError { form, field, problems }), None).await;
    if p.status == 403 {
        *res.status_mut() = StatusCode::FORBIDDEN;
    }
    res
}

/// One unit's figures entered from the form.
pub async fn enter(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Params>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let number = |name: &str| -> Result<i64, ApiError> {
        let s = f.get(name).map(|s| s.trim().replace([',', '，'], "")).unwrap_or_default();
        s.parse().map_err(|_| ApiError::invalid(name, "field.whole_number"))
    };
    let result = async {
        let req = crate::api::period_stats::PutPeriodStats {
            org_unit: f.get("org_unit").cloned().unwrap_or_default(),
            period: f.get("period").cloned().unwrap_or_default(),
            customers: number("customers")?,
            transactions: number("transactions")?,
        };
        crate::api::period_stats::enter_one(&state, &caller, req).await
    }
    .await;
    match result {
        Ok(_) => back(&f, "saved=1"),
        Err(e) => refused(&state, &headers, &caller, &f, "enter", e).await,
    }
}

/// Clears what was entered for a unit and period (after the browser asked to confirm).
pub async fn clear(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Params>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match crate::api::period_stats::clear_one(&state, &caller, &f).await {
        Ok(()) => back(&f, "cleared=1"),
        Err(e) => refused(&state, &headers, &caller, &f, "clear", e).await,
    }
}

/// Back to the page after an import was written, saying what it did.
fn imported(fields: &mut Params, r: &PeriodStatsImported) -> Response {
    if let Some(p) = r.periods.first() {
        fields.insert("period".into(), p.clone());
    }
    let notice =
        format!("imported={}&added={}&unchanged={}&replaced={}", r.rows, r.added, r.unchanged, r.replaced_count);
    back(fields, &notice)
}

/// The page with an import's preview: what it replaces, to be confirmed.
async fn previewed(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    fields: &Params,
    checked: CheckedFigures,
    seen: FiguresPreview,
    changed: bool,
) -> Response {
    let report = checked.report(&seen, false);
    let mut q = Params::new();
    if let Some(u) = fields.get("back").filter(|u| !u.is_empty()) {
        q.insert("org_unit".into(), u.clone());
    }
    if let Some(p) = report.periods.first() {
        q.insert("period".into(), p.clone());
    }
    let token = state.pending_imports.hold(caller.user.id, checked, seen);
    render(state, headers, caller, &q, None, Some(Preview { token, report, changed })).await
}

/// A table uploaded from the import form: every problem of every row told at the form, nothing
/// written; a table that replaces figures entered before is shown first, old → new, to be confirmed;
/// one that replaces none is written at once.
pub async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let Ok(m) = m else { return forbidden_form() };
    let mut fields = Params::new();
    let file = crate::api::attachments::read_file_part(m, |name, value| {
        fields.insert(name.to_string(), value);
    })
    .await;
    if !csrf_ok(&headers, fields.get("_csrf").map(String::as_str).unwrap_or("")) {
        return forbidden_form();
    }
    let checked = match file {
        Ok(Some((_, bytes))) => crate::api::period_stats::check_for(&state, &caller, &bytes).await,
        Ok(None) => Err(ApiError::invalid("file", "field.upload_choose_file")),
        Err(e) => Err(e),
    };
    let result = async {
        let checked = checked?;
        let seen = checked.preview(&state.store).await?;
        Ok::<_, ApiError>((checked, seen))
    }
    .await;
    match result {
        Ok((checked, seen)) if checked.report(&seen, false).replaced_count > 0 => {
            previewed(&state, &headers, &caller, &fields, checked, seen, false).await
        }
        Ok((checked, seen)) => {
            let now = state.clock.now().timestamp_millis();
            match checked.write(&state.store, &seen, Some(caller.user.id), now).await {
                Ok(r) => imported(&mut fields, &r),
                Err(e) => refused(&state, &headers, &caller, &fields, "import", e).await,
            }
        }
        Err(e) => refused(&state, &headers, &caller, &fields, "import", e).await,
    }
}

/// The preview's confirmation: the import is written, in one transaction, when the figures it
/// replaces are still those shown; otherwise the preview is shown again as they are now.
pub async fn confirm_import(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Params>) -> Response {
    let mut f = f;
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(e) = caller.require(Permission::EnterStatistics) {
        return refused(&state, &headers, &caller, &f, "import", e).await;
    }
    let token = f.get("token").cloned().unwrap_or_default();
    let Some((checked, shown)) = state.pending_imports.take(caller.user.id, &token) else {
        let e = ApiError::invalid("file", "field.import_expired");
        return refused(&state, &headers, &caller, &f, "import", e).await;
    };
    let now_seen = match checked.preview(&state.store).await {
        Ok(s) => s,
        Err(e) => return refused(&state, &headers, &caller, &f, "import", e).await,
    };
    if now_seen != shown {
        return previewed(&state, &headers, &caller, &f, checked, now_seen, true).await;
    }
    let now = state.clock.now().timestamp_millis();
    match checked.write(&state.store, &shown, Some(caller.user.id), now).await {
        Ok(r) => imported(&mut f, &r),
        Err(ApiError::Conflict(_)) => {
            let Ok(seen) = checked.preview(&state.store).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            previewed(&state, &headers, &caller, &f, checked, seen, true).await
        }
        Err(e) => refused(&state, &headers, &caller, &f, "import", e).await,
    }
}

/// What an import replaces, old → new, with the button that writes it and a way back.
fn preview_card(lang: Lang, csrf: &str, back_unit: &str, pv: &Preview) -> maud::Markup {
    let r = &pv.report;
    let int = |n: usize| lang.int(n as i64);
    let old_new = |old: i64, new: i64| {
        html! {
            @if old == new { (lang.int(old)) }
            @else { span.muted { (lang.int(old)) } " → " strong { (lang.int(new)) } }
        }
    };
    html! {
        div.card #import-preview {
            h2 { (tr!(lang, "statistics.preview_title", n = int(r.replaced_count))) }
            @if pv.changed {
                p.error #preview-changed role="alert" { (lang.t("statistics.preview_changed")) }
            }
            p { (tr!(lang, "statistics.preview_summary", rows = int(r.rows), added = int(r.added), unchanged = int(r.unchanged), replaced = int(r.replaced_count))) }
            div.scroll { table #preview {
                thead { tr {
                    th { (lang.t("org_unit")) } th { (lang.t("period")) }
                    th.num { (lang.t("customers")) } th.num { (lang.t("transactions")) }
                } }
                tbody {
                    @for c in &r.replaced {
                        tr data-unit=(c.org_unit) data-period=(c.period) {
                            td { (c.name) " (" (c.org_unit) ")" }
                            td { (c.period) }
                            td.num { (old_new(c.old.customers, c.new.customers)) }
                            td.num { (old_new(c.old.transactions, c.new.transactions)) }
                        }
                    }
                }
            } }
            @if r.replaced_count > r.replaced.len() {
                p.muted { (tr!(lang, "statistics.preview_more", n = int(r.replaced_count - r.replaced.len()))) }
            }
            form #import-confirm method="post" action="/statistics/import/confirm" {
                input type="hidden" name="_csrf" value=(csrf);
                input type="hidden" name="token" value=(pv.token);
                input type="hidden" name="back" value=(back_unit);
                button.primary.heavy type="submit" { (tr!(lang, "statistics.confirm_replace", n = int(r.replaced_count), rows = int(r.rows))) }
                " "
                a.button #import-cancel href={ "/statistics?org_unit=" (percent_encode(back_unit)) } { (lang.t("statistics.cancel_import")) }
            }
        }
    }
}

/// The table of the page as a CSV file to fill in and import: one row per unit, current figures kept.
pub async fn template(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    if !may_open(&caller) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut q = p.clone();
    if q.get("period").is_none_or(|s| s.trim().is_empty()) {
        q.insert("period".into(), default_period(&state));
    }
    match period_table(&state, &caller, &q).await {
        Ok(rows) => {
            // only what was entered: sums are worked out, not typed
            let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
            let mut write = || -> Result<Vec<u8>, csv::Error> {
                w.write_record(template_header())?;
                for r in &rows {
                    let n = |v: Option<i64>| v.filter(|_| r.entered).map(|v| v.to_string()).unwrap_or_default();
                    w.write_record([
                        r.org_unit.clone(),
                        r.period.clone(),
                        n(r.customers),
                        n(r.transactions),
                        r.name.clone(),
                    ])?;
                }
                w.flush()?;
                Ok(w.get_ref().clone())
            };
            let Ok(csv) = write() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
            let name =
                format!("attachment; filename=\"period-stats-{}.csv\"", q.get("period").cloned().unwrap_or_default());
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv)
                .into_response()
        }
        Err(_) => render(&state, &headers, &caller, &p, None, None).await,
    }
}

/// The Chinese names of the import's columns, as a file's header row names them.
fn column_names() -> [&'static str; 4] {
    [
        Lang::Zh.t("import.column.org_unit"),
        Lang::Zh.t("import.column.period"),
        Lang::Zh.t("import.column.customers"),
        Lang::Zh.t("import.column.transactions"),
    ]
}

/// What the import takes, naming the columns' Chinese headers in either language.
fn import_help(lang: Lang) -> String {
    let [unit, period, customers, transactions] = column_names();
    tr!(
        lang,
        "statistics.import_help",
        unit = unit,
        period = period,
        customers = customers,
        transactions = transactions
    )
}

/// The template's header row: the import's columns by their Chinese names, then the unit's name.
fn template_header() -> [&'static str; 5] {
    let [unit, period, customers, transactions] = column_names();
    [unit, period, customers, transactions, Lang::Zh.t("statistics.column_unit_name")]
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/statistics", axum::routing::get(page_statistics).post(enter))
        .route("/statistics/clear", axum::routing::post(clear))
        .route(
            "/statistics/import",
            axum::routing::post(import)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/statistics/import/confirm", axum::routing::post(confirm_import))
        .route("/statistics/template.csv", axum::routing::get(template))
}
