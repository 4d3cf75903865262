//! The access log: every read of unmasked personal data, who and when.

use crate::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub user_id: i64,
    pub at: i64,
    pub subject: String,
    pub subject_id: i64,
    pub fields: String,
}

impl Store {
    /// Records an unmasked read; the caller returns the data only once this has committed.
    pub async fn log_unmasked_read(
        &self,
        user_id: i64,
        at_ms: i64,
        subject: &str,
        subject_id: i64,
        fields: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO access_log (user_id, at, subject, subject_id, fields) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id)
            .bind(at_ms)
            .bind(subject)
            .bind(subject_id)
            .bind(fields)
            .execute(self.write())
            .await?;
        Ok(())
    }

    pub async fn access_log_for(&self, subject: &str, subject_id: i64) -> Result<Vec<AccessLogEntry>, StoreError> {
        let rows = sqlx::query("SELECT user_id, at, subject, subject_id, fields FROM access_log WHERE subject = $1 AND subject_id = $2 ORDER BY id")
            .bind(subject)
            .bind(subject_id)
            .fetch_all(self.read())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AccessLogEntry {
                    user_id: r.try_get("user_id")?,
                    at: r.try_get("at")?,
                    subject: r.try_get("subject")?,
                    subject_id: r.try_get("subject_id")?,
                    fields: r.try_get("fields")?,
                })
            })
            .collect()
    }
}
