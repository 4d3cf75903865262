//! Complainants: recognised again by ID number or phone, so repeat complaints can be found; repeat
//! complainants are on the watch list every outlet sees.

use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::complainant::ComplainantTag;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplainantRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<ComplainantTag>,
    pub watchlist: bool,
    pub complaint_count: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ComplainantFilter {
    pub watchlist: Option<bool>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub(crate) const COMPLAINANT_COLUMNS: &str = "c.id, c.name, c.phone, c.id_number, c.tags, c.watchlist, (SELECT COUNT(*) FROM complaints k WHERE k.complainant_id = c.id) AS complaint_count";

pub(crate) fn tags_to_text(tags: &[ComplainantTag]) -> String {
    tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
}

pub(crate) fn tags_from_text(s: &str) -> Vec<ComplainantTag> {
    s.split(',').filter(|t| !t.is_empty()).filter_map(|t| ComplainantTag::parse("tags", t).ok()).collect()
}

pub(crate) fn complainant_from_row(r: &AnyRow) -> Result<ComplainantRow, StoreError> {
    let tags: String = r.try_get("tags")?;
    let watchlist: i64 = r.try_get("watchlist")?;
    Ok(ComplainantRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        id_number: r.try_get("id_number")?,
        tags: tags_from_text(&tags),
        watchlist: watchlist != 0,
        complaint_count: r.try_get("complaint_count")?,
    })
}

impl Store {
    pub async fn complainant(&self, id: i64) -> Result<Option<ComplainantRow>, StoreError> {
        let sql = format!("SELECT {COMPLAINANT_COLUMNS} FROM complainants c WHERE c.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.read()).await?;
        row.as_ref().map(complainant_from_row).transpose()
    }

    /// Complainants by exact phone or ID number, or the watch list, newest first.
    pub async fn complainants(&self, f: &ComplainantFilter) -> Result<Vec<ComplainantRow>, StoreError> {
        let sql = format!(
            "SELECT {COMPLAINANT_COLUMNS} FROM complainants c \
             WHERE ($1 = -1 OR c.watchlist = $1) AND ($2 = '' OR c.phone = $2) AND ($3 = '' OR c.id_number = $3) \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(&sql)
            .bind(f.watchlist.map(i64::from).unwrap_or(-1))
            .bind(f.phone.clone().unwrap_or_default())
            .bind(f.id_number.clone().unwrap_or_default())
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(self.read())
            .await?;
        rows.iter().map(complainant_from_row).collect()
    }
}
