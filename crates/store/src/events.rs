//! The event log: append-only, one global hash chain. Each event's hash covers the previous hash and
//! every stored field; the chain head row holds the last sequence number and hash, and every writer
//! locks it first, so sequence numbers have no gaps and `verify` can name the first altered or
//! missing event.

use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::complaint::event::{GENESIS_HASH, Hashed, NewEvent, chain_hash};
use xiaobao_core::time::{Instant, from_millis, to_millis};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub complaint_id: i64,
    pub kind: String,
    pub actor_id: i64,
    pub actor: String,
    pub actor_name: String,
    pub at: Instant,
    pub from_state: String,
    pub to_state: String,
    pub payload: serde_json::Value,
    pub hash: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: i64,
    pub head_seq: i64,
    /// The first broken event: its sequence number and what is wrong with it.
    pub first_problem: Option<(i64, String)>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

pub(crate) struct ChainHead {
    pub seq: i64,
    pub hash: String,
    /// Events appended in this batch, written in one statement by `store_chain`.
    pending: Vec<PendingEvent>,
}

struct PendingEvent {
    seq: i64,
    complaint_id: i64,
    kind: &'static str,
    actor_id: i64,
    at_ms: i64,
    from: &'static str,
    to: &'static str,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// Takes the chain head's row lock (PostgreSQL) or the database write lock (SQLite) with a no-op
/// update, and returns the head.
pub(crate) async fn lock_chain(tx: &mut sqlx::AnyConnection) -> Result<ChainHead, StoreError> {
    let row =
        sqlx::query("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash").fetch_one(&mut *tx).await?;
    Ok(ChainHead { seq: row.try_get("seq")?, hash: row.try_get("hash")?, pending: Vec::new() })
}

/// Writes the batch's events (nothing inside a batch reads them back) and moves the head.
pub(crate) async fn store_chain(tx: &mut sqlx::AnyConnection, head: &mut ChainHead) -> Result<(), StoreError> {
    // 10 parameters a row; 256 rows stay well inside both backends' parameter limits.
    for chunk in crate::sql::pow2_chunks(&head.pending) {
        let mut b = SqlBuilder::new(
            "INSERT INTO events (seq, complaint_id, kind, actor_id, at, from_state, to_state, payload, prev_hash, hash) VALUES ",
        );
        for (n, e) in chunk.iter().enumerate() {
            b.push(if n == 0 { "(" } else { ", (" });
            b.bind(Arg::I64(e.seq)).push(", ").bind(Arg::I64(e.complaint_id)).push(", ");
            b.bind(Arg::Text(e.kind.into())).push(", ").bind(Arg::I64(e.actor_id)).push(", ");
            b.bind(Arg::I64(e.at_ms)).push(", ").bind(Arg::Text(e.from.into())).push(", ");
            b.bind(Arg::Text(e.to.into())).push(", ").bind(Arg::Text(e.payload.clone())).push(", ");
            b.bind(Arg::Text(e.prev_hash.clone())).push(", ").bind(Arg::Text(e.hash.clone())).push(")");
        }
        b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
    }
    head.pending.clear();
    sqlx::query("UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(head.seq)
        .bind(&head.hash)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Appends one event after the head and moves the head; returns its sequence number. The row is
/// written with the rest of the batch by `store_chain`.
pub(crate) fn append(head: &mut ChainHead, e: &NewEvent) -> Result<i64, StoreError> {
    let seq = head.seq + 1;
    let payload = serde_json::to_string(&e.change).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    let from = e.from.map(|s| s.as_str()).unwrap_or("");
    let at_ms = to_millis(e.at);
    let hashed = Hashed {
        seq,
        complaint_id: e.complaint_id,
        kind: e.change.kind(),
        actor_id: e.actor_id,
        at_ms,
        from_state: from,
        to_state: e.to.as_str(),
        payload: &payload,
    };
    let hash = chain_hash(&head.hash, hashed);
    let prev_hash = std::mem::replace(&mut head.hash, hash.clone());
    head.pending.push(PendingEvent {
        seq,
        complaint_id: e.complaint_id,
        kind: e.change.kind(),
        actor_id: e.actor_id,
        at_ms,
        from,
        to: e.to.as_str(),
        payload,
        prev_hash,
        hash,
    });
    head.seq = seq;
    Ok(seq)
}

impl Store {
    /// An order's timeline, oldest first.
    pub async fn events(&self, complaint_id: i64) -> Result<Vec<EventRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.complaint_id, e.kind, e.actor_id, u.username, u.display_name, e.at, e.from_state, e.to_state, e.payload, e.hash \
             FROM events e JOIN users u ON u.id = e.actor_id WHERE e.complaint_id = $1 ORDER BY e.seq",
        )
        .bind(complaint_id)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                Ok(EventRow {
                    seq: r.try_get("seq")?,
                    complaint_id: r.try_get("complaint_id")?,
                    kind: r.try_get("kind")?,
                    actor_id: r.try_get("actor_id")?,
                    actor: r.try_get("username")?,
                    actor_name: r.try_get("display_name")?,
                    at: from_millis(r.try_get("at")?),
                    from_state: r.try_get("from_state")?,
                    to_state: r.try_get("to_state")?,
                    payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    /// Walks the whole chain in order and reports the first event that was altered, removed or
    /// inserted out of turn.
    pub async fn verify_chain(&self) -> Result<VerifyReport, StoreError> {
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(self.read()).await?;
        let mut prev_hash = GENESIS_HASH.to_string();
        let mut expected_seq = 1i64;
        let mut checked = 0i64;
        const BATCH: i64 = 10_000;
        loop {
            let rows = sqlx::query(
                "SELECT seq, complaint_id, kind, actor_id, at, from_state, to_state, payload, prev_hash, hash FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected_seq)
            .bind(BATCH)
            .fetch_all(self.read())
            .await?;
            let n = rows.len();
            for r in &rows {
                let seq: i64 = r.try_get("seq")?;
                let problem = |msg: String| {
                    Ok(VerifyReport { checked, head_seq, first_problem: Some((seq.min(expected_seq), msg)) })
                };
                if seq != expected_seq {
                    return problem(format!("event {expected_seq} is missing (next found is {seq})"));
                }
                let stored_prev: String = r.try_get("prev_hash")?;
                let stored_hash: String = r.try_get("hash")?;
                let kind: String = r.try_get("kind")?;
                let from: String = r.try_get("from_state")?;
                let to: String = r.try_get("to_state")?;
                let payload: String = r.try_get("payload")?;
                let hashed = Hashed {
                    seq,
                    complaint_id: r.try_get("complaint_id")?,
                    kind: &kind,
                    actor_id: r.try_get("actor_id")?,
                    at_ms: r.try_get("at")?,
                    from_state: &from,
                    to_state: &to,
                    payload: &payload,
                };
                if stored_prev != prev_hash {
                    return problem(format!(
                        "event {seq} does not follow event {}: the chain is broken before it",
                        seq - 1
                    ));
                }
                let computed = chain_hash(&prev_hash, hashed);
                if computed != stored_hash {
                    return problem(format!("event {seq} was altered: its content does not match its hash"));
                }
                prev_hash = stored_hash;
                expected_seq += 1;
                checked += 1;
            }
            if (n as i64) < BATCH {
                break;
            }
        }
        let last = expected_seq - 1;
        if last != head_seq {
            return Ok(VerifyReport {
                checked,
                head_seq,
                first_problem: Some((
                    last + 1,
                    format!("events {} to {head_seq} are missing from the end of the chain", last + 1),
                )),
            });
        }
        if prev_hash != head_hash {
            return Ok(VerifyReport {
                checked,
                head_seq,
                first_problem: Some((last, format!("event {last} does not match the chain head"))),
            });
        }
        let mut first_problem = self.verify_attachments().await?;
        if first_problem.is_none() {
            first_problem = self.verify_orders().await?;
        }
        Ok(VerifyReport { checked, head_seq, first_problem })
    }

    /// Each order as stored (its state, units, clocks, decision) against the order its events replay
    /// to: an edit of the current-state tables that the chain does not show is caught here.
    async fn verify_orders(&self) -> Result<Option<(i64, String)>, StoreError> {
        let mut c = self.read().acquire().await?;
        let mut after = 0i64;
        while let Some((last, _, orders)) = crate::rollups::replayed_page(&mut c, after).await? {
            // clocks are kept in the order they are shown, replayed in the order they started
            let in_kind_order = |mut o: xiaobao_core::complaint::Order| {
                use xiaobao_core::deadline::ClockKind;
                o.clocks.sort_by_key(|c| ClockKind::ALL.iter().position(|k| *k == c.kind));
                o
            };
            let mut stored: std::collections::HashMap<i64, xiaobao_core::complaint::Order> =
                self.orders_in_id_range(after, last).await?.into_iter().map(|o| (o.id, in_kind_order(o))).collect();
            for replayed in orders {
                let replayed = in_kind_order(replayed);
                let stored = stored.remove(&replayed.id);
                if stored.as_ref() != Some(&replayed) {
                    let (seq,): (i64,) = sqlx::query_as(
                        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM events WHERE complaint_id = $1",
                    )
                    .bind(replayed.id)
                    .fetch_one(self.read())
                    .await?;
                    return Ok(Some((
                        seq,
                        format!(
                            "complaint {} was altered: as stored it is not what its events make it (stored state {}, events say {})",
                            replayed.id,
                            stored.map_or("none", |o| o.state.as_str()),
                            replayed.state.as_str()
                        ),
                    )));
                }
            }
            after = last;
        }
        Ok(None)
    }

    /// Each attachment's bytes against the SHA-256 its upload event recorded (the event is in the
    /// chain, so replaced bytes cannot be hidden by rewriting the attachment's own row). Read a few
    /// at a time: attachments may be large.
    async fn verify_attachments(&self) -> Result<Option<(i64, String)>, StoreError> {
        use sha2::{Digest, Sha256};
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT a.id, a.event_seq, a.data, e.payload FROM attachments a LEFT JOIN events e ON e.seq = a.event_seq \
                 WHERE a.id > $1 ORDER BY a.id LIMIT 32",
            )
            .bind(after)
            .fetch_all(self.read())
            .await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let seq: i64 = r.try_get("event_seq")?;
                let data: Vec<u8> = r.try_get("data")?;
                let payload: Option<String> = r.try_get("payload")?;
                let recorded = payload
                    .as_deref()
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                    .and_then(|v| v["sha256"].as_str().map(str::to_string));
                let Some(recorded) = recorded else {
                    return Ok(Some((seq, format!("attachment {id} has no upload event recording its SHA-256"))));
                };
                if hex::encode(Sha256::digest(&data)) != recorded {
                    return Ok(Some((
                        seq,
                        format!(
                            "attachment {id} was altered: its bytes do not match the SHA-256 recorded by event {seq}"
                        ),
                    )));
                }
                after = id;
            }
            if rows.len() < 32 {
                return Ok(None);
            }
        }
    }
}
