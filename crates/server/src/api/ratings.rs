//! Ratings under review: those flagged as a burst of their device (the rater pressing for the
//! customer), listed for the outlet head and above; the service department may leave one out of the
//! figures, with its reason. A flagged rating counts until it is excluded.

use crate::api::measures::{range, unit_or_own};
use crate::api::query::{Params, paging};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::JsonBody;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::measure::day_number;
use xiaobao_core::role::Permission;
use xiaobao_core::text::bounded;
use xiaobao_core::time::{from_millis, local_date, rfc3339};
use xiaobao_store::{ExcludeInput, WriteError};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_flagged_ratings)).routes(routes!(exclude_rating)).merge(
        OpenApiRouter::new()
            .routes(routes!(import_ratings))
            .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
    )
}

/// Imports ratings kept elsewhere from an XLSX or UTF-8 CSV table (service department): a header
/// row naming device, seq, outlet, teller, rated_at, score (and window, reason), in Chinese or
/// English; the outlets of the caller's subtree. Every row is checked as a device's would be; one bad
/// row refuses the file (every problem told with its row), and nothing is stored. Rows already stored
/// (device, seq) are counted as duplicates.
#[utoipa::path(post, path = "/api/v1/ratings/import", tag = "service",
    request_body(content_type = "text/csv", description = "the CSV text, or the bytes of an XLSX workbook"),
    responses((status = 200, body = crate::api::ingest::IngestAnswer), (status = 403, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import_ratings(
    State(state): State<AppState>,
    caller: Caller,
    lang: crate::i18n::Lang,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<crate::api::ingest::IngestAnswer>> {
    caller.require(Permission::ManageService)?;
    let body = body.map_err(|_| ApiError::PayloadTooLarge)?;
    Ok(Json(import(&state, &caller, lang, &body).await?))
}

/// What `import_ratings` does, for the API and the command line alike.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    lang: crate::i18n::Lang,
    bytes: &[u8],
) -> ApiResult<crate::api::ingest::IngestAnswer> {
    caller.require(Permission::ManageService)?;
    let lines = crate::import::read_table(bytes)?;
    let (numbers, rows): (Vec<usize>, Vec<_>) = crate::import::ratings::rating_rows(&lines)?.into_iter().unzip();
    crate::api::ingest::ingest_ratings(state, crate::api::ingest::Source::Staff(caller, &numbers), lang, rows).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlaggedView {
    pub device: String,
    pub seq: i64,
    pub outlet: String,
    pub outlet_name: String,
    pub teller: String,
    pub teller_name: String,
    pub rated_at: String,
    pub score: i64,
    pub reason: Option<String>,
    pub excluded: bool,
    pub exclude_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlaggedPage {
    pub items: Vec<FlaggedView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The flagged ratings of a unit's subtree (`org_unit`, default the caller's), rated `from`..=`to`
/// (default: the year so far), newest first.
#[utoipa::path(get, path = "/api/v1/ratings/flagged", tag = "service",
    params(("org_unit" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = FlaggedPage), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_flagged_ratings(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Params>,
) -> ApiResult<Json<FlaggedPage>> {
    caller.require(Permission::ReadMeasures)?;
    let (from, to) = range(&p, local_date(state.clock.now()))?;
    let (offset, limit, page) = paging(&p)?;
    let unit = unit_or_own(&state, &caller, p.get("org_unit")).await?;
    let (rows, total) =
        state.store.flagged_ratings(&unit.path, day_number(from), day_number(to), limit, offset).await?;
    let items = rows
        .into_iter()
        .map(|r| FlaggedView {
            device: r.device,
            seq: r.seq,
            outlet: r.outlet_code,
            outlet_name: r.outlet_name,
            teller: r.teller,
            teller_name: r.teller_name,
            rated_at: rfc3339(from_millis(r.rated_at)),
            score: r.score,
            reason: r.reason,
            excluded: r.excluded,
            exclude_reason: r.exclude_reason,
        })
        .collect();
    Ok(Json(FlaggedPage { items, total, page, per_page: limit }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcludeRating {
    pub device: String,
    pub seq: i64,
    /// Why it is left out (what the video or the teller showed).
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Excluded {
    pub device: String,
    pub seq: i64,
    pub excluded: bool,
}

/// Leaves a rating of the caller's subtree out of the figures (service department, admin). A rating
/// already excluded is a 409.
#[utoipa::path(post, path = "/api/v1/ratings/exclude", tag = "service", request_body = ExcludeRating,
    responses((status = 200, body = Excluded), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn exclude_rating(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody<ExcludeRating>,
) -> ApiResult<Json<Excluded>> {
    caller.require(Permission::ManageService)?;
    Ok(Json(exclude(&state, &caller, body.parse()?).await?))
}

pub async fn exclude(state: &AppState, caller: &Caller, req: ExcludeRating) -> ApiResult<Excluded> {
    caller.require(Permission::ManageService)?;
    let reason = bounded("reason", &req.reason, 1, xiaobao_core::text::limits::REASON).map_err(ApiError::Invalid)?;
    let out = state
        .store
        .exclude_rating(ExcludeInput {
            device: req.device.clone(),
            seq: req.seq,
            scope_path: caller.user.org_path.clone(),
            by: caller.user.id,
            at: state.clock.now(),
            reason,
        })
        .await
        .map_err(|e| match e {
            WriteError::NotFound => ApiError::NotFound,
            e => ApiError::from(e),
        })?;
    if !out.excluded {
        return Err(ApiError::Conflict(crate::i18n::Msg::of("problem.already_excluded")));
    }
    Ok(Excluded { device: req.device, seq: req.seq, excluded: true })
}
