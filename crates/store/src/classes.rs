//! The classification tables (JR/T 0169-2018), seeded and editable.

use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::classification::Dimension;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    pub dimension: Dimension,
    pub code: String,
    pub parent_code: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub active: bool,
}

impl Store {
    pub async fn classes(&self, dimension: Option<Dimension>) -> Result<Vec<ClassRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT dimension, code, parent_code, name_zh, name_en, active FROM classes WHERE ($1 = '' OR dimension = $1) ORDER BY dimension, code",
        )
        .bind(dimension.map(|d| d.as_str()).unwrap_or(""))
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                let dim: String = r.try_get("dimension")?;
                let active: i64 = r.try_get("active")?;
                Ok(ClassRow {
                    dimension: Dimension::from_str_opt(&dim)
                        .ok_or_else(|| StoreError::Corrupt(format!("dimension {dim}")))?,
                    code: r.try_get("code")?,
                    parent_code: r.try_get("parent_code")?,
                    name_zh: r.try_get("name_zh")?,
                    name_en: r.try_get("name_en")?,
                    active: active != 0,
                })
            })
            .collect()
    }

    /// Is `code` an active class of `dimension`?
    pub async fn class_exists(&self, dimension: Dimension, code: &str) -> Result<bool, StoreError> {
        const TRUST: std::time::Duration = std::time::Duration::from_secs(60);
        let key = (dimension, code.to_string());
        let cached = self.inner.classes.read().unwrap_or_else(|p| p.into_inner()).get(&key).copied();
        if cached.is_some_and(|t| t.elapsed() < TRUST) {
            return Ok(true);
        }
        let active = self.class_active_in_db(dimension, code).await?;
        if active {
            self.inner.classes.write().unwrap_or_else(|p| p.into_inner()).insert(key, std::time::Instant::now());
        }
        Ok(active)
    }

    async fn class_active_in_db(&self, dimension: Dimension, code: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT active FROM classes WHERE dimension = $1 AND code = $2")
            .bind(dimension.as_str())
            .bind(code)
            .fetch_optional(self.read())
            .await?;
        Ok(matches!(row, Some((1,))))
    }

    /// Adds a class, or renames / (de)activates an existing one.
    pub async fn upsert_class(&self, row: &ClassRow) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        let updated = sqlx::query(
            "UPDATE classes SET name_zh = $1, name_en = $2, active = $3 WHERE dimension = $4 AND code = $5",
        )
        .bind(&row.name_zh)
        .bind(&row.name_en)
        .bind(i64::from(row.active))
        .bind(row.dimension.as_str())
        .bind(&row.code)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query("INSERT INTO classes (dimension, code, parent_code, name_zh, name_en, active) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(row.dimension.as_str())
                .bind(&row.code)
                .bind(&row.parent_code)
                .bind(&row.name_zh)
                .bind(&row.name_en)
                .bind(i64::from(row.active))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.inner.classes.write().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(())
    }
}
