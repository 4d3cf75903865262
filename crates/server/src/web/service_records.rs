//! The service records' page (`/service-records`): an employee's year of rewards and penalties, or a
//! unit's employees with their points for a manager, each employee's entries folded under their
//! line; the year's workbook for the annual appraisal; for the service department the form that
//! enters a reward or penalty by hand and the accountability proposed by liable decisions, each
//! confirmed with its penalty or dismissed with the reason, asked first and told after.

use super::forms::{Fields, Shown, caller_or_login, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, form_caller, html_response, not_found};
use crate::api::query::{Params, percent_encode};
use crate::api::service_records::{
    AccountabilityView, ConfirmBody, CreateRecord, DismissBody, accountabilities, add, decide, records,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use xiaobao_core::role::Permission;
use xiaobao_core::service::record::RecordKind;

/// Proposals shown at once, the oldest first: each is decided on the page, and the next come up.
const SHOWN_PROPOSALS: usize = 10;

/// `/service-records?user=&org_unit=&year=`.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let notice = match p.get("done").map(String::as_str) {
        Some("add") => Some(lang.t("records.done_add").to_string()),
        Some("confirm") => Some(lang.t("records.done_confirm").to_string()),
        Some("dismiss") => Some(lang.t("records.done_dismiss").to_string()),
        _ => None,
    };
    let shown = Shown { notice, ..Shown::default() };
    show(&state, &headers, &caller, p, shown, StatusCode::OK).await
}

async fn show(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: Params,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("records.title");
    let manager = caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService);
    let service = caller.can(Permission::ManageService);
    let tok = csrf(headers);
    let (view, error) = match records(state, caller, &p).await {
        Ok(v) => (Some(v), None),
        Err(ApiError::NotFound) => return not_found(lang, caller, tok),
        Err(e) => (None, Some(e.problem(lang.english()).detail)),
    };
    let proposals: Vec<AccountabilityView> =
        if service { accountabilities(state, caller, &Params::new()).await.unwrap_or_default() } else { vec![] };
    let year = view.as_ref().map(|v| v.year.to_string()).or_else(|| p.get("year").cloned()).unwrap_or_default();
    let unit = p.get("org_unit").cloned().unwrap_or_default();
    let export = format!(
        "/api/v1/service-records/export?year={}{}",
        percent_encode(&year),
        if unit.is_empty() { String::new() } else { format!("&org_unit={}", percent_encode(&unit)) }
    );
    let empty = Shown::default();
    let body = html! {
        div.card {
            h1 { (title) }
            (shown.notice())
            form.filters method="get" action="/service-records" {
                @if manager {
                    div { label for="r-unit" { (lang.t("org_unit")) } input #r-unit name="org_unit" value=(unit) placeholder=(caller.user.org_code); }
                    div { label for="r-user" { (lang.t("records.user")) } input #r-user name="user" value=(p.get("user").cloned().unwrap_or_default()); }
                }
                div { label for="r-year" { (lang.t("records.year")) } input #r-year name="year" inputmode="numeric" value=(year); }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(e) = &error { p.error role="alert" #records-error { (e) } }
            @if manager { p { a.button #records-xlsx href=(export) { (lang.t("records.export")) } } }
        }
        @if let Some(v) = &view {
            div.card #records {
                @if v.employees.is_empty() {
                    p.muted #no-records { (lang.t("records.none")) }
                } @else {
                    table.orders {
                        thead { tr { th { (lang.t("export.employee")) } th { (lang.t("org_unit")) } th.num { (lang.t("export.rewards")) } th.num { (lang.t("export.penalties")) } th.num { (lang.t("export.balance")) } } }
                        tbody { @for e in &v.employees { tr data-user=(e.user) {
                            td data-label=(lang.t("export.employee")) {
                                details { summary { (e.name) " (" (e.user) ")" }
                                    ul.entries { @for r in &e.entries { li data-record=(r.id) {
                                        span.nowrap { (r.created_at.get(..10).unwrap_or(&r.created_at)) } " · "
                                        strong { (lang.name(r.kind)) " " (r.points) } (lang.t("records.points_unit"))
                                        @if let Some(a) = &r.amount { " · " (a) (lang.t("records.yuan")) }
                                        " · " (r.reason) " · " span.muted { (lang.name(r.source)) }
                                    } } }
                                }
                            }
                            td data-label=(lang.t("org_unit")) { (e.org_unit) }
                            td.num data-label=(lang.t("export.rewards")) { (e.rewards) }
                            td.num data-label=(lang.t("export.penalties")) { (e.penalties) }
                            td.num.balance data-label=(lang.t("export.balance")) { (e.balance) }
                        } } }
                    }
                }
            }
        }
        @if service {
            div.card #accountability {
                h2 { (lang.t("records.proposed")) }
                @if proposals.is_empty() { p.muted #no-proposals { (lang.t("records.no_proposals")) } }
                @else if proposals.len() > SHOWN_PROPOSALS { p.hint #proposals-count { (tr!(lang, "records.proposals_more", shown = SHOWN_PROPOSALS, total = proposals.len())) } }
                @for a in proposals.iter().take(SHOWN_PROPOSALS) {
                    @let s = if shown.values.get("acc") == Some(&a.id.to_string()) { &shown } else { &empty };
                    div.panel data-accountability=(a.id) {
                        h3 { (a.name) " (" (a.user) ") · " (a.org_unit) }
                        p { (lang.t("records.from_complaint")) " " a href={ "/complaints/" (a.complaint_id) } { (a.complaint) }
                            " · " span.muted { (a.proposed_at.get(..10).unwrap_or(&a.proposed_at)) } }
                        div.columns {
                            form method="post" action={ "/service-records/accountability/" (a.id) "/confirm" }
                                data-confirm=(tr!(lang, "records.confirm_confirm", name = a.name)) {
                                (hidden_csrf(&tok))
                                input type="hidden" name="acc" value=(a.id);
                                (s.top("confirm", &["points", "amount", "reason"]))
                                label for={ "pts-" (a.id) } { (lang.t("export.points")) }
                                input id={ "pts-" (a.id) } name="points" inputmode="numeric" value=(s.val("confirm", "points"));
                                (s.err("confirm", &["points"]))
                                label for={ "amt-" (a.id) } { (lang.t("export.amount")) }
                                input id={ "amt-" (a.id) } name="amount" inputmode="decimal" value=(s.val("confirm", "amount"));
                                (s.err("confirm", &["amount"]))
                                label for={ "why-" (a.id) } { (lang.t("export.reason")) " *" }
                                input id={ "why-" (a.id) } name="reason" maxlength="500" value=(s.val("confirm", "reason"));
                                (s.err("confirm", &["reason"]))
                                button.primary type="submit" { (lang.t("records.confirm")) }
                            }
                            form method="post" action={ "/service-records/accountability/" (a.id) "/dismiss" }
                                data-confirm=(tr!(lang, "records.confirm_dismiss", name = a.name)) {
                                (hidden_csrf(&tok))
                                input type="hidden" name="acc" value=(a.id);
                                (s.top("dismiss", &["reason"]))
                                label for={ "dwhy-" (a.id) } { (lang.t("records.dismiss_reason")) " *" }
                                input id={ "dwhy-" (a.id) } name="reason" maxlength="500" value=(s.val("dismiss", "reason"));
                                (s.err("dismiss", &["reason"]))
                                button type="submit" { (lang.t("records.dismiss")) }
                            }
                        }
                    }
                }
            }
            form.card #add-record method="post" action="/service-records/add" {
                (hidden_csrf(&tok))
                h2 { (lang.t("records.add")) }
                (shown.top("add", &["user", "kind", "points", "amount", "reason"]))
                div.filters {
                    div { label for="a-user" { (lang.t("records.user")) " *" } input #a-user name="user" value=(shown.val("add", "user")); (shown.err("add", &["user"])) }
                    div { label for="a-kind" { (lang.t("export.kind")) }
                        select #a-kind name="kind" { @for k in RecordKind::ALL {
                            option value=(k.as_str()) selected[shown.val("add", "kind") == k.as_str()] { (lang.name(k)) } } }
                        (shown.err("add", &["kind"])) }
                    div { label for="a-points" { (lang.t("export.points")) } input #a-points name="points" inputmode="numeric" value=(shown.val("add", "points")); (shown.err("add", &["points"])) }
                    div { label for="a-amount" { (lang.t("export.amount")) } input #a-amount name="amount" inputmode="decimal" value=(shown.val("add", "amount")); (shown.err("add", &["amount"])) }
                }
                label for="a-reason" { (lang.t("export.reason")) " *" }
                input #a-reason name="reason" maxlength="500" value=(shown.val("add", "reason"));
                (shown.err("add", &["reason"]))
                button.primary #add-record-submit type="submit" { (lang.t("records.add")) }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1);
    *res.status_mut() =
        if error.is_some() && status == StatusCode::OK { StatusCode::UNPROCESSABLE_ENTITY } else { status };
    res
}

fn points(f: &Fields) -> Result<i64, ApiError> {
    let p = field(f, "points");
    let p = p.trim();
    if p.is_empty() {
        return Ok(0);
    }
    p.parse().map_err(|_| ApiError::invalid("points", "field.whole_number"))
}

fn amount(f: &Fields) -> Option<String> {
    Some(field(f, "amount")).filter(|a| !a.trim().is_empty())
}

pub async fn add_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let result = match points(&f) {
        Ok(points) => {
            let req = CreateRecord {
                user: field(&f, "user"),
                kind: field(&f, "kind"),
                points,
                amount: amount(&f),
                reason: field(&f, "reason"),
            };
            add(&state, &caller, req).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/service-records?done=add").into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("add", f, lang, e);
            show(&state, &headers, &caller, Params::new(), shown, status).await
        }
    }
}

pub async fn decide_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, verb)): Path<(i64, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let result = match verb.as_str() {
        "confirm" => match points(&f) {
            Ok(points) => {
                decide(
                    &state,
                    &caller,
                    id,
                    Some(ConfirmBody { points, amount: amount(&f), reason: field(&f, "reason") }),
                    None,
                )
                .await
            }
            Err(e) => Err(e),
        },
        "dismiss" => decide(&state, &caller, id, None, Some(DismissBody { reason: field(&f, "reason") })).await,
        _ => Err(ApiError::NotFound),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/service-records?done={verb}")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            // the refused form is the proposal's own (its hidden `acc`), shown again with its errors
            let mut f = f;
            f.insert("acc".into(), id.to_string());
            let form = if verb == "confirm" { "confirm" } else { "dismiss" };
            let (status, shown) = Shown::refused(form, f, lang, e);
            show(&state, &headers, &caller, Params::new(), shown, status).await
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/service-records", get(index))
        .route("/service-records/add", post(add_submit))
        .route("/service-records/accountability/{id}/{verb}", post(decide_submit))
}
