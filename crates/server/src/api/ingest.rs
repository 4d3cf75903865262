//! Ratings and queue tickets from the devices (DESIGN §7): `POST /api/v1/ratings` from a counter
//! evaluator's token, `POST /api/v1/queue-tickets` from the queue system's. Each request is one
//! transaction: the valid rows are stored, each invalid row is told with its index, field and why,
//! a re-sent row is counted once. A token is bound to one outlet; a row naming another outlet
//! refuses the whole request. An import by staff uses the same checks, all rows or none.

use crate::app::AppState;
use crate::auth::integration::Integration;
use crate::error::{ApiError, ApiResult};
use crate::i18n::Lang;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::FieldError;
use xiaobao_core::classification::Dimension;
use xiaobao_core::integration::IntegrationKind;
use xiaobao_core::org::{OrgUnitKind, in_subtree};
use xiaobao_core::service::MAX_BATCH;
use xiaobao_core::service::queue::{Ticket, TicketIn};
use xiaobao_core::service::rating::{Rating, RatingIn};
use xiaobao_store::{IngestOutcome, OrgUnitRow, RatingsInput, ResolvedRating, ResolvedTicket, TicketsInput};

/// Largest body of one request: 5,000 rows with room to spare.
pub const MAX_INGEST_BYTES: usize = 4 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_ratings))
        .routes(routes!(post_queue_tickets))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_INGEST_BYTES))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingsBody {
    /// At most 5,000.
    #[serde(deserialize_with = "at_most_a_batch")]
    #[schema(max_items = 5000)]
    pub ratings: Vec<RatingIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketsBody {
    /// At most 5,000.
    #[serde(deserialize_with = "at_most_a_batch")]
    #[schema(max_items = 5000)]
    pub tickets: Vec<TicketIn>,
}

/// A list of at most [`MAX_BATCH`] items, refused as soon as it is longer (before the rest is read).
fn at_most_a_batch<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    struct Bounded<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Bounded<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX_BATCH} rows")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_BATCH));
            while let Some(item) = seq.next_element()? {
                if out.len() == MAX_BATCH {
                    return Err(serde::de::Error::custom("field.batch_too_large"));
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Bounded(std::marker::PhantomData))
}

/// One row refused: its index in the request, the field, and why in words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    pub index: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestAnswer {
    /// Rows stored (for tickets: new, or completed by this send).
    pub accepted: usize,
    /// Rows already stored as they are (a re-send), counted once.
    pub duplicates: usize,
    /// Ratings flagged as a burst of their device (stored, and counted unless excluded).
    pub flagged: usize,
    pub rejected: Vec<RowProblem>,
}

impl IngestAnswer {
    fn new(lang: Lang, out: IngestOutcome, mut refused: Vec<(usize, Vec<FieldError>)>) -> Self {
        refused.extend(out.rejected);
        refused.sort_by_key(|(i, _)| *i);
        let rejected = refused
            .into_iter()
            .flat_map(|(index, faults)| {
                faults.into_iter().map(move |f| RowProblem { index, field: f.field.clone(), message: lang.invalid(&f) })
            })
            .collect();
        Self { accepted: out.accepted, duplicates: out.duplicates.len(), flagged: out.flagged.len(), rejected }
    }
}

/// Each row of a batch as `T`, or why it is not one. The whole body is read as its type at once
/// when it is well-formed; otherwise row by row, so each bad row is told with its own fault.
fn read_rows<B: DeserializeOwned, T: DeserializeOwned>(
    bytes: &[u8],
    key: &str,
    rows: impl FnOnce(B) -> Vec<T>,
) -> ApiResult<Vec<Result<T, FieldError>>> {
    if bytes.len() > MAX_INGEST_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if let Ok(b) = serde_json::from_slice::<B>(bytes) {
        return Ok(rows(b).into_iter().map(Ok).collect());
    }
    let v: serde_json::Value = crate::json::parse_json(bytes)?;
    let Some(obj) = v.as_object() else {
        return Err(ApiError::BadRequest(
            FieldError::because("body", "field.invalid_value").with("detail", "an object"),
        ));
    };
    if let Some(other) = obj.keys().find(|k| *k != key) {
        return Err(ApiError::invalid(other, "field.unknown_field"));
    }
    let list = obj.get(key).ok_or_else(|| ApiError::invalid(key, "field.required"))?;
    let Some(list) = list.as_array() else {
        return Err(ApiError::invalid(key, "field.invalid_value"));
    };
    if list.len() > MAX_BATCH {
        return Err(ApiError::invalid(key, "field.batch_too_large"));
    }
    Ok(list
        .iter()
        .map(|row| {
            crate::json::parse_value::<T>(row).map_err(|e| match e {
                ApiError::Invalid(f) | ApiError::BadRequest(f) => f,
                _ => FieldError::because("body", "field.invalid_value"),
            })
        })
        .collect())
}

/// Where a batch comes from: a device's token (its outlet only), or a person importing (the
/// caller's subtree, every row or none).
pub enum Source<'a> {
    Device(&'a Integration),
    /// The person, and each row's number in their file.
    Staff(&'a crate::auth::Caller, &'a [usize]),
}

impl Source<'_> {
    fn integration_id(&self) -> Option<i64> {
        match self {
            Source::Device(d) => Some(d.0.id),
            Source::Staff(..) => None,
        }
    }
}

/// The outlets a batch names, found and checked: a device names only its own (else the request is
/// refused), a person only those of their subtree (else the row is).
async fn outlets<'r>(
    state: &AppState,
    source: &Source<'_>,
    key: &str,
    codes: impl Iterator<Item = (usize, &'r str)>,
    faults: &mut HashMap<usize, Vec<FieldError>>,
) -> ApiResult<HashMap<String, OrgUnitRow>> {
    let mut found: HashMap<String, OrgUnitRow> = HashMap::new();
    let mut missing: HashSet<String> = HashSet::new();
    for (index, code) in codes {
        if let Source::Device(d) = source
            && code != d.0.org_code
        {
            return Err(ApiError::Forbidden(crate::i18n::Msg::format(
                "problem.device_other_outlet",
                &[("row", &format!("{key}[{index}].outlet")), ("code", &d.0.org_code)],
            )));
        }
        if found.contains_key(code) {
            continue;
        }
        let unit = if missing.contains(code) { None } else { state.store.org_unit_by_code(code).await? };
        let visible = |u: &OrgUnitRow| match source {
            Source::Device(_) => true,
            Source::Staff(c, _) => c.sees_unit(&u.path),
        };
        match unit.filter(|u| u.kind == OrgUnitKind::Outlet && visible(u)) {
            Some(u) => {
                found.insert(code.to_string(), u);
            }
            None => {
                missing.insert(code.to_string());
                faults
                    .entry(index)
                    .or_default()
                    .push(FieldError::because("outlet", "field.unknown_outlet").with("code", code));
            }
        }
    }
    Ok(found)
}

/// The tellers a batch names, each an active user of the outlet it is named for.
async fn tellers(state: &AppState, names: &[&str]) -> ApiResult<HashMap<String, xiaobao_store::service::TellerRef>> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names.dedup();
    Ok(state.store.tellers_by_username(&names).await?)
}

/// A file's rows refused, each naming its row in the file and the field, when the file must be taken
/// whole (up to `import::MAX_REPORTED` of them, then how many more).
fn whole_or_refused(source: &Source<'_>, lang: Lang, refused: &[(usize, Vec<FieldError>)]) -> ApiResult<()> {
    let Source::Staff(_, lines) = source else { return Ok(()) };
    let problems = refused
        .iter()
        .flat_map(|(i, fs)| {
            let row = lines.get(*i).copied().unwrap_or(i + 1);
            fs.iter().map(move |f| {
                let e = FieldError::because("file", "field.import_row_fault")
                    .with("row", row)
                    .with_word("column", format!("import.column.{}", f.field))
                    .with("detail", lang.invalid(f));
                (row, e)
            })
        })
        .collect();
    crate::import::refuse_all(problems)
}

/// Checks and stores a batch of ratings (the API and the import alike).
pub async fn ingest_ratings(
    state: &AppState,
    source: Source<'_>,
    lang: Lang,
    rows: Vec<Result<RatingIn, FieldError>>,
) -> ApiResult<IngestAnswer> {
    let now = state.clock.now();
    let classes = crate::api::categories::held(state).await?;
    let reasons: HashSet<&str> =
        classes.of(Dimension::DissatisfactionReason).filter(|c| c.active).map(|c| c.code.as_str()).collect();
    let mut faults: HashMap<usize, Vec<FieldError>> = HashMap::new();
    let mut parsed: Vec<(usize, Rating)> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        match row.map_err(|e| vec![e]).and_then(|r| Rating::parse(&r, now, |c| reasons.contains(c))) {
            Ok(r) => parsed.push((i, r)),
            Err(f) => faults.entry(i).or_default().extend(f),
        }
    }
    let units =
        outlets(state, &source, "ratings", parsed.iter().map(|(i, r)| (*i, r.outlet.as_str())), &mut faults).await?;
    let names: Vec<&str> = parsed.iter().map(|(_, r)| r.teller.as_str()).collect();
    let staff = tellers(state, &names).await?;
    let mut resolved = Vec::with_capacity(parsed.len());
    for (index, rating) in parsed {
        let Some(unit) = units.get(&rating.outlet) else { continue };
        match staff.get(&rating.teller).filter(|t| t.active && in_subtree(&unit.path, &t.org_path)) {
            Some(t) => resolved.push(ResolvedRating {
                index,
                teller_id: t.id,
                outlet_id: unit.id,
                outlet_path: unit.path.clone(),
                rating,
            }),
            None => faults.entry(index).or_default().push(
                FieldError::because("teller", "field.unknown_teller")
                    .with("name", &rating.teller)
                    .with("code", &unit.code),
            ),
        }
    }
    let mut refused: Vec<(usize, Vec<FieldError>)> = faults.into_iter().collect();
    refused.sort_by_key(|(i, _)| *i);
    whole_or_refused(&source, lang, &refused)?;
    let out = state
        .store
        .ingest_ratings(RatingsInput { at: now, integration_id: source.integration_id(), rows: resolved })
        .await
        .map_err(ApiError::from)?;
    Ok(IngestAnswer::new(lang, out, refused))
}

/// Checks and stores (or completes) a batch of queue tickets.
pub async fn ingest_tickets(
    state: &AppState,
    source: Source<'_>,
    lang: Lang,
    rows: Vec<Result<TicketIn, FieldError>>,
) -> ApiResult<IngestAnswer> {
    let now = state.clock.now();
    let mut faults: HashMap<usize, Vec<FieldError>> = HashMap::new();
    let mut parsed: Vec<(usize, Ticket)> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        match row.map_err(|e| vec![e]).and_then(|r| Ticket::parse(&r, now)) {
            Ok(t) => parsed.push((i, t)),
            Err(f) => faults.entry(i).or_default().extend(f),
        }
    }
    let units =
        outlets(state, &source, "tickets", parsed.iter().map(|(i, t)| (*i, t.outlet.as_str())), &mut faults).await?;
    let names: Vec<&str> = parsed.iter().filter_map(|(_, t)| t.teller.as_deref()).collect();
    let staff = tellers(state, &names).await?;
    let mut resolved = Vec::with_capacity(parsed.len());
    for (index, ticket) in parsed {
        let Some(unit) = units.get(&ticket.outlet) else { continue };
        let teller_id = match &ticket.teller {
            None => None,
            Some(name) => match staff.get(name).filter(|t| t.active && in_subtree(&unit.path, &t.org_path)) {
                Some(t) => Some(t.id),
                None => {
                    faults.entry(index).or_default().push(
                        FieldError::because("teller", "field.unknown_teller")
                            .with("name", name)
                            .with("code", &unit.code),
                    );
                    continue;
                }
            },
        };
        resolved.push(ResolvedTicket { index, teller_id, outlet_id: unit.id, outlet_path: unit.path.clone(), ticket });
    }
    let mut refused: Vec<(usize, Vec<FieldError>)> = faults.into_iter().collect();
    refused.sort_by_key(|(i, _)| *i);
    whole_or_refused(&source, lang, &refused)?;
    let out = state
        .store
        .ingest_tickets(TicketsInput { at: now, integration_id: source.integration_id(), rows: resolved })
        .await
        .map_err(ApiError::from)?;
    Ok(IngestAnswer::new(lang, out, refused))
}

/// Takes a counter evaluator's ratings (its integration token, bound to its outlet).
#[utoipa::path(post, path = "/api/v1/ratings", tag = "service", request_body = RatingsBody,
    responses((status = 200, body = IngestAnswer), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn post_ratings(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<IngestAnswer>> {
    let device = Integration::of_kind(&headers, &state, IntegrationKind::Evaluator).await?;
    let rows = read_rows::<RatingsBody, _>(&body, "ratings", |b| b.ratings)?;
    Ok(Json(ingest_ratings(&state, Source::Device(&device), Lang::from_headers(&headers), rows).await?))
}

/// Takes the queue system's tickets (its integration token, bound to its outlet); a ticket sent
/// again with its call or finish time is completed.
#[utoipa::path(post, path = "/api/v1/queue-tickets", tag = "service", request_body = TicketsBody,
    responses((status = 200, body = IngestAnswer), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn post_queue_tickets(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<IngestAnswer>> {
    let system = Integration::of_kind(&headers, &state, IntegrationKind::Queue).await?;
    let rows = read_rows::<TicketsBody, _>(&body, "tickets", |b| b.tickets)?;
    Ok(Json(ingest_tickets(&state, Source::Device(&system), Lang::from_headers(&headers), rows).await?))
}
