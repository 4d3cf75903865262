//! Taking in ratings and queue tickets inside the writer's batch: each request's rows in the batch's
//! one transaction, with their rollups. Ratings (here): a (device, sequence) already stored or given
//! twice is a duplicate, counted once; bursts are flagged against the device's latest rating.
//! Tickets: `tickets.rs`.

use super::{Batch, Ctx, WriteError};
use crate::service::rollups::ServiceDelta;
use crate::sql::{Arg, SqlBuilder, in_list, padded, padded_chunks};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use sqlx::{AnyConnection, Row};
use xiaobao_core::error::FieldError;
use xiaobao_core::measure::day_number;
use xiaobao_core::org::tier1_of;
use xiaobao_core::service::measure::rating_rows;
use xiaobao_core::service::queue::Ticket;
use xiaobao_core::service::rating::{Rating, bursts};
use xiaobao_core::time::{Instant, from_millis, local_date, to_millis};

/// A rating whose outlet and teller were found.
#[derive(Debug, Clone)]
pub struct ResolvedRating {
    /// Its index in the request.
    pub index: usize,
    pub rating: Rating,
    pub outlet_id: i64,
    pub outlet_path: String,
    pub teller_id: i64,
}

#[derive(Debug, Clone)]
pub struct RatingsInput {
    pub at: Instant,
    pub integration_id: Option<i64>,
    pub rows: Vec<ResolvedRating>,
}

/// A ticket whose outlet (and teller, if named) were found.
#[derive(Debug, Clone)]
pub struct ResolvedTicket {
    pub index: usize,
    pub ticket: Ticket,
    pub outlet_id: i64,
    pub outlet_path: String,
    pub teller_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct TicketsInput {
    pub at: Instant,
    pub integration_id: Option<i64>,
    pub rows: Vec<ResolvedTicket>,
}

/// What became of a request's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// Rows stored (for tickets: new or completed).
    pub accepted: usize,
    /// Indexes of rows already stored as they are.
    pub duplicates: Vec<usize>,
    /// Rows refused by what was stored (a ticket's time changed), each with its faults.
    pub rejected: Vec<(usize, Vec<FieldError>)>,
    /// Indexes of ratings flagged as a burst.
    pub flagged: Vec<usize>,
}

/// A request's rollups counted as if every row were new and unflagged, by the caller before the
/// request reaches the writer: so the counting runs beside the writer, not in its turn. The writer
/// takes back the rows that turn out otherwise (stored, sent twice, refused, flagged).
pub(crate) struct AsNew {
    pub(super) delta: ServiceDelta,
}

impl AsNew {
    pub fn ratings(rows: &[ResolvedRating]) -> Self {
        let mut delta = ServiceDelta::default();
        for r in rows {
            let rows = rating_rows(&r.rating, r.teller_id, false);
            delta.put(r.outlet_id, &r.outlet_path, local_date(r.rating.rated_at), rows, true);
        }
        Self { delta }
    }
}

/// Most values of one `IN` list, and most rows of one insert (12 arguments each, inside both
/// backends' parameter limits): a request of up to that many is one statement.
pub(super) const IN_CAP: usize = 1024;
pub(super) const INSERT_CAP: usize = 512;

/// A padded insert of rows known to be new writes each once: anything else is a fault of the writer's.
pub(super) fn all_written(written: u64, rows: usize, table: &str) -> Result<(), WriteError> {
    if written == rows as u64 {
        Ok(())
    } else {
        Err(WriteError::Store(crate::StoreError::Encode(format!("{table}: {written} of {rows} new rows written"))))
    }
}

impl Ctx {
    pub(super) async fn ingest_ratings(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RatingsInput,
        pre: &AsNew,
    ) -> Result<IngestOutcome, WriteError> {
        let mut out = IngestOutcome::default();
        // counted as new and unflagged: what is not is taken back below
        b.service.absorb(&pre.delta);
        let uncount = |b: &mut Batch, r: &ResolvedRating| {
            let rows = rating_rows(&r.rating, r.teller_id, false);
            b.service.put(r.outlet_id, &r.outlet_path, local_date(r.rating.rated_at), rows, false);
        };
        // given twice in the request: the first counts
        let mut seen = HashSet::default();
        let mut fresh: Vec<&ResolvedRating> = Vec::with_capacity(i.rows.len());
        for r in &i.rows {
            if seen.insert((r.rating.device.as_str(), r.rating.seq)) {
                fresh.push(r);
            } else {
                uncount(b, r);
                out.duplicates.push(r.index);
            }
        }
        let mut by_device: HashMap<&str, Vec<&ResolvedRating>> = HashMap::default();
        for r in fresh {
            by_device.entry(r.rating.device.as_str()).or_default().push(r);
        }
        // each device's latest rating and highest sequence number so far
        let devices: Vec<&str> = by_device.keys().copied().collect();
        let mut last: HashMap<String, (i64, i64)> = HashMap::default();
        for (chunk, pad) in padded_chunks(&devices, IN_CAP) {
            let mut q =
                SqlBuilder::on(tx, "SELECT device, last_rated_at, max_seq FROM rating_devices WHERE device IN ");
            in_list(&mut q, padded(chunk, pad).map(|d| Arg::Text((*d).to_string())));
            for row in q.anonymous_on_sqlite(tx).query().fetch_all(&mut *tx).await? {
                last.insert(row.try_get("device")?, (row.try_get("last_rated_at")?, row.try_get("max_seq")?));
            }
        }
        // already stored: only a number not above the device's highest can be a re-send
        let mut stored: HashSet<(&str, i64)> = HashSet::default();
        for (device, rows) in &by_device {
            let Some((_, max_seq)) = last.get(*device) else { continue };
            let maybe: Vec<i64> = rows.iter().map(|r| r.rating.seq).filter(|s| s <= max_seq).collect();
            for (chunk, pad) in padded_chunks(&maybe, IN_CAP) {
                let mut q = SqlBuilder::on(tx, "SELECT seq FROM ratings WHERE device = ");
                q.bind(Arg::Text((*device).to_string())).push(" AND seq IN ");
                in_list(&mut q, padded(chunk, pad).map(|s| Arg::I64(*s)));
                for row in q.anonymous_on_sqlite(tx).query().fetch_all(&mut *tx).await? {
                    stored.insert((*device, row.try_get("seq")?));
                }
            }
        }
        let min = b.rules.service.min_rating_interval();
        let mut new_rows: Vec<(&ResolvedRating, bool)> = Vec::new();
        let mut latest: Vec<(&str, i64, i64, i64)> = Vec::new();
        for (device, rows) in by_device {
            let rows: Vec<&ResolvedRating> = rows
                .into_iter()
                .filter(|r| {
                    let dup = stored.contains(&(device, r.rating.seq));
                    if dup {
                        uncount(b, r);
                        out.duplicates.push(r.index);
                    }
                    !dup
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let times: Vec<Instant> = rows.iter().map(|r| r.rating.rated_at).collect();
            let known = last.get(device).copied();
            let before = known.map(|(ms, _)| from_millis(ms));
            let flags = bursts(before, &times, min);
            let newest = times.iter().max().map(|t| to_millis(*t)).unwrap_or(0);
            let top = rows.iter().map(|r| r.rating.seq).max().unwrap_or(0);
            latest.push((
                device,
                rows[0].outlet_id,
                known.map_or(newest, |(ms, _)| ms.max(newest)),
                known.map_or(top, |(_, s)| s.max(top)),
            ));
            new_rows.extend(rows.into_iter().zip(flags));
        }
        new_rows.sort_unstable_by_key(|(r, _)| r.index);
        let received = to_millis(i.at);
        // new rows only (re-sends were taken out above); the padding repeats the last, which the
        // conflict clause leaves out
        for (chunk, pad) in padded_chunks(&new_rows, INSERT_CAP) {
            let mut q = SqlBuilder::on(
                tx,
                "INSERT INTO ratings (device, seq, outlet_id, branch_id, teller_id, counter_window, rated_at, day, score, \
                 reason, flagged, integration_id, received_at) VALUES ",
            );
            for (n, (r, flagged)) in padded(chunk, pad).enumerate() {
                let g = &r.rating;
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(Arg::Text(g.device.clone())).push(", ").bind(Arg::I64(g.seq)).push(", ");
                q.bind(Arg::I64(r.outlet_id)).push(", ");
                q.bind(Arg::I64(tier1_of(&r.outlet_path).unwrap_or(r.outlet_id))).push(", ");
                q.bind(Arg::I64(r.teller_id)).push(", ").bind(Arg::OptText(g.window.clone())).push(", ");
                q.bind(Arg::I64(to_millis(g.rated_at))).push(", ");
                q.bind(Arg::I64(i64::from(day_number(local_date(g.rated_at))))).push(", ");
                q.bind(Arg::I64(i64::from(g.score.get()))).push(", ").bind(Arg::OptText(g.reason.clone())).push(", ");
                q.bind(Arg::I64(i64::from(*flagged))).push(", ").bind(Arg::OptI64(i.integration_id)).push(", ");
                q.bind(Arg::I64(received)).push(")");
            }
            q.push(" ON CONFLICT (device, seq) DO NOTHING");
            let written = q.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?.rows_affected();
            all_written(written, chunk.len(), "ratings")?;
        }
        latest.sort_unstable();
        for chunk in crate::sql::pow2_chunks(&latest) {
            let mut q =
                SqlBuilder::on(tx, "INSERT INTO rating_devices (device, outlet_id, last_rated_at, max_seq) VALUES ");
            for (n, (device, outlet, at, seq)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(Arg::Text((*device).to_string())).push(", ").bind(Arg::I64(*outlet)).push(", ");
                q.bind(Arg::I64(*at)).push(", ").bind(Arg::I64(*seq)).push(")");
            }
            q.push(
                " ON CONFLICT (device) DO UPDATE SET outlet_id = excluded.outlet_id, \
                 last_rated_at = excluded.last_rated_at, max_seq = excluded.max_seq",
            );
            q.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
        }
        for (r, flagged) in &new_rows {
            if *flagged {
                uncount(b, r);
                let rows = rating_rows(&r.rating, r.teller_id, true);
                b.service.put(r.outlet_id, &r.outlet_path, local_date(r.rating.rated_at), rows, true);
                out.flagged.push(r.index);
            }
        }
        out.accepted = new_rows.len();
        out.duplicates.sort_unstable();
        Ok(out)
    }
}

/// Leaving a rating out of the figures: found to be pressed by staff, not by the customer.
#[derive(Debug, Clone)]
pub struct ExcludeInput {
    pub device: String,
    pub seq: i64,
    /// The subtree of whoever excludes it: a rating of an outlet outside it is not found.
    pub scope_path: String,
    pub by: i64,
    pub at: Instant,
    pub reason: String,
}

/// Whether the rating was excluded now (false: it already was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExcludeOutcome {
    pub excluded: bool,
}

impl Ctx {
    pub(super) async fn exclude_rating(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &ExcludeInput,
    ) -> Result<ExcludeOutcome, WriteError> {
        let row = sqlx::query(
            "SELECT r.outlet_id, o.path, r.teller_id, r.rated_at, r.score, r.reason, r.flagged, r.excluded FROM ratings r \
             JOIN org_units o ON o.id = r.outlet_id WHERE r.device = $1 AND r.seq = $2",
        )
        .bind(&i.device)
        .bind(i.seq)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(WriteError::NotFound)?;
        let path: String = row.try_get("path")?;
        if !xiaobao_core::org::in_subtree(&i.scope_path, &path) {
            return Err(WriteError::NotFound);
        }
        let excluded: i64 = row.try_get("excluded")?;
        if excluded != 0 {
            return Ok(ExcludeOutcome { excluded: false });
        }
        let (outlet, teller, flagged, rating) = crate::service::rollups::stored_rating(&row)?;
        let rows = rating_rows(&rating, teller, flagged);
        b.service.put(outlet, &path, local_date(rating.rated_at), rows, false);
        sqlx::query(
            "UPDATE ratings SET excluded = 1, excluded_by = $1, excluded_at = $2, exclude_reason = $3 \
             WHERE device = $4 AND seq = $5",
        )
        .bind(i.by)
        .bind(to_millis(i.at))
        .bind(&i.reason)
        .bind(&i.device)
        .bind(i.seq)
        .execute(&mut *tx)
        .await?;
        Ok(ExcludeOutcome { excluded: true })
    }
}
