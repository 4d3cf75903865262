//! Reading complaint work orders: one order with its clocks, and filtered, paged lists that never
//! leave the caller's scope. Writes go through the writer (`writer.rs`).

use crate::complainants::ComplainantRow;
use crate::db::subtree_range;
use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{AppealStatus, Decision, Feedback, Order, State};
use xiaobao_core::deadline::{Clock, ClockKind};
use xiaobao_core::time::{Instant, from_millis};

/// A complaint as read: its registration facts, its projection, its complainant and clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub order: Order,
    pub number: String,
    pub channel: Channel,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub registered_unit_id: i64,
    pub first_responder: String,
    pub first_responder_name: String,
    pub complainant: ComplainantRow,
    pub registered_at: Instant,
    pub category: Option<String>,
    pub service_channel: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub over_level: bool,
    pub repeat_of: Option<i64>,
    pub last_seq: i64,
    pub updated_at: Instant,
}

impl ComplaintRow {
    /// The cause the complaint is reported under: the decision's if it gave one, else the one given
    /// at registration (`xiaobao_core::complaint::reported_cause`) — what the ledger, the exports,
    /// the lists and the figures show.
    pub fn reported_cause(&self) -> Option<&str> {
        self.order.reported_cause()
    }

    /// The order as the scope rules see it (`xiaobao_core::access`).
    pub fn place(&self) -> xiaobao_core::access::OrderPlace<'_> {
        xiaobao_core::access::OrderPlace {
            handling_path: &self.org_path,
            first_responder_id: self.order.first_responder_id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The states an order ends in (`State::is_open` is false), as SQL on `complaints k`.
pub(crate) const ENDED: &str = "k.state IN ('closed', 'declined', 'withdrawn')";
pub(crate) const OPEN: &str = "k.state NOT IN ('closed', 'declined', 'withdrawn')";

pub(crate) const COMPLAINT_SELECT: &str = "SELECT k.*, o.code AS org_code, o.name AS org_name, \
    u.username AS fr_username, u.display_name AS fr_name, \
    c.id AS c_id, c.name AS c_name, c.phone AS c_phone, c.id_number AS c_id_number, c.tags AS c_tags, c.watchlist AS c_watchlist \
    FROM complaints k JOIN org_units o ON o.id = k.org_unit_id JOIN users u ON u.id = k.first_responder_id \
    JOIN complainants c ON c.id = k.complainant_id";

fn opt_ms(r: &AnyRow, col: &str) -> Result<Option<Instant>, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_millis))
}

fn flag(r: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v}"))
}

pub(crate) fn order_from_row(r: &AnyRow, clocks: Vec<Clock>) -> Result<Order, StoreError> {
    let state: String = r.try_get("state")?;
    let decision: Option<String> = r.try_get("decision")?;
    let feedback: Option<String> = r.try_get("feedback")?;
    Ok(Order {
        id: r.try_get("id")?,
        state: State::from_str_opt(&state).ok_or_else(|| corrupt("state", &state))?,
        paused: flag(r, "paused")?,
        org_unit_id: r.try_get("org_unit_id")?,
        responsible_unit_id: r.try_get("responsible_unit_id")?,
        received_at: from_millis(r.try_get("received_at")?),
        first_responder_id: r.try_get("first_responder_id")?,
        channel: {
            let c: String = r.try_get("channel")?;
            Channel::parse("channel", &c).map_err(|_| corrupt("channel", &c))?
        },
        category: r.try_get("category")?,
        cause: r.try_get("cause")?,
        repeat: flag(r, "repeat")?,
        extension_tier: u8::try_from(r.try_get::<i64, _>("extension_tier")?).unwrap_or(u8::MAX),
        escalation_count: u32::try_from(r.try_get::<i64, _>("escalation_count")?).unwrap_or(0),
        transfer_count: u32::try_from(r.try_get::<i64, _>("transfer_count")?).unwrap_or(0),
        reopen_count: u32::try_from(r.try_get::<i64, _>("reopen_count")?).unwrap_or(0),
        merge_count: u32::try_from(r.try_get::<i64, _>("merge_count")?).unwrap_or(0),
        responded_at: opt_ms(r, "responded_at")?,
        decided_at: opt_ms(r, "decided_at")?,
        closed_at: opt_ms(r, "closed_at")?,
        decision: decision
            .map(|d| serde_json::from_str::<Decision>(&d))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        feedback: feedback
            .map(|f| serde_json::from_value::<Feedback>(serde_json::Value::String(f)))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        appeal: {
            let a: Option<String> = r.try_get("appeal")?;
            a.map(|a| AppealStatus::from_str_opt(&a).ok_or_else(|| corrupt("appeal", &a))).transpose()?
        },
        clocks,
    })
}

pub(crate) fn complaint_from_row(r: &AnyRow, clocks: Vec<Clock>) -> Result<ComplaintRow, StoreError> {
    let channel: String = r.try_get("channel")?;
    let tags: String = r.try_get("c_tags")?;
    Ok(ComplaintRow {
        order: order_from_row(r, clocks)?,
        number: r.try_get("number")?,
        channel: Channel::parse("channel", &channel).map_err(|_| corrupt("channel", &channel))?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        registered_unit_id: r.try_get("registered_unit_id")?,
        first_responder: r.try_get("fr_username")?,
        first_responder_name: r.try_get("fr_name")?,
        complainant: ComplainantRow {
            id: r.try_get("c_id")?,
            name: r.try_get("c_name")?,
            phone: r.try_get("c_phone")?,
            id_number: r.try_get("c_id_number")?,
            tags: tags
                .split(',')
                .filter_map(|t| xiaobao_core::complainant::ComplainantTag::parse("tags", t).ok())
                .collect(),
            watchlist: flag(r, "c_watchlist")?,
            complaint_count: 0,
        },
        registered_at: from_millis(r.try_get("registered_at")?),
        category: r.try_get("category")?,
        service_channel: r.try_get("service_channel")?,
        cause: r.try_get("cause")?,
        summary: r.try_get("summary")?,
        description: r.try_get("description")?,
        amount_fen: r.try_get("amount_fen")?,
        over_level: flag(r, "over_level")?,
        repeat_of: r.try_get("repeat_of")?,
        last_seq: r.try_get("last_seq")?,
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

pub(crate) fn clock_from_row(r: &AnyRow) -> Result<(i64, Clock), StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok((
        r.try_get("complaint_id")?,
        Clock {
            kind: ClockKind::from_str_opt(&kind).ok_or_else(|| corrupt("clock kind", &kind))?,
            started_at: from_millis(r.try_get("started_at")?),
            due_at: from_millis(r.try_get("due_at")?),
            met_at: opt_ms(r, "met_at")?,
            breached_at: opt_ms(r, "breached_at")?,
            paused_at: opt_ms(r, "paused_at")?,
            stopped_at: opt_ms(r, "stopped_at")?,
            alerts_fired: u8::try_from(r.try_get::<i64, _>("alerts_fired")?).unwrap_or(u8::MAX),
        },
    ))
}

const CLOCK_SELECT: &str = "SELECT complaint_id, kind, started_at, due_at, met_at, breached_at, paused_at, stopped_at, alerts_fired FROM complaint_clocks";

/// The clocks of the given orders, in one query.
pub(crate) async fn clocks_for<'e, E>(exec: E, ids: &[i64]) -> Result<Vec<(i64, Clock)>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(CLOCK_SELECT);
    b.push(" WHERE complaint_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::I64(*id));
    }
    b.push(")");
    let rows = b.query().fetch_all(exec).await?;
    let mut clocks = rows.iter().map(clock_from_row).collect::<Result<Vec<_>, _>>()?;
    // The order clocks are shown in: response, decision, completion, review.
    clocks.sort_by_key(|(id, c)| (*id, ClockKind::ALL.iter().position(|k| *k == c.kind)));
    Ok(clocks)
}

impl Store {
    /// One order, whoever may see it (the caller checks scope).
    pub async fn complaint(&self, id: i64) -> Result<Option<ComplaintRow>, StoreError> {
        let sql = format!("{COMPLAINT_SELECT} WHERE k.id = $1");
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let clocks = clocks_for(self.read(), &[id]).await?.into_iter().map(|(_, c)| c).collect();
        Ok(Some(complaint_from_row(&row, clocks)?))
    }

    /// One order as a read returns it, read inside `tx` (the writer's), with the path of its
    /// responsible unit and its hot issue.
    pub(crate) async fn complaint_in(
        tx: &mut sqlx::AnyConnection,
        id: i64,
    ) -> Result<Option<(ComplaintRow, String, Option<i64>)>, StoreError> {
        let sql = COMPLAINT_SELECT.replacen("SELECT ", "SELECT r.path AS responsible_path, ", 1).replacen(
            "FROM complaints k",
            "FROM complaints k JOIN org_units r ON r.id = k.responsible_unit_id",
            1,
        );
        let Some(row) = sqlx::query(&format!("{sql} WHERE k.id = $1")).bind(id).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let clocks = clocks_for(&mut *tx, &[id]).await?.into_iter().map(|(_, c)| c).collect();
        let k = complaint_from_row(&row, clocks)?;
        Ok(Some((k, row.try_get("responsible_path")?, row.try_get("hot_issue_id")?)))
    }

    /// The stored orders with ids in `(after, last]`, by id: two queries for the whole run.
    pub(crate) async fn orders_in_id_range(&self, after: i64, last: i64) -> Result<Vec<Order>, StoreError> {
        let sql = format!("{COMPLAINT_SELECT} WHERE k.id > $1 AND k.id <= $2 ORDER BY k.id");
        let rows = sqlx::query(&sql).bind(after).bind(last).fetch_all(self.read()).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let mut clocks: std::collections::HashMap<i64, Vec<Clock>> = Default::default();
        for (id, c) in clocks_for(self.read(), &ids).await? {
            clocks.entry(id).or_default().push(c);
        }
        rows.iter()
            .zip(&ids)
            .map(|(r, id)| complaint_from_row(r, clocks.remove(id).unwrap_or_default()).map(|k| k.order))
            .collect()
    }

    pub async fn complaint_by_number(&self, number: &str) -> Result<Option<ComplaintRow>, StoreError> {
        let id: Option<(i64,)> = sqlx::query_as("SELECT id FROM complaints WHERE number = $1")
            .bind(number)
            .fetch_optional(self.read())
            .await?;
        match id {
            Some((id,)) => self.complaint(id).await,
            None => Ok(None),
        }
    }

    /// Orders still open that were received before `before`, counted per unit holding them, inside
    /// the subtree at `scope_path`: the long-unresolved (久拖不决) list.
    pub async fn long_unresolved(
        &self,
        scope_path: &str,
        before: i64,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (lo, hi) = subtree_range(scope_path);
        let rows = sqlx::query(&format!(
            "SELECT o.code, o.name, COUNT(*) AS n FROM complaints k JOIN org_units o ON o.id = k.org_unit_id \
             WHERE k.org_path >= $1 AND k.org_path < $2 AND {OPEN} AND k.received_at < $3 \
             GROUP BY o.code, o.name ORDER BY n DESC, o.code"
        ))
        .bind(lo)
        .bind(hi)
        .bind(before)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?, r.try_get("n")?))).collect()
    }

    pub async fn count_complaints(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM complaints").fetch_one(self.read()).await?;
        Ok(n)
    }

    /// How many orders are in each state (for the demo summary and dashboards).
    pub async fn complaint_state_counts(&self) -> Result<Vec<(State, i64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM complaints GROUP BY state ORDER BY state")
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().filter_map(|(s, n)| State::from_str_opt(&s).map(|s| (s, n))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{ENDED, OPEN};
    use xiaobao_core::complaint::State;

    #[test]
    fn the_sql_of_ended_states_names_exactly_the_states_that_are_not_open() {
        let ended: Vec<String> =
            State::ALL.iter().filter(|s| !s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        let list = format!("({})", ended.join(", "));
        assert_eq!(ENDED, format!("k.state IN {list}"));
        assert_eq!(OPEN, format!("k.state NOT IN {list}"));
    }
}
