//! The monthly counter satisfaction sheet page (`/service/sheet`): each teller's line of the month,
//! the agreed improvement written per teller (the same `save_note` as the API), the workbook and a
//! print view (`print=1`: the sheet with its notes and a line for signatures, without the forms).

use super::forms::{Fields, Shown, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, form_caller, html_response, not_found};
use super::service::{reason_names, score_name};
use crate::api::query::{Params, percent_encode};
use crate::api::satisfaction_sheet::{NOTE_MAX, SheetNote, SheetView, month_range, outlet_in_scope, save_note, sheet};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::tr;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;

const STYLE: &str = "#sheet th,#sheet td{padding:.3rem .4rem}#sheet td.note{min-width:12rem;white-space:pre-wrap}\
.note-form{border-top:1px solid #e3e6ea;padding:.7rem 0}.note-form textarea{width:100%;min-height:4.5rem;font-size:1rem}\
.note-form h3{margin:.2rem 0}.signatures{margin-top:2rem;display:none}\
@media print{.signatures{display:block}#sheet{font-size:10pt}main{max-width:none}}";

fn this_month(state: &AppState) -> String {
    local_date(state.clock.now()).format("%Y-%m").to_string()
}

pub async fn page_sheet(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let notice = p.get("saved").map(|t| tr!(lang, "sheet.saved", name = t));
    let shown = Shown { notice, ..Shown::default() };
    render(&state, &caller, &headers, lang, &p, shown, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    lang: Lang,
    p: &Params,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let tok = csrf(headers);
    if !caller.can(Permission::ReadMeasures) {
        return super::pages::no_permission(lang, caller, tok, lang.t("sheet.title"));
    }
    let code = p.get("org_unit").map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let month =
        p.get("month").map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).unwrap_or_else(|| this_month(state));
    // the caller's own outlet when none is named
    let own_outlet = state
        .store
        .org_unit_by_code(&caller.user.org_code)
        .await
        .ok()
        .flatten()
        .is_some_and(|u| u.kind == xiaobao_core::org::OrgUnitKind::Outlet);
    let code = code.or_else(|| own_outlet.then(|| caller.user.org_code.clone()));
    let print = p.get("print").is_some_and(|v| v == "1");
    let result = match &code {
        None => Ok(None),
        Some(c) => {
            async {
                let outlet = outlet_in_scope(state, caller, c).await?;
                let (from, to) = month_range(&month, local_date(state.clock.now()))?;
                sheet(state, caller, &outlet, from, to).await.map(Some)
            }
            .await
        }
    };
    let (view, error) = match result {
        Err(ApiError::NotFound) => return not_found(lang, caller, tok),
        r => match super::pages::shown(r, lang, "satisfaction_sheet") {
            Ok((v, e)) => (v.flatten(), e),
            Err(r) => return r,
        },
    };
    let reasons = reason_names(state, lang).await;
    let field_error = |f: &str| super::lists::field_error(&error, f);
    let title = match &view {
        Some(v) => tr!(lang, "sheet.title_of", unit = v.org_unit.name, month = v.month),
        None => lang.t("sheet.title").to_string(),
    };
    let body = html! {
        style { (PreEscaped(STYLE)) }
        div.card {
            h1 #sheet-title { (title) }
            p.muted.no-print { (lang.t("sheet.intro")) }
            (shown.notice())
            form #sheet-filter.no-print method="get" action="/service/sheet" {
                div.filters {
                    div {
                        label for="sh-unit" { (lang.t("sheet.outlet")) }
                        input #sh-unit name="org_unit" value=(code.clone().unwrap_or_default()) maxlength="32";
                        (field_error("org_unit"))
                    }
                    div {
                        label for="sh-month" { (lang.t("sheet.month")) }
                        input #sh-month type="month" name="month" value=(month) placeholder="2026-11";
                        (field_error("month"))
                    }
                }
                button type="submit" { (lang.t("sheet.show")) }
            }
        }
        @match &view {
            None => { div.card { p.muted #choose { (lang.t("sheet.choose")) } } }
            Some(v) => {
                (sheet_card(lang, v, &reasons, print))
                @if !print && !v.tellers.is_empty() {
                    @if v.may_write { (notes_card(lang, v, &shown, &tok)) } @else { div.card { p.muted #read-only { (lang.t("sheet.read_only")) } } }
                }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&tok.0), &title, body), tok.1);
    *res.status_mut() = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { status };
    res
}

fn sheet_card(lang: Lang, v: &SheetView, reasons: &std::collections::BTreeMap<String, String>, print: bool) -> Markup {
    let q = format!("org_unit={}&month={}", percent_encode(&v.org_unit.code), v.month);
    let count = |m: &std::collections::BTreeMap<String, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    html! {
        div.card #sheet-card {
            p.no-print {
                a #sheet-xlsx href={ "/api/v1/satisfaction-sheet/export?" (q) } { (lang.t("sheet.xlsx")) }
                " · "
                @if print {
                    button type="button" data-print #print { (lang.t("inspections.print")) }
                    " · "
                    a #sheet-back href={ "/service/sheet?" (q) } { (lang.t("sheet.title_short")) }
                } @else {
                    a #sheet-print href={ "/service/sheet?" (q) "&print=1" } { (lang.t("sheet.print")) }
                }
                " · "
                a href={ "/service?org_unit=" (percent_encode(&v.org_unit.code)) "&by=teller" } { (lang.t("svc.title")) }
            }
            @if v.tellers.is_empty() {
                p.muted #empty { (lang.t("sheet.empty")) }
            } @else {
                div.scroll {
                    table #sheet {
                        thead {
                            tr {
                                th rowspan="2" { (lang.t("sheet.teller")) }
                                th.num rowspan="2" { (lang.t("sheet.ratings")) }
                                th colspan="5" { (lang.t("svc.by_score")) }
                                th.num rowspan="2" { (lang.t("sheet.satisfaction_rate")) }
                                th colspan=(v.reasons.len().max(1)) { (lang.t("sheet.dissatisfied_by_reason")) }
                                th rowspan="2" { (lang.t("sheet.improvement")) }
                            }
                            tr {
                                @for s in (1..=5).rev() { th.num title=(score_name(lang, s)) { (score_name(lang, s)) } }
                                @for r in &v.reasons { th.num { (reasons.get(&r.code).cloned().unwrap_or_else(|| r.code.clone())) } }
                            }
                        }
                        tbody {
                            @for t in &v.tellers {
                                tr data-teller=(t.teller) {
                                    th { (t.name) br; span.muted { (t.teller) } }
                                    td.num { (lang.int(t.ratings)) }
                                    @for s in (1..=5).rev() { td.num data-score=(s) { (lang.int(count(&t.scores, &s.to_string()))) } }
                                    td.num.rate { (t.counter_satisfaction_rate.display) }
                                    @for r in &v.reasons { td.num data-reason=(r.code) { (lang.int(count(&t.dissatisfied_by_reason, &r.code))) } }
                                    td.note { (t.note.clone().unwrap_or_default()) }
                                }
                            }
                            tr #sheet-total {
                                th { (lang.t("sheet.total")) }
                                td.num { (lang.int(v.total.ratings)) }
                                @for s in (1..=5).rev() { td.num { (lang.int(count(&v.total.scores, &s.to_string()))) } }
                                td.num.rate { (v.total.counter_satisfaction_rate.display) }
                                @for r in &v.reasons { td.num { (lang.int(count(&v.total.dissatisfied_by_reason, &r.code))) } }
                                td { }
                            }
                        }
                    }
                }
                p.signatures { (lang.t("sheet.signatures")) }
            }
        }
    }
}

fn notes_card(lang: Lang, v: &SheetView, shown: &Shown, tok: &super::forms::Csrf) -> Markup {
    html! {
        div.card.no-print #notes {
            h2 { (lang.t("sheet.improvement")) }
            p.muted { (lang.t("sheet.note_hint")) }
            @for t in &v.tellers {
                @let mine = shown.form == "note" && shown.values.get("teller") == Some(&t.teller);
                @let id = format!("note-{}", t.teller);
                form.note-form #(id) method="post" action="/service/sheet" {
                    (hidden_csrf(tok))
                    input type="hidden" name="org_unit" value=(v.org_unit.code);
                    input type="hidden" name="month" value=(v.month);
                    input type="hidden" name="teller" value=(t.teller);
                    h3 { label for={ (id) "-text" } { (tr!(lang, "sheet.improvement_for", name = t.name)) } }
                    p.muted {
                        (lang.t("svc.ratings")) " " (lang.int(t.ratings)) " · " (lang.t("sheet.satisfaction_rate")) " " (t.counter_satisfaction_rate.display)
                        " · " (lang.t("svc.dissatisfied")) " " (lang.int(t.dissatisfied))
                    }
                    @if mine { (shown.top("note", &["note"])) }
                    textarea id={ (id) "-text" } name="note" maxlength=(NOTE_MAX) {
                        @if mine { (shown.values.get("note").cloned().unwrap_or_default()) } @else { (t.note.clone().unwrap_or_default()) }
                    }
                    @if mine { (shown.err("note", &["note"])) }
                    p.muted {
                        @match (&t.note_by, &t.note_at) {
                            (Some(by), Some(at)) => { (tr!(lang, "sheet.written_by", name = by, at = at.get(..16).unwrap_or(at).replace('T', " "))) }
                            _ => { (lang.t("sheet.not_written")) }
                        }
                    }
                    button.primary type="submit" { (lang.t("sheet.save")) }
                }
            }
        }
    }
}

/// `POST /service/sheet`: the note of one teller, through the API's `save_note`; saved → back to the
/// sheet with the notice, refused → the sheet again with the error beside the note and the text kept.
pub async fn post_note(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let req = SheetNote {
        org_unit: field(&f, "org_unit"),
        month: field(&f, "month"),
        teller: field(&f, "teller"),
        note: field(&f, "note"),
    };
    let q = format!("org_unit={}&month={}", percent_encode(req.org_unit.trim()), percent_encode(req.month.trim()));
    match save_note(&state, &caller, req.clone()).await {
        Ok(line) => Redirect::to(&format!(
            "/service/sheet?{q}&saved={}#note-{}",
            percent_encode(&line.name),
            percent_encode(&line.teller)
        ))
        .into_response(),
        Err(ApiError::NotFound) => not_found(lang, &caller, csrf(&headers)),
        Err(ApiError::Forbidden(_)) => {
            super::pages::no_permission(lang, &caller, csrf(&headers), lang.t("sheet.title"))
        }
        Err(e) => {
            let mut p = Params::new();
            p.insert("org_unit".into(), req.org_unit.clone());
            p.insert("month".into(), req.month.clone());
            let (status, shown) = Shown::refused("note", f, lang, e);
            render(&state, &caller, &headers, lang, &p, shown, status).await
        }
    }
}
