//! The agreed improvements of the monthly counter satisfaction sheet: one note per outlet, month and
//! teller, replaced when written again, with the audit entry of the change in the same transaction.

use crate::{Audit, Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetNoteRow {
    pub teller_id: i64,
    pub note: String,
    pub written_by: String,
    pub written_at: i64,
}

impl Store {
    /// The notes of an outlet's month (YYYYMM).
    pub async fn sheet_notes(&self, unit_id: i64, month: i32) -> Result<Vec<SheetNoteRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.teller_id, n.note, u.display_name AS writer, n.written_at FROM satisfaction_sheet_notes n \
             JOIN users u ON u.id = n.written_by WHERE n.unit_id = $1 AND n.month = $2 ORDER BY n.teller_id",
        )
        .bind(unit_id)
        .bind(month)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SheetNoteRow {
                    teller_id: r.try_get("teller_id")?,
                    note: r.try_get("note")?,
                    written_by: r.try_get("writer")?,
                    written_at: r.try_get("written_at")?,
                })
            })
            .collect()
    }

    /// Writes (or replaces) the note of a teller on an outlet's month, with the audit entry.
    pub async fn set_sheet_note(
        &self,
        unit_id: i64,
        month: i32,
        teller_id: i64,
        note: &str,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        sqlx::query(
            "INSERT INTO satisfaction_sheet_notes (unit_id, month, teller_id, note, written_by, written_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id, month, teller_id) DO UPDATE SET \
             note = excluded.note, written_by = excluded.written_by, written_at = excluded.written_at",
        )
        .bind(unit_id)
        .bind(month)
        .bind(teller_id)
        .bind(note)
        .bind(audit.by)
        .bind(audit.at_ms)
        .execute(&mut *tx)
        .await?;
        crate::access_log::append(&mut tx, self.key(), &audit.entry(teller_id)).await?;
        tx.commit().await?;
        Ok(())
    }
}
