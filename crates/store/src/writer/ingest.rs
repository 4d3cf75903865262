//! Taking in ratings and queue tickets inside the writer's batch: each request's rows in the batch's
//! one transaction, with their rollups. Ratings: a (device, sequence) already stored or given twice
//! is a duplicate, counted once; bursts are flagged against the device's latest rating. Tickets: a
//! ticket already stored (outlet, local day, number) is completed by a later send, its rollups moved
//! from what it was to what it is.

use super::{Batch, Ctx, WriteError};
use crate::sql::{Arg, SqlBuilder};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use sqlx::{AnyConnection, Row};
use xiaobao_core::error::FieldError;
use xiaobao_core::measure::day_number;
use xiaobao_core::org::tier1_of;
use xiaobao_core::service::measure::{rating_rows, ticket_rows};
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

fn in_list(b: &mut SqlBuilder, args: impl Iterator<Item = Arg>) {
    b.push("(");
    for (n, a) in args.enumerate() {
        if n > 0 {
            b.push(", ");
        }
        b.bind(a);
    }
    b.push(")");
}

impl Ctx {
    pub(super) async fn ingest_ratings(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RatingsInput,
    ) -> Result<IngestOutcome, WriteError> {
        let mut out = IngestOutcome::default();
        // given twice in the request: the first counts
        let mut seen = HashSet::default();
        let mut fresh: Vec<&ResolvedRating> = Vec::with_capacity(i.rows.len());
        for r in &i.rows {
            if seen.insert((r.rating.device.as_str(), r.rating.seq)) {
                fresh.push(r);
            } else {
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
        for chunk in crate::sql::pow2_chunks(&devices) {
            let mut q =
                SqlBuilder::on(tx, "SELECT device, last_rated_at, max_seq FROM rating_devices WHERE device IN ");
            in_list(&mut q, chunk.iter().map(|d| Arg::Text((*d).to_string())));
            for row in q.anonymous_on_sqlite(tx).query().fetch_all(&mut *tx).await? {
                last.insert(row.try_get("device")?, (row.try_get("last_rated_at")?, row.try_get("max_seq")?));
            }
        }
        // already stored: only a number not above the device's highest can be a re-send
        let mut stored: HashSet<(&str, i64)> = HashSet::default();
        for (device, rows) in &by_device {
            let Some((_, max_seq)) = last.get(*device) else { continue };
            let maybe: Vec<i64> = rows.iter().map(|r| r.rating.seq).filter(|s| s <= max_seq).collect();
            for chunk in crate::sql::pow2_chunks(&maybe) {
                let mut q = SqlBuilder::on(tx, "SELECT seq FROM ratings WHERE device = ");
                q.bind(Arg::Text((*device).to_string())).push(" AND seq IN ");
                in_list(&mut q, chunk.iter().map(|s| Arg::I64(*s)));
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
        for chunk in crate::sql::pow2_chunks(&new_rows) {
            let mut q = SqlBuilder::on(
                tx,
                "INSERT INTO ratings (device, seq, outlet_id, branch_id, teller_id, counter_window, rated_at, day, score, \
                 reason, flagged, integration_id, received_at) VALUES ",
            );
            for (n, (r, flagged)) in chunk.iter().enumerate() {
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
            q.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
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
            b.service.put(
                r.outlet_id,
                &r.outlet_path,
                local_date(r.rating.rated_at),
                rating_rows(&r.rating, r.teller_id, *flagged),
                true,
            );
            if *flagged {
                out.flagged.push(r.index);
            }
        }
        out.accepted = new_rows.len();
        out.duplicates.sort_unstable();
        Ok(out)
    }

    pub(super) async fn ingest_tickets(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &TicketsInput,
    ) -> Result<IngestOutcome, WriteError> {
        let mut out = IngestOutcome::default();
        let thresholds = b.rules.service.overtime.clone();
        // what is stored of the request's tickets, by (outlet, day, number)
        let mut known: HashMap<(i64, i32, String), (Option<i64>, Ticket)> = HashMap::default();
        let mut wanted: HashMap<(i64, i32), Vec<&str>> = HashMap::default();
        for r in &i.rows {
            wanted.entry((r.outlet_id, day_number(r.ticket.day()))).or_default().push(&r.ticket.number);
        }
        for ((outlet, day), numbers) in &wanted {
            for chunk in crate::sql::pow2_chunks(numbers) {
                let mut q = SqlBuilder::on(
                    tx,
                    "SELECT number, business, taken_at, called_at, finished_at, counter_window, teller_id FROM queue_tickets \
                     WHERE outlet_id = ",
                );
                q.bind(Arg::I64(*outlet)).push(" AND day = ").bind(Arg::I64(i64::from(*day))).push(" AND number IN ");
                in_list(&mut q, chunk.iter().map(|n| Arg::Text((*n).to_string())));
                for row in q.anonymous_on_sqlite(tx).query().fetch_all(&mut *tx).await? {
                    let number: String = row.try_get("number")?;
                    let called: Option<i64> = row.try_get("called_at")?;
                    let finished: Option<i64> = row.try_get("finished_at")?;
                    let t = Ticket {
                        outlet: String::new(),
                        number: number.clone(),
                        business: row.try_get("business")?,
                        taken_at: from_millis(row.try_get("taken_at")?),
                        called_at: called.map(from_millis),
                        finished_at: finished.map(from_millis),
                        window: row.try_get("counter_window")?,
                        teller: None,
                    };
                    known.insert((*outlet, *day, number), (row.try_get("teller_id")?, t));
                }
            }
        }
        // each send in order: the first of a ticket inserts it, later ones complete it
        let mut inserts: Vec<(i64, &str, i32, Option<i64>, Ticket)> = Vec::new();
        let mut updates: HashMap<(i64, i32, String), (Option<i64>, Ticket)> = HashMap::default();
        let mut new_keys: HashSet<(i64, i32, String)> = HashSet::default();
        for r in &i.rows {
            let key = (r.outlet_id, day_number(r.ticket.day()), r.ticket.number.clone());
            match known.get(&key).cloned() {
                None => {
                    b.service.put(
                        r.outlet_id,
                        &r.outlet_path,
                        r.ticket.day(),
                        ticket_rows(&r.ticket, r.teller_id, &thresholds),
                        true,
                    );
                    known.insert(key.clone(), (r.teller_id, r.ticket.clone()));
                    new_keys.insert(key);
                    out.accepted += 1;
                }
                Some((old_teller, mut old)) => match r.ticket.completing(&old) {
                    Err(faults) => out.rejected.push((r.index, faults)),
                    Ok(_) if old_teller.is_some() && r.teller_id.is_some() && old_teller != r.teller_id => {
                        out.rejected.push((r.index, vec![FieldError::because("teller", "field.already_recorded")]));
                    }
                    Ok(mut merged) => {
                        // the teller is compared by id: the stored ticket knows no name
                        merged.teller = None;
                        old.teller = None;
                        let teller = old_teller.or(r.teller_id);
                        if merged == old && teller == old_teller {
                            out.duplicates.push(r.index);
                            continue;
                        }
                        b.service.put(
                            r.outlet_id,
                            &r.outlet_path,
                            old.day(),
                            ticket_rows(&old, old_teller, &thresholds),
                            false,
                        );
                        b.service.put(
                            r.outlet_id,
                            &r.outlet_path,
                            merged.day(),
                            ticket_rows(&merged, teller, &thresholds),
                            true,
                        );
                        known.insert(key.clone(), (teller, merged.clone()));
                        if !new_keys.contains(&key) {
                            updates.insert(key, (teller, merged));
                        }
                        out.accepted += 1;
                    }
                },
            }
        }
        for r in &i.rows {
            let key = (r.outlet_id, day_number(r.ticket.day()), r.ticket.number.clone());
            // each new ticket once, as the request's last send left it (moved out: nothing reads it later)
            if new_keys.remove(&key)
                && let Some((teller, t)) = known.remove(&key)
            {
                inserts.push((r.outlet_id, r.outlet_path.as_str(), key.1, teller, t));
            }
        }
        let at = to_millis(i.at);
        let opt_ms = |t: Option<Instant>| Arg::OptI64(t.map(to_millis));
        for chunk in crate::sql::pow2_chunks(&inserts) {
            let mut q = SqlBuilder::on(
                tx,
                "INSERT INTO queue_tickets (outlet_id, branch_id, day, number, business, taken_at, called_at, finished_at, \
                 counter_window, teller_id, integration_id, updated_at) VALUES ",
            );
            for (n, (outlet, path, day, teller, t)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind(Arg::I64(*outlet)).push(", ").bind(Arg::I64(tier1_of(path).unwrap_or(*outlet))).push(", ");
                q.bind(Arg::I64(i64::from(*day))).push(", ").bind(Arg::Text(t.number.clone())).push(", ");
                q.bind(Arg::OptText(t.business.clone())).push(", ").bind(Arg::I64(to_millis(t.taken_at))).push(", ");
                q.bind(opt_ms(t.called_at)).push(", ").bind(opt_ms(t.finished_at)).push(", ");
                q.bind(Arg::OptText(t.window.clone())).push(", ").bind(Arg::OptI64(*teller)).push(", ");
                q.bind(Arg::OptI64(i.integration_id)).push(", ").bind(Arg::I64(at)).push(")");
            }
            q.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
        }
        let mut updates: Vec<_> = updates.into_iter().collect();
        updates.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for ((outlet, day, number), (teller, t)) in updates {
            sqlx::query(
                "UPDATE queue_tickets SET business = $1, called_at = $2, finished_at = $3, counter_window = $4, teller_id = $5, \
                 updated_at = $6 WHERE outlet_id = $7 AND day = $8 AND number = $9",
            )
            .bind(t.business)
            .bind(t.called_at.map(to_millis))
            .bind(t.finished_at.map(to_millis))
            .bind(t.window)
            .bind(teller)
            .bind(at)
            .bind(outlet)
            .bind(i64::from(day))
            .bind(number)
            .execute(&mut *tx)
            .await?;
        }
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
