//! `audit verify`: everything the history can prove, checked against what is stored. Both chains
//! (events and the access log) walked seal by seal with the key; both checked against the
//! checkpoints written outside the database, so a removed tail or a rewound head is named; every
//! order, complainant record, attachment and counter compared with what the events make it.

use crate::seal::{Checkpoint, CheckpointLines, anchor};
use crate::{Store, StoreError};
use sqlx::Row;
use std::collections::BTreeMap;
use xiaobao_core::complaint::event::{GENESIS_HASH, Hashed, chain_hash, chain_mac};

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Events whose seal was checked.
    pub checked: i64,
    pub head_seq: i64,
    /// Events from before the chain was keyed (checked by plain hash and held by the anchor).
    pub unkeyed: i64,
    /// Access log entries whose seal was checked, and those from before it was chained.
    pub access_checked: i64,
    pub access_unchained: i64,
    /// Checkpoints read, and the time of the last.
    pub checkpoints: usize,
    pub last_checkpoint: Option<String>,
    /// Complainant records compared with their registration's seal.
    pub complainants_checked: i64,
    /// The first problem: the event (or entry) it is at and what is wrong, in words.
    pub first_problem: Option<(i64, String)>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

type Problem = (i64, String);

/// The checkpoints' marks on one chain: sequence number → (when, seal then).
type Marks = BTreeMap<i64, (String, String)>;

/// One chain walked in order: no gaps, each entry after the one before, each seal right, each
/// checkpointed entry the one the checkpoint recorded.
struct Walk<'a> {
    what: &'static str,
    expected: i64,
    prev: String,
    marks: &'a Marks,
}

impl Walk<'_> {
    fn step(
        &mut self,
        seq: i64,
        stored_prev: &str,
        stored: &str,
        sealed: impl FnOnce(&str) -> bool,
    ) -> Result<(), Problem> {
        let what = self.what;
        if seq != self.expected {
            return Err((self.expected, format!("{what} {} is missing (the next found is {seq})", self.expected)));
        }
        if stored_prev != self.prev {
            return Err((
                seq,
                format!("{what} {seq} does not follow {what} {}: the chain is broken before it", seq - 1),
            ));
        }
        if !sealed(&self.prev) {
            return Err((seq, format!("{what} {seq} was altered: its content does not match its seal")));
        }
        if let Some((at, hash)) = self.marks.get(&seq)
            && hash != stored
        {
            return Err((
                seq,
                format!(
                    "{what} {seq} is not the one the checkpoint of {at} recorded: the history was rewritten after it"
                ),
            ));
        }
        self.prev = stored.to_string();
        self.expected += 1;
        Ok(())
    }

    fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), Problem> {
        let what = self.what;
        let last = self.expected - 1;
        if let Some((seq, (at, _))) = self.marks.range(last + 1..).next_back() {
            return Err((
                last + 1,
                format!(
                    "the checkpoint of {at} recorded {seq} entries and the chain now ends at {what} {last}: \
                     {what}s {} to {seq} were removed (the chain was truncated)",
                    last + 1
                ),
            ));
        }
        if last != head_seq {
            return Err((
                last + 1,
                format!("{what}s {} to {head_seq} are missing from the end of the chain", last + 1),
            ));
        }
        if self.prev != head_hash {
            return Err((last, format!("{what} {last} does not match the chain head")));
        }
        Ok(())
    }
}

/// The checkpoints' marks on both chains, and where each says keying began; or the first
/// checkpoint that is not what this key wrote.
struct Marked {
    events: Marks,
    access: Marks,
    keyed_from: Option<(String, i64)>,
}

fn marks(key: &xiaobao_core::seal::ChainKey, lines: &CheckpointLines) -> Result<Marked, Problem> {
    let mut m = Marked { events: Marks::new(), access: Marks::new(), keyed_from: None };
    let put = |marks: &mut Marks, c: &Checkpoint, seq: i64, hash: &str| -> Result<(), Problem> {
        if seq <= 0 {
            return Ok(());
        }
        if let Some((at, h)) = marks.get(&seq) {
            if h != hash {
                return Err((seq, format!("the checkpoints of {at} and {} disagree about entry {seq}", c.at)));
            }
        } else {
            marks.insert(seq, (c.at.clone(), hash.to_string()));
        }
        Ok(())
    };
    for (line, c) in lines {
        let c = match c {
            Ok(c) if c.holds(key) => c,
            Ok(c) if c.key_id != key.id() => {
                return Err((
                    0,
                    format!("checkpoint line {line} ({}) was sealed with another key ({})", c.at, c.key_id),
                ));
            }
            Ok(c) => {
                return Err((0, format!("checkpoint line {line} ({}) was altered: its seal does not match", c.at)));
            }
            Err(e) => return Err((0, format!("checkpoint line {line} cannot be read: {e}"))),
        };
        put(&mut m.events, c, c.events.seq, &c.events.hash)?;
        put(&mut m.access, c, c.access.seq, &c.access.hash)?;
        if m.keyed_from.is_none() {
            m.keyed_from = Some((c.at.clone(), c.keyed_from));
        }
    }
    Ok(m)
}

impl Store {
    /// `verify` with no checkpoints (a removed tail with a rewound head is then not seen).
    pub async fn verify_chain(&self) -> Result<VerifyReport, StoreError> {
        self.verify(&Vec::new()).await
    }

    /// Checks everything `audit verify` checks and reports the first problem, with the checkpoints
    /// read from the checkpoint file (none when there is none yet).
    pub async fn verify(&self, checkpoints: &CheckpointLines) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport { checkpoints: checkpoints.len(), ..Default::default() };
        report.last_checkpoint = checkpoints.iter().rev().find_map(|(_, c)| c.as_ref().ok().map(|c| c.at.clone()));
        let problem = match marks(self.key(), checkpoints) {
            Err(p) => Some(p),
            Ok(marked) => match self.verify_events(&marked, &mut report).await? {
                Some(p) => Some(p),
                None => match self.verify_access_log(&marked.access, &mut report).await? {
                    Some(p) => Some(p),
                    None => self.verify_projections(&mut report).await?,
                },
            },
        };
        report.first_problem = problem;
        Ok(report)
    }

    /// What the events make of the stored state: orders, complainants, attachments, counters.
    async fn verify_projections(&self, report: &mut VerifyReport) -> Result<Option<Problem>, StoreError> {
        if let Some(p) = self.verify_attachments().await? {
            return Ok(Some(p));
        }
        if let Some(p) = self.verify_orders().await? {
            return Ok(Some(p));
        }
        if let Some(p) = self.verify_complainants(report).await? {
            return Ok(Some(p));
        }
        if let Some(p) = self.verify_workbook().await? {
            return Ok(Some(p));
        }
        let differed = self.check_rollups().await?;
        if differed > 0 {
            return Ok(Some((
                report.head_seq,
                format!(
                    "{differed} counter rows are not what the events make them (xiaobao rollup rebuild recomputes them)"
                ),
            )));
        }
        Ok(None)
    }

    async fn verify_events(&self, marked: &Marked, report: &mut VerifyReport) -> Result<Option<Problem>, StoreError> {
        let key = self.key();
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM chain_head WHERE id = 1").fetch_one(self.read()).await?;
        report.head_seq = head_seq;
        let seal: Option<(String, i64, String)> =
            sqlx::query_as("SELECT key_id, keyed_from, anchor FROM chain_seal WHERE id = 1")
                .fetch_optional(self.read())
                .await?;
        let Some((_, keyed_from, anchored)) = seal else {
            return Ok(Some((0, "the record of the key that seals this history is missing from the database".into())));
        };
        if let Some((at, said)) = &marked.keyed_from
            && *said != keyed_from
        {
            return Ok(Some((
                keyed_from.min(*said),
                format!(
                    "the checkpoint of {at} says the chain is keyed from event {said}, the database now says from \
                     {keyed_from}: the record of the key was replaced"
                ),
            )));
        }
        report.unkeyed = keyed_from - 1;
        let anchor_holds = |prev: &str| anchor(key, keyed_from, prev) == anchored;
        let unanchored = || {
            (
                keyed_from,
                format!("the events before {keyed_from} were rewritten: they no longer end where the chain was keyed"),
            )
        };
        let mut walk = Walk { what: "event", expected: 1, prev: GENESIS_HASH.to_string(), marks: &marked.events };
        const BATCH: i64 = 10_000;
        loop {
            let rows = sqlx::query(
                "SELECT seq, complaint_id, kind, actor_id, at, from_state, to_state, payload, prev_hash, hash FROM events WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(walk.expected)
            .bind(BATCH)
            .fetch_all(self.read())
            .await?;
            for r in &rows {
                let seq: i64 = r.try_get("seq")?;
                let stored_prev: String = r.try_get("prev_hash")?;
                let stored: String = r.try_get("hash")?;
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
                if seq == keyed_from && walk.expected == seq && !anchor_holds(&walk.prev) {
                    return Ok(Some(unanchored()));
                }
                let sealed = |prev: &str| {
                    if seq < keyed_from {
                        chain_hash(prev, hashed) == stored
                    } else {
                        chain_mac(key, prev, hashed) == stored
                    }
                };
                if let Err(p) = walk.step(seq, &stored_prev, &stored, sealed) {
                    return Ok(Some(p));
                }
                report.checked += 1;
            }
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        if let Err(p) = walk.finish(head_seq, &head_hash) {
            return Ok(Some(p));
        }
        if walk.expected == keyed_from && !anchor_holds(&walk.prev) {
            return Ok(Some(unanchored()));
        }
        if keyed_from > head_seq + 1 {
            return Ok(Some(unanchored()));
        }
        Ok(None)
    }

    async fn verify_access_log(&self, marks: &Marks, report: &mut VerifyReport) -> Result<Option<Problem>, StoreError> {
        let key = self.key();
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM access_head WHERE id = 1").fetch_one(self.read()).await?;
        let (unchained, after_chained): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN id > (SELECT MIN(id) FROM access_log WHERE seq IS NOT NULL) THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM access_log WHERE seq IS NULL",
        )
        .fetch_one(self.read())
        .await?;
        report.access_unchained = unchained;
        let mut walk = Walk { what: "access log entry", expected: 1, prev: GENESIS_HASH.to_string(), marks };
        const BATCH: i64 = 10_000;
        loop {
            let rows = sqlx::query(
                "SELECT seq, user_id, at, subject, subject_id, fields, prev_hash, hash FROM access_log \
                 WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(walk.expected)
            .bind(BATCH)
            .fetch_all(self.read())
            .await?;
            for r in &rows {
                let seq: i64 = r.try_get("seq")?;
                let entry = crate::AccessLogEntry {
                    user_id: r.try_get("user_id")?,
                    at: r.try_get("at")?,
                    subject: r.try_get("subject")?,
                    subject_id: r.try_get("subject_id")?,
                    fields: r.try_get("fields")?,
                };
                let stored_prev: Option<String> = r.try_get("prev_hash")?;
                let stored: Option<String> = r.try_get("hash")?;
                let (stored_prev, stored) = (stored_prev.unwrap_or_default(), stored.unwrap_or_default());
                let sealed = |prev: &str| crate::access_log::seal(key, prev, seq, &entry) == stored;
                if let Err(p) = walk.step(seq, &stored_prev, &stored, sealed) {
                    return Ok(Some(p));
                }
                report.access_checked += 1;
            }
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        if let Err(p) = walk.finish(head_seq, &head_hash) {
            return Ok(Some(p));
        }
        if after_chained > 0 {
            return Ok(Some((head_seq, format!("{after_chained} access log entries were added outside the chain"))));
        }
        Ok(None)
    }

    /// Each complainant record against the seal of the last registration that wrote it. Records
    /// last written before records were sealed are left alone.
    async fn verify_complainants(&self, report: &mut VerifyReport) -> Result<Option<Problem>, StoreError> {
        let key = self.key();
        let mut after = 0i64;
        const PAGE: i64 = 2_000;
        loop {
            let rows = sqlx::query(
                "SELECT c.id, c.name, c.phone, c.id_number, c.tags, \
                 (SELECT e.seq FROM events e JOIN complaints k ON k.id = e.complaint_id \
                  WHERE k.complainant_id = c.id AND e.kind = 'register' ORDER BY e.seq DESC LIMIT 1) AS seq \
                 FROM complainants c WHERE c.id > $1 ORDER BY c.id LIMIT $2",
            )
            .bind(after)
            .bind(PAGE)
            .fetch_all(self.read())
            .await?;
            // the seals of the page's last registrations, fetched together
            let mut seqs: Vec<i64> = Vec::with_capacity(rows.len());
            for r in &rows {
                seqs.extend(r.try_get::<Option<i64>, _>("seq")?);
            }
            let mut payloads = std::collections::HashMap::with_capacity(seqs.len());
            for chunk in crate::sql::pow2_chunks(&seqs) {
                let mut q = crate::sql::SqlBuilder::new("SELECT seq, payload FROM events WHERE seq IN (");
                for (n, seq) in chunk.iter().enumerate() {
                    q.push(if n == 0 { "" } else { ", " }).bind(crate::sql::Arg::I64(*seq));
                }
                q.push(")");
                for e in q.query().fetch_all(self.read()).await? {
                    payloads.insert(e.try_get::<i64, _>("seq")?, e.try_get::<String, _>("payload")?);
                }
            }
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                after = id;
                let Some(seq) = r.try_get::<Option<i64>, _>("seq")? else {
                    return Ok(Some((
                        0,
                        format!("complainant {id} has no registration: the record was added outside the history"),
                    )));
                };
                let recorded = payloads
                    .get(&seq)
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                    .and_then(|v| v["complainant"].as_str().map(str::to_string));
                let Some(recorded) = recorded else { continue };
                let name: String = r.try_get("name")?;
                let phone: Option<String> = r.try_get("phone")?;
                let id_number: Option<String> = r.try_get("id_number")?;
                let tags: String = r.try_get("tags")?;
                let now =
                    xiaobao_core::seal::complainant_seal(key, id, &name, phone.as_deref(), id_number.as_deref(), &tags);
                if now != recorded {
                    return Ok(Some((
                        seq,
                        format!("complainant {id} was altered: the record is not what registration event {seq} sealed"),
                    )));
                }
                report.complainants_checked += 1;
            }
            if (rows.len() as i64) < PAGE {
                return Ok(None);
            }
        }
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
