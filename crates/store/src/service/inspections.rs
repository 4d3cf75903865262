//! Inspection templates (each edit a new version, the old ones kept as they were), inspections with
//! their scores, and the reads coverage and the planner are made from. An inspection and the
//! rectifications its findings open are written in one transaction.

use super::rectifications::{NewRectification, insert_rectification};
use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::service::inspection::{InspectionKind, ItemScore, TemplateItem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRow {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub items: Vec<TemplateItem>,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct NewInspection {
    pub unit_id: i64,
    pub kind: InspectionKind,
    pub template_id: i64,
    pub template_version: i64,
    pub inspector_id: i64,
    /// yyyymmdd
    pub inspected_on: i32,
    pub earned: i64,
    pub possible: i64,
    pub score_bp: i64,
    pub summary: String,
    pub scores: Vec<ItemScore>,
    pub at_ms: i64,
    /// Opened with it; their `source_id` is set to the inspection's id.
    pub rectifications: Vec<NewRectification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: InspectionKind,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub inspector: String,
    pub inspector_name: String,
    pub inspected_on: i32,
    pub earned: i64,
    pub possible: i64,
    pub score_bp: i64,
    pub summary: String,
    pub created_at: i64,
}

/// An outlet of a subtree, for coverage and the planner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletRef {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
}

fn items_of(json: &str) -> Result<Vec<TemplateItem>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("template items: {e}")))
}

fn template_from(r: &sqlx::any::AnyRow) -> Result<TemplateRow, StoreError> {
    Ok(TemplateRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        items: items_of(&r.try_get::<String, _>("items")?)?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("username")?,
    })
}

const TEMPLATE_SELECT: &str = "SELECT t.id, t.code, v.version, v.name, v.items, v.created_at, u.username \
    FROM inspection_templates t JOIN inspection_template_versions v ON v.template_id = t.id \
    JOIN users u ON u.id = v.created_by";

const INSPECTION_SELECT: &str = "SELECT i.*, o.code AS unit_code, o.name AS unit_name, o.path AS unit_path, \
    t.code AS template_code, u.username, u.display_name FROM inspections i JOIN org_units o ON o.id = i.unit_id \
    JOIN inspection_templates t ON t.id = i.template_id JOIN users u ON u.id = i.inspector_id";

fn inspection_from(r: &sqlx::any::AnyRow) -> Result<InspectionRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(InspectionRow {
        id: r.try_get("id")?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        kind: InspectionKind::parse("kind", &kind)
            .map_err(|_| StoreError::Corrupt(format!("inspection kind {kind}")))?,
        template_id: r.try_get("template_id")?,
        template_code: r.try_get("template_code")?,
        template_version: r.try_get("template_version")?,
        inspector: r.try_get("username")?,
        inspector_name: r.try_get("display_name")?,
        inspected_on: r.try_get::<i64, _>("inspected_on")? as i32,
        earned: r.try_get("earned")?,
        possible: r.try_get("possible")?,
        score_bp: r.try_get("score_bp")?,
        summary: r.try_get("summary")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// A new template at version 1; `None` when its code is taken.
    pub async fn create_template(
        &self,
        code: &str,
        name: &str,
        items: &[TemplateItem],
        by: i64,
        at_ms: i64,
    ) -> Result<Option<TemplateRow>, StoreError> {
        let json = serde_json::to_string(items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().begin().await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM inspection_templates WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Ok(None);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inspection_templates (code, current_version, created_by, created_at) VALUES ($1, 1, $2, $3) RETURNING id",
        )
        .bind(code)
        .bind(by)
        .bind(at_ms)
        .fetch_one(&mut *tx)
        .await?;
        insert_version(&mut tx, id, 1, name, &json, by, at_ms).await?;
        tx.commit().await?;
        self.template(id, None).await
    }

    /// Writes the template's next version; `None` when there is no such template.
    pub async fn new_template_version(
        &self,
        id: i64,
        name: &str,
        items: &[TemplateItem],
        by: i64,
        at_ms: i64,
    ) -> Result<Option<TemplateRow>, StoreError> {
        let json = serde_json::to_string(items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write().begin().await?;
        let Some((current,)): Option<(i64,)> =
            sqlx::query_as("UPDATE inspection_templates SET current_version = current_version + 1 WHERE id = $1 RETURNING current_version")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(None);
        };
        insert_version(&mut tx, id, current, name, &json, by, at_ms).await?;
        tx.commit().await?;
        self.template(id, Some(current)).await
    }

    /// A template at `version`, or at its current one.
    pub async fn template(&self, id: i64, version: Option<i64>) -> Result<Option<TemplateRow>, StoreError> {
        let r = match version {
            Some(v) => {
                sqlx::query(&format!("{TEMPLATE_SELECT} WHERE t.id = $1 AND v.version = $2"))
                    .bind(id)
                    .bind(v)
                    .fetch_optional(self.write())
                    .await?
            }
            None => {
                sqlx::query(&format!("{TEMPLATE_SELECT} WHERE t.id = $1 AND v.version = t.current_version"))
                    .bind(id)
                    .fetch_optional(self.write())
                    .await?
            }
        };
        r.as_ref().map(template_from).transpose()
    }

    pub async fn template_by_code(&self, code: &str) -> Result<Option<TemplateRow>, StoreError> {
        let r = sqlx::query(&format!("{TEMPLATE_SELECT} WHERE t.code = $1 AND v.version = t.current_version"))
            .bind(code)
            .fetch_optional(self.read())
            .await?;
        r.as_ref().map(template_from).transpose()
    }

    /// Every template at its current version, by code.
    pub async fn templates(&self) -> Result<Vec<TemplateRow>, StoreError> {
        let rows = sqlx::query(&format!("{TEMPLATE_SELECT} WHERE v.version = t.current_version ORDER BY t.code"))
            .fetch_all(self.read())
            .await?;
        rows.iter().map(template_from).collect()
    }

    /// Stores an inspection, its scores and the rectifications it opens, in one transaction.
    pub async fn create_inspection(&self, n: &NewInspection) -> Result<i64, StoreError> {
        let mut tx = self.write().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inspections (unit_id, kind, template_id, template_version, inspector_id, inspected_on, earned, possible, \
             score_bp, summary, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(n.unit_id)
        .bind(n.kind.as_str())
        .bind(n.template_id)
        .bind(n.template_version)
        .bind(n.inspector_id)
        .bind(i64::from(n.inspected_on))
        .bind(n.earned)
        .bind(n.possible)
        .bind(n.score_bp)
        .bind(&n.summary)
        .bind(n.at_ms)
        .fetch_one(&mut *tx)
        .await?;
        for (pos, s) in n.scores.iter().enumerate() {
            sqlx::query(
                "INSERT INTO inspection_scores (inspection_id, position, item_code, score, finding, rectify) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(pos as i64)
            .bind(&s.item)
            .bind(i64::from(s.score))
            .bind(&s.finding)
            .bind(i64::from(s.rectify))
            .execute(&mut *tx)
            .await?;
        }
        for r in &n.rectifications {
            insert_rectification(&mut tx, &NewRectification { source_id: Some(id), ..r.clone() }).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn inspection(&self, id: i64) -> Result<Option<(InspectionRow, Vec<ItemScore>)>, StoreError> {
        let Some(r) =
            sqlx::query(&format!("{INSPECTION_SELECT} WHERE i.id = $1")).bind(id).fetch_optional(self.write()).await?
        else {
            return Ok(None);
        };
        let scores = sqlx::query(
            "SELECT item_code, score, finding, rectify FROM inspection_scores WHERE inspection_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.write())
        .await?
        .iter()
        .map(|s| {
            Ok(ItemScore {
                item: s.try_get("item_code")?,
                score: s.try_get::<i64, _>("score")? as u32,
                finding: s.try_get("finding")?,
                rectify: s.try_get::<i64, _>("rectify")? != 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((inspection_from(&r)?, scores)))
    }

    /// The inspections of units in the subtree at `path` on days `from..=to` (yyyymmdd), newest
    /// first; one more than `limit` is read, to tell whether another page follows.
    pub async fn inspections(
        &self,
        path: &str,
        from: i32,
        to: i32,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<InspectionRow>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(&format!(
            "{INSPECTION_SELECT} WHERE o.path >= $1 AND o.path < $2 AND i.inspected_on >= $3 AND i.inspected_on <= $4 \
             ORDER BY i.inspected_on DESC, i.id DESC LIMIT $5 OFFSET $6"
        ))
        .bind(lo)
        .bind(hi)
        .bind(i64::from(from))
        .bind(i64::from(to))
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(inspection_from).collect()
    }

    /// How many outlets the subtree at `path` holds.
    pub async fn outlet_count_under(&self, path: &str) -> Result<i64, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM org_units WHERE kind = 'outlet' AND path >= $1 AND path < $2")
                .bind(lo)
                .bind(hi)
                .fetch_one(self.read())
                .await?;
        Ok(n)
    }

    /// The outlets of the subtree at `path`, by code.
    pub async fn outlets_under(&self, path: &str) -> Result<Vec<OutletRef>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(
            "SELECT id, code, name, path FROM org_units WHERE kind = 'outlet' AND path >= $1 AND path < $2 ORDER BY code",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutletRef {
                    id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    path: r.try_get("path")?,
                })
            })
            .collect()
    }

    /// Each inspection's unit and score (basis points) in the subtree at `path` on days `from..=to`.
    pub async fn inspection_scores_in(&self, path: &str, from: i32, to: i32) -> Result<Vec<(i64, i64)>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(
            "SELECT i.unit_id, i.score_bp FROM inspections i JOIN org_units o ON o.id = i.unit_id \
             WHERE o.path >= $1 AND o.path < $2 AND o.kind = 'outlet' AND i.inspected_on >= $3 AND i.inspected_on <= $4",
        )
        .bind(lo)
        .bind(hi)
        .bind(i64::from(from))
        .bind(i64::from(to))
        .fetch_all(self.read())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("unit_id")?, r.try_get("score_bp")?))).collect()
    }
}

async fn insert_version(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    version: i64,
    name: &str,
    items: &str,
    by: i64,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO inspection_template_versions (template_id, version, name, items, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(name)
    .bind(items)
    .bind(by)
    .bind(at_ms)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
