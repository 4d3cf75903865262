//! The workbook's figures (`GET /api/v1/workbook/figures`): per unit and period, the records of
//! each register and the amount protected from fraud, by scenario, by month and by the unit's
//! children — read from the monthly counters only, so a whole bank's year is a few rows.

use crate::api::measures::UnitRef;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use axum::Json;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::money::Money;
use xiaobao_core::role::Permission;
use xiaobao_core::time::local_date;
use xiaobao_core::workbook::Register;
use xiaobao_core::workbook::fraud::Scenario;
use xiaobao_store::workbook::FigureRow;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_figures))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterCount {
    pub register: Register,
    pub records: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioFigure {
    pub scenario: Scenario,
    pub interceptions: i64,
    /// Yuan with two decimals.
    pub amount_protected: String,
}

/// One line of the figures: a unit's subtree, or a month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureLine {
    /// Every register, in the order of `Register`, with its records (0 when none).
    pub registers: Vec<RegisterCount>,
    /// Yuan with two decimals.
    pub amount_protected: String,
    pub reviews: ReviewFigures,
    pub weekly: WeeklyFigures,
}

/// Weekly lobby reports of the period's weeks (by the month of their Monday): how many were due
/// (outlets × weeks whose deadline has passed) and how many are signed off.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct WeeklyFigures {
    pub due: i64,
    pub signed: i64,
}

/// Of the consumer-protection reviews submitted in the period: how many concluded, concluded with
/// every step in time, were drawn in a monthly sample, and were found wanting by its check.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ReviewFigures {
    pub submitted: i64,
    pub concluded: i64,
    pub on_time: i64,
    pub sampled: i64,
    pub wanting: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitLine {
    pub org_unit: UnitRef,
    #[serde(flatten)]
    pub figures: FigureLine,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthLine {
    /// YYYY-MM
    pub month: String,
    #[serde(flatten)]
    pub figures: FigureLine,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkbookFigures {
    pub org_unit: UnitRef,
    /// The first and last month counted (YYYY-MM): the figures are kept by month.
    pub from: String,
    pub to: String,
    pub total: FigureLine,
    pub fraud_by_scenario: Vec<ScenarioFigure>,
    pub months: Vec<MonthLine>,
    /// The unit's children, each with its subtree.
    pub units: Vec<UnitLine>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    records: [i64; Register::ALL.len()],
    amount_fen: i64,
    reviews: ReviewFigures,
    weekly: WeeklyFigures,
}

impl Tally {
    fn add(&mut self, r: &FigureRow) {
        // a mark (`+concluded`, ...) is a further count of records already counted by their code
        if let Some(mark) = r.code.strip_prefix('+') {
            if r.register == Register::WeeklyReport.as_str() && mark == "signed" {
                self.weekly.signed += r.records;
            }
            if r.register == Register::CpReview.as_str() {
                match mark {
                    "concluded" => self.reviews.concluded += r.records,
                    "on_time" => self.reviews.on_time += r.records,
                    "sampled" => self.reviews.sampled += r.records,
                    "wanting" => self.reviews.wanting += r.records,
                    _ => {}
                }
            }
            return;
        }
        if r.register == Register::CpReview.as_str() {
            self.reviews.submitted += r.records;
        }
        if let Some(n) = Register::ALL.iter().position(|g| g.as_str() == r.register) {
            self.records[n] += r.records;
        }
        if r.register == Register::FraudInterception.as_str() {
            self.amount_fen += r.amount_fen;
        }
    }

    fn line(&self) -> FigureLine {
        FigureLine {
            registers: Register::ALL
                .iter()
                .zip(self.records)
                .map(|(register, records)| RegisterCount { register: *register, records })
                .collect(),
            amount_protected: Money::from_fen(self.amount_fen).to_string(),
            reviews: self.reviews,
            weekly: self.weekly,
        }
    }
}

/// The weeks whose Monday falls in the months `from..=to` and whose report deadline has passed,
/// counted by month (yyyymm).
fn due_weeks(state: &AppState, from: NaiveDate, to: NaiveDate) -> BTreeMap<i32, i64> {
    use xiaobao_core::workbook::weekly::IsoWeek;
    let now = state.clock.now();
    let end = to.checked_add_months(chrono::Months::new(1)).unwrap_or(to);
    let mut monday = IsoWeek::of(from).monday();
    if monday < from {
        monday += chrono::Duration::days(7);
    }
    let mut out = BTreeMap::new();
    while monday < end {
        let week = IsoWeek::of(monday);
        if crate::api::workbook::weekly::due_at(state, week) < now {
            *out.entry(yyyymm(monday)).or_default() += 1;
        }
        monday += chrono::Duration::days(7);
    }
    out
}

/// A month given as `YYYY-MM` or as a date (its month).
fn month(p: &Params, name: &str, default: NaiveDate) -> ApiResult<NaiveDate> {
    let Some(v) = p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(default.with_day(1).unwrap_or(default));
    };
    let text = if v.len() == 7 { format!("{v}-01") } else { v.to_string() };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(|d| d.with_day(1).unwrap_or(d))
        .map_err(|_| ApiError::Invalid(FieldError::because(name, "field.month_or_date").with("value", v)))
}

fn yyyymm(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// The workbook's figures of a unit's subtree (default the caller's own) from `from` to `to`
/// (months, YYYY-MM or a date in the month; default this year so far): records of every register,
/// the amount protected from fraud by scenario, by month and by child unit (managers).
#[utoipa::path(get, path = "/api/v1/workbook/figures", tag = "workbook",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = WorkbookFigures), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_figures(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<WorkbookFigures>> {
    Ok(Json(figures(&state, &caller, &p).await?))
}

pub async fn figures(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<WorkbookFigures> {
    caller.require(Permission::ReadWorkbook)?;
    if !(caller.can(Permission::ReadMeasures) || caller.can(Permission::ManageService)) {
        return Err(ApiError::forbidden_role());
    }
    let today = local_date(state.clock.now());
    let mut f = Faults::default();
    let unit = f.keep(crate::api::measures::unit_or_own(state, caller, p.get("org_unit")).await)?;
    let from = f.keep(month(p, "from", today.with_ordinal(1).unwrap_or(today)))?;
    let to = f.keep(month(p, "to", today))?;
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            f.add(FieldError::because("to", "field.date_range"));
        } else if (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32 >= 60 {
            f.add(FieldError::because("to", "field.date_range_too_long"));
        }
    }
    f.check()?;
    let (Some(unit), Some(from), Some(to)) = (unit, from, to) else { return Err(ApiError::Internal) };
    let children = state.store.org_unit_children(unit.id).await?;
    let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
    ids.push(unit.id);
    let rows = state.store.workbook_months(&ids, yyyymm(from), yyyymm(to)).await?;
    let mut total = Tally::default();
    let mut by_unit: BTreeMap<i64, Tally> = BTreeMap::new();
    let mut by_month: BTreeMap<i32, Tally> = BTreeMap::new();
    let mut scenarios: BTreeMap<Scenario, (i64, i64)> = BTreeMap::new();
    for r in &rows {
        if r.unit_id == unit.id {
            total.add(r);
            by_month.entry(r.month).or_default().add(r);
            if r.register == Register::FraudInterception.as_str()
                && let Ok(s) = Scenario::parse("scenario", &r.code)
            {
                let e = scenarios.entry(s).or_default();
                e.0 += r.records;
                e.1 += r.amount_fen;
            }
        } else {
            by_unit.entry(r.unit_id).or_default().add(r);
        }
    }
    // the weeks due in each month of the period, and the outlets of each line
    let weeks = due_weeks(state, from, to);
    let outlets = state.store.outlet_count_under(&unit.path).await?;
    let all_weeks: i64 = weeks.values().sum();
    total.weekly.due = outlets * all_weeks;
    for c in &children {
        let n = state.store.outlet_count_under(&c.path).await?;
        by_unit.entry(c.id).or_default().weekly.due = n * all_weeks;
    }
    let mut months = Vec::new();
    let mut m = from;
    while m <= to {
        let mut tally = by_month.get(&yyyymm(m)).copied().unwrap_or_default();
        tally.weekly.due = outlets * weeks.get(&yyyymm(m)).copied().unwrap_or(0);
        months.push(MonthLine { month: m.format("%Y-%m").to_string(), figures: tally.line() });
        let Some(next) = m.checked_add_months(chrono::Months::new(1)) else { break };
        m = next;
    }
    Ok(WorkbookFigures {
        org_unit: UnitRef { code: unit.code.clone(), name: unit.name.clone() },
        from: from.format("%Y-%m").to_string(),
        to: to.format("%Y-%m").to_string(),
        total: total.line(),
        fraud_by_scenario: Scenario::ALL
            .iter()
            .map(|s| {
                let (n, fen) = scenarios.get(s).copied().unwrap_or_default();
                ScenarioFigure { scenario: *s, interceptions: n, amount_protected: Money::from_fen(fen).to_string() }
            })
            .collect(),
        months,
        units: children
            .iter()
            .map(|c| UnitLine {
                org_unit: UnitRef { code: c.code.clone(), name: c.name.clone() },
                figures: by_unit.get(&c.id).copied().unwrap_or_default().line(),
            })
            .collect(),
    })
}
