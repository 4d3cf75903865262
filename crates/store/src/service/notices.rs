//! The service side's notices in the bell and the mail: an outlet over its overtime-wait target
//! today, a rectification gone overdue. Each is made once per user by its subject key, its mail
//! worded when it is made (in Chinese, the staff's language) and sent by the outbox as the
//! complaint alerts are.

use crate::{Store, StoreError};
use xiaobao_core::role::Role;
use xiaobao_core::time::{Instant, to_millis};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNotice {
    pub user_id: i64,
    pub email: Option<String>,
    /// overtime_day or rectification_overdue.
    pub kind: &'static str,
    /// The outlet's or the rectification's id.
    pub subject_id: i64,
    /// Makes the notice once per user: "BJ0101:20261204", "rect:12:2".
    pub subject_key: String,
    /// The overtime-wait ratio in basis points, or the overdue level.
    pub level: i64,
    pub mail_subject: String,
    pub mail_body: String,
}

impl Store {
    /// Stores the notices not made before, each with its mail where the user has an address, in
    /// one transaction; how many were new.
    pub async fn notify_service(&self, notices: &[ServiceNotice], at: Instant) -> Result<usize, StoreError> {
        let mut tx = self.write().begin().await?;
        let mut made = 0;
        for n in notices {
            let id: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO notifications (user_id, complaint_id, event_seq, kind, clock, level, created_at, subject_key) \
                 VALUES ($1, $2, 0, $3, '', $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(n.user_id)
            .bind(n.subject_id)
            .bind(n.kind)
            .bind(n.level)
            .bind(to_millis(at))
            .bind(&n.subject_key)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((nid,)) = id else { continue };
            made += 1;
            if let Some(to) = n.email.as_deref().filter(|e| !e.is_empty()) {
                sqlx::query(
                    "INSERT INTO email_outbox (notification_id, to_addr, subject, body, send_after) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(nid)
                .bind(to)
                .bind(&n.mail_subject)
                .bind(&n.mail_body)
                .bind(to_millis(at))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(made)
    }

    /// The active users with `role` at the unit on `path` nearest the bottom (the unit itself, else
    /// its parent, …), with their mail addresses.
    pub async fn nearest_with_role(&self, path: &str, role: Role) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        let mut c = self.read().acquire().await?;
        crate::writer::alert::nearest_with_role(&mut c, path, role).await
    }
}
