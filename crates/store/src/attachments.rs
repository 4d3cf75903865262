//! Reading attachments: the list of an order's files (without their content) and one file.

use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::time::{Instant, from_millis};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: i64,
    pub complaint_id: i64,
    pub event_seq: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: Instant,
}

const COLUMNS: &str = "a.id, a.complaint_id, a.event_seq, a.name, a.content_type, a.size, a.sha256, \
    u.display_name AS uploaded_by, a.uploaded_at";
const FROM: &str = "FROM attachments a JOIN users u ON u.id = a.uploaded_by";

fn from_row(r: &AnyRow) -> Result<AttachmentRow, StoreError> {
    Ok(AttachmentRow {
        id: r.try_get("id")?,
        complaint_id: r.try_get("complaint_id")?,
        event_seq: r.try_get("event_seq")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: from_millis(r.try_get("uploaded_at")?),
    })
}

impl Store {
    /// An order's attachments, oldest first.
    pub async fn attachments(&self, complaint_id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE a.complaint_id = $1 ORDER BY a.id");
        let rows = sqlx::query(&sql).bind(complaint_id).fetch_all(self.read()).await?;
        rows.iter().map(from_row).collect()
    }

    /// One attachment of an order, with its content.
    pub async fn attachment(&self, complaint_id: i64, id: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>, StoreError> {
        let sql = format!("SELECT {COLUMNS}, a.data {FROM} WHERE a.complaint_id = $1 AND a.id = $2");
        let Some(r) = sqlx::query(&sql).bind(complaint_id).bind(id).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        Ok(Some((from_row(&r)?, r.try_get("data")?)))
    }
}
