//! The event log: append-only, one global chain. Each event's seal is an HMAC with the chain key
//! over the previous seal and every stored field; the chain head row holds the last sequence number
//! and seal, and every writer locks it first, so sequence numbers have no gaps and `audit verify`
//! (in `verify.rs`) can name the first altered or missing event.

use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use std::sync::Arc;
use xiaobao_core::complaint::event::{Hashed, NewEvent, chain_mac};
use xiaobao_core::seal::ChainKey;
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

pub(crate) struct ChainHead {
    /// The key every appended event is sealed with.
    pub key: Arc<ChainKey>,
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
pub(crate) async fn lock_chain(tx: &mut sqlx::AnyConnection, key: Arc<ChainKey>) -> Result<ChainHead, StoreError> {
    let row =
        sqlx::query("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash").fetch_one(&mut *tx).await?;
    Ok(ChainHead { key, seq: row.try_get("seq")?, hash: row.try_get("hash")?, pending: Vec::new() })
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
    let payload =
        serde_json::to_string(&e.change).map_err(|err| StoreError::Encode(format!("event payload: {err}")))?;
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
    let hash = chain_mac(&head.key, &head.hash, hashed);
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
}
