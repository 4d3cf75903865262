//! Inspections (DESIGN §3): checklist templates in versions, inspections of outlets scored on one
//! version with their findings (each to be put right opens a rectification), and the coverage of a
//! subtree in a period with the outlets not yet inspected (the planner).

use crate::api::measures::{RateView, UnitRef, range, unit_or_own};
use crate::api::query::{Params, paging};
use crate::api::rectifications::{RectificationView, owner_in_unit};
use crate::api::views::Paged;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Faults};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::measure::{Ratio, day_number};
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Permission;
use xiaobao_core::service::inspection::{self, Coverage, InspectionKind, ItemScore, TemplateItem, basis_points};
use xiaobao_core::service::rectification::{Source, due_on};
use xiaobao_core::text::{bounded, limits};
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::service::{InspectionRow, NewInspection, NewRectification, RectFilter, TemplateRow};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_template, list_templates))
        .routes(routes!(get_template, edit_template))
        .routes(routes!(create_inspection, list_inspections))
        .routes(routes!(get_inspection))
        .routes(routes!(get_coverage))
}

/// Who may read inspections and templates: inspectors, template keepers and the managers of the
/// subtree.
fn may_read(caller: &Caller) -> ApiResult<()> {
    if caller.can(Permission::Inspect) || caller.can(Permission::ManageService) || caller.can(Permission::ReadMeasures)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden_role())
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateIn {
    /// Unique ("SERVICE-2026"); not changed by an edit.
    #[serde(default)]
    pub code: String,
    pub name: String,
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub items: Vec<TemplateItem>,
    /// The points of all items.
    pub possible: i64,
    pub created_at: String,
    pub created_by: String,
}

impl From<&TemplateRow> for TemplateView {
    fn from(t: &TemplateRow) -> Self {
        Self {
            id: t.id,
            code: t.code.clone(),
            version: t.version,
            name: t.name.clone(),
            items: t.items.clone(),
            possible: t.items.iter().map(|i| i64::from(i.weight)).sum(),
            created_at: rfc3339(from_millis(t.created_at)),
            created_by: t.created_by.clone(),
        }
    }
}

fn parse_template(req: &TemplateIn, with_code: bool) -> ApiResult<(String, String, Vec<TemplateItem>)> {
    let mut f = Faults::default();
    let code = if with_code {
        f.keep(bounded("code", &req.code, 1, 40).map_err(ApiError::Invalid))?.unwrap_or_default()
    } else {
        String::new()
    };
    let name = f.keep(bounded("name", &req.name, 1, limits::ORG_NAME).map_err(ApiError::Invalid))?;
    let items = f.keep(inspection::parse_items(&req.items).map_err(ApiError::InvalidAll))?;
    f.check()?;
    Ok((code, name.unwrap_or_default(), items.unwrap_or_default()))
}

/// Makes a checklist template at version 1 (service department).
#[utoipa::path(post, path = "/api/v1/inspection-templates", tag = "inspections", request_body = TemplateIn,
    responses((status = 201, body = TemplateView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_template(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<TemplateIn>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    caller.require(Permission::ManageService)?;
    Ok((StatusCode::CREATED, Json(make_template(&state, &caller, body.parse()?).await?)))
}

pub async fn make_template(state: &AppState, caller: &Caller, req: TemplateIn) -> ApiResult<TemplateView> {
    caller.require(Permission::ManageService)?;
    let (code, name, items) = parse_template(&req, true)?;
    let row = state
        .store
        .create_template(&code, &name, &items, caller.user.id, state.clock.now().timestamp_millis())
        .await?
        .ok_or_else(|| ApiError::Invalid(FieldError::because("code", "field.already_exists")))?;
    Ok((&row).into())
}

/// Every template at its current version.
#[utoipa::path(get, path = "/api/v1/inspection-templates", tag = "inspections",
    responses((status = 200, body = Vec<TemplateView>), (status = 403, body = crate::error::Problem)))]
pub async fn list_templates(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TemplateView>>> {
    may_read(&caller)?;
    Ok(Json(state.store.templates().await?.iter().map(Into::into).collect()))
}

/// A template at `version` (default: the current one).
#[utoipa::path(get, path = "/api/v1/inspection-templates/{id}", tag = "inspections",
    params(("id" = i64, Path), ("version" = Option<i64>, Query)),
    responses((status = 200, body = TemplateView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<Params>,
) -> ApiResult<Json<TemplateView>> {
    may_read(&caller)?;
    let version = crate::api::query::int(&p, "version")?;
    let row = state.store.template(id, version).await?.ok_or(ApiError::NotFound)?;
    Ok(Json((&row).into()))
}

/// Edits a template: writes its next version. Inspections already made keep the version they were
/// scored on.
#[utoipa::path(put, path = "/api/v1/inspection-templates/{id}", tag = "inspections", params(("id" = i64, Path)),
    request_body = TemplateIn,
    responses((status = 200, body = TemplateView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn edit_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: JsonBody<TemplateIn>,
) -> ApiResult<Json<TemplateView>> {
    caller.require(Permission::ManageService)?;
    Ok(Json(new_version(&state, &caller, id, body.parse()?).await?))
}

/// What `edit_template` does, for the API and the templates page alike.
pub async fn new_version(state: &AppState, caller: &Caller, id: i64, req: TemplateIn) -> ApiResult<TemplateView> {
    caller.require(Permission::ManageService)?;
    state.store.template(id, None).await?.ok_or(ApiError::NotFound)?;
    let (_, name, items) = parse_template(&req, false)?;
    let row = state
        .store
        .new_template_version(id, &name, &items, caller.user.id, state.clock.now().timestamp_millis())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((&row).into())
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    pub item: String,
    pub score: u32,
    #[serde(default)]
    pub finding: Option<String>,
    /// Open a rectification for this finding.
    #[serde(default)]
    pub rectify: bool,
    /// Who puts it right: a username of the outlet (default: its head).
    #[serde(default)]
    pub owner: Option<String>,
    /// YYYY-MM-DD (default: ten working days on).
    #[serde(default)]
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInspection {
    /// The outlet's code.
    pub org_unit: String,
    /// on_site, off_site or mystery_shopper.
    pub kind: String,
    /// The template's code: scored on its current version.
    pub template: String,
    /// YYYY-MM-DD, default today; not in the future.
    #[serde(default)]
    pub inspected_on: Option<String>,
    #[serde(default)]
    pub summary: String,
    pub scores: Vec<ScoreIn>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionView {
    pub id: i64,
    pub org_unit: UnitRef,
    pub kind: InspectionKind,
    pub template: String,
    pub template_version: i64,
    pub inspector: String,
    pub inspector_name: String,
    pub inspected_on: String,
    pub earned: i64,
    pub possible: i64,
    pub score: RateView,
    pub summary: String,
    pub created_at: String,
}

impl From<&InspectionRow> for InspectionView {
    fn from(i: &InspectionRow) -> Self {
        Self {
            id: i.id,
            org_unit: UnitRef { code: i.unit_code.clone(), name: i.unit_name.clone() },
            kind: i.kind,
            template: i.template_code.clone(),
            template_version: i.template_version,
            inspector: i.inspector.clone(),
            inspector_name: i.inspector_name.clone(),
            inspected_on: day_text(i.inspected_on),
            earned: i.earned,
            possible: i.possible,
            score: Ratio::new(i.earned, i.possible, 100).into(),
            summary: i.summary.clone(),
            created_at: rfc3339(from_millis(i.created_at)),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredItemView {
    pub item: String,
    pub group: String,
    pub text: String,
    pub weight: u32,
    pub score: u32,
    pub finding: Option<String>,
    pub rectify: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionDetail {
    pub inspection: InspectionView,
    /// Each item of the version it was scored on, with its score.
    pub items: Vec<ScoredItemView>,
    pub rectifications: Vec<RectificationView>,
}

pub fn day_text(n: i32) -> String {
    format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100)
}

fn date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| FieldError::because(field, "field.date"))
}

/// Records an inspection of an outlet (inspectors): every item of the template's current version
/// scored; each finding marked `rectify` opens a rectification for its owner.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", request_body = CreateInspection,
    responses((status = 201, body = InspectionDetail), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_inspection(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<CreateInspection>,
) -> ApiResult<(StatusCode, Json<InspectionDetail>)> {
    caller.require(Permission::Inspect)?;
    Ok((StatusCode::CREATED, Json(inspect(&state, &caller, body.parse()?).await?)))
}

pub async fn inspect(state: &AppState, caller: &Caller, req: CreateInspection) -> ApiResult<InspectionDetail> {
    caller.require(Permission::Inspect)?;
    let now = state.clock.now();
    let today = local_date(now);
    let rules = state.store.rules();
    let mut f = Faults::default();
    let unit = f.keep(crate::api::unit_in_scope(state, caller, "org_unit", &req.org_unit).await)?;
    if let Some(u) = &unit
        && u.kind != OrgUnitKind::Outlet
    {
        f.add(FieldError::because("org_unit", "field.inspect_outlet_only").with("code", &u.code));
    }
    let kind = f.keep(InspectionKind::parse("kind", req.kind.trim()).map_err(ApiError::Invalid))?;
    let template = state.store.template_by_code(req.template.trim()).await?;
    if template.is_none() {
        f.add(FieldError::because("template", "field.unknown_template").with("value", req.template.trim()));
    }
    let day = match req.inspected_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today),
        Some(s) => match date("inspected_on", s) {
            Ok(d) if d > today => {
                f.add(FieldError::because("inspected_on", "field.in_future"));
                None
            }
            Ok(d) if (today - d).num_days() > 366 => {
                f.add(FieldError::because("inspected_on", "field.too_long_ago").with("max", 366));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                f.add(e);
                None
            }
        },
    };
    let summary = f.keep(bounded("summary", &req.summary, 0, limits::TEXT).map_err(ApiError::Invalid))?;
    let given: Vec<ItemScore> = req
        .scores
        .iter()
        .map(|s| ItemScore { item: s.item.clone(), score: s.score, finding: s.finding.clone(), rectify: s.rectify })
        .collect();
    let scored = match &template {
        Some(t) => f.keep(inspection::score(&t.items, &given).map_err(ApiError::InvalidAll))?,
        None => None,
    };
    // each rectification's owner and due date
    let mut opened = Vec::new();
    if let Some(unit) = &unit {
        for (n, s) in req.scores.iter().enumerate().filter(|(_, s)| s.rectify) {
            let owner = f.keep(owner_in_unit(state, unit, &format!("scores[{n}].owner"), s.owner.as_deref()).await)?;
            let due = s
                .due_on
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| date(&format!("scores[{n}].due_on"), d));
            let due = match due.transpose() {
                Ok(asked) => f.keep(
                    due_on(&rules.calendar, today, asked, &format!("scores[{n}].due_on")).map_err(ApiError::Invalid),
                )?,
                Err(e) => {
                    f.add(e);
                    None
                }
            };
            if let (Some(owner), Some(due)) = (owner, due) {
                opened.push((s.item.trim().to_string(), s.finding.clone().unwrap_or_default(), owner, due));
            }
        }
    }
    f.check()?;
    let (Some(unit), Some(kind), Some(template), Some(day), Some(summary), Some(scored)) =
        (unit, kind, template, day, summary, scored)
    else {
        return Err(ApiError::Internal);
    };
    let at_ms = now.timestamp_millis();
    let text_of: HashMap<&str, &str> = template.items.iter().map(|i| (i.code.as_str(), i.text.as_str())).collect();
    let rectifications = opened
        .into_iter()
        .map(|(item, finding, owner, due)| NewRectification {
            source: Source::InspectionFinding,
            source_id: None,
            unit_id: unit.id,
            owner_id: owner.id,
            title: format!("{item} {}", text_of.get(item.as_str()).copied().unwrap_or("")).trim().to_string(),
            detail: finding.trim().to_string(),
            due_on: day_number(due),
            by: caller.user.id,
            at_ms,
        })
        .collect();
    let id = state
        .store
        .create_inspection(&NewInspection {
            unit_id: unit.id,
            kind,
            template_id: template.id,
            template_version: template.version,
            inspector_id: caller.user.id,
            inspected_on: day_number(day),
            earned: scored.earned,
            possible: scored.possible,
            score_bp: basis_points(scored.earned, scored.possible),
            summary,
            scores: scored.scores,
            at_ms,
            rectifications,
        })
        .await?;
    detail(state, caller, id).await
}

/// An inspection the caller may read, with its items and the rectifications it opened.
pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> ApiResult<InspectionDetail> {
    may_read(caller)?;
    let (row, scores) =
        state.store.inspection(id).await?.filter(|(r, _)| caller.sees_unit(&r.unit_path)).ok_or(ApiError::NotFound)?;
    let template =
        state.store.template(row.template_id, Some(row.template_version)).await?.ok_or(ApiError::Internal)?;
    let by_code: HashMap<&str, &ItemScore> = scores.iter().map(|s| (s.item.as_str(), s)).collect();
    let items = template
        .items
        .iter()
        .filter_map(|i| {
            by_code.get(i.code.as_str()).map(|s| ScoredItemView {
                item: i.code.clone(),
                group: i.group.clone(),
                text: i.text.clone(),
                weight: i.weight,
                score: s.score,
                finding: s.finding.clone(),
                rectify: s.rectify,
            })
        })
        .collect();
    let rects = state
        .store
        .rectifications(&RectFilter { path: row.unit_path.clone(), limit: 500, ..Default::default() })
        .await?
        .into_iter()
        .filter(|r| r.source == Source::InspectionFinding && r.source_id == Some(row.id))
        .map(|r| RectificationView::new(state, &r))
        .collect();
    Ok(InspectionDetail { inspection: (&row).into(), items, rectifications: rects })
}

/// One inspection with its items and the rectifications it opened.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = InspectionDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_inspection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InspectionDetail>> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// The inspections of a unit's subtree (`org_unit`, default the caller's) from `from` to `to`
/// (default: the year so far), newest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = Paged<InspectionView>), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_inspections(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<Paged<InspectionView>>> {
    Ok(Json(inspections(&state, &caller, &p).await?))
}

pub async fn inspections(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<Paged<InspectionView>> {
    may_read(caller)?;
    let (offset, limit, page) = paging(p)?;
    let (from, to) = range(p, local_date(state.clock.now()))?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let rows = state.store.inspections(&unit.path, day_number(from), day_number(to), limit, offset).await?;
    Ok(Paged::from_probe(&rows, offset, limit, page, |r| r.into()))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageRow {
    pub org_unit: UnitRef,
    pub outlets: i64,
    pub inspected: i64,
    pub coverage: RateView,
    pub inspections: i64,
    pub average_score: RateView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageView {
    pub from: String,
    pub to: String,
    pub total: CoverageRow,
    /// Each child unit's coverage (a unit above outlets).
    pub children: Vec<CoverageRow>,
    /// The planner: outlets of the subtree with no inspection in the period, by code.
    pub not_inspected: Vec<UnitRef>,
}

fn coverage_row(code: &str, name: &str, c: &Coverage) -> CoverageRow {
    CoverageRow {
        org_unit: UnitRef { code: code.to_string(), name: name.to_string() },
        outlets: c.outlets,
        inspected: c.inspected,
        coverage: c.rate().into(),
        inspections: c.inspections,
        average_score: c.average_score().into(),
    }
}

/// Inspection coverage of a unit's subtree over a period (default: this month): how many outlets
/// were inspected, the average score, per child unit, and the outlets not inspected yet.
#[utoipa::path(get, path = "/api/v1/inspection-coverage", tag = "inspections",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = CoverageView), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn get_coverage(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<CoverageView>> {
    Ok(Json(coverage(&state, &caller, &p).await?))
}

pub async fn coverage(state: &AppState, caller: &Caller, p: &Params) -> ApiResult<CoverageView> {
    may_read(caller)?;
    let today = local_date(state.clock.now());
    let mut p = p.clone();
    p.entry("from".into()).or_insert_with(|| day_text(day_number(today) / 100 * 100 + 1));
    let (from, to) = range(&p, today)?;
    let unit = unit_or_own(state, caller, p.get("org_unit")).await?;
    let outlets = state.store.outlets_under(&unit.path).await?;
    let mut inspected: HashMap<i64, Vec<i64>> = HashMap::new();
    for (unit_id, bp) in state.store.inspection_scores_in(&unit.path, day_number(from), day_number(to)).await? {
        inspected.entry(unit_id).or_default().push(bp);
    }
    let ids: Vec<i64> = outlets.iter().map(|o| o.id).collect();
    let total = Coverage::of(&ids, &inspected);
    let mut children = Vec::new();
    for c in state.store.org_unit_children(unit.id).await? {
        let under: Vec<i64> = outlets.iter().filter(|o| o.path.starts_with(&c.path)).map(|o| o.id).collect();
        children.push(coverage_row(&c.code, &c.name, &Coverage::of(&under, &inspected)));
    }
    let not_inspected = outlets
        .iter()
        .filter(|o| !inspected.contains_key(&o.id))
        .map(|o| UnitRef { code: o.code.clone(), name: o.name.clone() })
        .collect();
    Ok(CoverageView {
        from: from.to_string(),
        to: to.to_string(),
        total: coverage_row(&unit.code, &unit.name, &total),
        children,
        not_inspected,
    })
}
