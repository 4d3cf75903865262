//! The board: for each child of a unit, what is open, overdue and escalated now, and what arrived
//! since a given instant (the month so far), with a total over the whole subtree.

use crate::complaints::OPEN;
use crate::db::subtree_range;
use crate::{Store, StoreError};
use sqlx::Row;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardRow {
    pub code: String,
    pub name: String,
    pub open: i64,
    /// Open with a running clock past its due time.
    pub overdue: i64,
    /// Open and escalated at least once.
    pub escalated: i64,
    /// Received since the period start.
    pub received: i64,
    /// … of which transferred by the regulator.
    pub regulator: i64,
    /// … of which repeat complaints.
    pub repeat: i64,
}

impl Store {
    /// One row per child of the unit at `path` (in code order), then the total of the whole subtree
    /// (named after the unit itself). `now` decides what is overdue; `since` starts the period.
    pub async fn board(
        &self,
        code: &str,
        name: &str,
        path: &str,
        now: i64,
        since: i64,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let children: Vec<(String, String, String)> =
            sqlx::query_as("SELECT c.code, c.name, c.path FROM org_units c JOIN org_units p ON p.id = c.parent_id WHERE p.path = $1 ORDER BY c.code")
                .bind(path)
                .fetch_all(self.read())
                .await?;
        let sql = format!(
            "SELECT \
             CAST(COALESCE(SUM(CASE WHEN {OPEN} THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
             CAST(COALESCE(SUM(CASE WHEN {OPEN} AND k.next_due_at <= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
             CAST(COALESCE(SUM(CASE WHEN {OPEN} AND k.escalation_count > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS escalated, \
             CAST(COALESCE(SUM(CASE WHEN k.received_at >= $4 THEN 1 ELSE 0 END), 0) AS BIGINT) AS received, \
             CAST(COALESCE(SUM(CASE WHEN k.received_at >= $4 AND k.channel = 'regulator' THEN 1 ELSE 0 END), 0) AS BIGINT) AS regulator, \
             CAST(COALESCE(SUM(CASE WHEN k.received_at >= $4 AND k.repeat = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS repeats \
             FROM complaints k WHERE k.org_path >= $1 AND k.org_path < $2 \
             AND ({OPEN} OR k.received_at >= $4)"
        );
        let mut out = Vec::with_capacity(children.len() + 1);
        for (code, name, path) in children.into_iter().chain([(code.to_string(), name.to_string(), path.to_string())]) {
            let (lo, hi) = subtree_range(&path);
            let r = sqlx::query(&sql).bind(lo).bind(hi).bind(now).bind(since).fetch_one(self.read()).await?;
            out.push(BoardRow {
                code,
                name,
                open: r.try_get("open")?,
                overdue: r.try_get("overdue")?,
                escalated: r.try_get("escalated")?,
                received: r.try_get("received")?,
                regulator: r.try_get("regulator")?,
                repeat: r.try_get("repeats")?,
            });
        }
        Ok(out)
    }
}
