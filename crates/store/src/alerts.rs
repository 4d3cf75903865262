//! What the deadline scheduler reads and the inbox shows: clocks whose next alert is due (an index on
//! `next_alert_at`, never a scan of open orders), the signal that wakes the scheduler when a batch
//! writes an earlier alert than it planned to sleep until, notifications, and the e-mail outbox.

use crate::{Store, StoreError};
use sqlx::Row;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::Notify;
use xiaobao_core::deadline::ClockKind;
use xiaobao_core::time::{Instant, from_millis, to_millis};

/// Wakes the scheduler when an alert falls due before the time it planned to wake.
#[derive(Default)]
pub struct AlertSignal {
    notify: Notify,
    planned_ms: AtomicI64,
}

impl AlertSignal {
    pub(crate) fn alert_written(&self, at: Instant) {
        if to_millis(at) < self.planned_ms.load(Ordering::Acquire) {
            self.notify.notify_one();
        }
    }

    /// The scheduler says when it means to wake next.
    pub fn plan(&self, at: Instant) {
        self.planned_ms.store(to_millis(at), Ordering::Release);
    }

    /// Resolves when an earlier alert has been written since `plan`.
    pub async fn woken(&self) {
        self.notify.notified().await
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAlert {
    pub complaint_id: i64,
    pub clock: ClockKind,
    pub at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub complaint_id: i64,
    pub number: String,
    pub kind: String,
    pub clock: String,
    pub level: i64,
    pub created_at: Instant,
    pub read_at: Option<Instant>,
    /// Set for a service notice (its `complaint_id` is then the outlet's or the rectification's id).
    pub subject_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    /// The words stored with the mail; empty when the mail is worded from its notice as it is sent.
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    /// What the mail tells, as codes, for the sender to word.
    pub notice: MailNotice,
}

/// A notification's facts, as a mail tells them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailNotice {
    pub number: String,
    /// `clock_warning` or `clock_breach`.
    pub kind: String,
    pub clock: ClockKind,
    /// The warning's percent, or the breach's level.
    pub level: i64,
    /// The clock's due time now, if the order still has the clock.
    pub due_at: Option<Instant>,
}

impl Store {
    pub fn alert_signal(&self) -> &AlertSignal {
        &self.inner.signal
    }

    /// Clocks whose next alert is due at `now`, earliest first.
    pub async fn due_alerts(&self, now: Instant, limit: i64) -> Result<Vec<DueAlert>, StoreError> {
        let rows = sqlx::query(
            "SELECT complaint_id, kind, next_alert_at FROM complaint_clocks WHERE next_alert_at IS NOT NULL AND next_alert_at <= $1 \
             ORDER BY next_alert_at LIMIT $2",
        )
        .bind(to_millis(now))
        .bind(limit)
        .fetch_all(self.write())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(DueAlert {
                    complaint_id: r.try_get("complaint_id")?,
                    clock: ClockKind::from_str_opt(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("clock kind {kind}")))?,
                    at: from_millis(r.try_get("next_alert_at")?),
                })
            })
            .collect()
    }

    /// When the next alert of any clock falls due.
    pub async fn next_alert_at(&self) -> Result<Option<Instant>, StoreError> {
        let (t,): (Option<i64>,) =
            sqlx::query_as("SELECT MIN(next_alert_at) FROM complaint_clocks WHERE next_alert_at IS NOT NULL")
                .fetch_one(self.read())
                .await?;
        Ok(t.map(from_millis))
    }

    /// A user's notifications, newest first.
    pub async fn notifications(
        &self,
        user_id: i64,
        unread_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.id, n.complaint_id, COALESCE(k.number, n.subject_key) AS number, n.kind, n.clock, n.level, n.created_at, n.read_at, n.subject_key FROM notifications n \
             LEFT JOIN complaints k ON k.id = n.complaint_id AND n.subject_key IS NULL WHERE n.user_id = $1 AND ($2 = 0 OR n.read_at IS NULL) \
             ORDER BY n.id DESC LIMIT $3 OFFSET $4",
        )
        .bind(user_id)
        .bind(i64::from(unread_only))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(notification_from_row).collect()
    }

    /// How many of a user's notifications are unread (the bell's count).
    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(self.read())
            .await?
            .try_get("n")?;
        Ok(n)
    }

    /// Marks every unread notification of the user read; how many were.
    pub async fn mark_all_notifications_read(&self, user_id: i64, now: Instant) -> Result<u64, StoreError> {
        let r = sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(to_millis(now))
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected())
    }

    /// One of the user's notifications (none if it is not theirs).
    pub async fn notification(&self, user_id: i64, id: i64) -> Result<Option<NotificationRow>, StoreError> {
        let r = sqlx::query(
            "SELECT n.id, n.complaint_id, COALESCE(k.number, n.subject_key) AS number, n.kind, n.clock, n.level, n.created_at, n.read_at, n.subject_key FROM notifications n \
             LEFT JOIN complaints k ON k.id = n.complaint_id AND n.subject_key IS NULL WHERE n.user_id = $1 AND n.id = $2",
        )
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.read())
        .await?;
        r.as_ref().map(notification_from_row).transpose()
    }

    /// Marks one of the user's notifications read; false if it is not theirs.
    pub async fn mark_notification_read(&self, user_id: i64, id: i64, now: Instant) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
            .bind(to_millis(now))
            .bind(id)
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Mail that may be sent at `now`, oldest first, with its notification's facts; mail that failed
    /// five times is given up.
    pub async fn mail_to_send(&self, now: Instant, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.to_addr, m.subject, m.body, m.attempts, COALESCE(k.number, n.subject_key) AS number, n.kind, n.clock, n.level, t.due_at \
             FROM email_outbox m JOIN notifications n ON n.id = m.notification_id \
             LEFT JOIN complaints k ON k.id = n.complaint_id AND n.subject_key IS NULL \
             LEFT JOIN complaint_clocks t ON t.complaint_id = n.complaint_id AND t.kind = n.clock AND n.subject_key IS NULL \
             WHERE m.sent_at IS NULL AND m.send_after <= $1 AND m.attempts < 5 ORDER BY m.id LIMIT $2",
        )
        .bind(to_millis(now))
        .bind(limit)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let clock: String = r.try_get("clock")?;
                let subject: String = r.try_get("subject")?;
                // a service notice's mail is worded when it is made: it names no clock
                let clock = match ClockKind::from_str_opt(&clock) {
                    Some(c) => c,
                    None if !subject.is_empty() => ClockKind::Decision,
                    None => return Err(StoreError::Corrupt(format!("clock kind {clock}"))),
                };
                Ok(OutboxMail {
                    id: r.try_get("id")?,
                    to: r.try_get("to_addr")?,
                    subject,
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                    notice: MailNotice {
                        number: r.try_get("number")?,
                        kind: r.try_get("kind")?,
                        clock,
                        level: r.try_get("level")?,
                        due_at: r.try_get::<Option<i64>, _>("due_at")?.map(from_millis),
                    },
                })
            })
            .collect()
    }

    pub async fn mail_sent(&self, id: i64, now: Instant) -> Result<(), StoreError> {
        sqlx::query("UPDATE email_outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2")
            .bind(to_millis(now))
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    pub async fn mail_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE email_outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2")
            .bind(error.chars().take(500).collect::<String>())
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The user id the system acts as.
    pub fn system_user_id(&self) -> i64 {
        self.inner.system_user_id
    }
}

/// Held by the one server that runs the deadline scheduler. On PostgreSQL it owns a connection
/// holding a session advisory lock, released when the guard (and so the connection) is dropped or
/// the server dies.
pub struct Leadership {
    _conn: Option<sqlx::AnyConnection>,
}

impl Leadership {
    /// Gives up the lead now (dropping the guard gives it up too, once the server notices the
    /// connection is gone).
    pub async fn release(self) -> Result<(), StoreError> {
        if let Some(mut conn) = self._conn {
            sqlx::query("SELECT pg_advisory_unlock($1)").bind(SCHEDULER_LOCK).execute(&mut conn).await?;
            use sqlx::Connection;
            conn.close().await?;
        }
        Ok(())
    }
}

/// The advisory lock key of the deadline scheduler ("xb" + "dl").
const SCHEDULER_LOCK: i64 = 0x7862_646c;

impl Store {
    /// Tries to become the scheduler's leader; None while another server is.
    pub async fn try_lead(&self) -> Result<Option<Leadership>, StoreError> {
        match self.backend() {
            crate::Backend::Sqlite => Ok(Some(Leadership { _conn: None })),
            crate::Backend::Postgres => {
                let mut conn = self.read().acquire().await?.detach();
                let (got,): (i64,) =
                    sqlx::query_as("SELECT CAST(CASE WHEN pg_try_advisory_lock($1) THEN 1 ELSE 0 END AS BIGINT)")
                        .bind(SCHEDULER_LOCK)
                        .fetch_one(&mut conn)
                        .await?;
                Ok((got == 1).then_some(Leadership { _conn: Some(conn) }))
            }
        }
    }
}

fn notification_from_row(r: &sqlx::any::AnyRow) -> Result<NotificationRow, StoreError> {
    Ok(NotificationRow {
        id: r.try_get("id")?,
        complaint_id: r.try_get("complaint_id")?,
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        clock: r.try_get("clock")?,
        level: r.try_get("level")?,
        created_at: from_millis(r.try_get("created_at")?),
        read_at: r.try_get::<Option<i64>, _>("read_at")?.map(from_millis),
        subject_key: r.try_get("subject_key")?,
    })
}
