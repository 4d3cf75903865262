//! Connecting to SQLite or PostgreSQL behind one `AnyPool`, migrations per backend, and the seed of a
//! fresh database. SQL is written once with `$n` placeholders, which both backends accept.

use crate::StoreError;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;
use xiaobao_core::classification::{self, Dimension};
use xiaobao_core::org::HEAD_OFFICE_CODE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives. The password of a PostgreSQL URL is hidden from `Debug` and `Display`.
#[derive(Clone)]
pub enum DatabaseUrl {
    SqliteFile(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; anything else is refused. Without a URL,
    /// the SQLite file `xiaobao.db` in `data_dir` is used.
    pub fn choose(data_dir: &Path, url: Option<&str>) -> Result<Self, StoreError> {
        match url {
            None => Ok(Self::SqliteFile(data_dir.join("xiaobao.db"))),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Self::Postgres(u.to_string()))
            }
            Some(u) if u.starts_with("sqlite:") => {
                Ok(Self::SqliteFile(PathBuf::from(u.trim_start_matches("sqlite://").trim_start_matches("sqlite:"))))
            }
            Some(_) => Err(StoreError::BadUrl("expected postgres://… or sqlite:PATH".into())),
        }
    }

    fn redacted(&self) -> String {
        match self {
            Self::SqliteFile(p) => format!("sqlite:{}", p.display()),
            Self::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &u[s + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}{user}:***{}", &u[..s + 3], &u[at..])
                }
                _ => u.clone(),
            },
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Opens the read pool and the write pool. SQLite gets one write connection (SQLite has one writer
/// anyway) in WAL mode with `synchronous=FULL`, so a commit is on disk before it is acknowledged.
pub async fn connect(url: &DatabaseUrl) -> Result<(Backend, AnyPool, AnyPool), StoreError> {
    sqlx::any::install_default_drivers();
    match url {
        DatabaseUrl::SqliteFile(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::BadUrl(format!("cannot create {}: {e}", dir.display())))?;
            }
            let abs = std::path::absolute(path).map_err(|e| StoreError::BadUrl(e.to_string()))?;
            let conn = format!("sqlite://{}?mode=rwc", abs.display());
            // the writer's own file: a ping before each batch would only cost it a round trip
            let write = sqlite_pool(1).test_before_acquire(false).connect(&conn).await?;
            // WAL must be set before readers open.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&write).await?;
            let read = sqlite_pool(8).connect(&conn).await?;
            Ok((Backend::Sqlite, read, write))
        }
        DatabaseUrl::Postgres(u) => {
            let pool =
                AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(5)).connect(u).await?;
            Ok((Backend::Postgres, pool.clone(), pool))
        }
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                for pragma in [
                    "PRAGMA busy_timeout=10000",
                    "PRAGMA synchronous=FULL",
                    "PRAGMA foreign_keys=ON",
                    "PRAGMA cache_size=-65536",
                    "PRAGMA temp_store=MEMORY",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        })
}

pub async fn migrate(backend: Backend, pool: &AnyPool) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(pool).await?,
    }
    Ok(())
}

/// A fresh database holds the head office `HO`, the chain head and the classification seeds.
pub async fn seed(pool: &AnyPool) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let has_ho: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM org_units WHERE parent_id IS NULL").fetch_optional(&mut *tx).await?;
    if has_ho.is_none() {
        let now = chrono::Utc::now().timestamp_millis();
        // The id comes from the database (an identity column on PostgreSQL), the path from the id.
        let (id,): (i64,) = sqlx::query_as("INSERT INTO org_units (code, name, kind, parent_id, path, created_at) VALUES ($1, $2, 'head_office', NULL, '#HO', $3) RETURNING id")
            .bind(HEAD_OFFICE_CODE)
            .bind("总行")
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("UPDATE org_units SET path = $1 WHERE id = $2")
            .bind(xiaobao_core::org::child_path(None, id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, $1)")
            .bind(xiaobao_core::complaint::event::GENESIS_HASH)
            .execute(&mut *tx)
            .await?;
        for c in classification::seed() {
            sqlx::query("INSERT INTO classes (dimension, code, parent_code, name_zh, name_en, active) VALUES ($1, $2, $3, $4, $5, 1)")
                .bind(c.dimension.as_str())
                .bind(c.code)
                .bind(classification::parent_code(c.code))
                .bind(c.name_zh)
                .bind(c.name_en)
                .execute(&mut *tx)
                .await?;
        }
    }
    // a dimension added after the database was made gets its seeds once
    let (reasons,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM classes WHERE dimension = $1")
        .bind(Dimension::DissatisfactionReason.as_str())
        .fetch_one(&mut *tx)
        .await?;
    if reasons == 0 {
        for c in classification::DISSATISFACTION_REASONS {
            sqlx::query("INSERT INTO classes (dimension, code, parent_code, name_zh, name_en, active) VALUES ($1, $2, NULL, $3, $4, 1)")
                .bind(c.dimension.as_str())
                .bind(c.code)
                .bind(c.name_zh)
                .bind(c.name_en)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The user the system acts as (deadline alerts, automatic escalation): inactive, with a password
/// hash nothing matches, created on first start.
pub async fn system_user_id(pool: &AnyPool) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM users WHERE username = 'system'").fetch_optional(&mut *tx).await?;
    let id = match found {
        Some((id,)) => id,
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO users (username, display_name, role, org_unit_id, password_hash, active, created_at) \
                 SELECT 'system', '系统', 'auditor', id, '!', 0, 0 FROM org_units WHERE parent_id IS NULL RETURNING id",
            )
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// The half-open range `[path, end)` of materialised paths inside the subtree at `path`: paths are
/// digits and `/`, and `0` sorts right after `/`, so the bound is the path with its last `/` as `0`.
pub fn subtree_range(path: &str) -> (String, String) {
    let mut end = path.trim_end_matches('/').to_string();
    end.push('0');
    (path.to_string(), end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn password_is_hidden() {
        let u = DatabaseUrl::choose(Path::new("."), Some("postgres://bank:s3cret@db:5432/xb")).unwrap();
        assert_eq!(format!("{u:?}"), "postgres://bank:***@db:5432/xb");
        assert!(!u.to_string().contains("s3cret"));
    }

    #[test]
    fn subtree_range_excludes_siblings_with_longer_ids() {
        let (lo, hi) = subtree_range("/1/4/");
        for inside in ["/1/4/", "/1/4/9/", "/1/4/99/7/"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/1/40/", "/1/41/", "/1/3/", "/1/5/", "/1/"] {
            assert!(!(outside >= lo.as_str() && outside < hi.as_str()), "{outside}");
        }
    }
}
