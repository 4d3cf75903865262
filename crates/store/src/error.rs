//! The store's error: a database failure, or a uniqueness conflict the caller can name a field for.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("not found")]
    NotFound,
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("invalid database URL: {0}")]
    BadUrl(String),
    #[error("the writer has stopped")]
    WriterGone,
}

impl StoreError {
    /// Maps a unique-constraint violation to `Duplicate(what)`, anything else unchanged.
    pub(crate) fn on_unique(e: sqlx::Error, what: &'static str) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Self::Duplicate(what),
            _ => Self::Db(e),
        }
    }
}
