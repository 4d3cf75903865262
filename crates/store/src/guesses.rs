//! Guessing, remembered where every server sees it: accounts locked after a sustained password
//! attack, and the day's tries at each complaint's public progress page. Every server refuses a locked
//! username until the lock ends or an administrator lifts it; administrators read the list.

use crate::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLockRow {
    pub id: i64,
    pub username: String,
    pub user_id: Option<i64>,
    pub locked_at: i64,
    pub locked_until: i64,
    pub failures: i64,
    /// The source addresses the failures came from, comma-separated.
    pub addresses: String,
    pub unlocked_at: Option<i64>,
}

const LOCK_COLUMNS: &str = "id, username, user_id, locked_at, locked_until, failures, addresses, unlocked_at";

fn lock_from_row(r: &sqlx::any::AnyRow) -> Result<LoginLockRow, StoreError> {
    Ok(LoginLockRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        user_id: r.try_get("user_id")?,
        locked_at: r.try_get("locked_at")?,
        locked_until: r.try_get("locked_until")?,
        failures: r.try_get("failures")?,
        addresses: r.try_get("addresses")?,
        unlocked_at: r.try_get("unlocked_at")?,
    })
}

impl Store {
    /// Locks `username` until `until_ms` (unless a lock already runs), recording the attack.
    pub async fn lock_login(
        &self,
        username: &str,
        user_id: Option<i64>,
        now_ms: i64,
        until_ms: i64,
        failures: i64,
        addresses: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        let running: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM login_locks WHERE username = $1 AND locked_until > $2 AND unlocked_at IS NULL LIMIT 1",
        )
        .bind(username)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        if running.is_none() {
            sqlx::query(
                "INSERT INTO login_locks (username, user_id, locked_at, locked_until, failures, addresses) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(username)
            .bind(user_id)
            .bind(now_ms)
            .bind(until_ms)
            .bind(failures)
            .bind(addresses)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The lock running on `username` at `now_ms`, if any.
    pub async fn login_lock(&self, username: &str, now_ms: i64) -> Result<Option<LoginLockRow>, StoreError> {
        let sql = format!(
            "SELECT {LOCK_COLUMNS} FROM login_locks WHERE username = $1 AND locked_until > $2 AND unlocked_at IS NULL \
             ORDER BY locked_until DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(username).bind(now_ms).fetch_optional(self.write()).await?;
        row.as_ref().map(lock_from_row).transpose()
    }

    /// Locks since `since_ms`, newest first.
    pub async fn login_locks(&self, since_ms: i64, limit: i64) -> Result<Vec<LoginLockRow>, StoreError> {
        let sql = format!(
            "SELECT {LOCK_COLUMNS} FROM login_locks WHERE locked_at >= $1 ORDER BY locked_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql).bind(since_ms).bind(limit).fetch_all(self.read()).await?;
        rows.iter().map(lock_from_row).collect()
    }

    /// Lifts the running lock of `username`; false when none runs.
    pub async fn unlock_login(&self, username: &str, by: i64, now_ms: i64) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE login_locks SET unlocked_at = $1, unlocked_by = $2 WHERE username = $3 AND locked_until > $1 AND unlocked_at IS NULL",
        )
        .bind(now_ms)
        .bind(by)
        .bind(username)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }
}

impl Store {
    /// Counts a try at the progress page of complaint `complaint_id` on local `day` before it is
    /// checked; true while the day's tries are within `budget`.
    pub async fn progress_try(&self, complaint_id: i64, day: &str, budget: i64) -> Result<bool, StoreError> {
        let (tries,): (i64,) = sqlx::query_as(
            "INSERT INTO progress_tries (complaint_id, day, tries) VALUES ($1, $2, 1) \
             ON CONFLICT (complaint_id, day) DO UPDATE SET tries = progress_tries.tries + 1 RETURNING tries",
        )
        .bind(complaint_id)
        .bind(day)
        .fetch_one(self.write())
        .await?;
        Ok(tries <= budget)
    }

    /// Ends a counted try: a right answer is taken back; the wrong one that spends the budget stops
    /// the number for the day (returns true then).
    pub async fn progress_tried(
        &self,
        complaint_id: i64,
        day: &str,
        right: bool,
        budget: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        if right {
            sqlx::query("UPDATE progress_tries SET tries = tries - 1 WHERE complaint_id = $1 AND day = $2")
                .bind(complaint_id)
                .bind(day)
                .execute(self.write())
                .await?;
            return Ok(false);
        }
        let r = sqlx::query(
            "UPDATE progress_tries SET stopped_at = $1 WHERE complaint_id = $2 AND day = $3 AND tries >= $4 AND stopped_at IS NULL",
        )
        .bind(now_ms)
        .bind(complaint_id)
        .bind(day)
        .bind(budget)
        .execute(self.write())
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// When the progress page of the complaint stopped answering on `day`, if it did.
    pub async fn progress_stopped(&self, complaint_id: i64, day: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT stopped_at FROM progress_tries WHERE complaint_id = $1 AND day = $2")
                .bind(complaint_id)
                .bind(day)
                .fetch_optional(self.read())
                .await?;
        Ok(row.and_then(|(s,)| s))
    }
}
