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
    /// A value could not be put into the form it is stored in (a write's failure, not the data's).
    #[error("could not encode {0} for writing")]
    Encode(String),
    #[error("invalid database URL: {0}")]
    BadUrl(String),
    #[error("{0}")]
    WrongKey(String),
    #[error("the writer has stopped")]
    WriterGone,
    /// A write the data refuses (the catalogue's key of the reason): nothing was written.
    #[error("refused: {0}")]
    Refused(&'static str),
}

impl StoreError {
    /// The database could not be reached or went away mid-request: worth trying again later, not a
    /// fault of the request or of the data.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::WriterGone => true,
            Self::Db(e) => match e {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL's connection exceptions (08…) and shutdowns (57P01–57P03)
                sqlx::Error::Database(d) => {
                    d.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03"))
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Maps a unique-constraint violation to `Duplicate(what)`, anything else unchanged.
    pub(crate) fn on_unique(e: sqlx::Error, what: &'static str) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Self::Duplicate(what),
            _ => Self::Db(e),
        }
    }
}
