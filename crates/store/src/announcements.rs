//! Changes every server must act on at once: a session ended, a user's sessions ended (logout,
//! new password, deactivation, new role or unit), the deadline rules changed. On PostgreSQL each is
//! a `NOTIFY` that every server `LISTEN`s for; the store reloads the rules itself and hands the rest
//! to whoever subscribed (the server's session cache). A lost listening connection is mended and
//! reported as `Everything`, since what came meanwhile is unknown. On SQLite (one server) they are
//! handed on in process.

use crate::{Store, StoreError};
use std::sync::Weak;
use tokio::sync::broadcast;

pub(crate) const CHANNEL: &str = "xiaobao_changes";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// The session with this token hash ended.
    Session(String),
    /// Every session of this user ended.
    User(i64),
    /// The deadline policy or the calendar changed.
    Rules,
    /// Announcements may have been missed: forget every cached session.
    Everything,
}

impl Announcement {
    fn payload(&self) -> String {
        match self {
            Self::Session(h) => format!("session:{h}"),
            Self::User(id) => format!("user:{id}"),
            Self::Rules => "rules".into(),
            Self::Everything => "everything".into(),
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.split_once(':') {
            Some(("session", h)) => Some(Self::Session(h.to_string())),
            Some(("user", id)) => id.parse().ok().map(Self::User),
            _ if s == "rules" => Some(Self::Rules),
            _ if s == "everything" => Some(Self::Everything),
            _ => None,
        }
    }
}

pub(crate) fn channel() -> broadcast::Sender<Announcement> {
    broadcast::channel(1024).0
}

/// Listens on PostgreSQL for other servers' (and this one's) announcements until the store is gone.
pub(crate) fn listen(url: String, store: Weak<crate::Inner>) {
    tokio::spawn(async move {
        let mut listener = loop {
            match sqlx::postgres::PgListener::connect(&url).await {
                Ok(mut l) => match l.listen(CHANNEL).await {
                    Ok(()) => break l,
                    Err(e) => tracing::warn!(error = %e, "cannot listen for announcements; trying again"),
                },
                Err(e) => tracing::warn!(error = %e, "cannot connect to listen for announcements; trying again"),
            }
            if store.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        };
        loop {
            let a = match listener.try_recv().await {
                Ok(Some(n)) => Announcement::parse(n.payload()),
                // the connection was lost and is mended at the next call: anything may have been missed
                Ok(None) => Some(Announcement::Everything),
                Err(e) => {
                    tracing::warn!(error = %e, "listening for announcements failed; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    Some(Announcement::Everything)
                }
            };
            let Some(inner) = store.upgrade() else { return };
            let store = Store { inner };
            let Some(a) = a else { continue };
            if matches!(a, Announcement::Rules | Announcement::Everything)
                && let Err(e) = store.load_rules_again().await
            {
                tracing::warn!(error = %e, "reloading the deadline rules failed");
            }
            let _ = store.inner.announcements.send(a);
        }
    });
}

impl Store {
    /// Tells every server (this one included) of a change.
    pub async fn announce(&self, a: Announcement) -> Result<(), StoreError> {
        match self.backend() {
            crate::Backend::Postgres => {
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(a.payload()).execute(self.write()).await?;
            }
            crate::Backend::Sqlite => {
                let _ = self.inner.announcements.send(a);
            }
        }
        Ok(())
    }

    /// Announcements as they arrive.
    pub fn announcements(&self) -> broadcast::Receiver<Announcement> {
        self.inner.announcements.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_read_back_from_their_payload() {
        for a in
            [Announcement::Session("ab12".into()), Announcement::User(7), Announcement::Rules, Announcement::Everything]
        {
            assert_eq!(Announcement::parse(&a.payload()), Some(a));
        }
        assert_eq!(Announcement::parse("user:x"), None);
        assert_eq!(Announcement::parse("else"), None);
    }
}
