//! Period statistics (客户数、交易笔数): the customers and transactions of a unit and period that the
//! per-10,000 measures divide by, entered one by one or imported from a table.

use crate::api::measures::unit_or_own;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::period::Period;
use xiaobao_core::role::Permission;
use xiaobao_store::OrgUnitRow;

/// Longest range the measures cover in one request.
use crate::import::MAX_FIGURE;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_period_stats, get_period_stats, delete_period_stats)).merge(
        OpenApiRouter::new()
            .routes(routes!(import_period_stats))
            .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutPeriodStats {
    pub org_unit: String,
    /// `2024`, `2024-Q1` or `2024-03`.
    pub period: String,
    pub customers: i64,
    pub transactions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodStatsView {
    pub org_unit: String,
    pub name: String,
    pub period: String,
    pub customers: Option<i64>,
    pub transactions: Option<i64>,
    /// Entered for this unit itself (otherwise the sum of its children's, or null when none is known).
    pub entered: bool,
}

fn figure(field: &str, v: i64) -> ApiResult<i64> {
    if (0..=MAX_FIGURE).contains(&v) { Ok(v) } else { Err(ApiError::invalid(field, "field.figure")) }
}

/// Enters a unit's customers and transactions for a period (replacing what was entered before).
#[utoipa::path(put, path = "/api/v1/period-stats", tag = "measures", request_body = PutPeriodStats,
    responses((status = 200, body = PeriodStatsView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<PutPeriodStats>,
) -> ApiResult<Json<PeriodStatsView>> {
    caller.require(Permission::EnterStatistics)?;
    Ok(Json(enter_one(&state, &caller, body.parse()?).await?))
}

/// One unit's figures for one period, entered by the caller (the API and the statistics page).
pub async fn enter_one(state: &AppState, caller: &Caller, req: PutPeriodStats) -> ApiResult<PeriodStatsView> {
    caller.require(Permission::EnterStatistics)?;
    let period = Period::parse("period", req.period.trim())?;
    let customers = figure("customers", req.customers)?;
    let transactions = figure("transactions", req.transactions)?;
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await?;
    let now = state.clock.now().timestamp_millis();
    state.store.put_period_stats(unit.id, period, customers, transactions, caller.user.id, now).await?;
    Ok(PeriodStatsView {
        org_unit: unit.code,
        name: unit.name,
        period: period.to_string(),
        customers: Some(customers),
        transactions: Some(transactions),
        entered: true,
    })
}

/// The figures of a period for a unit (`org_unit`, default the caller's) and each of its children:
/// entered, or summed from below.
#[utoipa::path(get, path = "/api/v1/period-stats", tag = "measures",
    params(("org_unit" = Option<String>, Query), ("period" = String, Query)),
    responses((status = 200, body = [PeriodStatsView]), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Vec<PeriodStatsView>>> {
    caller.require(Permission::ReadMeasures)?;
    Ok(Json(period_table(&state, &caller, &p).await?))
}

pub async fn period_table(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Vec<PeriodStatsView>> {
    let period = Period::parse("period", p.get("period").map(|s| s.trim()).unwrap_or_default())?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let units: Vec<OrgUnitRow> =
        std::iter::once(unit.clone()).chain(state.store.org_unit_children(unit.id).await?).collect();
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let figures = state.store.period_stats(&ids, &[period]).await?;
    Ok(units
        .into_iter()
        .map(|u| {
            let f = figures.iter().find(|r| r.unit_id == u.id);
            PeriodStatsView {
                org_unit: u.code,
                name: u.name,
                period: period.to_string(),
                customers: f.map(|f| f.customers),
                transactions: f.map(|f| f.transactions),
                entered: f.is_some_and(|f| f.entered),
            }
        })
        .collect())
}

/// Removes what was entered for a unit and period: it counts as the sum of its children's again.
#[utoipa::path(delete, path = "/api/v1/period-stats", tag = "measures",
    params(("org_unit" = String, Query), ("period" = String, Query)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<StatusCode> {
    clear_one(&state, &caller, &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clears what was entered for `org_unit` and `period` (the API and the statistics page).
pub async fn clear_one(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<()> {
    caller.require(Permission::EnterStatistics)?;
    let period = Period::parse("period", p.get("period").map(|s| s.trim()).unwrap_or_default())?;
    let code = p.get("org_unit").map(|s| s.trim()).unwrap_or_default();
    let unit = crate::api::unit_in_scope(state, caller, "org_unit", code).await?;
    let now = state.clock.now().timestamp_millis();
    if state.store.delete_period_stats(unit.id, period, caller.user.id, now).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// A unit's customers and transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figures {
    pub customers: i64,
    pub transactions: i64,
}

/// Figures entered before for a unit and period that an import replaces with others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FiguresChange {
    pub org_unit: String,
    pub name: String,
    pub period: String,
    pub old: Figures,
    pub new: Figures,
}

/// Most replaced figures an answer lists (`replaced_count` counts them all).
pub const MAX_LISTED_CHANGES: usize = 1_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodStatsImported {
    /// Rows of the file with figures.
    pub rows: usize,
    /// Distinct units among them.
    pub units: usize,
    /// The periods the file held, in order.
    pub periods: Vec<String>,
    /// Whether the figures were written (false for a dry run: nothing was).
    pub written: bool,
    /// Rows for a unit and period that had no figures of its own entered.
    pub added: usize,
    /// Rows equal to the figures entered before.
    pub unchanged: usize,
    /// Rows that replace figures entered before.
    pub replaced_count: usize,
    /// Those replacements, old → new, in the file's order (the first `MAX_LISTED_CHANGES`).
    pub replaced: Vec<FiguresChange>,
}

/// A period-statistics table read and checked: its rows for units that may be entered, ready to be
/// written, with the units' codes and names.
#[derive(Debug, Clone)]
pub struct CheckedFigures {
    pub entered: Vec<xiaobao_store::EnteredFigures>,
    units: std::collections::HashMap<i64, (String, String)>,
    periods: Vec<String>,
}

/// What a checked table would change: the figures entered before for its units and periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiguresPreview {
    pub before: xiaobao_store::EnteredBefore,
}

impl CheckedFigures {
    /// The answer telling what writing these rows over `before` does.
    pub fn report(&self, before: &FiguresPreview, written: bool) -> PeriodStatsImported {
        let (mut added, mut unchanged, mut replaced_count, mut replaced) = (0, 0, 0, Vec::new());
        for r in &self.entered {
            let new = Figures { customers: r.customers, transactions: r.transactions };
            match before.before.get(&(r.unit_id, r.period)) {
                None => added += 1,
                Some(&(c, t)) if (c, t) == (r.customers, r.transactions) => unchanged += 1,
                Some(&(customers, transactions)) => {
                    replaced_count += 1;
                    if replaced.len() < MAX_LISTED_CHANGES {
                        let (code, name) = self.units.get(&r.unit_id).cloned().unwrap_or_default();
                        replaced.push(FiguresChange {
                            org_unit: code,
                            name,
                            period: r.period.to_string(),
                            old: Figures { customers, transactions },
                            new,
                        });
                    }
                }
            }
        }
        PeriodStatsImported {
            rows: self.entered.len(),
            units: self.units.len(),
            periods: self.periods.clone(),
            written,
            added,
            unchanged,
            replaced_count,
            replaced,
        }
    }

    /// The figures entered now for these rows' units and periods.
    pub async fn preview(&self, store: &xiaobao_store::Store) -> ApiResult<FiguresPreview> {
        let keys: Vec<(i64, Period)> = self.entered.iter().map(|r| (r.unit_id, r.period)).collect();
        Ok(FiguresPreview { before: store.entered_figures(&keys).await? })
    }

    /// Writes the rows in one transaction, provided the figures entered for them are still those of
    /// `seen`; otherwise nothing is written (409).
    pub async fn write(
        &self,
        store: &xiaobao_store::Store,
        seen: &FiguresPreview,
        by: Option<i64>,
        now_ms: i64,
    ) -> ApiResult<PeriodStatsImported> {
        if store.put_period_stats_many_if(&self.entered, Some(&seen.before), by, now_ms).await? {
            Ok(self.report(seen, true))
        } else {
            Err(ApiError::Conflict(crate::i18n::Msg::of("problem.import_changed")))
        }
    }
}

/// Reads a period-statistics table and checks every row, the units among them against `may_enter`:
/// every problem of every row is told at once, and nothing is written.
pub async fn check_figures(
    store: &xiaobao_store::Store,
    bytes: &[u8],
    may_enter: impl Fn(&OrgUnitRow) -> bool,
) -> ApiResult<CheckedFigures> {
    let (rows, mut problems) = crate::import::figure_rows(&crate::import::read_table(bytes)?)?;
    let mut known: std::collections::HashMap<String, Option<OrgUnitRow>> = Default::default();
    let mut units: std::collections::HashMap<i64, (String, String)> = Default::default();
    let mut entered = Vec::with_capacity(rows.len());
    for r in &rows {
        if !known.contains_key(&r.org_unit) {
            let unit = store.org_unit_by_code(&r.org_unit).await?.filter(&may_enter);
            known.insert(r.org_unit.clone(), unit);
        }
        let Some(unit) = known.get(&r.org_unit).and_then(Option::as_ref) else {
            problems.push((
                r.line,
                xiaobao_core::FieldError::because("file", "field.import_row_unit")
                    .with("line", r.line)
                    .with("org_unit", &r.org_unit),
            ));
            continue;
        };
        units.insert(unit.id, (unit.code.clone(), unit.name.clone()));
        entered.push(xiaobao_store::EnteredFigures {
            unit_id: unit.id,
            period: r.period,
            customers: r.customers,
            transactions: r.transactions,
        });
    }
    crate::import::refuse_all(problems)?;
    if entered.is_empty() {
        return Err(ApiError::invalid("file", "field.import_no_figures"));
    }
    let periods: std::collections::BTreeSet<Period> = rows.iter().map(|r| r.period).collect();
    Ok(CheckedFigures { entered, units, periods: periods.iter().map(Period::to_string).collect() })
}

/// A table checked for the caller: the units in the caller's scope.
pub async fn check_for(state: &AppState, caller: &Caller, bytes: &[u8]) -> ApiResult<CheckedFigures> {
    caller.require(Permission::EnterStatistics)?;
    check_figures(&state.store, bytes, |u| caller.sees_unit(&u.path)).await
}

/// Enters every row of a period-statistics table (see `crate::import::period_figures`) for units in
/// the caller's scope, in one transaction: all rows or, when any is wrong, none. With `dry_run`,
/// only tells what it would do.
pub async fn import_figures(
    state: &AppState,
    caller: &Caller,
    bytes: &[u8],
    dry_run: bool,
) -> ApiResult<PeriodStatsImported> {
    let checked = check_for(state, caller, bytes).await?;
    let seen = checked.preview(&state.store).await?;
    if dry_run {
        return Ok(checked.report(&seen, false));
    }
    checked.write(&state.store, &seen, Some(caller.user.id), state.clock.now().timestamp_millis()).await
}

/// Reads a period-statistics table and enters its rows for the units `may_enter` allows, in one
/// transaction. `by` is the user entering them (none from the command line).
pub async fn enter_figures(
    store: &xiaobao_store::Store,
    bytes: &[u8],
    may_enter: impl Fn(&OrgUnitRow) -> bool,
    by: Option<i64>,
    now_ms: i64,
) -> ApiResult<PeriodStatsImported> {
    let checked = check_figures(store, bytes, may_enter).await?;
    let seen = checked.preview(store).await?;
    checked.write(store, &seen, by, now_ms).await
}

/// Imports customers and transactions from a table: an XLSX workbook (its first sheet) or a UTF-8 CSV
/// file as the request body. Columns 机构代码/org_unit, 期间/period, 客户数/customers,
/// 交易笔数/transactions, named in a header row (any order) or, without one, in that order. Every row
/// is checked first: when any is wrong, 422 lists every problem in `errors` (row, column and what is
/// wrong, up to 1,000 and then how many more) and nothing is entered. The answer tells what the
/// import replaced: each unit and period whose entered figures change, old → new. With
/// `dry_run=true` nothing is written and the answer tells what would be (a preview: `written` is
/// false); send the file again without it to write.
#[utoipa::path(post, path = "/api/v1/period-stats/import", tag = "measures",
    params(("dry_run" = Option<bool>, Query, description = "true: check the file and tell what it would add and replace, writing nothing")),
    request_body(content_type = "text/csv", description = "the CSV text, or the bytes of an XLSX workbook"),
    responses((status = 200, body = PeriodStatsImported), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import_period_stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<PeriodStatsImported>> {
    caller.require(Permission::EnterStatistics)?;
    let dry_run = crate::api::query::boolean(&p, "dry_run")?.unwrap_or(false);
    let body = body.map_err(|_| ApiError::PayloadTooLarge)?;
    Ok(Json(import_figures(&state, &caller, &body, dry_run).await?))
}

/// Imports checked and previewed on the statistics page, each waiting for its user to confirm the
/// figures it replaces: held in memory for `PENDING_FOR`, one per user, at most `MAX_PENDING` in all
/// (the oldest goes first), and taken once.
#[derive(Default)]
pub struct PendingImports(std::sync::Mutex<Vec<PendingImport>>);

struct PendingImport {
    token: String,
    user: i64,
    at: std::time::Instant,
    checked: CheckedFigures,
    seen: FiguresPreview,
}

/// How long a previewed import waits for its confirmation.
pub const PENDING_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// Previewed imports held at once.
pub const MAX_PENDING: usize = 8;

impl PendingImports {
    /// Holds a previewed import for `user` (replacing any other of theirs); the token to confirm it by.
    pub fn hold(&self, user: i64, checked: CheckedFigures, seen: FiguresPreview) -> String {
        let token = crate::auth::new_token().0;
        let mut held = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.retain(|p| p.user != user && p.at.elapsed() < PENDING_FOR);
        if held.len() >= MAX_PENDING {
            held.remove(0);
        }
        held.push(PendingImport { token: token.clone(), user, at: std::time::Instant::now(), checked, seen });
        token
    }

    /// Takes the import `user` previewed under `token`, if it is still held.
    pub fn take(&self, user: i64, token: &str) -> Option<(CheckedFigures, FiguresPreview)> {
        let mut held = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        held.retain(|p| p.at.elapsed() < PENDING_FOR);
        let at = held.iter().position(|p| p.user == user && p.token == token)?;
        let p = held.remove(at);
        Some((p.checked, p.seen))
    }
}
