//! Service records and the accountability liable complaints propose. Confirming an accountability
//! writes its penalty entry and marks it confirmed in one transaction; an entry is never edited.

use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::service::record::{RecordKind, RecordSource};

#[derive(Debug, Clone)]
pub struct NewRecord {
    pub user_id: i64,
    pub year: i32,
    pub kind: RecordKind,
    pub points: i64,
    pub amount_fen: Option<i64>,
    pub reason: String,
    pub source: RecordSource,
    pub source_id: Option<i64>,
    pub by: i64,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub year: i32,
    pub kind: RecordKind,
    pub points: i64,
    pub amount_fen: Option<i64>,
    pub reason: String,
    pub source: RecordSource,
    pub source_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountabilityRow {
    pub id: i64,
    pub complaint_id: i64,
    pub complaint_number: String,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_path: String,
    pub org_name: String,
    pub state: String,
    pub proposed_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    pub record_id: Option<i64>,
}

const RECORD_SELECT: &str = "SELECT r.*, u.username, u.display_name, o.code AS org_code, o.name AS org_name, o.path AS org_path, \
    c.username AS creator FROM service_records r JOIN users u ON u.id = r.user_id JOIN org_units o ON o.id = u.org_unit_id \
    JOIN users c ON c.id = r.created_by";

fn record_from(r: &sqlx::any::AnyRow) -> Result<RecordRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    let source: String = r.try_get("source")?;
    Ok(RecordRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        year: r.try_get::<i64, _>("year")? as i32,
        kind: RecordKind::parse("kind", &kind).map_err(|_| StoreError::Corrupt(format!("record kind {kind}")))?,
        points: r.try_get("points")?,
        amount_fen: r.try_get("amount_fen")?,
        reason: r.try_get("reason")?,
        source: RecordSource::parse("source", &source)
            .map_err(|_| StoreError::Corrupt(format!("record source {source}")))?,
        source_id: r.try_get("source_id")?,
        created_by: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
    })
}

const ACCOUNTABILITY_SELECT: &str = "SELECT a.*, k.number, u.username, u.display_name, o.path AS org_path, o.name AS org_name \
    FROM accountability a JOIN complaints k ON k.id = a.complaint_id JOIN users u ON u.id = a.user_id \
    JOIN org_units o ON o.id = u.org_unit_id";

fn accountability_from(r: &sqlx::any::AnyRow) -> Result<AccountabilityRow, StoreError> {
    Ok(AccountabilityRow {
        id: r.try_get("id")?,
        complaint_id: r.try_get("complaint_id")?,
        complaint_number: r.try_get("number")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        org_path: r.try_get("org_path")?,
        org_name: r.try_get("org_name")?,
        state: r.try_get("state")?,
        proposed_at: r.try_get("proposed_at")?,
        decided_at: r.try_get("decided_at")?,
        reason: r.try_get("reason")?,
        record_id: r.try_get("record_id")?,
    })
}

pub(crate) async fn insert_record(tx: &mut sqlx::AnyConnection, n: &NewRecord) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO service_records (user_id, year, kind, points, amount_fen, reason, source, source_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(n.user_id)
    .bind(i64::from(n.year))
    .bind(n.kind.as_str())
    .bind(n.points)
    .bind(n.amount_fen)
    .bind(&n.reason)
    .bind(n.source.as_str())
    .bind(n.source_id)
    .bind(n.by)
    .bind(n.at_ms)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

impl Store {
    pub async fn add_service_record(&self, n: &NewRecord) -> Result<i64, StoreError> {
        let mut tx = self.write().begin().await?;
        let id = insert_record(&mut tx, n).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Several entries in one transaction (a bulletin's rewards and penalties).
    pub async fn add_service_records(&self, all: &[NewRecord]) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        for n in all {
            insert_record(&mut tx, n).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The entries of `year` of employees whose home unit is in the subtree at `path` (or of one
    /// user), by employee then date.
    pub async fn service_records(
        &self,
        path: &str,
        user_id: Option<i64>,
        year: i32,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = match user_id {
            Some(u) => {
                sqlx::query(&format!("{RECORD_SELECT} WHERE r.user_id = $1 AND r.year = $2 ORDER BY r.created_at, r.id"))
                    .bind(u)
                    .bind(i64::from(year))
                    .fetch_all(self.read())
                    .await?
            }
            None => {
                sqlx::query(&format!(
                    "{RECORD_SELECT} WHERE o.path >= $1 AND o.path < $2 AND r.year = $3 ORDER BY u.username, r.created_at, r.id"
                ))
                .bind(lo)
                .bind(hi)
                .bind(i64::from(year))
                .fetch_all(self.read())
                .await?
            }
        };
        rows.iter().map(record_from).collect()
    }

    pub async fn accountability(&self, id: i64) -> Result<Option<AccountabilityRow>, StoreError> {
        let r = sqlx::query(&format!("{ACCOUNTABILITY_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.write())
            .await?;
        r.as_ref().map(accountability_from).transpose()
    }

    /// Accountability of employees whose home unit is in the subtree at `path`, in `state` if given,
    /// oldest first.
    pub async fn accountabilities(
        &self,
        path: &str,
        state: Option<&str>,
    ) -> Result<Vec<AccountabilityRow>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let mut q = format!("{ACCOUNTABILITY_SELECT} WHERE o.path >= $1 AND o.path < $2");
        if state.is_some() {
            q.push_str(" AND a.state = $3");
        }
        q.push_str(" ORDER BY a.id LIMIT 500");
        let mut query = sqlx::query(&q).bind(lo).bind(hi);
        if let Some(s) = state {
            query = query.bind(s.to_string());
        }
        query.fetch_all(self.read()).await?.iter().map(accountability_from).collect()
    }

    /// Confirms a proposed accountability with its penalty entry, or dismisses it with `reason`;
    /// false when it was decided already.
    pub async fn decide_accountability(
        &self,
        id: i64,
        penalty: Option<&NewRecord>,
        reason: &str,
        by: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let record_id = match penalty {
            Some(n) => Some(insert_record(&mut tx, n).await?),
            None => None,
        };
        let done = sqlx::query(
            "UPDATE accountability SET state = $1, decided_by = $2, decided_at = $3, reason = $4, record_id = $5 \
             WHERE id = $6 AND state = 'proposed'",
        )
        .bind(if penalty.is_some() { "confirmed" } else { "dismissed" })
        .bind(by)
        .bind(at_ms)
        .bind(reason)
        .bind(record_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false); // dropped: the entry is not written either
        }
        tx.commit().await?;
        Ok(true)
    }
}
