//! The board: for each child of a unit, what is open, overdue and escalated now, and what arrived
//! since a given instant (the month so far), with a total over the whole subtree.

use crate::db::subtree_range;
use crate::{Store, StoreError};
use std::collections::HashMap;
use xiaobao_core::measure::day_number;
use xiaobao_core::org::path_ids;
use xiaobao_core::time::{from_millis, local_date};

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
    /// The row of orders held at the unit itself (本级), not at any child: the total less the
    /// children's rows.
    pub own: bool,
}

impl BoardRow {
    /// What `total` holds that none of `children` does.
    fn own_part(total: &BoardRow, children: &[BoardRow]) -> BoardRow {
        let sum = |f: fn(&BoardRow) -> i64| f(total) - children.iter().map(f).sum::<i64>();
        BoardRow {
            code: total.code.clone(),
            name: total.name.clone(),
            open: sum(|r| r.open),
            overdue: sum(|r| r.overdue),
            escalated: sum(|r| r.escalated),
            received: sum(|r| r.received),
            regulator: sum(|r| r.regulator),
            repeat: sum(|r| r.repeat),
            own: true,
        }
    }

    fn is_empty(&self) -> bool {
        [self.open, self.overdue, self.escalated, self.received, self.regulator, self.repeat].iter().all(|n| *n == 0)
    }
}

impl Store {
    /// One row per child of the unit at `path` (in code order), then — when it holds any — the row of
    /// what is at the unit itself (`own`), then the total of the whole subtree (named after the unit
    /// itself): the rows above the total always add up to it. `now` decides what is overdue; `since` starts the month counted.
    /// Open and escalated come from the live counters, the period's figures from the rollups, and
    /// overdue from the index of due times: nothing here grows with the number of orders stored.
    pub async fn board(
        &self,
        code: &str,
        name: &str,
        path: &str,
        now: i64,
        since: i64,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let own_id = path_ids(path).last().copied().unwrap_or_default();
        let units: Vec<(i64, String, String, String)> = self
            .org_unit_children(own_id)
            .await?
            .into_iter()
            .map(|c| (c.id, c.code, c.name, c.path))
            .chain([(own_id, code.to_string(), name.to_string(), path.to_string())])
            .collect();
        let ids = units.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(", ");
        let live: HashMap<i64, (i64, i64)> = sqlx::query_as::<_, (i64, i64, i64)>(&format!(
            "SELECT CAST(unit_id AS BIGINT), CAST(open AS BIGINT), CAST(escalated_open AS BIGINT) FROM unit_live WHERE unit_id IN ({ids})"
        ))
        .fetch_all(self.read())
        .await?
        .into_iter()
        .map(|(u, o, e)| (u, (o, e)))
        .collect();
        // `since` starts a month: the month's row holds everything received since
        let since_month = day_number(local_date(from_millis(since))) / 100;
        let period: HashMap<i64, (i64, i64, i64)> = sqlx::query_as::<_, (i64, i64, i64, i64)>(&format!(
            "SELECT CAST(unit_id AS BIGINT), CAST(SUM(CASE WHEN dim = 'all' THEN received ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN dim = 'channel' AND value = 'regulator' THEN received ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN dim = 'all' THEN repeat ELSE 0 END) AS BIGINT) \
             FROM rollup_months WHERE unit_id IN ({ids}) AND month >= $1 AND dim IN ('all', 'channel') GROUP BY unit_id"
        ))
        .bind(i64::from(since_month))
        .fetch_all(self.read())
        .await?
        .into_iter()
        .map(|(u, r, g, p)| (u, (r, g, p)))
        .collect();
        let mut out = Vec::with_capacity(units.len());
        for (id, code, name, path) in units {
            // an order with a ticking clock is open, so the due-time index alone counts what is overdue
            let (lo, hi) = subtree_range(&path);
            let (overdue,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM complaints WHERE next_due_at <= $1 AND org_path >= $2 AND org_path < $3",
            )
            .bind(now)
            .bind(lo)
            .bind(hi)
            .fetch_one(self.read())
            .await?;
            let (open, escalated) = live.get(&id).copied().unwrap_or_default();
            let (received, regulator, repeat) = period.get(&id).copied().unwrap_or_default();
            out.push(BoardRow { code, name, open, overdue, escalated, received, regulator, repeat, own: false });
        }
        if let Some(total) = out.pop() {
            let own = BoardRow::own_part(&total, &out);
            // a unit without children holds all of its total itself: no row repeats it
            if !out.is_empty() && !own.is_empty() {
                out.push(own);
            }
            out.push(total);
        }
        Ok(out)
    }
}
