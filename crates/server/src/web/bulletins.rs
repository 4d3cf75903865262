//! The monthly bulletin's pages: a unit's month as published, else the draft computed now, with the
//! formula it is ranked by, the outlets and the employees ranked, the best and the worst marked and
//! those under the minimum volume listed apart; publishing (service department) asked first and
//! told after; the XLSX and a print view; the bulletins published before (`/bulletins`,
//! `/bulletins/{id}`).

use super::forms::{Csrf, caller_or_login, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, form_caller, html_response, no_permission, not_found};
use crate::api::bulletins::{BulletinRef, BulletinView, PublishBulletin, draft, publish, published};
use crate::api::query::{Params, percent_encode};
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
use xiaobao_core::service::bulletin::{Candidate, Ranking};
use xiaobao_core::time::local_date;

const CSS: &str = "\
tr.best td{background:#e3f4e8}tr.worst td{background:#fde2e1}.mark{font-weight:700}\
tr.best .mark{color:#17602b}tr.worst .mark{color:#a3150f}p.formula{background:#f4f5f7;padding:.5rem .7rem;border-radius:4px}\
@media print{header,nav,.no-print,form{display:none!important}.card{box-shadow:none;border:0}}\
";

fn may_read(caller: &Caller) -> bool {
    caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService)
}

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

fn pct(bp: Option<i64>) -> String {
    bp.map(|b| format!("{}.{:02}", b / 100, b % 100)).unwrap_or_else(|| "—".into())
}

/// The formula in words, with this bulletin's weights and minimums.
fn formula(lang: Lang, v: &BulletinView) -> Markup {
    let r = &v.rules;
    html! {
        p.formula #formula {
            (tr!(lang, "bulletin.formula",
                sat = r.weight_satisfaction, wait = r.weight_waiting, insp = r.weight_inspection,
                compl = r.weight_complaints, penalty = r.complaint_penalty))
            br;
            (tr!(lang, "bulletin.formula_rest", outlet = r.min_ratings_outlet, employee = r.min_ratings_employee, named = r.named))
        }
    }
}

fn table(lang: Lang, id: &str, r: &Ranking, best: &[String], worst: &[String], employees: bool) -> Markup {
    let cells = |c: &Candidate| {
        html! {
            td data-label=(lang.t("bulletin.name")) { (c.name) br; span.muted { (c.key) } }
            td.num data-label=(lang.t("bulletin.ratings")) { (c.ratings) }
            td.num data-label=(lang.t("bulletin.satisfaction")) { (pct(c.satisfaction_bp)) }
            td.num data-label=(lang.t("bulletin.overtime")) { (pct(c.overtime_bp)) }
            @if !employees {
                td.num data-label=(lang.t("bulletin.inspection")) { (pct(c.inspection_bp)) }
                td.num data-label=(lang.t("bulletin.liable")) { (pct(c.liable_per_10k_x100)) }
            }
        }
    };
    html! {
        @if r.ranked.is_empty() && r.unranked.is_empty() {
            p.muted { (lang.t("bulletin.nobody")) }
        } @else {
            table.orders id=(id) {
                thead { tr {
                    th { (lang.t("bulletin.rank")) } th { (lang.t("bulletin.name")) } th.num { (lang.t("bulletin.ratings")) }
                    th.num { (lang.t("bulletin.satisfaction")) } th.num { (lang.t("bulletin.overtime")) }
                    @if !employees { th.num { (lang.t("bulletin.inspection")) } th.num { (lang.t("bulletin.liable")) } }
                    th.num { (lang.t("bulletin.score")) } th { (lang.t("bulletin.named")) }
                } }
                tbody {
                    @for x in &r.ranked {
                        @let mark = if best.contains(&x.candidate.key) { Some(("best", "bulletin.best")) }
                            else if worst.contains(&x.candidate.key) { Some(("worst", "bulletin.worst")) } else { None };
                        tr class=[mark.map(|m| m.0)] data-key=(x.candidate.key) {
                            td data-label=(lang.t("bulletin.rank")) { (x.rank) }
                            (cells(&x.candidate))
                            td.num data-label=(lang.t("bulletin.score")) { (pct(Some(x.score_bp))) }
                            td.mark data-label=(lang.t("bulletin.named")) { @if let Some(m) = mark { (lang.t(m.1)) } }
                        }
                    }
                    @for c in &r.unranked {
                        tr.unranked data-key=(c.key) {
                            td data-label=(lang.t("bulletin.rank")) { "—" }
                            (cells(c))
                            td.num data-label=(lang.t("bulletin.score")) { "—" }
                            td.muted data-label=(lang.t("bulletin.named")) { (lang.t("bulletin.unranked")) }
                        }
                    }
                }
            }
        }
    }
}

/// The bulletin itself: the state (draft or published), the formula and both rankings.
fn bulletin(lang: Lang, v: &BulletinView) -> Markup {
    html! {
        div.card #bulletin data-state=(if v.id.is_some() { "published" } else { "draft" }) {
            h1 { (tr!(lang, "bulletin.title_of", unit = v.org_name, month = v.month)) }
            @if let (Some(by), Some(at)) = (&v.published_by, &v.published_at) {
                p #bulletin-state { span.badge { (lang.t("bulletin.published")) } " "
                    (tr!(lang, "bulletin.published_by", by = by, at = at.get(..16).unwrap_or(at).replace('T', " "))) }
            } @else {
                p #bulletin-state { span.badge { (lang.t("bulletin.draft")) } " " (lang.t("bulletin.draft_note")) }
            }
            (formula(lang, v))
            h2 { (lang.t("bulletin.outlets")) }
            (table(lang, "bulletin-outlets", &v.outlets, &v.best_outlets, &v.worst_outlets, false))
            h2 { (lang.t("bulletin.employees")) }
            (table(lang, "bulletin-employees", &v.employees, &v.best_employees, &v.worst_employees, true))
            p.no-print {
                a.button #bulletin-xlsx href={ "/api/v1/bulletins/export?org_unit=" (percent_encode(&v.org_unit)) "&month=" (v.month) } { (lang.t("bulletin.export")) }
                " "
                button type="button" data-print #print { (lang.t("inspections.print")) }
            }
        }
    }
}

fn published_list(lang: Lang, list: &[BulletinRef]) -> Markup {
    html! {
        div.card.no-print #published {
            h2 { (lang.t("bulletin.history")) }
            @if list.is_empty() { p.muted #no-bulletins { (lang.t("bulletin.none_published")) } }
            @else {
                ul { @for b in list { li data-bulletin=(b.id) {
                    a href={ "/bulletins/" (b.id) } { (tr!(lang, "bulletin.title_of", unit = b.org_name, month = b.month)) }
                    " · " span.muted { (b.published_by) " · " (b.published_at.get(..10).unwrap_or(&b.published_at)) }
                } } }
            }
        }
    }
}

/// `/bulletins?org_unit=&month=`: the month's bulletin (default last month, the caller's unit).
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let title = lang.t("bulletin.page_title");
    if !may_read(&caller) {
        return no_permission(lang, &caller, csrf(&headers), title);
    }
    let p = crate::api::query::without_blanks(p);
    let tok = csrf(&headers);
    let list = state.store.bulletins(&caller.user.org_path).await.unwrap_or_default();
    let refs = crate::api::bulletins::refs(&list);
    let (view, error) = match draft(&state, &caller, &p).await {
        Ok(v) => (Some(v), None),
        Err(ApiError::NotFound) => return not_found(lang, &caller, tok),
        Err(e) => (None, Some(e)),
    };
    let today = local_date(state.clock.now());
    let notice = match p.get("done").map(String::as_str) {
        Some("publish") => Some(lang.t("bulletin.done_publish")),
        _ => None,
    };
    let unit = p.get("org_unit").cloned().or_else(|| view.as_ref().map(|v| v.org_unit.clone())).unwrap_or_default();
    let month = p.get("month").cloned().or_else(|| view.as_ref().map(|v| v.month.clone())).unwrap_or_default();
    let may_publish = view.as_ref().is_some_and(|v| {
        v.id.is_none()
            && caller.can(Permission::ManageService)
            && chrono::NaiveDate::parse_from_str(&format!("{}-01", v.month), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .is_some_and(|next| next <= today)
    });
    let body = html! {
        div.card.no-print {
            @if let Some(n) = notice { p.notice #notice role="status" { (n) } }
            form.filters method="get" action="/bulletins" {
                div { label for="b-unit" { (lang.t("org_unit")) } input #b-unit name="org_unit" value=(unit); }
                div { label for="b-month" { (lang.t("bulletin.month")) } input #b-month type="month" name="month" value=(month); }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(e) = &error { p.error role="alert" #bulletin-error { (e.problem(lang.english()).detail) } }
        }
        @if let Some(v) = &view {
            (bulletin(lang, v))
            @if may_publish {
                form.card.no-print #publish-form method="post" action="/bulletins/publish"
                    data-confirm=(tr!(lang, "bulletin.confirm_publish", unit = v.org_name, month = v.month)) {
                    (hidden_csrf(&tok))
                    input type="hidden" name="org_unit" value=(v.org_unit);
                    input type="hidden" name="month" value=(v.month);
                    h2 { (lang.t("bulletin.publish")) }
                    p.hint { (lang.t("bulletin.publish_hint")) }
                    button.primary #publish type="submit" { (lang.t("bulletin.publish")) }
                }
            }
        }
        (published_list(lang, &refs))
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&headers, &caller, tok, title, status, body)
}

/// `/bulletins/{id}`: a published bulletin, as published.
pub async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let title = lang.t("bulletin.page_title");
    if !may_read(&caller) {
        return no_permission(lang, &caller, csrf(&headers), title);
    }
    let tok = csrf(&headers);
    match published(&state, &caller, id).await {
        Ok(v) => {
            let body = html! { (bulletin(lang, &v)) p.no-print { a href="/bulletins" { (lang.t("bulletin.back")) } } };
            render(&headers, &caller, tok, title, StatusCode::OK, body)
        }
        Err(_) => not_found(lang, &caller, tok),
    }
}

/// The publish form: publishes, then shows the month published with its notice.
pub async fn publish_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<super::forms::Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let req = PublishBulletin { org_unit: field(&f, "org_unit"), month: field(&f, "month") };
    let back = format!("/bulletins?org_unit={}&month={}", percent_encode(&req.org_unit), percent_encode(&req.month));
    match publish(&state, &caller, req).await {
        Ok(_) => Redirect::to(&format!("{back}&done=publish")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let p = e.problem(lang.english());
            let body = html! { div.card { h1 { (lang.t("bulletin.publish")) } p.error role="alert" #bulletin-error { (p.detail) } p { a href=(back) { (lang.t("bulletin.back")) } } } };
            render(
                &headers,
                &caller,
                csrf(&headers),
                lang.t("bulletin.page_title"),
                StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
                body,
            )
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/bulletins", get(index))
        .route("/bulletins/publish", post(publish_submit))
        .route("/bulletins/{id}", get(show))
}
