//! Published bulletins, kept whole as published. Publishing stores the bulletin and the service
//! record entries its rules attach to the best and the worst in one transaction.

use super::records::{NewRecord, insert_record};
use crate::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulletinRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_path: String,
    /// yyyymm
    pub month: i32,
    /// The bulletin as published (JSON).
    pub content: String,
    pub published_by: String,
    pub published_at: i64,
}

const SELECT: &str = "SELECT b.*, o.code, o.name, o.path, u.username FROM bulletins b JOIN org_units o ON o.id = b.unit_id \
    JOIN users u ON u.id = b.published_by";

fn from_row(r: &sqlx::any::AnyRow) -> Result<BulletinRow, StoreError> {
    Ok(BulletinRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("code")?,
        unit_name: r.try_get("name")?,
        unit_path: r.try_get("path")?,
        month: r.try_get::<i64, _>("month")? as i32,
        content: r.try_get("content")?,
        published_by: r.try_get("username")?,
        published_at: r.try_get("published_at")?,
    })
}

impl Store {
    /// Publishes the bulletin of `unit_id` and `month` with its entries; `None` when that month's
    /// is published already (nothing is written then).
    pub async fn publish_bulletin(
        &self,
        unit_id: i64,
        month: i32,
        content: &str,
        entries: &[NewRecord],
        by: i64,
        at_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.write().begin().await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM bulletins WHERE unit_id = $1 AND month = $2")
            .bind(unit_id)
            .bind(i64::from(month))
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO bulletins (unit_id, month, content, published_by, published_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit_id)
        .bind(i64::from(month))
        .bind(content)
        .bind(by)
        .bind(at_ms)
        .fetch_one(&mut *tx)
        .await?;
        for e in entries {
            insert_record(&mut tx, &NewRecord { source_id: Some(id), ..e.clone() }).await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    pub async fn bulletin(&self, id: i64) -> Result<Option<BulletinRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE b.id = $1")).bind(id).fetch_optional(self.write()).await?;
        r.as_ref().map(from_row).transpose()
    }

    pub async fn bulletin_of(&self, unit_id: i64, month: i32) -> Result<Option<BulletinRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE b.unit_id = $1 AND b.month = $2"))
            .bind(unit_id)
            .bind(i64::from(month))
            .fetch_optional(self.read())
            .await?;
        r.as_ref().map(from_row).transpose()
    }

    /// Bulletins published by units on the path to `path` or inside its subtree, newest first.
    pub async fn bulletins(&self, path: &str) -> Result<Vec<BulletinRow>, StoreError> {
        let rows =
            sqlx::query(&format!("{SELECT} ORDER BY b.month DESC, b.id DESC LIMIT 200")).fetch_all(self.read()).await?;
        let all: Vec<BulletinRow> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|b| {
                xiaobao_core::org::in_subtree(path, &b.unit_path) || xiaobao_core::org::in_subtree(&b.unit_path, path)
            })
            .collect())
    }
}
