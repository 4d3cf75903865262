//! Sessions and API tokens: random secrets stored only as SHA-256 hashes, revocable, expiring.

use crate::users::{USER_COLUMNS, USER_FROM, user_from_row};
use crate::{Store, StoreError, UserRow};

/// Who a valid token belongs to.
#[derive(Debug, Clone)]
pub struct SessionPrincipal {
    pub user: UserRow,
    pub expires_at: i64,
}

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now_ms)
            .bind(expires_at)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// The active user of an unrevoked, unexpired session.
    pub async fn session(&self, token_hash: &str, now_ms: i64) -> Result<Option<SessionPrincipal>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.expires_at {USER_FROM} JOIN sessions s ON s.user_id = u.id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active = 1"
        );
        let Some(row) = sqlx::query(&sql).bind(token_hash).bind(now_ms).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        use sqlx::Row;
        Ok(Some(SessionPrincipal { user: user_from_row(&row)?, expires_at: row.try_get("expires_at")? }))
    }

    pub async fn revoke_session(&self, token_hash: &str, now_ms: i64) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
            .bind(now_ms)
            .bind(token_hash)
            .execute(self.write())
            .await?;
        self.announce(crate::Announcement::Session(token_hash.to_string())).await?;
        Ok(r.rows_affected() > 0)
    }
}
