//! The access log: every read of unmasked personal data, and every change an administrator makes to
//! a user or to the rules (subject `user` or `deadline_policy`, `fields` saying what changed), who
//! and when. Chained like the events: each entry takes the next place after the head and is sealed
//! with the key over the seal before it, so a removed or edited entry is caught by `audit verify`.
//! An administrator's change is written in the transaction of the change itself.

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

/// An entry's seal: the key over the seal before it, its place and every stored field.
pub(crate) fn seal(key: &xiaobao_core::seal::ChainKey, prev: &str, seq: i64, e: &AccessLogEntry) -> String {
    key.mac(
        "access",
        &[
            prev.as_bytes(),
            seq.to_string().as_bytes(),
            e.user_id.to_string().as_bytes(),
            e.at.to_string().as_bytes(),
            e.subject.as_bytes(),
            e.subject_id.to_string().as_bytes(),
            e.fields.as_bytes(),
        ],
    )
}

/// Appends an entry after the log's head, inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut sqlx::AnyConnection,
    key: &xiaobao_core::seal::ChainKey,
    entry: &AccessLogEntry,
) -> Result<(), StoreError> {
    // the head's row lock orders concurrent writers' entries (SQLite: the write lock)
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE access_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
    let hash = seal(key, &prev, seq, entry);
    sqlx::query(
        "INSERT INTO access_log (user_id, at, subject, subject_id, fields, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.user_id)
    .bind(entry.at)
    .bind(&entry.subject)
    .bind(entry.subject_id)
    .bind(&entry.fields)
    .bind(seq)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE access_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *tx).await?;
    Ok(())
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
        let entry =
            AccessLogEntry { user_id, at: at_ms, subject: subject.to_string(), subject_id, fields: fields.to_string() };
        let mut tx = self.write().begin().await?;
        append(&mut tx, self.key(), &entry).await?;
        tx.commit().await?;
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
