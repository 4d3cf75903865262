//! Xiaobao's persistence: one query layer over SQLite (default, WAL, one file in the data dir) and
//! PostgreSQL (multi-server deployments), with a migrations folder per backend, the hash-chained
//! event log, and a single writer that group-commits complaint writes in one durable transaction.

mod access_log;
mod alerts;
mod announcements;
mod attachments;
mod board;
mod classes;
mod complainants;
mod complaint_list;
mod complaints;
mod db;
mod error;
mod events;
mod guesses;
mod hot_issues;
mod measures;
mod org_units;
mod review_samples;
mod rollups;
mod rules;
mod scope;
mod seal;
pub mod service;
mod sessions;
mod sql;
mod users;
mod verify;
pub mod workbook;
mod writer;

pub use access_log::AccessLogEntry;
pub use alerts::{AlertSignal, DueAlert, Leadership, MailNotice, NotificationRow, OutboxMail};
pub use announcements::Announcement;
pub use attachments::AttachmentRow;
pub use board::BoardRow;
pub use classes::ClassRow;
pub use complainants::{ComplainantFilter, ComplainantRow};
pub use complaint_list::ComplaintFilter;
pub use complaints::{ComplaintRow, Page};
pub use db::{Backend, DatabaseUrl};
pub use error::StoreError;
pub use events::EventRow;
pub use guesses::LoginLockRow;
pub use hot_issues::HotIssueRow;
pub use measures::{EnteredBefore, EnteredFigures, PeriodStatsRow, Split};
pub use org_units::{CreateOrgUnitError, NewOrgUnit, OrgUnitRow};
pub use review_samples::{Drawn, NewSample, SampleRow};
pub use rollups::{RebuildReport, RollupSnapshot};
pub use rules::Rules;
pub use seal::{
    CHECKPOINT_FILE, Checkpoint, CheckpointLines, HeadMark, KEY_FILE, append_checkpoint, load_or_create_key,
    read_checkpoints,
};
pub use sessions::SessionPrincipal;
pub use users::{Audit, NewUser, StaffName, UserChanges, UserRow};
pub use verify::VerifyReport;
pub use writer::{
    ActInput, ActOutcome, AlertInput, AlertOutcome, AttachInput, AttachOutcome, ExcludeInput, ExcludeOutcome,
    HotIssueTarget, IngestOutcome, LinkInput, LinkOutcome, RatingsInput, RegisterInput, RegisterOutcome,
    ResolvedRating, ResolvedTicket, TicketsInput, WriteError,
};
pub use xiaobao_core::access::OrderScope;
pub use xiaobao_core::seal::ChainKey;

use std::sync::Arc;

/// The store: a read pool, a write pool and the complaint writer. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    read: sqlx::AnyPool,
    write: sqlx::AnyPool,
    writer: writer::WriterHandle,
    rules: rules::SharedRules,
    signal: Arc<alerts::AlertSignal>,
    announcements: tokio::sync::broadcast::Sender<Announcement>,
    system_user_id: i64,
    /// The key that seals the history (kept outside the database).
    key: Arc<ChainKey>,
    /// Org units by code: units are never deleted and their paths never change.
    org_units: std::sync::RwLock<std::collections::HashMap<String, OrgUnitRow>>,
    /// Active classification codes seen recently (trusted for a minute, so another server's
    /// deactivation takes effect within that).
    classes: std::sync::RwLock<
        std::collections::HashMap<(xiaobao_core::classification::Dimension, String), std::time::Instant>,
    >,
}

impl Store {
    /// Connects, runs the migrations, seeds a fresh database (head office `HO`, the classification
    /// tables), checks that `key` is the one that seals its history (a fresh database takes it) and
    /// starts the complaint writer.
    pub async fn open(url: &DatabaseUrl, key: ChainKey) -> Result<Self, StoreError> {
        let (backend, read, write) = db::connect(url).await?;
        db::migrate(backend, &write).await?;
        db::seed(&write).await?;
        seal::adopt(&write, &key).await?;
        let key = Arc::new(key);
        let rules: rules::SharedRules = Arc::new(std::sync::RwLock::new(Arc::new(rules::load(&write).await?)));
        let system_user_id = db::system_user_id(&write).await?;
        let signal = Arc::new(alerts::AlertSignal::default());
        let writer = writer::spawn(write.clone(), rules.clone(), system_user_id, signal.clone(), key.clone());
        let store = Self {
            inner: Arc::new(Inner {
                backend,
                read,
                write,
                writer,
                rules,
                signal,
                announcements: announcements::channel(),
                system_user_id,
                key,
                org_units: Default::default(),
                classes: Default::default(),
            }),
        };
        if let DatabaseUrl::Postgres(u) = url {
            announcements::listen(u.clone(), Arc::downgrade(&store.inner));
        }
        if !store.rollups_built().await? {
            let r = store.rebuild_rollups_with(writer::Rebuild::Build).await?;
            tracing::info!(orders = r.orders, rows = r.rows, "rollups built from the event log");
        }
        Ok(store)
    }

    /// Connects, runs the migrations and seeds a fresh database, and disconnects, leaving the history
    /// unsealed: a database to copy others from (the tests' PostgreSQL template).
    pub async fn prepare(url: &DatabaseUrl) -> Result<(), StoreError> {
        let (backend, read, write) = db::connect(url).await?;
        db::migrate(backend, &write).await?;
        db::seed(&write).await?;
        read.close().await;
        write.close().await;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    fn read(&self) -> &sqlx::AnyPool {
        &self.inner.read
    }

    fn write(&self) -> &sqlx::AnyPool {
        &self.inner.write
    }

    /// For a read that must see the last commit of any server (a revoked token): the primary on
    /// PostgreSQL; on SQLite the read pool, whose every read sees the last commit (WAL), so the one
    /// write connection stays the writer's.
    fn fresh(&self) -> &sqlx::AnyPool {
        match self.inner.backend {
            Backend::Sqlite => &self.inner.read,
            Backend::Postgres => &self.inner.write,
        }
    }

    /// Closes the pools after the writer has finished what it was given.
    pub async fn close(&self) {
        self.inner.read.close().await;
        self.inner.write.close().await;
    }
}
