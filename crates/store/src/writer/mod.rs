//! The complaint writer: one task per server that takes registrations and actions from a queue and
//! group-commits whatever has queued up in one durable transaction, so many concurrent requests share
//! one fsync. Each job checks everything before it writes, so a refused job writes nothing; if the
//! database fails a batch, the batch is rolled back and its jobs are run again one by one, so one bad
//! job cannot sink the others. A caller hears back only after the commit.

mod act;
pub(crate) mod alert;
mod attach;
mod hot_issue;
mod ingest;
mod pending;
mod register;
mod tickets;

use crate::StoreError;
use crate::events::{ChainHead, lock_chain, store_chain};
use act::{load_order, save_order};
pub use alert::{AlertInput, AlertOutcome};
pub use attach::{AttachInput, AttachOutcome};
pub use hot_issue::{HotIssueTarget, LinkInput, LinkOutcome};
pub use ingest::{
    ExcludeInput, ExcludeOutcome, IngestOutcome, RatingsInput, ResolvedRating, ResolvedTicket, TicketsInput,
};
use pending::Pending;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::intake::{Earlier, Known};
use xiaobao_core::complaint::{Action, Actor, Order, Refusal, State, UnitRef};
use xiaobao_core::money::Money;
use xiaobao_core::time::{Instant, to_stored_precision};

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
#[allow(clippy::large_enum_variant)] // built once per request and moved, never stored in bulk
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
    /// into it as an event. `row` is that order as it now stands.
    Merged { id: i64, row: Box<crate::ComplaintRow> },
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
            Self::Registered { id, .. } | Self::Merged { id, .. } => *id,
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
    /// The order already belongs to a hot issue.
    #[error("complaint {complaint_id} already belongs to hot issue {hot_issue_id}")]
    AlreadyLinked { complaint_id: i64, hot_issue_id: i64 },
    /// The order is not in the hot issue it was to leave.
    #[error("complaint {complaint_id} is not in hot issue {hot_issue_id}")]
    NotLinked { complaint_id: i64, hot_issue_id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Db(e))
    }
}

/// What the writer task is given: a job for the next batch, or a rollup rebuild, which runs alone.
#[allow(clippy::large_enum_variant)] // moved through the channel once, never stored in bulk
enum Command {
    Job(Job),
    RebuildRollups(Rebuild, oneshot::Sender<Result<crate::RebuildReport, StoreError>>),
}

/// How the rollups are recomputed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rebuild {
    /// Kept, without comparing (at start-up, when none were built).
    Build,
    /// Kept, counting the rows that differed from those kept before.
    Replace,
    /// Only counting the rows that differ, then rolled back (for `audit verify`).
    Check,
}

/// A write the writer runs inside a batch, and the answer it gives.
enum Work {
    Register(RegisterInput),
    Act(ActInput),
    Alert(AlertInput),
    Attach(AttachInput),
    Link(LinkInput),
    /// With what the caller prepared on its own task: the rollups as if every row were new, and for
    /// tickets the look-ups and insert (`ingest::AsNew`, `tickets::TicketPlan`).
    Ratings(RatingsInput, ingest::AsNew),
    Tickets(TicketsInput, tickets::TicketPlan),
    Exclude(ExcludeInput),
}

#[allow(clippy::large_enum_variant)] // built once per job and moved to its caller
enum Answer {
    Register(RegisterOutcome),
    Act(ActOutcome),
    Alert(AlertOutcome),
    Attach(AttachOutcome),
    Link(LinkOutcome),
    Ingest(IngestOutcome),
    Exclude(ExcludeOutcome),
}

/// A job: the work and where its answer goes.
struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Answer, WriteError>>,
}

/// The outcome a kind of work answers with, taken out of the writer's [`Answer`].
trait Outcome: Sized {
    fn from_answer(a: Answer) -> Option<Self>;
}

macro_rules! outcome {
    ($($variant:ident => $ty:ty),* $(,)?) => {
        $(impl Outcome for $ty {
            fn from_answer(a: Answer) -> Option<Self> {
                match a {
                    Answer::$variant(o) => Some(o),
                    _ => None,
                }
            }
        })*
    };
}

outcome!(Register => RegisterOutcome, Act => ActOutcome, Alert => AlertOutcome, Attach => AttachOutcome, Link => LinkOutcome, Ingest => IngestOutcome, Exclude => ExcludeOutcome);

#[derive(Clone)]
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Command>,
}

pub(crate) fn spawn(
    pool: AnyPool,
    rules: crate::rules::SharedRules,
    system_user_id: i64,
    signal: std::sync::Arc<crate::alerts::AlertSignal>,
    key: std::sync::Arc<xiaobao_core::seal::ChainKey>,
) -> WriterHandle {
    let (tx, mut rx) = mpsc::channel::<Command>(8192);
    tokio::spawn(async move {
        let ctx = Ctx { pool, rules, system_user_id, signal, key };
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.recv().await {
            let mut rebuild = None;
            let mut next = Some(first);
            while let Some(m) = next.take() {
                match m {
                    Command::Job(j) => jobs.push(j),
                    // the jobs queued before it are committed first; those after it wait for it
                    Command::RebuildRollups(how, reply) => {
                        rebuild = Some((how, reply));
                        break;
                    }
                }
                if jobs.len() < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            if !jobs.is_empty() {
                ctx.process(std::mem::take(&mut jobs)).await;
            }
            if let Some((how, reply)) = rebuild {
                drop(reply.send(ctx.rebuild_rollups(how).await));
            }
        }
    });
    WriterHandle { tx }
}

struct Ctx {
    pool: AnyPool,
    rules: crate::rules::SharedRules,
    /// The actor of events the system makes itself (deadline alerts, automatic escalation).
    system_user_id: i64,
    signal: std::sync::Arc<crate::alerts::AlertSignal>,
    key: std::sync::Arc<xiaobao_core::seal::ChainKey>,
}

impl Ctx {
    async fn rebuild_rollups(&self, how: Rebuild) -> Result<crate::RebuildReport, StoreError> {
        let mut tx = self.pool.begin().await?;
        // other servers' writers wait on the chain head until the rebuild commits
        let _head = lock_chain(&mut tx, self.key.clone()).await?;
        let service = self.rules.read().unwrap_or_else(|p| p.into_inner()).service.clone();
        let report = crate::rollups::rebuild(&mut tx, how != Rebuild::Build, &service).await?;
        if how == Rebuild::Check {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(report)
    }

    async fn process(&self, jobs: Vec<Job>) {
        let started = std::time::Instant::now();
        let result = self.run_batch(&jobs).await;
        tracing::debug!(
            jobs = jobs.len(),
            micros = started.elapsed().as_micros() as u64,
            ok = result.is_ok(),
            "batch committed"
        );
        match result {
            Ok(done) => {
                for (job, d) in jobs.into_iter().zip(done) {
                    // a caller that went away no longer needs its answer; the write stands
                    drop(job.reply.send(d));
                }
            }
            Err(e) if jobs.len() > 1 => {
                tracing::warn!(error = %e, jobs = jobs.len(), "batch failed; retrying its jobs one by one");
                for job in jobs {
                    Box::pin(self.process(vec![job])).await;
                }
            }
            Err(e) => {
                // one job: it fails with the batch's own error (a lost database stays a lost database)
                tracing::warn!(error = %e, "write failed");
                if let Some(job) = jobs.into_iter().next() {
                    drop(job.reply.send(Err(WriteError::Store(e))));
                }
            }
        }
    }

    async fn run_batch(&self, jobs: &[Job]) -> Result<Vec<Result<Answer, WriteError>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let head = lock_chain(&mut tx, self.key.clone()).await?;
        let rules = self.rules.read().unwrap_or_else(|p| p.into_inner()).clone();
        let registrations = || {
            jobs.iter().filter_map(|j| match &j.work {
                Work::Register(input) => Some(input),
                _ => None,
            })
        };
        // the next complaint's id, for a batch that registers
        let max_id = match registrations().next() {
            Some(_) => {
                sqlx::query_as::<_, (Option<i64>,)>("SELECT MAX(id) FROM complaints").fetch_one(&mut *tx).await?.0
            }
            None => None,
        };
        // the complaints registration may look at: open ones, and those inside the repeat window
        let window = chrono::Duration::days(i64::from(rules.policy.repeat_window_days));
        let since = registrations().map(|r| r.received_at - window).min();
        let (known, earlier) =
            register::known_complainants(&mut tx, registrations().map(|r| &r.complainant), since).await?;
        let mut b = Batch {
            rules,
            head,
            next_id: max_id.unwrap_or(0) + 1,
            next_complainant_id: None,
            known,
            earlier,
            saved: Default::default(),
            dirty: Default::default(),
            rows: Default::default(),
            pending: Pending::default(),
            rollups: Default::default(),
            service: Default::default(),
            earliest_alert: None,
        };
        let mut done = Vec::with_capacity(jobs.len());
        for job in jobs {
            let d = match &job.work {
                Work::Register(input) => self.register(&mut tx, &mut b, input).await.map(Answer::Register),
                Work::Act(input) => self.act(&mut tx, &mut b, input).await.map(Answer::Act),
                Work::Alert(input) => self.alert(&mut tx, &mut b, input).await.map(Answer::Alert),
                Work::Attach(input) => self.attach(&mut tx, &mut b, input).await.map(Answer::Attach),
                Work::Link(input) => self.link_hot_issue(&mut tx, &mut b, input).await.map(Answer::Link),
                Work::Ratings(input, pre) => self.ingest_ratings(&mut tx, &mut b, input, pre).await.map(Answer::Ingest),
                Work::Tickets(input, pre) => self.ingest_tickets(&mut tx, &mut b, input, pre).await.map(Answer::Ingest),
                Work::Exclude(input) => self.exclude_rating(&mut tx, &mut b, input).await.map(Answer::Exclude),
            };
            // A database failure poisons the transaction (PostgreSQL): give up the batch.
            match d {
                Err(WriteError::Store(e)) => return Err(e),
                d => done.push(d),
            }
        }
        b.flush(&mut tx).await?;
        b.rollups.flush(&mut tx).await?;
        b.service.flush(&mut tx).await?;
        store_chain(&mut tx, &mut b.head).await?;
        tx.commit().await?;
        if let Some(t) = b.earliest_alert {
            self.signal.alert_written(t);
        }
        Ok(done)
    }
}

/// What one batch carries between its jobs: the chain head (with the events to write), the next ids,
/// and the rows registered in it, written before anything reads them back.
struct Batch {
    /// The policy and calendar this batch computes deadlines with.
    rules: std::sync::Arc<crate::Rules>,
    head: ChainHead,
    next_id: i64,
    next_complainant_id: Option<i64>,
    /// Complainants who share an ID number or phone with one registered in this batch: those stored,
    /// read once when the batch starts, and those the batch registers; kept current as it changes them.
    known: Vec<Known>,
    /// The complaints of `known` that registration looks at, kept current as the batch changes them.
    earlier: Vec<Earlier>,
    /// Orders this batch has saved, as saved: a second merge into the same order reads it here.
    saved: std::collections::HashMap<i64, act::Loaded>,
    /// Saved orders whose rows are still to be written (at the next flush).
    dirty: std::collections::HashMap<i64, act::Dirty>,
    /// The rows merges read back, kept current by later merges in the batch: what they answer with.
    rows: std::collections::HashMap<i64, crate::ComplaintRow>,
    pending: Pending,
    /// The counter changes of this batch's orders, written with them.
    rollups: crate::rollups::RollupDelta,
    /// The service counter changes of this batch's ratings and tickets.
    service: crate::service::rollups::ServiceDelta,
    /// The earliest next alert this batch wrote.
    earliest_alert: Option<Instant>,
}

impl Batch {
    /// The order's clocks as stored, each with its next alert; remembers the earliest alert so the
    /// scheduler can be woken if it planned to sleep past it.
    fn clock_rows(&mut self, o: &Order) -> Vec<pending::ClockRow> {
        let rows: Vec<pending::ClockRow> = o
            .clocks
            .iter()
            .map(|c| pending::ClockRow {
                complaint_id: o.id,
                clock: c.clone(),
                next_alert_at: self
                    .rules
                    .policy
                    .next_alert(&self.rules.calendar, c, o.channel, o.category.as_deref())
                    .map(|(t, _)| t),
            })
            .collect();
        for t in rows.iter().filter_map(|r| r.next_alert_at) {
            self.earliest_alert = Some(self.earliest_alert.map_or(t, |e| e.min(t)));
        }
        rows
    }

    /// Writes the pending rows: new complainants and orders, and the saved orders' rows. Jobs that
    /// read or change orders by SQL of their own call this first.
    async fn flush(&mut self, tx: &mut AnyConnection) -> Result<(), StoreError> {
        self.pending.flush(tx).await?;
        let mut dirty: Vec<act::Dirty> = self.dirty.drain().map(|(_, d)| d).collect();
        dirty.sort_by_key(|d| d.order.id);
        for d in &dirty {
            act::write_order(tx, d).await?;
        }
        self.rows.clear();
        Ok(())
    }

    /// An order was saved as `now`: registrations after it see its state, and a merge into it reads it
    /// from here.
    fn note_saved(&mut self, now: act::Loaded) {
        if let Some(e) = self.earlier.iter_mut().find(|e| e.id == now.order.id) {
            e.state = now.order.state;
        }
        self.saved.insert(now.order.id, now);
    }

    /// Complainants are inserted only by the writer, under the chain lock, so ids can be handed out here.
    async fn next_complainant_id(&mut self, tx: &mut AnyConnection) -> Result<i64, StoreError> {
        let next = match self.next_complainant_id {
            Some(n) => n,
            None => {
                let (max,): (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(id) FROM complainants").fetch_one(&mut *tx).await?;
                max.unwrap_or(0) + 1
            }
        };
        self.next_complainant_id = Some(next + 1);
        Ok(next)
    }
}

impl crate::Store {
    /// Hands `work` to the writer and waits for its answer, which comes once the transaction holding
    /// it has committed (or the write was refused, or failed).
    async fn submit<T: Outcome>(&self, work: Work) -> Result<T, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.inner.writer.tx.send(Command::Job(Job { work, reply })).await.map_err(|_| StoreError::WriterGone)?;
        let answer = answer.await.map_err(|_| StoreError::WriterGone)??;
        T::from_answer(answer).ok_or_else(|| WriteError::Store(StoreError::WriterGone))
    }

    /// Registers a complaint (or merges it into the complainant's open order on the same matter).
    pub async fn register(&self, mut input: RegisterInput) -> Result<RegisterOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        input.received_at = to_stored_precision(input.received_at);
        self.submit(Work::Register(input)).await
    }

    /// Applies an action to an order in the actor's scope.
    pub async fn act(&self, mut input: ActInput) -> Result<ActOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        self.submit(Work::Act(input)).await
    }

    /// Fires a clock's next alert if it is still due at `input.now` (exactly once: a second call, from
    /// this server or another, finds it fired and does nothing).
    pub async fn fire_alert(&self, mut input: AlertInput) -> Result<AlertOutcome, WriteError> {
        input.now = to_stored_precision(input.now);
        self.submit(Work::Alert(input)).await
    }

    /// Attaches a file to an order the actor can see: its event and its content, in one transaction.
    pub async fn attach(&self, mut input: AttachInput) -> Result<AttachOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        self.submit(Work::Attach(input)).await
    }

    /// Links orders as one hot issue (new or existing): an event on each, all in one transaction.
    pub async fn link_hot_issue(&self, mut input: LinkInput) -> Result<LinkOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        self.submit(Work::Link(input)).await
    }

    /// Stores a request's ratings with their rollups, in one transaction.
    pub async fn ingest_ratings(&self, mut input: RatingsInput) -> Result<IngestOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        let pre = ingest::AsNew::ratings(&input.rows);
        self.submit(Work::Ratings(input, pre)).await
    }

    /// Stores or completes a request's queue tickets with their rollups, in one transaction.
    pub async fn ingest_tickets(&self, mut input: TicketsInput) -> Result<IngestOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        let thresholds = self.inner.rules.read().unwrap_or_else(|p| p.into_inner()).service.overtime.clone();
        let plan = tickets::TicketPlan::new(&input, thresholds, self.backend() == crate::Backend::Sqlite);
        self.submit(Work::Tickets(input, plan)).await
    }

    /// Leaves a rating of the `scope_path` subtree out of the figures, taking it out of the rollups.
    pub async fn exclude_rating(&self, mut input: ExcludeInput) -> Result<ExcludeOutcome, WriteError> {
        input.at = to_stored_precision(input.at);
        self.submit(Work::Exclude(input)).await
    }

    /// Recomputes the rollups from the event log, after the writes queued before it and before those
    /// queued after it. Writes wait while it runs.
    pub async fn rebuild_rollups(&self) -> Result<crate::RebuildReport, StoreError> {
        self.rebuild_rollups_with(Rebuild::Replace).await
    }

    /// How many counter rows differ from what the event log makes them, changing nothing. Writes
    /// wait while it runs.
    pub(crate) async fn check_rollups(&self) -> Result<i64, StoreError> {
        Ok(self.rebuild_rollups_with(Rebuild::Check).await?.differed)
    }

    pub(crate) async fn rebuild_rollups_with(&self, how: Rebuild) -> Result<crate::RebuildReport, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.inner.writer.tx.send(Command::RebuildRollups(how, tx)).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }
}
