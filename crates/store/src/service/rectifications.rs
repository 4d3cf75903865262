//! Rectifications with their history, and the files attached to inspections and rectifications.
//! A change names the history's last number it was decided on, so two people acting at once cannot
//! both succeed.

use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::service::rectification::{RectState, Source};

#[derive(Debug, Clone)]
pub struct NewRectification {
    pub source: Source,
    pub source_id: Option<i64>,
    pub unit_id: i64,
    pub owner_id: i64,
    pub title: String,
    pub detail: String,
    /// yyyymmdd
    pub due_on: i32,
    pub by: i64,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectificationRow {
    pub id: i64,
    pub source: Source,
    pub source_id: Option<i64>,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_path: String,
    pub owner_id: i64,
    pub owner: String,
    pub owner_name: String,
    pub title: String,
    pub detail: String,
    pub due_on: i32,
    pub state: RectState,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_seq: i64,
    pub escalated_level: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectEventRow {
    pub seq: i64,
    pub action: String,
    pub by: Option<String>,
    pub by_name: Option<String>,
    pub at: i64,
    pub note: Option<String>,
}

/// Which rectifications a list shows.
#[derive(Debug, Clone, Default)]
pub struct RectFilter {
    /// Of units in this subtree; or, with `owner_id`, also those this user owns anywhere.
    pub path: String,
    pub owner_id: Option<i64>,
    /// Only those the user owns.
    pub mine_only: bool,
    pub state: Option<RectState>,
    /// Only unfinished ones due before this day (yyyymmdd): overdue on the day after.
    pub due_before: Option<i32>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

const SELECT: &str = "SELECT r.*, o.code AS unit_code, o.name AS unit_name, o.path AS unit_path, \
    u.username, u.display_name FROM rectifications r JOIN org_units o ON o.id = r.unit_id JOIN users u ON u.id = r.owner_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<RectificationRow, StoreError> {
    let source: String = r.try_get("source")?;
    let state: String = r.try_get("state")?;
    Ok(RectificationRow {
        id: r.try_get("id")?,
        source: Source::parse("source", &source).map_err(|_| StoreError::Corrupt(format!("source {source}")))?,
        source_id: r.try_get("source_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        owner_id: r.try_get("owner_id")?,
        owner: r.try_get("username")?,
        owner_name: r.try_get("display_name")?,
        title: r.try_get("title")?,
        detail: r.try_get("detail")?,
        due_on: r.try_get::<i64, _>("due_on")? as i32,
        state: RectState::parse("state", &state).map_err(|_| StoreError::Corrupt(format!("state {state}")))?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        last_seq: r.try_get("last_seq")?,
        escalated_level: r.try_get::<i64, _>("escalated_level")?,
    })
}

pub(crate) async fn insert_rectification(
    tx: &mut sqlx::AnyConnection,
    n: &NewRectification,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO rectifications (source, source_id, unit_id, owner_id, title, detail, due_on, state, created_by, \
         created_at, updated_at, last_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9, 1) RETURNING id",
    )
    .bind(n.source.as_str())
    .bind(n.source_id)
    .bind(n.unit_id)
    .bind(n.owner_id)
    .bind(&n.title)
    .bind(&n.detail)
    .bind(i64::from(n.due_on))
    .bind(n.by)
    .bind(n.at_ms)
    .fetch_one(&mut *tx)
    .await?;
    insert_event(tx, id, 1, "open", Some(n.by), n.at_ms, None).await?;
    Ok(id)
}

async fn insert_event(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    seq: i64,
    action: &str,
    by: Option<i64>,
    at_ms: i64,
    note: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO rectification_events (rectification_id, seq, action, by_user, at, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(seq)
        .bind(action)
        .bind(by)
        .bind(at_ms)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    pub async fn create_rectification(&self, n: &NewRectification) -> Result<i64, StoreError> {
        let mut tx = self.write().begin().await?;
        let id = insert_rectification(&mut tx, n).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn rectification(&self, id: i64) -> Result<Option<RectificationRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE r.id = $1")).bind(id).fetch_optional(self.write()).await?;
        r.as_ref().map(from_row).transpose()
    }

    pub async fn rectification_events(&self, id: i64) -> Result<Vec<RectEventRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.action, e.at, e.note, u.username, u.display_name FROM rectification_events e \
             LEFT JOIN users u ON u.id = e.by_user WHERE e.rectification_id = $1 ORDER BY e.seq",
        )
        .bind(id)
        .fetch_all(self.write())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RectEventRow {
                    seq: r.try_get("seq")?,
                    action: r.try_get("action")?,
                    by: r.try_get("username")?,
                    by_name: r.try_get("display_name")?,
                    at: r.try_get("at")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    /// The rectifications `f` picks, soonest due first; one more than `f.limit` is read.
    pub async fn rectifications(&self, f: &RectFilter) -> Result<Vec<RectificationRow>, StoreError> {
        use crate::sql::{Arg, SqlBuilder};
        let (lo, hi) = crate::db::subtree_range(&f.path);
        let mut b = SqlBuilder::new(&format!("{SELECT} WHERE "));
        match (f.owner_id, f.mine_only) {
            (Some(owner), true) => {
                b.push("r.owner_id = ").bind(Arg::I64(owner));
            }
            (Some(owner), false) => {
                b.push("((o.path >= ").bind(Arg::Text(lo)).push(" AND o.path < ").bind(Arg::Text(hi));
                b.push(") OR r.owner_id = ").bind(Arg::I64(owner)).push(")");
            }
            (None, _) => {
                b.push("o.path >= ").bind(Arg::Text(lo)).push(" AND o.path < ").bind(Arg::Text(hi));
            }
        }
        if let Some(s) = f.state {
            b.push(" AND r.state = ").bind(Arg::Text(s.as_str().to_string()));
        }
        if let Some(d) = f.due_before {
            b.push(" AND r.state <> 'verified' AND r.due_on < ").bind(Arg::I64(i64::from(d)));
        }
        b.push(" ORDER BY r.due_on, r.id LIMIT ").bind(Arg::I64(f.limit + 1));
        b.push(" OFFSET ").bind(Arg::I64(f.offset));
        let rows = b.query().fetch_all(self.read()).await?;
        rows.iter().map(from_row).collect()
    }

    /// Moves a rectification to `to` if its history still ends at `seq`, recording `action`; false
    /// when someone else acted first.
    #[allow(clippy::too_many_arguments)]
    pub async fn act_on_rectification(
        &self,
        id: i64,
        seq: i64,
        action: &str,
        to: RectState,
        by: i64,
        at_ms: i64,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let done = sqlx::query(
            "UPDATE rectifications SET state = $1, updated_at = $2, last_seq = last_seq + 1 WHERE id = $3 AND last_seq = $4",
        )
        .bind(to.as_str())
        .bind(at_ms)
        .bind(id)
        .bind(seq)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false);
        }
        insert_event(&mut tx, id, seq + 1, action, Some(by), at_ms, note).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records that a rectification reached overdue level `level` (by the scheduler); false when it
    /// already had.
    pub async fn escalate_rectification(&self, id: i64, level: i64, at_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE rectifications SET escalated_level = $1, last_seq = last_seq + 1 \
             WHERE id = $2 AND escalated_level < $1 AND state <> 'verified' RETURNING last_seq",
        )
        .bind(level)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((seq,)) = row else { return Ok(false) };
        insert_event(&mut tx, id, seq, "escalate", None, at_ms, Some(&level.to_string())).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stores a file of an inspection (`owner_kind` "inspection") or a rectification.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_service_file(
        &self,
        owner_kind: &str,
        owner_id: i64,
        name: &str,
        content_type: &str,
        data: &[u8],
        sha256: &str,
        by: i64,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut conn = self.write().acquire().await?;
        insert_service_file(&mut conn, owner_kind, owner_id, name, content_type, data, sha256, by, at_ms).await
    }

    pub async fn service_files(&self, owner_kind: &str, owner_id: i64) -> Result<Vec<FileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.owner_kind, f.owner_id, f.name, f.content_type, f.size, f.sha256, f.uploaded_at, u.username \
             FROM service_files f JOIN users u ON u.id = f.uploaded_by WHERE f.owner_kind = $1 AND f.owner_id = $2 ORDER BY f.id",
        )
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_all(self.write())
        .await?;
        rows.iter().map(file_from).collect()
    }

    /// A file with its bytes.
    pub async fn service_file(&self, id: i64) -> Result<Option<(FileRow, Vec<u8>)>, StoreError> {
        let r = sqlx::query(
            "SELECT f.id, f.owner_kind, f.owner_id, f.name, f.content_type, f.size, f.sha256, f.uploaded_at, f.data, u.username \
             FROM service_files f JOIN users u ON u.id = f.uploaded_by WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(self.read())
        .await?;
        r.map(|r| Ok((file_from(&r)?, r.try_get("data")?))).transpose()
    }
}

/// Stores a file of `owner_kind`'s `owner_id` on `conn` (in the caller's transaction, if any).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_service_file(
    conn: &mut sqlx::AnyConnection,
    owner_kind: &str,
    owner_id: i64,
    name: &str,
    content_type: &str,
    data: &[u8],
    sha256: &str,
    by: i64,
    at_ms: i64,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO service_files (owner_kind, owner_id, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(owner_kind)
    .bind(owner_id)
    .bind(name)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(sha256)
    .bind(data)
    .bind(by)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

fn file_from(r: &sqlx::any::AnyRow) -> Result<FileRow, StoreError> {
    Ok(FileRow {
        id: r.try_get("id")?,
        owner_kind: r.try_get("owner_kind")?,
        owner_id: r.try_get("owner_id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("username")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}
