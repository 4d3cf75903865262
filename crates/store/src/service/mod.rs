//! Service quality's persistence: integration tokens, the ratings and queue tickets the writer
//! takes in (`writer::ingest`), their rollups (`rollups`), and the reads the service measures are
//! served from.

mod integrations;
pub mod rollups;

pub use integrations::{IntegrationRow, NewIntegration};
pub use rollups::ServiceRow;

use crate::{Store, StoreError};
use sqlx::Row;

/// A teller as ingest resolves one: who, and where they work.
#[derive(Debug, Clone)]
pub struct TellerRef {
    pub id: i64,
    pub org_path: String,
    pub active: bool,
}

impl Store {
    /// The users of `usernames` (those that exist), for resolving tellers named by devices.
    pub async fn tellers_by_username(
        &self,
        usernames: &[&str],
    ) -> Result<std::collections::HashMap<String, TellerRef>, StoreError> {
        let mut found = std::collections::HashMap::new();
        for chunk in crate::sql::pow2_chunks(usernames) {
            let mut b = crate::sql::SqlBuilder::new(
                "SELECT u.id, u.username, u.active, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.username IN (",
            );
            for (n, name) in chunk.iter().enumerate() {
                if n > 0 {
                    b.push(", ");
                }
                b.bind(crate::sql::Arg::Text((*name).to_string()));
            }
            b.push(")");
            for r in b.query().fetch_all(self.read()).await? {
                let active: i64 = r.try_get("active")?;
                found.insert(
                    r.try_get("username")?,
                    TellerRef { id: r.try_get("id")?, org_path: r.try_get("path")?, active: active != 0 },
                );
            }
        }
        Ok(found)
    }

    /// Stores the bank's service rules, with the audit entry of the change, and takes them into force.
    pub async fn set_service_rules(
        &self,
        rules: &xiaobao_core::service::ServiceRules,
        audit: &crate::Audit,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(rules).map_err(|e| StoreError::Encode(format!("service rules: {e}")))?;
        let mut tx = self.write().begin().await?;
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(crate::rules::SERVICE_RULES)
        .bind(json)
        .bind(audit.at_ms)
        .bind(audit.by)
        .execute(&mut *tx)
        .await?;
        crate::access_log::append(&mut tx, self.key(), &audit.entry(0)).await?;
        tx.commit().await?;
        self.reload_rules().await
    }
}
