//! Integration tokens, stored as the SHA-256 of the secret (shown once, when made).

use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::integration::IntegrationKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationRow {
    pub id: i64,
    pub kind: IntegrationKind,
    pub name: String,
    pub org_unit_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewIntegration {
    pub kind: IntegrationKind,
    pub name: String,
    pub org_unit_id: i64,
    pub token_hash: String,
    pub by: i64,
    pub at_ms: i64,
}

const SELECT: &str = "SELECT i.id, i.kind, i.name, i.org_unit_id, o.code, o.name AS org_name, o.path, i.created_at, \
    u.username, i.revoked_at FROM integrations i JOIN org_units o ON o.id = i.org_unit_id JOIN users u ON u.id = i.created_by";

fn from_row(r: &sqlx::any::AnyRow) -> Result<IntegrationRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(IntegrationRow {
        id: r.try_get("id")?,
        kind: IntegrationKind::parse("kind", &kind)
            .map_err(|_| StoreError::Corrupt(format!("integration kind {kind}")))?,
        name: r.try_get("name")?,
        org_unit_id: r.try_get("org_unit_id")?,
        org_code: r.try_get("code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("path")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("username")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl Store {
    pub async fn create_integration(&self, n: &NewIntegration) -> Result<IntegrationRow, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO integrations (kind, name, org_unit_id, token_hash, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(n.kind.as_str())
        .bind(&n.name)
        .bind(n.org_unit_id)
        .bind(&n.token_hash)
        .bind(n.by)
        .bind(n.at_ms)
        .fetch_one(self.write())
        .await?;
        self.integration(id).await?.ok_or_else(|| StoreError::Corrupt(format!("integration {id} not read back")))
    }

    pub async fn integration(&self, id: i64) -> Result<Option<IntegrationRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE i.id = $1")).bind(id).fetch_optional(self.write()).await?;
        r.as_ref().map(from_row).transpose()
    }

    /// The integrations bound to units of the subtree at `path`, newest first.
    pub async fn integrations(&self, path: &str) -> Result<Vec<IntegrationRow>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(&format!("{SELECT} WHERE o.path >= $1 AND o.path < $2 ORDER BY i.id DESC"))
            .bind(lo)
            .bind(hi)
            .fetch_all(self.read())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The live (not revoked) integration whose token hashes to `hash`. Read from the primary: a
    /// revocation holds at once.
    pub async fn integration_by_token(&self, hash: &str) -> Result<Option<IntegrationRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE i.token_hash = $1 AND i.revoked_at IS NULL"))
            .bind(hash)
            .fetch_optional(self.fresh())
            .await?;
        r.as_ref().map(from_row).transpose()
    }

    /// Revokes it; false when it was already revoked.
    pub async fn revoke_integration(&self, id: i64, by: i64, at_ms: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE integrations SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(at_ms)
        .bind(by)
        .bind(id)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
