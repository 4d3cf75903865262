//! The consumer-protection centre's monthly draws of concluded reviews (`cp_review_samples`): what
//! each draw was made from (seed, share, candidates) and what it drew, recorded with the reviews it
//! marks as sampled in one transaction, and in the chained audit log (subject `cp_review_sample`).

use crate::access_log::{AccessLogEntry, append};
use crate::workbook::{Change, EntryWrite};
use crate::{Store, StoreError};
use sqlx::Row;

/// A recorded draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    pub id: i64,
    /// yyyymm
    pub month: i32,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub seed: u64,
    pub percent: u32,
    /// (unit, review id) of every concluded review the draw chose from.
    pub candidates: Vec<(i64, i64)>,
    pub drawn: Vec<i64>,
    pub drawn_by: String,
    pub drawn_at: i64,
}

/// A draw to record, with each drawn review as it becomes (sampled) at the version it was read.
pub struct NewSample<'a> {
    pub month: i32,
    pub unit_id: i64,
    pub seed: u64,
    pub percent: u32,
    pub candidates: &'a [(i64, i64)],
    pub drawn: &'a [(i64, i64, EntryWrite)],
}

/// How recording a draw went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drawn {
    Recorded(i64),
    /// This unit's month was drawn already.
    AlreadyDrawn,
    /// A drawn review changed since it was read: nothing was written.
    Stale,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<SampleRow, StoreError> {
    let seed: String = r.try_get("seed")?;
    let candidates: String = r.try_get("candidates")?;
    let drawn: String = r.try_get("drawn")?;
    let corrupt = |e: String| StoreError::Corrupt(format!("review sample: {e}"));
    Ok(SampleRow {
        id: r.try_get("id")?,
        month: r.try_get::<i64, _>("month")? as i32,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("code")?,
        unit_name: r.try_get("name")?,
        seed: seed.parse().map_err(|e: std::num::ParseIntError| corrupt(e.to_string()))?,
        percent: r.try_get::<i64, _>("percent")? as u32,
        candidates: serde_json::from_str(&candidates).map_err(|e| corrupt(e.to_string()))?,
        drawn: serde_json::from_str(&drawn).map_err(|e| corrupt(e.to_string()))?,
        drawn_by: r.try_get("username")?,
        drawn_at: r.try_get("drawn_at")?,
    })
}

const SELECT: &str = "SELECT s.*, o.code, o.name, u.username FROM cp_review_samples s \
    JOIN org_units o ON o.id = s.unit_id JOIN users u ON u.id = s.drawn_by";

impl Store {
    /// Records a draw and marks its reviews sampled, one transaction.
    pub async fn record_sample(&self, s: &NewSample<'_>, by: i64, at_ms: i64) -> Result<Drawn, StoreError> {
        let mut tx = self.write().begin().await?;
        let seen: Option<(i64,)> = sqlx::query_as("SELECT id FROM cp_review_samples WHERE month = $1 AND unit_id = $2")
            .bind(i64::from(s.month))
            .bind(s.unit_id)
            .fetch_optional(&mut *tx)
            .await?;
        if seen.is_some() {
            return Ok(Drawn::AlreadyDrawn);
        }
        let drawn: Vec<i64> = s.drawn.iter().map(|d| d.0).collect();
        let candidates = serde_json::to_string(s.candidates).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let drawn_text = serde_json::to_string(&drawn).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO cp_review_samples (month, unit_id, seed, percent, candidates, drawn, drawn_by, drawn_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(i64::from(s.month))
        .bind(s.unit_id)
        .bind(s.seed.to_string())
        .bind(i64::from(s.percent))
        .bind(&candidates)
        .bind(&drawn_text)
        .bind(by)
        .bind(at_ms)
        .fetch_one(&mut *tx)
        .await?;
        for (entry, version, w) in s.drawn {
            if !self.change_in(&mut tx, *entry, *version, w, Change::Step("sampled"), by, at_ms).await? {
                return Ok(Drawn::Stale);
            }
        }
        let fields = serde_json::json!({
            "month": s.month, "unit_id": s.unit_id, "seed": s.seed.to_string(), "percent": s.percent,
            "candidates": candidates, "drawn": drawn_text,
        })
        .to_string();
        let entry =
            AccessLogEntry { user_id: by, at: at_ms, subject: "cp_review_sample".into(), subject_id: id, fields };
        append(&mut tx, self.key(), &entry).await?;
        tx.commit().await?;
        Ok(Drawn::Recorded(id))
    }

    /// Every draw of `month` (yyyymm), units nearest the root first; the caller keeps those in scope.
    pub async fn samples(&self, month: i32) -> Result<Vec<SampleRow>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE s.month = $1 ORDER BY o.path, s.id"))
            .bind(i64::from(month))
            .fetch_all(self.fresh())
            .await?;
        rows.iter().map(from_row).collect()
    }
}

impl Store {
    /// Records the centre's check of a sampled review at `version`: a finding opens its
    /// rectification, and the review (made by `make` from the rectification's id) says so — one
    /// transaction. False (nothing written) when the review changed since it was read.
    pub async fn check_sampled_review(
        &self,
        id: i64,
        version: i64,
        rectification: Option<&crate::service::NewRectification>,
        make: impl FnOnce(Option<i64>) -> Result<EntryWrite, String>,
        by: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let rect = match rectification {
            Some(n) => Some(crate::service::insert_rectification(&mut tx, n).await?),
            None => None,
        };
        let w = make(rect).map_err(StoreError::Corrupt)?;
        if !self.change_in(&mut tx, id, version, &w, Change::Step("checked"), by, at_ms).await? {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }
}
