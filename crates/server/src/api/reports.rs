//! Reports that leave the bank: a unit's complaint ledger (台账) for a date range, and the regulator's
//! statistics table (business category × cause × intake channel) for a month, quarter or year, each
//! as an XLSX workbook; the table also as JSON.

use crate::api::measures::{UnitRef, range, unit_or_own};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::export::RegulatoryLine;
use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::channel::Channel;
use xiaobao_core::classification::Dimension;
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_core::time::{local_date, start_of_local_day};
use xiaobao_store::{ComplaintFilter, Split};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegulatoryView {
    pub org_unit: UnitRef,
    /// `2025`, `2025-Q1` or `2025-03`.
    pub period: String,
    pub lines: Vec<RegulatoryLine>,
    /// Every channel's total (zero included).
    pub totals: BTreeMap<String, i64>,
    pub total: i64,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_regulatory))
        .routes(routes!(get_regulatory_xlsx))
        .routes(routes!(get_ledger_xlsx))
}

/// The period of a report: `period` as `2025`, `2025-Q1` or `2025-03`, by default last month.
fn period_param(p: &Params, today: chrono::NaiveDate) -> ApiResult<Period> {
    match p.get("period").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(s) => Ok(Period::parse("period", s)?),
        None => Ok(Period::month_before(today)),
    }
}

/// The regulator's table of `p` (org_unit, period) for the caller.
pub async fn regulatory(
    state: &AppState,
    caller: &Caller,
    p: &Params,
    lang: crate::i18n::Lang,
) -> ApiResult<RegulatoryView> {
    caller.require(Permission::ReadMeasures)?;
    let period = period_param(p, local_date(state.clock.now()))?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let rows = state.store.rollup_counts(&[unit.id], period.first_day(), period.last_day(), Split::Cross).await?;
    let names = |d| async move {
        state.store.classes(Some(d)).await.map(|cs| {
            cs.into_iter()
                .map(|c| {
                    let name = lang.choose(&c.name_zh, &c.name_en).clone();
                    (c.code, name)
                })
                .collect::<BTreeMap<String, String>>()
        })
    };
    let (categories, causes) = (names(Dimension::Category).await?, names(Dimension::Cause).await?);
    let unclassified = lang.t("export.unclassified").to_string();
    let mut lines: BTreeMap<(String, String), RegulatoryLine> = BTreeMap::new();
    for (_, key, c) in rows.into_iter().filter(|r| r.2.received != 0) {
        let mut parts = key.splitn(3, '|');
        let (category, cause, channel) =
            (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let line = lines.entry((category.to_string(), cause.to_string())).or_insert_with(|| RegulatoryLine {
            category: category.to_string(),
            category_name: categories.get(category).unwrap_or(&unclassified).clone(),
            cause: cause.to_string(),
            cause_name: causes.get(cause).unwrap_or(&unclassified).clone(),
            by_channel: Channel::ALL.iter().map(|c| (c.as_str().to_string(), 0)).collect(),
            total: 0,
        });
        *line.by_channel.entry(channel.to_string()).or_default() += c.received;
        line.total += c.received;
    }
    let lines: Vec<RegulatoryLine> = lines.into_values().collect();
    let totals = Channel::ALL
        .iter()
        .map(|c| {
            let n = lines.iter().map(|l| l.by_channel.get(c.as_str()).copied().unwrap_or(0)).sum();
            (c.as_str().to_string(), n)
        })
        .collect();
    Ok(RegulatoryView {
        org_unit: UnitRef { code: unit.code, name: unit.name },
        period: period.to_string(),
        total: lines.iter().map(|l| l.total).sum(),
        lines,
        totals,
    })
}

/// The regulator's statistics table for a unit's subtree (`org_unit`, default the caller's) and a
/// `period` (`2025`, `2025-Q1`, `2025-03`; default last month): complaints received by business
/// category and cause (large classes) and intake channel. Appeals approved by head office are left out.
#[utoipa::path(get, path = "/api/v1/reports/regulatory", tag = "reports",
    params(("org_unit" = Option<String>, Query), ("period" = Option<String>, Query)),
    responses((status = 200, body = RegulatoryView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_regulatory(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::i18n::Lang,
    Query(p): Query<Params>,
) -> ApiResult<Json<RegulatoryView>> {
    Ok(Json(regulatory(&state, &caller, &p, lang).await?))
}

pub async fn regulatory_download(
    state: &AppState,
    caller: &Caller,
    p: &Params,
    lang: crate::i18n::Lang,
) -> ApiResult<axum::response::Response> {
    let v = regulatory(state, caller, p, lang).await?;
    let title =
        crate::tr!(lang, "export.regulatory_title", unit = v.org_unit.name, code = v.org_unit.code, period = v.period);
    let name = format!("regulatory-{}-{}.xlsx", v.org_unit.code, v.period);
    crate::api::complaints::xlsx_download(&name, crate::export::regulatory_xlsx(&title, &v.lines, lang))
}

/// The regulator's statistics table as an XLSX workbook (a title row, a header row, a line per
/// category and cause, a totals row).
#[utoipa::path(get, path = "/api/v1/reports/regulatory.xlsx", tag = "reports",
    params(("org_unit" = Option<String>, Query), ("period" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_regulatory_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::i18n::Lang,
    Query(p): Query<Params>,
) -> ApiResult<axum::response::Response> {
    regulatory_download(&state, &caller, &p, lang).await
}

pub async fn ledger_download(
    state: &AppState,
    caller: &Caller,
    p: &Params,
    lang: crate::i18n::Lang,
) -> ApiResult<axum::response::Response> {
    caller.require(Permission::ReadMeasures)?;
    let now = state.clock.now();
    let (from, to) = range(p, local_date(now))?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let f = ComplaintFilter {
        responsible_path: Some(unit.path.clone()),
        received_from: Some(start_of_local_day(from).timestamp_millis()),
        received_to: to.succ_opt().map(|d| start_of_local_day(d).timestamp_millis()),
        now_ms: now.timestamp_millis(),
        ..ComplaintFilter::new(caller.order_scope())
    };
    let rows = crate::export::rows_for_export(&state.store, &f).await?;
    let name = format!("ledger-{}-{from}-{to}.xlsx", unit.code);
    let names = crate::i18n::ClassNames::load(&state.store).await?;
    crate::api::complaints::xlsx_download(
        &name,
        crate::export::complaints_xlsx(&rows, lang, &names, now, "export.ledger_sheet"),
    )
}

/// A unit's complaint ledger (台账): every complaint counted against its subtree (`org_unit`, default
/// the caller's) received `from`..=`to` (default: the year so far), newest first, personal data
/// masked. Complaints excluded by an approved appeal stay listed, marked as not counted.
#[utoipa::path(get, path = "/api/v1/reports/ledger.xlsx", tag = "reports",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_ledger_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::i18n::Lang,
    Query(p): Query<Params>,
) -> ApiResult<axum::response::Response> {
    ledger_download(&state, &caller, &p, lang).await
}
