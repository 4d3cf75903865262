//! The consumer-protection review pages: the register (`/workbook/reviews`) with its filters, pages
//! and export; the submission form (`/workbook/reviews/new`); one review (`/workbook/reviews/{id}`)
//! with its opinions, clocks and files, and the form of the step the caller may take now (review,
//! re-check, answers, the final material, the sample check); the correction form before the first
//! review; the monthly sampling (`/workbook/reviews/samples`).

use super::super::forms::{Fields, Shown, caller_or_login, field, hidden_csrf};
use super::super::layout::page;
use super::super::lists::{pager, query_with};
use super::super::pages::{csrf, form_caller, html_response, not_found};
use crate::api::query::Params;
use crate::api::workbook::review::{
    CheckIn, ConcludeIn, DrawIn, EditReview, ReviewDetail, ReviewView, SampleView, check, conclude, detail, draw_month,
    edit, list, recheck, respond, review, samples, submit,
};
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
use xiaobao_core::workbook::Register;
use xiaobao_core::workbook::review::{
    AnswerIn, AnswersIn, OpinionIn, OpinionsIn, ReviewIn, ReviewKind, ReviewStage, ReviewState,
};

/// Opinion rows a reviewer's form offers (empty ones are left out).
const OPINION_ROWS: usize = 6;

fn minute(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

fn crumbs(lang: Lang) -> Markup {
    html! { p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " a href="/workbook/reviews" { (lang.t("review.title")) } } }
}

fn respond_page(
    lang: Lang,
    caller: &Caller,
    tok: &(String, Option<axum::http::HeaderValue>),
    title: &str,
    body: Markup,
    status: StatusCode,
) -> Response {
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), title, body), tok.1.clone());
    *res.status_mut() = status;
    res
}

/// `/workbook/reviews`.
pub async fn index(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let p = crate::api::query::without_blanks(p);
    let title = lang.t("review.title");
    let (rows, error) = match list(&state, &caller, &p).await {
        Ok(r) => (Some(r), None),
        Err(ApiError::Forbidden(_)) => return not_found(lang, &caller, csrf(&headers)),
        Err(e) => (None, Some(crate::web::forms::refused_all(lang, e).1)),
    };
    let val = |k: &str| p.get(k).cloned().unwrap_or_default();
    let tok = csrf(&headers);
    let body = html! {
        div.card {
            p.muted { a href="/workbook" { (lang.t("workbook.title")) } " › " (title) }
            h1 { (title) }
            p.hint { (lang.t("review.intro")) }
            p {
                @if caller.can(Permission::SubmitReviews) {
                    a.button.primary #new-review href="/workbook/reviews/new" { (lang.t("review.new")) } " "
                }
                @if caller.can(Permission::SampleReviews) || caller.can(Permission::ReadMeasures) {
                    a.button #review-samples href="/workbook/reviews/samples" { (lang.t("review.samples")) }
                }
            }
            form.filters #review-filters method="get" action="/workbook/reviews" {
                div { label for="f-unit" { (lang.t("org_unit_code")) } input #f-unit name="org_unit" value=(val("org_unit")) placeholder=(caller.user.org_code); }
                div { label for="f-from" { (lang.t("workbook.from_date")) } input #f-from type="date" name="from" value=(val("from")); }
                div { label for="f-to" { (lang.t("workbook.to_date")) } input #f-to type="date" name="to" value=(val("to")); }
                div { label for="f-kind" { (lang.t("review.kind")) }
                    select #f-kind name="kind" {
                        option value="" { (lang.t("any")) }
                        @for k in ReviewKind::ALL { option value=(k.as_str()) selected[val("kind") == k.as_str()] { (lang.name(k)) } }
                    }
                }
                div { label for="f-state" { (lang.t("review.state")) }
                    select #f-state name="state" {
                        option value="" { (lang.t("any")) }
                        @for s in ReviewState::ALL { option value=(s.as_str()) selected[val("state") == s.as_str()] { (lang.name(s)) } }
                    }
                }
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
            div.card #reviews {
                p.muted #review-total { (tr!(lang, "workbook.total", total = rows.total)) " · "
                    a #review-xlsx href={ "/api/v1/cp-reviews/export?" (query_with(&p, None)) } { (lang.t("workbook.export")) } }
                @if rows.items.is_empty() {
                    p.muted #no-reviews { (lang.t("review.none")) }
                } @else {
                    table.orders {
                        thead { tr {
                            th { (lang.t("review.submitted_at")) } th { (lang.t("review.subject")) } th { (lang.t("org_unit")) }
                            th { (lang.t("review.kind")) } th { (lang.t("review.state")) } th { (lang.t("review.due")) }
                        } }
                        tbody { @for v in &rows.items { tr data-id=(v.id) {
                            td data-label=(lang.t("review.submitted_at")) { (minute(&v.submitted_at)) }
                            td data-label=(lang.t("review.subject")) { a href={ "/workbook/reviews/" (v.id) } { (v.title) } }
                            td data-label=(lang.t("org_unit")) { (v.org_unit.name) }
                            td data-label=(lang.t("review.kind")) { (lang.name(v.kind)) " · " (lang.name(v.stage)) }
                            td data-label=(lang.t("review.state")) { (lang.name(v.state)) }
                            td data-label=(lang.t("review.due")) {
                                @if let Some(d) = &v.due_at { span class=[v.overdue.then_some("overdue")] { (minute(d)) @if v.overdue { " · " (lang.t("review.overdue")) } } }
                                @else { "—" }
                            }
                        } } }
                    }
                    (pager(lang, "/workbook/reviews", &p, rows.page, rows.per_page, rows.total))
                }
            }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    respond_page(lang, &caller, &tok, title, body, status)
}

const FIELDS: &[&str] = &["org_unit", "kind", "stage", "title", "description", "reason", "version", "record.org_unit"];

fn record_from(f: &Fields) -> ReviewIn {
    ReviewIn {
        org_unit: field(f, "org_unit"),
        kind: field(f, "kind"),
        stage: field(f, "stage"),
        title: field(f, "title"),
        description: field(f, "description"),
    }
}

/// The submission form, new or correcting one (`late`: a reason is required).
fn form(lang: Lang, tok: &str, id: Option<i64>, s: &Shown, late: Option<u32>) -> Markup {
    let v = |k: &str| s.val("review", k);
    let req = html! { span.required aria-hidden="true" { " *" } };
    let errs = |names: &[&str]| s.err("review", names);
    let action = match id {
        Some(id) => format!("/workbook/reviews/{id}/edit"),
        None => "/workbook/reviews/new".into(),
    };
    let counted = if s.form == "review" { s.errors.len() } else { 0 };
    html! {
        form.card #review-form method="post" action=(action) novalidate {
            (hidden_csrf(&(tok.to_string(), None)))
            @if counted > 0 { p.error #error-count role="alert" { (tr!(lang, "workbook.errors", count = counted)) } }
            (s.top("review", FIELDS))
            @if id.is_some() { input type="hidden" name="version" value=(v("version")); }
            div.columns {
                div { label for="r-unit" { (lang.t("review.unit")) (req) }
                    input #r-unit name="org_unit" value=(v("org_unit")) maxlength="50" readonly[id.is_some()];
                    (errs(&["org_unit", "record.org_unit"])) }
                div { label for="r-kind" { (lang.t("review.kind")) (req) }
                    select #r-kind name="kind" { @for k in ReviewKind::ALL { option value=(k.as_str()) selected[v("kind") == k.as_str()] { (lang.name(k)) } } }
                    (errs(&["kind"])) }
                div { label for="r-stage" { (lang.t("review.stage")) (req) }
                    select #r-stage name="stage" { @for k in ReviewStage::ALL { option value=(k.as_str()) selected[v("stage") == k.as_str()] { (lang.name(k)) } } }
                    (errs(&["stage"])) }
            }
            label for="r-title" { (lang.t("review.subject")) (req) }
            input #r-title name="title" value=(v("title")) maxlength="200";
            (errs(&["title"]))
            label for="r-description" { (lang.t("review.description")) (req) }
            textarea #r-description name="description" rows="6" maxlength="2000" { (v("description")) }
            (errs(&["description"]))
            @if id.is_some() {
                label for="r-reason" { (lang.t("workbook.edit_reason")) @if late.is_some() { (req) } }
                input #r-reason name="reason" maxlength="500" value=(v("reason"));
                @if let Some(hours) = late { small.muted { (tr!(lang, "workbook.reason_hint", hours = hours)) } }
                (errs(&["reason"]))
            } @else {
                p.hint { (lang.t("review.files_after")) }
            }
            p { button.primary #review-submit type="submit" { (lang.t(if id.is_some() { "workbook.save" } else { "review.submit" })) } }
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
    let title = lang.t(if id.is_some() { "review.edit" } else { "review.new" });
    let late = match id {
        Some(id) => match crate::api::workbook::review::for_submitter(state, caller, id).await {
            Ok(e) => crate::api::workbook::edit_reason(state, &e, None)
                .err()
                .map(|_| state.store.rules().workbook.edit_grace_hours),
            Err(_) => return not_found(lang, caller, tok),
        },
        None => None,
    };
    let body = html! {
        div.card { (crumbs(lang)) h1 { (title) } p.hint { (lang.t("review.form_hint")) } }
        (form(lang, &tok.0, id, &s, late))
    };
    respond_page(lang, caller, &tok, title, body, status)
}

/// `/workbook/reviews/new`.
pub async fn new_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !caller.can(Permission::SubmitReviews) {
        return not_found(Lang::from_headers(&headers), &caller, csrf(&headers));
    }
    let mut values = Fields::new();
    values.insert("org_unit".into(), caller.user.org_code.clone());
    let s = Shown { form: "review", values, ..Shown::default() };
    show_form(&state, &headers, &caller, None, s, StatusCode::OK).await
}

pub async fn new_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    match submit(&state, &caller, &record_from(&f)).await {
        Ok(d) => Redirect::to(&format!("/workbook/reviews/{}?done=created", d.review.id)).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("review", f, lang, e);
            show_form(&state, &headers, &caller, None, shown, status).await
        }
    }
}

/// `/workbook/reviews/{id}/edit`.
pub async fn edit_form(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let Ok(d) = detail(&state, &caller, id).await else { return not_found(lang, &caller, csrf(&headers)) };
    let v = &d.review;
    let mut values = Fields::new();
    values.insert("org_unit".into(), v.org_unit.code.clone());
    values.insert("kind".into(), v.kind.as_str().into());
    values.insert("stage".into(), v.stage.as_str().into());
    values.insert("title".into(), v.title.clone());
    values.insert("description".into(), v.description.clone());
    values.insert("version".into(), v.provenance.version.to_string());
    let s = Shown { form: "review", values, ..Shown::default() };
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
    let body = EditReview {
        version: field(&f, "version").trim().parse().unwrap_or(0),
        reason: Some(field(&f, "reason")).filter(|r| !r.trim().is_empty()),
        record: record_from(&f),
    };
    match edit(&state, &caller, id, &body).await {
        Ok(_) => Redirect::to(&format!("/workbook/reviews/{id}?done=saved")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let (status, shown) = Shown::refused("review", f, lang, e);
            show_form(&state, &headers, &caller, Some(id), shown, status).await
        }
    }
}

/// `/workbook/reviews/{id}`.
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
    let notice = p.get("done").and_then(|d| match d.as_str() {
        "created" => Some("review.done_created"),
        "saved" => Some("workbook.done_saved"),
        "file" => Some("workbook.done_file"),
        "review" => Some("review.done_review"),
        "recheck" => Some("review.done_recheck"),
        "respond" => Some("review.done_respond"),
        "conclude" => Some("review.done_conclude"),
        "check" => Some("review.done_check"),
        _ => None,
    });
    let s = Shown { notice: notice.map(|n| lang.t(n).to_string()), ..Shown::default() };
    show_page(&state, &headers, &caller, id, s, StatusCode::OK).await
}

fn opinion_rows(lang: Lang, s: &Shown, form: &'static str) -> Markup {
    html! {
        table.orders.opinions {
            thead { tr { th { "#" } th { (lang.t("review.opinion_text")) } th { (lang.t("review.binding")) } } }
            tbody { @for n in 0..OPINION_ROWS { tr {
                td data-label="#" { (n + 1) }
                td data-label=(lang.t("review.opinion_text")) {
                    textarea name={ "opinion." (n) } rows="2" maxlength="2000" aria-label={ (lang.t("review.opinion_text")) " " (n + 1) } { (s.val(form, &format!("opinion.{n}"))) }
                    (s.err(form, &[&format!("opinions[{n}].text")]))
                }
                td data-label=(lang.t("review.binding")) {
                    label.inline { input type="checkbox" name={ "binding." (n) } checked[!s.val(form, &format!("binding.{n}")).is_empty()]; " " (lang.t("review.binding_hint")) }
                }
            } } }
        }
    }
}

fn opinions_from(f: &Fields) -> OpinionsIn {
    OpinionsIn {
        opinions: (0..OPINION_ROWS)
            .filter_map(|n| {
                let text = field(f, &format!("opinion.{n}"));
                (!text.trim().is_empty()).then(|| OpinionIn { text, binding: f.contains_key(&format!("binding.{n}")) })
            })
            .collect(),
    }
}

/// The form of the step the caller may take now.
fn step_forms(lang: Lang, tok: &(String, Option<axum::http::HeaderValue>), d: &ReviewDetail, s: &Shown) -> Markup {
    let v = &d.review;
    let may = |a: &str| d.actions.iter().any(|x| x == a);
    let base = format!("/workbook/reviews/{}", v.id);
    html! {
        @if may("review") {
            form.card #review-step method="post" action={ (base) "/review" } {
                (hidden_csrf(tok))
                h2 { (lang.t("review.give_review")) }
                p.hint { (lang.t("review.opinions_hint")) }
                (s.top("review-step", &[]))
                (opinion_rows(lang, s, "review-step"))
                p { button.primary #review-send type="submit" { (lang.t("review.send_review")) } }
            }
        }
        @if may("recheck") {
            form.card #recheck-step method="post" action={ (base) "/recheck" } {
                (hidden_csrf(tok))
                h2 { (lang.t("review.give_recheck")) }
                p.hint { (lang.t("review.recheck_hint")) }
                (s.top("recheck-step", &[]))
                (opinion_rows(lang, s, "recheck-step"))
                p { button.primary #recheck-send type="submit" { (lang.t("review.send_recheck")) } }
            }
        }
        @if may("respond") {
            form.card #respond-step method="post" action={ (base) "/respond" } {
                (hidden_csrf(tok))
                h2 { (lang.t("review.give_answers")) }
                p.hint { (lang.t("review.answers_hint")) }
                (s.top("respond-step", &v.opinions.iter().enumerate().flat_map(|(n, _)| [format!("answers[{n}].adopted"), format!("answers[{n}].reason")]).collect::<Vec<_>>().iter().map(String::as_str).collect::<Vec<_>>()))
                @for (n, o) in v.opinions.iter().enumerate() {
                    @let chosen = s.val("respond-step", &format!("adopted.{}", o.id));
                    fieldset.answer data-opinion=(o.id) {
                        legend { (o.id) ". " (lang.t(if o.binding { "review.binding" } else { "review.advisory" })) }
                        p.text { (o.text) }
                        label.inline { input type="radio" name={ "adopted." (o.id) } value="yes" checked[chosen != "no"]; " " (lang.t("review.adopted")) }
                        @if !o.binding {
                            " "
                            label.inline { input type="radio" name={ "adopted." (o.id) } value="no" checked[chosen == "no"]; " " (lang.t("review.declined")) }
                            label for={ "reason-" (o.id) } { (lang.t("review.decline_reason")) }
                            input id={ "reason-" (o.id) } name={ "reason." (o.id) } maxlength="500" value=(s.val("respond-step", &format!("reason.{}", o.id)));
                        } @else {
                            small.muted { " " (lang.t("review.binding_only_adopted")) }
                        }
                        (s.err("respond-step", &[&format!("answers[{n}].adopted"), &format!("answers[{n}].reason"), &format!("answers[{n}].opinion")]))
                    }
                }
                p { button.primary #respond-send type="submit" { (lang.t("review.send_answers")) } }
            }
        }
        @if may("conclude") {
            form.card #conclude-step method="post" enctype="multipart/form-data" action={ (base) "/conclude" } {
                (hidden_csrf(tok))
                h2 { (lang.t("review.give_conclusion")) }
                p.hint { (lang.t("review.conclude_hint")) }
                (s.top("conclude-step", &[]))
                label for="final-file" { (lang.t("review.final_material")) span.required aria-hidden="true" { " *" } }
                input #final-file type="file" name="file" accept=(xiaobao_core::attachment::ACCEPTED);
                p { button.primary #conclude-send type="submit" { (lang.t("review.send_conclusion")) } }
            }
        }
        @if may("check") {
            form.card #check-step method="post" action={ (base) "/check" } {
                (hidden_csrf(tok))
                h2 { (lang.t("review.give_check")) }
                p.hint { (lang.t("review.check_hint")) }
                (s.top("check-step", &["finding", "owner", "due_on"]))
                label.inline { input #check-wanting type="checkbox" name="wanting" checked[!s.val("check-step", "wanting").is_empty()]; " " (lang.t("review.found_wanting")) }
                label for="check-finding" { (lang.t("review.finding")) }
                textarea #check-finding name="finding" rows="3" maxlength="2000" { (s.val("check-step", "finding")) }
                (s.err("check-step", &["finding"]))
                div.columns {
                    div { label for="check-owner" { (lang.t("review.rect_owner")) } input #check-owner name="owner" value=(s.val("check-step", "owner")) placeholder=(v.submitted_by); (s.err("check-step", &["owner"])) }
                    div { label for="check-due" { (lang.t("rect.due_on")) } input #check-due type="date" name="due_on" value=(s.val("check-step", "due_on")); (s.err("check-step", &["due_on"])) }
                }
                p { button.primary #check-send type="submit" { (lang.t("review.send_check")) } }
            }
        }
    }
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
    let d = match detail(state, caller, id).await {
        Ok(d) => d,
        Err(_) => return not_found(lang, caller, tok),
    };
    let v: &ReviewView = &d.review;
    let title = lang.t("review.one");
    let may = |a: &str| d.actions.iter().any(|x| x == a);
    let final_name = v.final_material.and_then(|f| d.files.iter().find(|x| x.id == f));
    let body = html! {
        div.card #review data-id=(v.id) data-state=(v.state.as_str()) {
            (crumbs(lang))
            h1 { (v.title) }
            (s.notice())
            (s.top("", &[]))
            p #review-state { strong { (lang.name(v.state)) }
                @if let (Some(step), Some(due)) = (v.waiting_for, &v.due_at) {
                    " · " (tr!(lang, "review.waiting", step = lang.name(step), due = minute(due)))
                    @if v.overdue { " · " span.overdue { (lang.t("review.overdue")) } }
                }
            }
            dl.facts {
                dt { (lang.t("review.unit")) } dd { (v.org_unit.name) " (" (v.org_unit.code) ")" }
                dt { (lang.t("review.kind")) } dd #v-kind { (lang.name(v.kind)) }
                dt { (lang.t("review.stage")) } dd { (lang.name(v.stage)) }
                dt { (lang.t("review.description")) } dd.text { (v.description) }
                dt { (lang.t("review.submitted_by")) } dd { (v.provenance.recorded_by_name) " (" (v.submitted_by) ") · " (minute(&v.submitted_at)) }
                dt { (lang.t("review.reviewer")) } dd { (v.reviewer.clone().unwrap_or_else(|| "—".into())) }
                dt { (lang.t("review.rechecker")) } dd { (v.rechecker.clone().unwrap_or_else(|| "—".into())) }
                @if let Some(c) = &v.concluded_at {
                    dt { (lang.t("review.concluded_at")) } dd { (minute(c)) " · " (lang.t(if v.on_time { "review.in_time" } else { "review.late" })) }
                    dt { (lang.t("review.final_material")) } dd #v-final { @if let Some(f) = final_name { a href=(f.url) { (f.name) } } @else { "—" } }
                }
                @if let Some(m) = &v.sampled_in {
                    dt { (lang.t("review.sampled_in")) } dd #v-sampled { (m)
                        @if let Some(c) = &v.check {
                            " · " (lang.t(if c.wanting { "review.wanting" } else { "review.check_fine" }))
                            @if let Some(r) = c.rectification { " · " a href={ "/rectifications/" (r) } { (lang.t("review.rectification")) } }
                        }
                    }
                }
            }
            p.no-print {
                @if may("edit") { a.button #edit-review href={ "/workbook/reviews/" (v.id) "/edit" } { (lang.t("review.edit")) } " " }
                button type="button" data-print="" { (lang.t("workbook.print")) }
            }
        }
        div.card #opinions {
            h2 { (lang.t("review.opinions")) }
            @if v.opinions.is_empty() { p.muted #no-opinions { (lang.t(if v.reviewer.is_some() { "review.no_objection" } else { "review.no_opinions_yet" })) } }
            @else {
                table.orders {
                    thead { tr { th { "#" } th { (lang.t("review.from_step")) } th { (lang.t("review.opinion_text")) } th { (lang.t("review.binding")) } th { (lang.t("review.answer")) } } }
                    tbody { @for o in &v.opinions { tr data-opinion=(o.id) {
                        td data-label="#" { (o.id) }
                        td data-label=(lang.t("review.from_step")) { (lang.name(o.step)) " · " (o.by) }
                        td.text data-label=(lang.t("review.opinion_text")) { (o.text) }
                        td data-label=(lang.t("review.binding")) { (lang.t(if o.binding { "review.binding" } else { "review.advisory" })) }
                        td data-label=(lang.t("review.answer")) {
                            @match &o.answer {
                                Some(a) => { (lang.t(if a.adopted { "review.adopted" } else { "review.declined" })) @if let Some(r) = &a.reason { "：" (r) } }
                                None => { "—" }
                            }
                        }
                    } } }
                }
            }
        }
        (step_forms(lang, &tok, &d, &s))
        div.card #clocks {
            h2 { (lang.t("review.clocks")) }
            table.orders {
                thead { tr { th { (lang.t("review.step")) } th { (lang.t("review.started")) } th { (lang.t("review.due")) } th { (lang.t("review.done")) } } }
                tbody { @for c in &v.clocks { tr {
                    td data-label=(lang.t("review.step")) { (lang.name(c.step)) }
                    td data-label=(lang.t("review.started")) { (minute(&c.started_at)) }
                    td data-label=(lang.t("review.due")) { span class=[c.overdue.then_some("overdue")] { (minute(&c.due_at)) } }
                    td data-label=(lang.t("review.done")) { @if let Some(t) = &c.done_at { (minute(t)) " · " (c.by.clone().unwrap_or_default()) } @else { "—" } }
                } } }
            }
        }
        div.card #files {
            h2 { (lang.t("workbook.files")) }
            @if d.files.is_empty() { p.muted #no-files { (lang.t("workbook.no_files")) } }
            @else { ul { @for f in &d.files { li { a href=(f.url) { (f.name) } " · " (f.uploaded_by) " · " (minute(&f.uploaded_at)) } } } }
            @if may("attach") {
                form #file-form method="post" enctype="multipart/form-data" action={ "/workbook/reviews/" (v.id) "/files" } {
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
                    thead { tr { th { (lang.t("workbook.version")) } th { (lang.t("workbook.replaced")) } th { (lang.t("workbook.edit_reason")) } } }
                    tbody { @for x in &d.versions { tr {
                        td data-label=(lang.t("workbook.version")) { (x.version) }
                        td data-label=(lang.t("workbook.replaced")) { (x.replaced_by) " · " (minute(&x.replaced_at)) }
                        td data-label=(lang.t("workbook.edit_reason")) { (x.reason.clone().unwrap_or_else(|| "—".into())) }
                    } } }
                }
            }
        }
    };
    respond_page(lang, caller, &tok, title, body, status)
}

/// A step's form posted: the caller checked and the review read in scope first, then the step;
/// done, the review with the step's notice, else the form again with its errors.
async fn after_step(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    id: i64,
    form: &'static str,
    f: Fields,
    r: Result<ReviewDetail, ApiError>,
) -> Response {
    let lang = Lang::from_headers(headers);
    // the form `review-step` tells `done=review`
    let done = form.trim_end_matches("-step");
    match r {
        Ok(_) => Redirect::to(&format!("/workbook/reviews/{id}?done={done}")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, caller, csrf(headers)),
        Err(e) => {
            let (status, shown) = Shown::refused(form, f, lang, e);
            show_page(state, headers, caller, id, shown, status).await
        }
    }
}

async fn in_scope(state: &AppState, caller: &Caller, id: i64) -> Result<xiaobao_store::workbook::EntryRow, ApiError> {
    crate::api::workbook::visible(state, caller, Register::CpReview, id).await
}

pub async fn review_submit(state: State<AppState>, headers: HeaderMap, id: Path<i64>, f: Form<Fields>) -> Response {
    opinions_submit(state, headers, id, f, false).await
}

pub async fn recheck_submit(state: State<AppState>, headers: HeaderMap, id: Path<i64>, f: Form<Fields>) -> Response {
    opinions_submit(state, headers, id, f, true).await
}

/// A reviewer's opinions posted, as the first review or the re-check.
async fn opinions_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
    recheck_step: bool,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let given = opinions_from(&f);
    let r = match in_scope(&state, &caller, id).await {
        Ok(e) if recheck_step => recheck(&state, &caller, e, &given).await,
        Ok(e) => review(&state, &caller, e, &given).await,
        Err(e) => Err(e),
    };
    let form = if recheck_step { "recheck-step" } else { "review-step" };
    after_step(&state, &headers, &caller, id, form, f, r).await
}

pub async fn respond_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = match crate::api::workbook::review::for_submitter(&state, &caller, id).await {
        Ok(e) => {
            let opinions = detail(&state, &caller, id).await.map(|d| d.review.opinions).unwrap_or_default();
            let answers = AnswersIn {
                answers: opinions
                    .iter()
                    .map(|o| AnswerIn {
                        opinion: o.id,
                        adopted: field(&f, &format!("adopted.{}", o.id)) != "no",
                        reason: Some(field(&f, &format!("reason.{}", o.id))).filter(|r| !r.trim().is_empty()),
                    })
                    .collect(),
            };
            respond(&state, &caller, e, &answers).await
        }
        Err(e) => Err(e),
    };
    after_step(&state, &headers, &caller, id, "respond-step", f, r).await
}

/// The final material uploaded and the review concluded with it.
pub async fn conclude_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let file = match super::super::forms::uploaded_file(&headers, &format!("/workbook/reviews/{id}"), m).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = match crate::api::workbook::review::for_submitter(&state, &caller, id).await {
        Ok(e) => match file {
            Ok(Some((name, data))) => {
                match crate::api::workbook::review::attach(&state, &caller, &e, &name, &data).await {
                    Ok(f) => match crate::api::workbook::review::for_submitter(&state, &caller, id).await {
                        Ok(e) => conclude(&state, &caller, e, &ConcludeIn { final_material: Some(f.id) }).await,
                        Err(err) => Err(err),
                    },
                    Err(err) => Err(err),
                }
            }
            Ok(None) => conclude(&state, &caller, e, &ConcludeIn { final_material: None }).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    after_step(&state, &headers, &caller, id, "conclude-step", Fields::new(), r).await
}

pub async fn check_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let opt = |k: &str| Some(field(&f, k)).filter(|v| !v.trim().is_empty());
    let c = CheckIn {
        wanting: f.contains_key("wanting"),
        finding: opt("finding"),
        owner: opt("owner"),
        due_on: opt("due_on"),
    };
    let r = check(&state, &caller, id, &c).await;
    after_step(&state, &headers, &caller, id, "check-step", f, r).await
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
    let file = match super::super::forms::uploaded_file(&headers, &format!("/workbook/reviews/{id}"), m).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let r = match crate::api::workbook::review::for_submitter(&state, &caller, id).await {
        Ok(e) => match file {
            Ok(Some((name, data))) => {
                crate::api::workbook::review::attach(&state, &caller, &e, &name, &data).await.map(|_| ())
            }
            Ok(None) => Err(ApiError::invalid("file", "field.upload_choose_file")),
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let lang = Lang::from_headers(&headers);
    match r {
        Ok(()) => Redirect::to(&format!("/workbook/reviews/{id}?done=file#files")).into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(err) => {
            let (status, shown) = Shown::refused("file", Fields::new(), lang, err);
            show_page(&state, &headers, &caller, id, shown, status).await
        }
    }
}

/// `/workbook/reviews/samples?month=`: the month's draws in scope, and for the centre the draw.
pub async fn samples_page(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = crate::api::query::without_blanks(p);
    let lang = Lang::from_headers(&headers);
    let notice = (p.get("done").map(String::as_str) == Some("drawn")).then(|| lang.t("review.done_drawn").to_string());
    show_samples(&state, &headers, &caller, &p, Shown { notice, ..Shown::default() }, StatusCode::OK).await
}

async fn show_samples(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    s: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tok = csrf(headers);
    let title = lang.t("review.samples");
    let (draws, error): (Vec<SampleView>, _) = match samples(state, caller, p).await {
        Ok(d) => (d, None),
        Err(ApiError::Forbidden(_)) => return not_found(lang, caller, tok),
        Err(e) => (Vec::new(), Some(crate::web::forms::refused_all(lang, e).1)),
    };
    let today = xiaobao_core::time::local_date(state.clock.now());
    let month = p.get("month").cloned().unwrap_or_else(|| today.format("%Y-%m").to_string());
    let percent = state.store.rules().workbook.reviews.sample_percent;
    let body = html! {
        div.card {
            (crumbs(lang))
            h1 { (title) }
            (s.notice())
            p.hint { (tr!(lang, "review.samples_intro", percent = percent)) }
            form.filters #sample-month method="get" action="/workbook/reviews/samples" {
                div { label for="s-month" { (lang.t("workbook.month")) } input #s-month type="month" name="month" value=(month); }
                div { label for="s-unit" { (lang.t("org_unit_code")) } input #s-unit name="org_unit" value=(p.get("org_unit").cloned().unwrap_or_default()) placeholder=(caller.user.org_code); }
                div { button type="submit" { (lang.t("inspections.show")) } }
            }
            @if let Some(errors) = &error { @for (f, m) in errors { p.error role="alert" data-field=(f) { (f) ": " (m) } } }
            @if caller.can(Permission::SampleReviews) {
                form #draw-form method="post" action="/workbook/reviews/samples" data-confirm=(tr!(lang, "review.draw_confirm", month = &month)) {
                    (hidden_csrf(&tok))
                    input type="hidden" name="month" value=(month);
                    input type="hidden" name="org_unit" value=(p.get("org_unit").cloned().unwrap_or_default());
                    (s.top("draw", &[]))
                    button.primary #draw-send type="submit" { (tr!(lang, "review.draw", month = &month)) }
                }
            }
        }
        @if draws.is_empty() && error.is_none() {
            div.card { p.muted #no-samples { (lang.t("review.no_samples")) } }
        }
        @for d in &draws {
            div.card.sample data-sample=(d.id) {
                h2 { (d.org_unit.name) " · " (d.month) }
                p.muted { (tr!(lang, "review.sample_facts", candidates = d.candidates.len(), drawn = d.drawn.len(), percent = d.percent, seed = &d.seed, by = &d.drawn_by, at = minute(&d.drawn_at))) }
                @if d.drawn.is_empty() { p.muted { (lang.t("review.nothing_drawn")) } }
                @else {
                    table.orders {
                        thead { tr { th { (lang.t("review.subject")) } th { (lang.t("org_unit")) } th { (lang.t("review.kind")) } th { (lang.t("review.check")) } } }
                        tbody { @for r in &d.drawn { tr data-id=(r.id) {
                            td data-label=(lang.t("review.subject")) { a href={ "/workbook/reviews/" (r.id) } { (r.title) } }
                            td data-label=(lang.t("org_unit")) { (r.org_unit.name) }
                            td data-label=(lang.t("review.kind")) { (lang.name(r.kind)) }
                            td data-label=(lang.t("review.check")) { @match &r.check {
                                Some(c) => { (lang.t(if c.wanting { "review.wanting" } else { "review.check_fine" })) }
                                None => { (lang.t("review.to_check")) }
                            } }
                        } } }
                    }
                }
            }
        }
    };
    respond_page(lang, caller, &tok, title, body, status)
}

pub async fn draw_submit(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let month = field(&f, "month");
    let org_unit = Some(field(&f, "org_unit")).filter(|u| !u.trim().is_empty());
    let d = DrawIn { month: month.clone(), org_unit: org_unit.clone() };
    let mut p = Params::new();
    p.insert("month".into(), month.clone());
    if let Some(u) = &org_unit {
        p.insert("org_unit".into(), u.clone());
    }
    match draw_month(&state, &caller, &d, rand::random()).await {
        Ok(_) => {
            Redirect::to(&format!("/workbook/reviews/samples?{}&done=drawn", query_with(&p, None))).into_response()
        }
        Err(ApiError::Forbidden(_)) => not_found(lang, &caller, csrf(&headers)),
        Err(e) => {
            let (status, shown) = Shown::refused("draw", f, lang, e);
            show_samples(&state, &headers, &caller, &p, shown, status).await
        }
    }
}

pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let uploads = || axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES);
    axum::Router::new()
        .route("/workbook/reviews", get(index))
        .route("/workbook/reviews/new", get(new_form).post(new_submit))
        .route("/workbook/reviews/samples", get(samples_page).post(draw_submit))
        .route("/workbook/reviews/{id}", get(show))
        .route("/workbook/reviews/{id}/edit", get(edit_form).post(edit_submit))
        .route("/workbook/reviews/{id}/review", post(review_submit))
        .route("/workbook/reviews/{id}/recheck", post(recheck_submit))
        .route("/workbook/reviews/{id}/respond", post(respond_submit))
        .route("/workbook/reviews/{id}/check", post(check_submit))
        .route("/workbook/reviews/{id}/conclude", post(conclude_submit).layer(uploads()))
        .route("/workbook/reviews/{id}/files", post(file_submit).layer(uploads()))
}
