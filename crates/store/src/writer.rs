//! The complaint writer: one task per server that takes registrations and actions from a queue and
//! group-commits whatever has queued up in one durable transaction, so many concurrent requests share
//! one fsync. Each job checks everything before it writes, so a refused job writes nothing; if the
//! database fails a batch, the batch is rolled back and its jobs are run again one by one, so one bad
//! job cannot sink the others. A caller hears back only after the commit.

use crate::StoreError;
use crate::complaints::{clocks_for, order_from_row};
use crate::events::{ChainHead, append, lock_chain, store_chain};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};
use xiaobao_core::calendar::Calendar;
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::{self, Action, Actor, Change, ClockStart, NewEvent, Order, Refusal, State, UnitRef};
use xiaobao_core::deadline::{Clock, Policy};
use xiaobao_core::money::Money;
use xiaobao_core::org::{in_subtree, tier1_of};
use xiaobao_core::time::{Instant, local_date, to_millis};

/// Most jobs committed together; beyond this a batch's latency grows with no gain in throughput.
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone)]
pub struct RegisterInput {
    pub at: Instant,
    pub received_at: Instant,
    pub channel: Channel,
    pub unit: UnitRef,
    pub first_responder_id: i64,
    pub complainant: NewComplainant,
    pub category: Option<String>,
    pub service_channel: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub description: String,
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterOutcome {
    /// A new order: what the writer stored, so the caller can answer without reading it back.
    Registered {
        id: i64,
        seq: i64,
        number: String,
        repeat_of: Option<i64>,
        complainant: crate::ComplainantRow,
        order: Order,
    },
    /// The complainant already has an open order on the same matter: the new complaint was merged
    /// into it as an event.
    Merged { id: i64 },
}

impl RegisterInput {
    /// The order as `outcome` registered it, as a read would return it; `org_name` and the first
    /// responder's names are what the caller already knows. `None` for a merge.
    pub fn registered_row(
        &self,
        outcome: &RegisterOutcome,
        org_name: &str,
        first_responder: &str,
        first_responder_name: &str,
    ) -> Option<crate::ComplaintRow> {
        let RegisterOutcome::Registered { seq, number, repeat_of, complainant, order, .. } = outcome else {
            return None;
        };
        Some(crate::ComplaintRow {
            order: order.clone(),
            number: number.clone(),
            channel: self.channel,
            org_code: self.unit.code.clone(),
            org_name: org_name.to_string(),
            org_path: self.unit.path.clone(),
            registered_unit_id: self.unit.id,
            first_responder: first_responder.to_string(),
            first_responder_name: first_responder_name.to_string(),
            complainant: complainant.clone(),
            registered_at: self.at,
            category: self.category.clone(),
            service_channel: self.service_channel.clone(),
            cause: self.cause.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            amount_fen: self.amount.map(|m| m.fen()),
            over_level: self.channel.is_over_level(),
            repeat_of: *repeat_of,
            last_seq: *seq,
            updated_at: self.at,
        })
    }
}

impl RegisterOutcome {
    pub fn id(&self) -> i64 {
        match self {
            Self::Registered { id, .. } | Self::Merged { id } => *id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ActInput {
    pub complaint_id: i64,
    pub actor: Actor,
    /// For `Escalate`, `to` is ignored: the writer looks up the parent of the order's unit.
    pub action: Action,
    pub at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActOutcome {
    pub seq: i64,
    pub from: State,
    pub to: State,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No such order, or not in the actor's scope (the two are indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Db(e))
    }
}

enum Job {
    Register(RegisterInput, oneshot::Sender<Result<RegisterOutcome, WriteError>>),
    Act(ActInput, oneshot::Sender<Result<ActOutcome, WriteError>>),
}

enum Done {
    Register(Result<RegisterOutcome, WriteError>),
    Act(Result<ActOutcome, WriteError>),
}

#[derive(Clone)]
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

pub(crate) fn spawn(pool: AnyPool, calendar: Calendar, policy: Policy) -> WriterHandle {
    let (tx, mut rx) = mpsc::channel::<Job>(8192);
    tokio::spawn(async move {
        let ctx = Ctx { pool, calendar, policy };
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.recv().await {
            jobs.push(first);
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            ctx.process(std::mem::take(&mut jobs)).await;
        }
    });
    WriterHandle { tx }
}

struct Ctx {
    pool: AnyPool,
    calendar: Calendar,
    policy: Policy,
}

impl Ctx {
    async fn process(&self, jobs: Vec<Job>) {
        match self.run_batch(&jobs).await {
            Ok(done) => {
                for (job, d) in jobs.into_iter().zip(done) {
                    reply(job, d);
                }
            }
            Err(e) if jobs.len() > 1 => {
                tracing::warn!(error = %e, jobs = jobs.len(), "batch failed; retrying its jobs one by one");
                for job in jobs {
                    Box::pin(self.process(vec![job])).await;
                }
            }
            Err(e) => {
                for job in jobs {
                    let d = match &job {
                        Job::Register(..) => Done::Register(Err(WriteError::Store(StoreError::Corrupt(e.to_string())))),
                        Job::Act(..) => Done::Act(Err(WriteError::Store(StoreError::Corrupt(e.to_string())))),
                    };
                    reply(job, d);
                }
            }
        }
    }

    async fn run_batch(&self, jobs: &[Job]) -> Result<Vec<Done>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let head = lock_chain(&mut tx).await?;
        let (max_id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM complaints").fetch_one(&mut *tx).await?;
        let mut b = Batch { head, next_id: max_id.unwrap_or(0) + 1, clocks: Vec::new() };
        let mut done = Vec::with_capacity(jobs.len());
        for job in jobs {
            let d = match job {
                Job::Register(input, _) => Done::Register(self.register(&mut tx, &mut b, input).await),
                Job::Act(input, _) => Done::Act(self.act(&mut tx, &mut b, input).await),
            };
            // A database failure poisons the transaction (PostgreSQL): give up the batch.
            match d {
                Done::Register(Err(WriteError::Store(e))) | Done::Act(Err(WriteError::Store(e))) => return Err(e),
                d => done.push(d),
            }
        }
        b.flush_clocks(&mut tx).await?;
        store_chain(&mut tx, &mut b.head).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn register(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RegisterInput,
    ) -> Result<RegisterOutcome, WriteError> {
        let c = &i.complainant;
        let now_ms = to_millis(i.at);
        let id_number = c.id_number.as_ref().map(|x| x.as_str().to_string());
        let phone = c.phone.as_ref().map(|x| x.as_str().to_string());

        // Everyone this complainant could be: same ID number, or same phone.
        let matches = sqlx::query("SELECT id, id_number, phone, tags, watchlist FROM complainants WHERE id_number = $1 OR phone = $2 ORDER BY id")
            .bind(id_number.clone().unwrap_or_default())
            .bind(phone.clone().unwrap_or_default())
            .fetch_all(&mut *tx)
            .await?;
        let mut related = Vec::with_capacity(matches.len());
        let mut primary: Option<(i64, bool, Option<String>, Option<String>, String)> = None;
        for r in &matches {
            let id: i64 = r.try_get("id")?;
            let their_id: Option<String> = r.try_get("id_number")?;
            let watch: i64 = r.try_get("watchlist")?;
            let their_phone: Option<String> = r.try_get("phone")?;
            let their_tags: String = r.try_get("tags")?;
            related.push(id);
            let same_person = match (&id_number, &their_id) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            let better = primary.is_none() || (id_number.is_some() && their_id == id_number);
            if same_person && better {
                primary = Some((id, watch != 0, their_id, their_phone, their_tags));
            }
        }

        // Earlier complaints of the same person, newest first.
        let mut earlier: Vec<(i64, State, Option<String>, i64)> = Vec::new();
        if !related.is_empty() {
            let mut b = crate::sql::SqlBuilder::new(
                "SELECT id, state, category, received_at FROM complaints WHERE complainant_id IN (",
            );
            for (n, id) in related.iter().enumerate() {
                if n > 0 {
                    b.push(", ");
                }
                b.bind(crate::sql::Arg::I64(*id));
            }
            b.push(") ORDER BY received_at DESC, id DESC LIMIT 200");
            for r in b.query().fetch_all(&mut *tx).await? {
                let state: String = r.try_get("state")?;
                let state = State::from_str_opt(&state).ok_or_else(|| StoreError::Corrupt(format!("state {state}")))?;
                earlier.push((r.try_get("id")?, state, r.try_get("category")?, r.try_get("received_at")?));
            }
        }

        // The same matter raised again while its order is open: merge, don't register twice.
        if let Some((open_id, ..)) = earlier.iter().find(|(_, s, cat, _)| s.is_open() && *cat == i.category) {
            b.flush_clocks(tx).await?;
            let mut order = load_order(tx, *open_id).await?.ok_or(WriteError::NotFound)?.0;
            let change = Change::Merge { summary: i.summary.clone(), description: i.description.clone() };
            let state = order.state;
            let ev = NewEvent {
                complaint_id: order.id,
                actor_id: i.first_responder_id,
                at: i.at,
                from: Some(state),
                to: state,
                change,
            };
            complaint::apply(&mut order, &ev.change, state, i.at);
            let seq = append(&mut b.head, &ev)?;
            save_order(tx, &order, None, seq, i.at).await?;
            return Ok(RegisterOutcome::Merged { id: order.id });
        }

        let window_start = to_millis(i.received_at) - self.policy.repeat_window_days * 86_400_000;
        let received_ms = to_millis(i.received_at);
        let repeat_of = earlier.iter().find(|(.., at)| *at >= window_start && *at <= received_ms).map(|(id, ..)| *id);
        let repeat = repeat_of.is_some();

        let watchlist = repeat || primary.as_ref().is_some_and(|p| p.1);
        let new_tags = crate::complainants::tags_to_text(&c.tags);
        // What the complainant's row holds after this registration.
        let mut stored = crate::ComplainantRow {
            id: 0,
            name: c.name.clone(),
            phone: phone.clone(),
            id_number: id_number.clone(),
            tags: c.tags.clone(),
            watchlist,
            complaint_count: 0,
        };
        let complainant_id = match primary.clone() {
            Some((id, watch, their_id, their_phone, their_tags)) => {
                stored.phone = phone.clone().or(their_phone);
                stored.id_number = their_id.or(id_number.clone());
                if new_tags.is_empty() {
                    stored.tags = crate::complainants::tags_from_text(&their_tags);
                }
                sqlx::query(
                    "UPDATE complainants SET name = $1, phone = COALESCE($2, phone), id_number = COALESCE(id_number, $3), \
                     tags = CASE WHEN $4 = '' THEN tags ELSE $4 END, watchlist = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&c.name)
                .bind(phone.clone())
                .bind(id_number.clone())
                .bind(new_tags.clone())
                .bind(i64::from(watch || repeat))
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO complainants (name, phone, id_number, tags, watchlist, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(&c.name)
                .bind(phone)
                .bind(id_number)
                .bind(new_tags.clone())
                .bind(i64::from(repeat))
                .bind(now_ms)
                .fetch_one(&mut *tx)
                .await?;
                id
            }
        };

        let id = b.next_id;
        let clocks = self.policy.initial_clocks(&self.calendar, i.received_at);
        let order = Order::registered(id, i.unit.id, i.received_at, i.first_responder_id, clocks.clone(), repeat);
        let change = Change::Register {
            clocks: clocks.iter().map(|c| ClockStart { kind: c.kind, due_at: c.due_at }).collect(),
            repeat_of,
        };
        let ev = NewEvent {
            complaint_id: id,
            actor_id: i.first_responder_id,
            at: i.at,
            from: None,
            to: State::Registered,
            change,
        };
        let seq = append(&mut b.head, &ev)?;
        let number = format!("TS{}{:08}", local_date(i.received_at).format("%Y%m%d"), id);
        sqlx::query(
            "INSERT INTO complaints (id, number, channel, org_unit_id, org_path, tier1_id, registered_unit_id, complainant_id, first_responder_id, \
             received_at, registered_at, category, service_channel, cause, summary, description, amount_fen, over_level, repeat, repeat_of, \
             state, paused, extension_tier, escalation_count, transfer_count, reopen_count, merge_count, last_seq, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $4, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, 0, 0, 0, 0, 0, $21, $10)",
        )
        .bind(id)
        .bind(&number)
        .bind(i.channel.as_str())
        .bind(i.unit.id)
        .bind(&i.unit.path)
        .bind(tier1_of(&i.unit.path).unwrap_or(i.unit.id))
        .bind(complainant_id)
        .bind(i.first_responder_id)
        .bind(received_ms)
        .bind(now_ms)
        .bind(i.category.clone())
        .bind(i.service_channel.clone())
        .bind(i.cause.clone())
        .bind(&i.summary)
        .bind(&i.description)
        .bind(i.amount.map(|m| m.fen()))
        .bind(i64::from(i.channel.is_over_level()))
        .bind(i64::from(repeat))
        .bind(repeat_of)
        .bind(State::Registered.as_str())
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        b.clocks.extend(order.clocks.iter().map(|c| (id, c.clone())));
        b.next_id += 1;
        stored.id = complainant_id;
        Ok(RegisterOutcome::Registered { id, seq, number, repeat_of, complainant: stored, order })
    }

    async fn act(&self, tx: &mut AnyConnection, b: &mut Batch, i: &ActInput) -> Result<ActOutcome, WriteError> {
        b.flush_clocks(tx).await?;
        let (mut order, org_path, complainant_id) =
            load_order(tx, i.complaint_id).await?.ok_or(WriteError::NotFound)?;
        let visible = in_subtree(&i.actor.unit_path, &org_path) || order.first_responder_id == i.actor.user_id;
        if !visible {
            return Err(WriteError::NotFound);
        }
        let mut action = i.action.clone();
        if let Action::Escalate { to, .. } = &mut action {
            let parent = sqlx::query(
                "SELECT p.id, p.code, p.path FROM org_units o JOIN org_units p ON p.id = o.parent_id WHERE o.id = $1",
            )
            .bind(order.org_unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            *to = match parent {
                Some(r) => Some(UnitRef { id: r.try_get("id")?, code: r.try_get("code")?, path: r.try_get("path")? }),
                None => None,
            };
        }
        let (change, to) = complaint::check(&order, &action, &i.actor, i.at, &self.policy, &self.calendar)
            .map_err(WriteError::Refused)?;
        let from = order.state;
        let new_path = match &change {
            Change::Transfer { to, .. } | Change::Escalate { to, .. } => Some(to.path.clone()),
            _ => None,
        };
        let reopened = matches!(change, Change::Reopen { .. });
        let ev = NewEvent { complaint_id: order.id, actor_id: i.actor.user_id, at: i.at, from: Some(from), to, change };
        complaint::apply(&mut order, &ev.change, to, i.at);
        let seq = append(&mut b.head, &ev)?;
        save_order(tx, &order, new_path.as_deref(), seq, i.at).await?;
        if reopened {
            // A reopened complaint counts as a repeat: its complainant goes on the watch list.
            sqlx::query("UPDATE complainants SET watchlist = 1 WHERE id = $1")
                .bind(complainant_id)
                .execute(&mut *tx)
                .await?;
        }
        Ok(ActOutcome { seq, from, to })
    }
}

fn reply(job: Job, done: Done) {
    // A caller that went away (timed out, disconnected) no longer needs its answer; the write stands.
    match (job, done) {
        (Job::Register(_, tx), Done::Register(r)) => drop(tx.send(r)),
        (Job::Act(_, tx), Done::Act(r)) => drop(tx.send(r)),
        _ => tracing::error!("writer reply mismatch"),
    }
}

/// The order's projection, its unit path and its complainant, read inside the writer's transaction.
async fn load_order(tx: &mut AnyConnection, id: i64) -> Result<Option<(Order, String, i64)>, WriteError> {
    let Some(row) = sqlx::query("SELECT * FROM complaints WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?
    else {
        return Ok(None);
    };
    let clocks = clocks_for(&mut *tx, &[id]).await?.into_iter().map(|(_, c)| c).collect();
    let order = order_from_row(&row, clocks)?;
    Ok(Some((order, row.try_get("org_path")?, row.try_get("complainant_id")?)))
}

async fn save_order(
    tx: &mut AnyConnection,
    o: &Order,
    new_path: Option<&str>,
    seq: i64,
    at: Instant,
) -> Result<(), WriteError> {
    let decision =
        o.decision.as_ref().map(serde_json::to_string).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let feedback = o
        .feedback
        .map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default());
    sqlx::query(
        "UPDATE complaints SET state = $1, paused = $2, org_unit_id = $3, org_path = COALESCE($4, org_path), \
         extension_tier = $5, escalation_count = $6, transfer_count = $7, reopen_count = $8, merge_count = $9, \
         responded_at = $10, decided_at = $11, closed_at = $12, decision = $13, liable = $14, feedback = $15, repeat = $16, \
         last_seq = $17, updated_at = $18 WHERE id = $19",
    )
    .bind(o.state.as_str())
    .bind(i64::from(o.paused))
    .bind(o.org_unit_id)
    .bind(new_path.map(str::to_string))
    .bind(i64::from(o.extension_tier))
    .bind(i64::from(o.escalation_count))
    .bind(i64::from(o.transfer_count))
    .bind(i64::from(o.reopen_count))
    .bind(i64::from(o.merge_count))
    .bind(o.responded_at.map(to_millis))
    .bind(o.decided_at.map(to_millis))
    .bind(o.closed_at.map(to_millis))
    .bind(decision)
    .bind(o.decision.as_ref().map(|d| i64::from(d.liable)))
    .bind(feedback)
    .bind(i64::from(o.repeat))
    .bind(seq)
    .bind(to_millis(at))
    .bind(o.id)
    .execute(&mut *tx)
    .await?;
    if let Some(p) = new_path {
        sqlx::query("UPDATE complaints SET tier1_id = $1 WHERE id = $2")
            .bind(tier1_of(p).unwrap_or(o.org_unit_id))
            .bind(o.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM complaint_clocks WHERE complaint_id = $1").bind(o.id).execute(&mut *tx).await?;
    let rows: Vec<(i64, Clock)> = o.clocks.iter().map(|c| (o.id, c.clone())).collect();
    Ok(insert_clocks(tx, &rows).await?)
}

/// Inserts clock rows, 500 at a time (8 parameters each).
async fn insert_clocks(tx: &mut AnyConnection, clocks: &[(i64, Clock)]) -> Result<(), StoreError> {
    use crate::sql::Arg;
    let opt = |t: Option<Instant>| t.map(to_millis);
    for chunk in clocks.chunks(500) {
        let mut b = crate::sql::SqlBuilder::new(
            "INSERT INTO complaint_clocks (complaint_id, kind, started_at, due_at, met_at, breached_at, paused_at, stopped_at) VALUES ",
        );
        for (n, (id, c)) in chunk.iter().enumerate() {
            b.push(if n == 0 { "(" } else { ", (" });
            b.bind(Arg::I64(*id)).push(", ").bind(Arg::Text(c.kind.as_str().into())).push(", ");
            b.bind(Arg::I64(to_millis(c.started_at))).push(", ").bind(Arg::I64(to_millis(c.due_at)));
            for t in [opt(c.met_at), opt(c.breached_at), opt(c.paused_at), opt(c.stopped_at)] {
                match t {
                    Some(v) => b.push(", ").bind(Arg::I64(v)),
                    None => b.push(", NULL"),
                };
            }
            b.push(")");
        }
        b.query().execute(&mut *tx).await?;
    }
    Ok(())
}

/// What one batch carries between its jobs: the chain head (with the events to write), the next
/// complaint id, and the clocks of orders registered in it, written before anything reads clocks.
struct Batch {
    head: ChainHead,
    next_id: i64,
    clocks: Vec<(i64, Clock)>,
}

impl Batch {
    async fn flush_clocks(&mut self, tx: &mut AnyConnection) -> Result<(), StoreError> {
        if !self.clocks.is_empty() {
            insert_clocks(tx, &self.clocks).await?;
            self.clocks.clear();
        }
        Ok(())
    }
}

impl crate::Store {
    /// Registers a complaint (or merges it into the complainant's open order on the same matter).
    /// Returns once the transaction holding it has committed.
    pub async fn register(&self, input: RegisterInput) -> Result<RegisterOutcome, WriteError> {
        let (tx, rx) = oneshot::channel();
        self.inner.writer.tx.send(Job::Register(input, tx)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Applies an action to an order in the actor's scope. Returns once committed.
    pub async fn act(&self, input: ActInput) -> Result<ActOutcome, WriteError> {
        let (tx, rx) = oneshot::channel();
        self.inner.writer.tx.send(Job::Act(input, tx)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }
}
