//! Org units: the tree every scope check stands on.

use crate::db::subtree_range;
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::FieldError;
use xiaobao_core::org::{OrgCode, OrgUnitKind, child_path};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent_id: Option<i64>,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct NewOrgUnit {
    pub code: OrgCode,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent: OrgCode,
}

const COLUMNS: &str = "id, code, name, kind, parent_id, path";

fn from_row(r: &AnyRow) -> Result<OrgUnitRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(OrgUnitRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: OrgUnitKind::parse("kind", &kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        parent_id: r.try_get("parent_id")?,
        path: r.try_get("path")?,
    })
}

/// Why an org unit could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateOrgUnitError {
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    pub async fn org_unit_by_code(&self, code: &str) -> Result<Option<OrgUnitRow>, StoreError> {
        if let Some(u) = self.inner.org_units.read().unwrap_or_else(|p| p.into_inner()).get(code) {
            return Ok(Some(u.clone()));
        }
        let sql = format!("SELECT {COLUMNS} FROM org_units WHERE code = $1");
        let row = sqlx::query(&sql).bind(code).fetch_optional(self.read()).await?;
        let unit = row.as_ref().map(from_row).transpose()?;
        if let Some(u) = &unit {
            self.inner.org_units.write().unwrap_or_else(|p| p.into_inner()).insert(u.code.clone(), u.clone());
        }
        Ok(unit)
    }

    pub async fn org_unit_by_id(&self, id: i64) -> Result<Option<OrgUnitRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM org_units WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.read()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every unit in the subtree at `path`, in tree order with siblings by code.
    pub async fn org_units_in_subtree(&self, path: &str) -> Result<Vec<OrgUnitRow>, StoreError> {
        let (lo, hi) = subtree_range(path);
        let sql = format!("SELECT {COLUMNS} FROM org_units WHERE path >= $1 AND path < $2");
        let rows = sqlx::query(&sql).bind(lo).bind(hi).fetch_all(self.read()).await?;
        Ok(tree_order(rows.iter().map(from_row).collect::<Result<_, _>>()?))
    }

    /// The units directly under `id`, in code order.
    pub async fn org_unit_children(&self, id: i64) -> Result<Vec<OrgUnitRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM org_units WHERE parent_id = $1 ORDER BY code");
        let rows = sqlx::query(&sql).bind(id).fetch_all(self.read()).await?;
        rows.iter().map(from_row).collect()
    }

    /// Creates a unit under an existing parent; the parent must accept a child of that kind.
    pub async fn create_org_unit(&self, new: &NewOrgUnit) -> Result<OrgUnitRow, CreateOrgUnitError> {
        let parent = self.org_unit_by_code(new.parent.as_str()).await?.ok_or_else(|| {
            FieldError::because("parent", "field.parent_unit_missing").with("parent", new.parent.as_str())
        })?;
        if !new.kind.may_sit_under(parent.kind) {
            return Err(FieldError::because("kind", "field.unit_kind_under")
                .with("kind", new.kind.as_str())
                .with("parent", parent.kind.as_str())
                .into());
        }
        let mut tx = self.write().begin().await.map_err(StoreError::from)?;
        let now = chrono::Utc::now().timestamp_millis();
        let placeholder = format!("#{}", new.code);
        let (id,): (i64,) = sqlx::query_as("INSERT INTO org_units (code, name, kind, parent_id, path, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(new.code.as_str())
            .bind(&new.name)
            .bind(new.kind.as_str())
            .bind(parent.id)
            .bind(&placeholder)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::on_unique(e, "code") {
                StoreError::Duplicate(_) => CreateOrgUnitError::Invalid(FieldError::because("code", "field.org_code_taken").with("code", new.code.as_str())),
                other => other.into(),
            })?;
        let path = child_path(Some(&parent.path), id);
        sqlx::query("UPDATE org_units SET path = $1 WHERE id = $2")
            .bind(&path)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(OrgUnitRow {
            id,
            code: new.code.to_string(),
            name: new.name.clone(),
            kind: new.kind,
            parent_id: Some(parent.id),
            path,
        })
    }

    /// The parent of a unit, if it has one.
    pub async fn parent_of(&self, unit: &OrgUnitRow) -> Result<Option<OrgUnitRow>, StoreError> {
        match unit.parent_id {
            Some(p) => self.org_unit_by_id(p).await,
            None => Ok(None),
        }
    }

    /// Renames a unit (its code and place in the tree never change).
    pub async fn rename_org_unit(&self, id: i64, name: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE org_units SET name = $1 WHERE id = $2").bind(name).bind(id).execute(self.write()).await?;
        self.inner.org_units.write().unwrap_or_else(|p| p.into_inner()).retain(|_, u| u.id != id);
        Ok(())
    }
}

/// Units in tree order: each unit followed by its subtree, siblings by code (the path holds ids, so
/// its order is the order units were created in). A unit whose parent is not among them is a root.
fn tree_order(mut units: Vec<OrgUnitRow>) -> Vec<OrgUnitRow> {
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<OrgUnitRow>> = std::collections::HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    let mut out = Vec::with_capacity(ids.len());
    let mut stack: Vec<OrgUnitRow> = children.remove(&None).unwrap_or_default().into_iter().rev().collect();
    while let Some(u) = stack.pop() {
        stack.extend(children.remove(&Some(u.id)).unwrap_or_default().into_iter().rev());
        out.push(u);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, code: &str, parent_id: Option<i64>) -> OrgUnitRow {
        OrgUnitRow {
            id,
            code: code.into(),
            name: code.into(),
            kind: OrgUnitKind::Outlet,
            parent_id,
            path: String::new(),
        }
    }

    #[test]
    fn siblings_come_in_code_order_each_followed_by_its_subtree() {
        // SH was created before BJ, and BJ0102 before BJ0101
        let units = vec![
            unit(1, "HO", None),
            unit(2, "SH", Some(1)),
            unit(3, "BJ", Some(1)),
            unit(4, "SH01", Some(2)),
            unit(5, "BJ0102", Some(3)),
            unit(6, "BJ0101", Some(3)),
        ];
        let codes: Vec<String> = tree_order(units).into_iter().map(|u| u.code).collect();
        assert_eq!(codes, ["HO", "BJ", "BJ0101", "BJ0102", "SH", "SH01"]);
    }

    #[test]
    fn a_subtree_starts_at_its_own_top() {
        let units = vec![unit(5, "BJ0102", Some(3)), unit(3, "BJ", Some(1)), unit(6, "BJ0101", Some(3))];
        let codes: Vec<String> = tree_order(units).into_iter().map(|u| u.code).collect();
        assert_eq!(codes, ["BJ", "BJ0101", "BJ0102"]);
    }
}
