//! Users: one role, one home unit, an argon2id password hash (hashed by the server, never here).

use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::role::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub active: bool,
    /// Where deadline alerts are mailed.
    pub email: Option<String>,
    /// An administrator set the password: the user must choose their own before anything else.
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_unit_id: i64,
    pub password_hash: String,
    pub email: Option<String>,
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.org_unit_id, o.code AS org_code, o.name AS org_name, o.path AS org_path, u.active, u.email, u.must_change_password, u.password_hash";
pub(crate) const USER_FROM: &str = "FROM users u JOIN org_units o ON o.id = u.org_unit_id";

pub(crate) fn user_from_row(r: &AnyRow) -> Result<UserRow, StoreError> {
    let role: String = r.try_get("role")?;
    let active: i64 = r.try_get("active")?;
    let must_change: i64 = r.try_get("must_change_password")?;
    Ok(UserRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: Role::parse("role", &role).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        org_unit_id: r.try_get("org_unit_id")?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        active: active != 0,
        email: r.try_get("email")?,
        must_change_password: must_change != 0,
    })
}

impl Store {
    /// Adds a user (the command line's bootstrap and the tests: nobody to hold to account).
    pub async fn create_user(&self, u: &NewUser) -> Result<UserRow, StoreError> {
        self.create_user_by(u, None).await
    }

    /// Adds a user and, when an administrator does it, the audit entry, in one transaction.
    pub async fn create_user_by(&self, u: &NewUser, audit: Option<&Audit>) -> Result<UserRow, StoreError> {
        let now = audit.map_or_else(|| chrono::Utc::now().timestamp_millis(), |a| a.at_ms);
        let mut tx = self.write().begin().await?;
        let id = insert_user(&mut tx, u, now).await?;
        if let Some(a) = audit {
            crate::access_log::append(&mut tx, self.key(), &a.entry(id)).await?;
        }
        tx.commit().await?;
        self.user_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.read()).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The user and their password hash, for login.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(UserRow, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.username = $1");
        let Some(row) = sqlx::query(&sql).bind(username).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let hash: String = row.try_get("password_hash")?;
        Ok(Some((user_from_row(&row)?, hash)))
    }

    /// Users whose home unit is inside the subtree at `path`, by username, a page at a time.
    pub async fn users_in_subtree(&self, path: &str, offset: i64, limit: i64) -> Result<Vec<UserRow>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let sql = format!(
            "SELECT {USER_COLUMNS} {USER_FROM} WHERE o.path >= $1 AND o.path < $2 AND u.username <> 'system' ORDER BY u.username LIMIT $3 OFFSET $4"
        );
        let rows = sqlx::query(&sql).bind(lo).bind(hi).bind(limit).bind(offset).fetch_all(self.read()).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// The users with these ids (any order; unknown ids left out).
    pub async fn users_by_ids(&self, ids: &[i64]) -> Result<Vec<UserRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {USER_COLUMNS} {USER_FROM} WHERE u.id IN ({list})");
        let rows = sqlx::query(&sql).fetch_all(self.read()).await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE username <> 'system'").fetch_one(self.read()).await?;
        Ok(n)
    }
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub org_unit_id: Option<i64>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub email: Option<String>,
    /// Must the user choose a new password before anything else (set by a reset, cleared when they do).
    pub must_change_password: Option<bool>,
}

/// Who changed a user (or the rules), when, and what: written to the sealed access log in the
/// change's own transaction.
#[derive(Debug, Clone)]
pub struct Audit {
    pub by: i64,
    pub at_ms: i64,
    /// `subject` of the entry: `user`, `deadline_policy`.
    pub subject: &'static str,
    /// What changed, as the server words it for the record (JSON, never a secret).
    pub what: String,
}

impl Audit {
    pub(crate) fn entry(&self, subject_id: i64) -> crate::AccessLogEntry {
        crate::AccessLogEntry {
            user_id: self.by,
            at: self.at_ms,
            subject: self.subject.to_string(),
            subject_id,
            fields: self.what.clone(),
        }
    }
}

impl Store {
    /// Applies the changes and writes the audit entry in one transaction. Deactivating a user or
    /// changing their password, role or unit ends their sessions (all but `keep`, the session of a
    /// user changing their own password). A change that would leave no active administrator is
    /// refused (`StoreError::Refused("problem.last_admin")`) and writes nothing.
    pub async fn update_user(
        &self,
        id: i64,
        c: &UserChanges,
        audit: &Audit,
        keep: Option<&str>,
    ) -> Result<UserRow, StoreError> {
        let mut tx = self.write().begin().await?;
        // the log's head first: its row lock orders concurrent changes, so the count of
        // administrators below sees every change committed before this one
        crate::access_log::append(&mut tx, self.key(), &audit.entry(id)).await?;
        let r = sqlx::query(
            "UPDATE users SET display_name = COALESCE($1, display_name), role = COALESCE($2, role), \
             org_unit_id = COALESCE($3, org_unit_id), active = COALESCE($4, active), password_hash = COALESCE($5, password_hash), \
             email = COALESCE($7, email), must_change_password = COALESCE($8, must_change_password) WHERE id = $6",
        )
        .bind(c.display_name.clone())
        .bind(c.role.map(|r| r.as_str().to_string()))
        .bind(c.org_unit_id)
        .bind(c.active.map(i64::from))
        .bind(c.password_hash.clone())
        .bind(id)
        .bind(c.email.clone())
        .bind(c.must_change_password.map(i64::from))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if c.active == Some(false) || c.role.is_some() {
            let (admins,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND username <> 'system'",
            )
            .fetch_one(&mut *tx)
            .await?;
            if admins == 0 {
                return Err(StoreError::Refused("problem.last_admin"));
            }
        }
        let ends_sessions =
            c.active == Some(false) || c.password_hash.is_some() || c.role.is_some() || c.org_unit_id.is_some();
        if ends_sessions {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
            )
            .bind(audit.at_ms)
            .bind(id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if ends_sessions {
            self.announce(crate::Announcement::User(id)).await?;
        }
        self.user_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(self.user_for_login(username).await?.map(|(u, _)| u))
    }
}

/// A user as a ranking names them: who, and the unit they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffName {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_name: String,
}

impl Store {
    /// The names of everyone whose home unit is inside the subtree at `path`: a bank's tens of
    /// thousands in one light read, for rankings of the month.
    pub async fn staff_names_under(&self, path: &str) -> Result<Vec<StaffName>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name, o.name FROM users u JOIN org_units o ON o.id = u.org_unit_id \
             WHERE o.path >= $1 AND o.path < $2 AND u.username <> 'system'",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StaffName {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    org_name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// Adds many users in one transaction, without audit entries, and returns their ids in order: for
    /// benchmarks that need a bank's staff (tens of thousands of tellers) before they measure.
    pub async fn bench_add_users(&self, users: &[NewUser]) -> Result<Vec<i64>, StoreError> {
        let now = chrono::Utc::now().timestamp_millis();
        let mut tx = self.write().begin().await?;
        let mut ids = Vec::with_capacity(users.len());
        for u in users {
            ids.push(insert_user(&mut tx, u, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

async fn insert_user(tx: &mut sqlx::AnyConnection, u: &NewUser, now: i64) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, display_name, role, org_unit_id, password_hash, active, created_at, email) VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
    )
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.role.as_str())
    .bind(u.org_unit_id)
    .bind(&u.password_hash)
    .bind(now)
    .bind(u.email.clone())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| StoreError::on_unique(e, "username"))?;
    Ok(id)
}
