//! The monthly counter satisfaction sheet (网点柜员服务客户满意度评价表, DESIGN §3): per outlet and
//! month, each teller's ratings by score, satisfaction rate and dissatisfied by reason (from the
//! service rollups, as the service measures by teller), and the improvement agreed with the teller
//! (改进措施), written by the outlet's managers or the service department.

use crate::api::measures::{RateView, UnitRef};
use crate::api::query::Params;
use crate::api::service_measures::{ServiceFiguresView, service_measures};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::classification::Dimension;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Permission;
use xiaobao_core::text::bounded;
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::OrgUnitRow;

/// The longest improvement note, in characters.
pub const NOTE_MAX: usize = 500;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_sheet)).routes(routes!(put_note)).routes(routes!(export_sheet))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonName {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetTeller {
    /// The teller's username.
    pub teller: String,
    pub name: String,
    pub ratings: i64,
    /// Ratings by score, "1" … "5".
    pub scores: BTreeMap<String, i64>,
    pub satisfied: i64,
    pub dissatisfied: i64,
    pub counter_satisfaction_rate: RateView,
    /// Dissatisfied ratings by reason code.
    pub dissatisfied_by_reason: BTreeMap<String, i64>,
    /// The agreed improvement, once written.
    pub note: Option<String>,
    pub note_by: Option<String>,
    pub note_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetView {
    pub org_unit: UnitRef,
    /// YYYY-MM
    pub month: String,
    /// The outlet's figures for the month, all tellers together.
    pub total: ServiceFiguresView,
    /// The reasons of the editable list (every one, for the sheet's columns), by code.
    pub reasons: Vec<ReasonName>,
    /// Each teller rated in the month, by username.
    pub tellers: Vec<SheetTeller>,
    /// Whether the caller may write the improvement notes.
    pub may_write: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetNote {
    /// The outlet's code.
    pub org_unit: String,
    /// YYYY-MM
    pub month: String,
    /// The teller's username.
    pub teller: String,
    /// The improvement agreed with the teller (at most 500 characters).
    pub note: String,
}

/// Who may write the agreed improvement: whoever may read the outlet's measures and may work on
/// rectifications — the outlet head and the managers above the outlet (operations supervisor, vice
/// president, president, consumer-protection centre) and the service department, each within their
/// subtree. The note is the outlet's own corrective step agreed with the teller, so it is not the
/// service rules' `ManageService` alone; the auditor reads the sheet but writes nothing.
pub fn may_write_notes(caller: &Caller) -> bool {
    caller.can(Permission::ReadMeasures) && caller.can(Permission::WorkOnRectification)
}

/// `month` (YYYY-MM, required) → its first and last day; a month not begun yet is refused.
pub fn month_range(month: &str, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    let m = month.trim();
    let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| m.len() == 7)
        .ok_or_else(|| ApiError::Invalid(FieldError::because("month", "field.month")))?;
    if first > today {
        return Err(ApiError::invalid("month", "field.sheet_month_ahead"));
    }
    let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
    Ok((first, last))
}

/// The outlet named `code`, in the caller's scope (else not found, as any unit out of scope), and an
/// outlet (else a refusal naming `org_unit`).
pub async fn outlet_in_scope(state: &AppState, caller: &Caller, code: &str) -> ApiResult<OrgUnitRow> {
    let code = code.trim();
    if code.is_empty() {
        return Err(ApiError::invalid("org_unit", "field.empty"));
    }
    let unit =
        state.store.org_unit_by_code(code).await?.filter(|u| caller.sees_unit(&u.path)).ok_or(ApiError::NotFound)?;
    if unit.kind != OrgUnitKind::Outlet {
        return Err(ApiError::Invalid(FieldError::because("org_unit", "field.sheet_needs_outlet").with("code", code)));
    }
    Ok(unit)
}

/// The sheet of an outlet's month.
pub async fn sheet(
    state: &AppState,
    caller: &Caller,
    outlet: &OrgUnitRow,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<SheetView> {
    let view = service_measures(state, outlet, from, to, Some("teller")).await?;
    let month = from.year() * 100 + from.month() as i32;
    let names: Vec<&str> = view.breakdown.iter().map(|r| r.key.as_str()).collect();
    let ids = state.store.tellers_by_username(&names).await?;
    let notes: HashMap<i64, xiaobao_store::service::SheetNoteRow> =
        state.store.sheet_notes(outlet.id, month).await?.into_iter().map(|n| (n.teller_id, n)).collect();
    let tellers = view
        .breakdown
        .into_iter()
        .map(|r| {
            let note = ids.get(&r.key).and_then(|t| notes.get(&t.id));
            let f = r.figures;
            SheetTeller {
                teller: r.key,
                name: r.label_zh,
                ratings: f.ratings,
                scores: f.scores,
                satisfied: f.satisfied,
                dissatisfied: f.dissatisfied,
                counter_satisfaction_rate: f.counter_satisfaction_rate,
                dissatisfied_by_reason: f.dissatisfied_by_reason,
                note: note.map(|n| n.note.clone()),
                note_by: note.map(|n| n.written_by.clone()),
                note_at: note.map(|n| rfc3339(from_millis(n.written_at))),
            }
        })
        .collect();
    let reasons = state
        .store
        .classes(Some(Dimension::DissatisfactionReason))
        .await?
        .into_iter()
        .map(|c| ReasonName { code: c.code, name_zh: c.name_zh, name_en: c.name_en })
        .collect();
    Ok(SheetView {
        org_unit: UnitRef { code: outlet.code.clone(), name: outlet.name.clone() },
        month: format!("{:04}-{:02}", from.year(), from.month()),
        total: view.figures,
        reasons,
        tellers,
        may_write: may_write_notes(caller),
    })
}

/// The sheet the query asks for: permission, then scope, then the month.
pub async fn sheet_of(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<SheetView> {
    caller.require(Permission::ReadMeasures)?;
    let outlet = outlet_in_scope(state, caller, p.get("org_unit").map_or("", String::as_str)).await?;
    let (from, to) = month_range(p.get("month").map_or("", String::as_str), local_date(state.clock.now()))?;
    sheet(state, caller, &outlet, from, to).await
}

/// An outlet's counter satisfaction sheet of a month: each teller's ratings, by score, satisfaction
/// rate, dissatisfied by reason and the agreed improvement.
#[utoipa::path(get, path = "/api/v1/satisfaction-sheet", tag = "service",
    params(("org_unit" = String, Query, description = "the outlet's code"), ("month" = String, Query, description = "YYYY-MM")),
    responses((status = 200, body = SheetView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_sheet(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<SheetView>> {
    Ok(Json(sheet_of(&state, &caller, &p).await?))
}

/// Writes the agreed improvement of a teller on an outlet's month: permission, then scope, then every
/// field; nothing is written unless all are right.
pub async fn write_note(state: &AppState, caller: &Caller, body: JsonBody<SheetNote>) -> ApiResult<SheetTeller> {
    if !may_write_notes(caller) {
        return Err(ApiError::forbidden_role());
    }
    let req = body.parse()?;
    save_note(state, caller, req).await
}

/// The note's checks and the write, for the API and the page alike.
pub async fn save_note(state: &AppState, caller: &Caller, req: SheetNote) -> ApiResult<SheetTeller> {
    if !may_write_notes(caller) {
        return Err(ApiError::forbidden_role());
    }
    let outlet = outlet_in_scope(state, caller, &req.org_unit).await?;
    let mut errors = Vec::new();
    let range = match month_range(&req.month, local_date(state.clock.now())) {
        Ok(r) => Some(r),
        Err(ApiError::Invalid(e)) => {
            errors.push(e);
            None
        }
        Err(e) => return Err(e),
    };
    let note = bounded("note", &req.note, 1, NOTE_MAX).map_err(|e| errors.push(e)).ok();
    let teller = req.teller.trim().to_string();
    let Some((from, to)) = range else {
        if teller.is_empty() {
            errors.push(FieldError::because("teller", "field.empty"));
        }
        return Err(ApiError::InvalidAll(errors));
    };
    let current = sheet(state, caller, &outlet, from, to).await?;
    let on_sheet = current.tellers.iter().find(|t| t.teller == teller).cloned();
    let teller_id = match (&on_sheet, state.store.tellers_by_username(&[teller.as_str()]).await?.get(&teller)) {
        (Some(_), Some(t)) => Some(t.id),
        _ => {
            errors.push(if teller.is_empty() {
                FieldError::because("teller", "field.empty")
            } else {
                FieldError::because("teller", "field.sheet_teller").with("name", teller.as_str())
            });
            None
        }
    };
    let (Some(note), Some(teller_id), Some(mut line)) = (note, teller_id, on_sheet) else {
        return Err(if errors.len() == 1 { ApiError::Invalid(errors.remove(0)) } else { ApiError::InvalidAll(errors) });
    };
    let now = state.clock.now();
    let at_ms = xiaobao_core::time::to_millis(now);
    let audit = xiaobao_store::Audit {
        by: caller.user.id,
        at_ms,
        subject: "satisfaction_sheet_note",
        what: serde_json::json!({ "org_unit": outlet.code, "month": current.month, "teller": teller, "note": note })
            .to_string(),
    };
    let month = from.year() * 100 + from.month() as i32;
    state.store.set_sheet_note(outlet.id, month, teller_id, &note, &audit).await?;
    line.note = Some(note);
    line.note_by = Some(caller.user.display_name.clone());
    line.note_at = Some(rfc3339(now));
    Ok(line)
}

/// Writes (or replaces) the improvement agreed with a teller on an outlet's month (≤ 500 characters).
#[utoipa::path(put, path = "/api/v1/satisfaction-sheet/notes", tag = "service", request_body = SheetNote,
    responses((status = 200, body = SheetTeller), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_note(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<SheetNote>,
) -> ApiResult<Json<SheetTeller>> {
    Ok(Json(write_note(&state, &caller, body).await?))
}

/// The sheet as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/satisfaction-sheet/export", tag = "service",
    params(("org_unit" = String, Query), ("month" = String, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn export_sheet(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    Query(p): Query<Params>,
) -> ApiResult<axum::response::Response> {
    let v = sheet_of(&state, &caller, &p).await?;
    let lang = crate::i18n::Lang::from_headers(&headers);
    crate::api::complaints::xlsx_download(
        &format!("satisfaction-sheet-{}-{}.xlsx", v.org_unit.code, v.month),
        sheet_xlsx(&v, lang),
    )
}

/// The sheet as a workbook: a title line, then one line per teller (ratings, each score, the
/// satisfaction rate, each reason's dissatisfied and the agreed improvement), then the outlet's total.
pub fn sheet_xlsx(v: &SheetView, lang: crate::i18n::Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name(lang.t("sheet.title_short"))?;
    ws.write_string_with_format(
        0,
        0,
        crate::tr!(lang, "sheet.title_of", unit = v.org_unit.name, month = v.month),
        &bold,
    )?;
    let mut heads: Vec<String> =
        vec![lang.t("sheet.teller").into(), lang.t("sheet.username").into(), lang.t("sheet.ratings").into()];
    heads.extend((1..=5).rev().map(|s| crate::tr!(lang, "sheet.score_n", score = s)));
    heads.push(lang.t("sheet.satisfaction_rate").into());
    heads.extend(v.reasons.iter().map(|r| lang.choose(&r.name_zh, &r.name_en).clone()));
    heads.push(lang.t("sheet.improvement").into());
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, h, &bold)?;
    }
    let line = |ws: &mut rust_xlsxwriter::Worksheet,
                r: u32,
                name: &str,
                user: &str,
                ratings: i64,
                scores: &BTreeMap<String, i64>,
                rate: &RateView,
                reasons: &BTreeMap<String, i64>|
     -> Result<u16, rust_xlsxwriter::XlsxError> {
        ws.write_string(r, 0, name)?;
        ws.write_string(r, 1, user)?;
        ws.write_number(r, 2, ratings as f64)?;
        let mut c = 3u16;
        for s in (1..=5).rev() {
            ws.write_number(r, c, scores.get(&s.to_string()).copied().unwrap_or(0) as f64)?;
            c += 1;
        }
        ws.write_string(r, c, &rate.display)?;
        c += 1;
        for reason in &v.reasons {
            ws.write_number(r, c, reasons.get(&reason.code).copied().unwrap_or(0) as f64)?;
            c += 1;
        }
        Ok(c)
    };
    let mut r = 2u32;
    for t in &v.tellers {
        let c = line(
            ws,
            r,
            &t.name,
            &t.teller,
            t.ratings,
            &t.scores,
            &t.counter_satisfaction_rate,
            &t.dissatisfied_by_reason,
        )?;
        ws.write_string_with_format(r, c, t.note.as_deref().unwrap_or(""), &wrap)?;
        r += 1;
    }
    let f = &v.total;
    line(
        ws,
        r,
        lang.t("sheet.total"),
        "",
        f.ratings,
        &f.scores,
        &f.counter_satisfaction_rate,
        &f.dissatisfied_by_reason,
    )?;
    ws.set_column_width(0, 16.0)?;
    ws.set_column_width(heads.len() as u16 - 1, 48.0)?;
    ws.set_freeze_panes(2, 2)?;
    wb.save_to_buffer()
}
