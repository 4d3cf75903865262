//! The complaint measures of a unit's subtree over a date range (DESIGN §5), with a drill-down by child
//! unit, month, channel, category or cause. The customers and transactions they divide by are the
//! period statistics (`period_stats`).

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::channel::Channel;
use xiaobao_core::classification::Dimension;
use xiaobao_core::measure::{COUNTERS, Counts, Figures, Ratio, Volume};
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;
use xiaobao_store::{OrgUnitRow, Split};

/// Longest range the measures cover in one request.
const MAX_RANGE_DAYS: i64 = 3_700;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateView {
    /// Per 10,000 (customers, transactions) or per cent (the rates); null when there is nothing to divide by.
    pub value: Option<f64>,
    /// As printed: one decimal per 10,000, two decimals and '%' for rates, '—' for none.
    pub display: String,
    pub numerator: i64,
    pub denominator: i64,
}

impl From<Ratio> for RateView {
    fn from(r: Ratio) -> Self {
        Self { value: r.value(), display: r.display(), numerator: r.numerator, denominator: r.denominator }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresView {
    pub received: i64,
    pub customers: Option<i64>,
    pub transactions: Option<i64>,
    /// Every counter (received, repeat, over_level, escalated, response_ended, response_timely, decided, …).
    pub counts: BTreeMap<String, i64>,
    /// per_10k_customers, per_10k_transactions, timely_response_rate, on_time_resolution_rate,
    /// resolved_at_outlet_rate, escalation_rate, repeat_rate, over_level_rate, liable_share, satisfaction.
    pub rates: BTreeMap<String, RateView>,
}

impl FiguresView {
    pub fn new(c: Counts, v: Volume) -> Self {
        let f = Figures::compute(c, v);
        Self {
            received: c.received,
            customers: v.customers,
            transactions: v.transactions,
            counts: COUNTERS.iter().zip(c.values()).map(|(k, v)| ((*k).to_string(), v)).collect(),
            rates: f.rates().into_iter().map(|(k, r)| (k.to_string(), r.into())).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// Unit code, month (YYYY-MM), channel, or class code ("" for unclassified).
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub figures: FiguresView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasuresView {
    pub org_unit: UnitRef,
    pub from: String,
    pub to: String,
    pub figures: FiguresView,
    /// Complaints received by intake channel (every channel, zero included).
    pub by_channel: BTreeMap<String, i64>,
    /// unit, month, channel, category or cause, when asked for with `by`.
    pub by: Option<String>,
    pub breakdown: Vec<BreakdownRow>,
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_measures))
}

/// The date range of a request: `from` and `to` (YYYY-MM-DD, both included), by default the year so far.
pub fn range(p: &Params, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    let date = |name: &str, default: NaiveDate| -> ApiResult<NaiveDate> {
        match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::invalid(name, "field.date")),
        }
    };
    let from = date("from", today.with_ordinal(1).unwrap_or(today))?;
    let to = date("to", today)?;
    if to < from {
        return Err(ApiError::invalid("to", "field.date_range"));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::invalid("to", "field.date_range_too_long"));
    }
    Ok((from, to))
}

/// The unit named by `org_unit` in the caller's scope, or the caller's own.
pub async fn unit_or_own(state: &AppState, caller: &Caller, code: Option<&String>) -> ApiResult<OrgUnitRow> {
    match code.map(|c| c.trim()).filter(|c| !c.is_empty()) {
        Some(c) => crate::api::unit_in_scope(state, caller, "org_unit", c).await,
        None => state.store.org_unit_by_code(&caller.user.org_code).await?.ok_or(ApiError::Internal),
    }
}

/// The measures of `unit`'s subtree over `from..=to`, split `by` (unit, month, channel, category, cause).
pub async fn measures(
    state: &AppState,
    unit: &OrgUnitRow,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<&str>,
) -> ApiResult<MeasuresView> {
    /// A drill-down: by child unit, or by a split of the unit's own rollups.
    #[derive(PartialEq)]
    enum By {
        Unit,
        Rollup(Split),
    }
    let split = match by {
        None | Some("") => None,
        Some("unit") => Some(By::Unit),
        Some("month") => Some(By::Rollup(Split::Month)),
        Some("channel") => Some(By::Rollup(Split::Channel)),
        Some("category") => Some(By::Rollup(Split::Category)),
        Some("cause") => Some(By::Rollup(Split::Cause)),
        Some(_) => {
            return Err(ApiError::invalid("by", "field.breakdown"));
        }
    };
    let store = &state.store;
    let children = if split == Some(By::Unit) { store.org_unit_children(unit.id).await? } else { Vec::new() };
    let ids: Vec<i64> = std::iter::once(unit.id).chain(children.iter().map(|u| u.id)).collect();
    let volumes = store.volumes(&ids, from, to).await?;
    let volume = volumes.get(&unit.id).copied().unwrap_or_default();
    let sum = |rows: &[(i64, String, Counts)]| rows.iter().fold(Counts::default(), |a, r| a + r.2);
    let channels = store.rollup_counts(&[unit.id], from, to, Split::Channel).await?;
    let total = sum(&channels);
    let mut by_channel: BTreeMap<String, i64> = Channel::ALL.iter().map(|c| (c.as_str().to_string(), 0)).collect();
    for (_, ch, c) in &channels {
        *by_channel.entry(ch.clone()).or_default() += c.received;
    }
    let mut breakdown = Vec::new();
    match split {
        None => {}
        Some(By::Unit) => {
            let rows = store.rollup_counts(&ids[1..], from, to, Split::Total).await?;
            for u in children {
                let c = rows.iter().filter(|r| r.0 == u.id).fold(Counts::default(), |a, r| a + r.2);
                let v = volumes.get(&u.id).copied().unwrap_or_default();
                let label = format!("{} ({})", u.name, u.code);
                breakdown.push(BreakdownRow {
                    key: u.code,
                    label_zh: label.clone(),
                    label_en: label,
                    figures: FiguresView::new(c, v),
                });
            }
        }
        Some(By::Rollup(split)) => {
            let rows = if split == Split::Channel {
                channels.clone()
            } else {
                store.rollup_counts(&[unit.id], from, to, split).await?
            };
            let classes = match split {
                Split::Category => store.classes(Some(Dimension::Category)).await?,
                Split::Cause => store.classes(Some(Dimension::Cause)).await?,
                _ => Vec::new(),
            };
            // each month's own figures, read once
            let monthly = match split {
                Split::Month => store.period_stats(&[unit.id], &Period::months(from, to)).await?,
                _ => Vec::new(),
            };
            for (_, key, c) in rows {
                if matches!(split, Split::Category | Split::Cause) && c.is_zero() {
                    // a class every order has left (a decision moved them to another cause)
                    continue;
                }
                let (key, zh, en, v) = match split {
                    Split::Month => {
                        // yyyymm
                        let n: i32 = key.parse().unwrap_or_default();
                        let month = Period::Month(n / 100, (n % 100).unsigned_abs()).to_string();
                        let figures = monthly.iter().find(|r| r.period == month).map(|r| r.figures());
                        (month.clone(), month.clone(), month, Volume::of(figures))
                    }
                    Split::Channel => {
                        use crate::i18n::Lang;
                        let ch = Channel::parse("channel", &key).ok();
                        let zh = ch.map_or(key.clone(), |c| Lang::Zh.name(c).to_string());
                        let en = ch.map_or(key.clone(), |c| Lang::En.name(c).to_string());
                        (key, zh, en, volume)
                    }
                    _ => {
                        let class = classes.iter().find(|r| r.code == key);
                        let (zh, en) = match class {
                            Some(r) => (r.name_zh.clone(), r.name_en.clone()),
                            None if key.is_empty() => {
                                let m = crate::i18n::Msg::of("export.unclassified");
                                (m.zh, m.en)
                            }
                            None => (key.clone(), key.clone()),
                        };
                        (key, zh, en, volume)
                    }
                };
                breakdown.push(BreakdownRow { key, label_zh: zh, label_en: en, figures: FiguresView::new(c, v) });
            }
        }
    }
    Ok(MeasuresView {
        org_unit: UnitRef { code: unit.code.clone(), name: unit.name.clone() },
        from: from.to_string(),
        to: to.to_string(),
        figures: FiguresView::new(total, volume),
        by_channel,
        by: by.filter(|b| !b.is_empty()).map(str::to_string),
        breakdown,
    })
}

/// The complaint measures of a unit's subtree (`org_unit`, default the caller's) for the complaints
/// received `from`..=`to` (default: the year so far), optionally broken down `by` child unit, month,
/// channel, category or cause. Served from the rollups.
#[utoipa::path(get, path = "/api/v1/measures", tag = "measures",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("by" = Option<String>, Query, description = "unit | month | channel | category | cause")),
    responses((status = 200, body = MeasuresView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_measures(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<MeasuresView>> {
    caller.require(Permission::ReadMeasures)?;
    let (from, to) = range(&p, local_date(state.clock.now()))?;
    let unit = unit_or_own(&state, &caller, p.get("org_unit")).await?;
    Ok(Json(measures(&state, &unit, from, to, p.get("by").map(String::as_str)).await?))
}
