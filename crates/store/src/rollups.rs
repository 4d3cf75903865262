//! Rollups: the complaint counters of every unit's subtree by received day (`rollup_days`) and month
//! (`rollup_months`), in total and by intake channel, category and cause one dimension at a time (and
//! by first responder and by category × cause × channel, monthly only), and
//! what is open in each subtree now (`unit_live`). The writer adds each change's
//! difference in the transaction of its event; `rebuild` recomputes both from the event log. Measures
//! and the board read these, never the complaints themselves.

use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{Change, Order, Registration, State, replay};
use xiaobao_core::measure::{COUNTERS, Counts, Key, Live, contribution};
use xiaobao_core::org::path_ids;
use xiaobao_core::time::from_millis;

/// Counter changes not yet written: summed per row so each row is written once per batch.
#[derive(Default)]
pub(crate) struct RollupDelta {
    days: HashMap<(i64, Key), Counts>,
    live: HashMap<i64, Live>,
}

impl RollupDelta {
    /// Adds (or takes away) what `o` counts: its counters in the unit it counts against and every
    /// unit above (`responsible_path`), its open state in the unit handling it and above (`path`).
    fn put(&mut self, responsible_path: &str, path: &str, o: &Order, add: bool) {
        let (key, counts) = contribution(o);
        for unit in path_ids(responsible_path) {
            let c = self.days.entry((unit, key.clone())).or_default();
            *c = if add { *c + counts } else { *c - counts };
        }
        let live = Live::of(o);
        for unit in path_ids(path) {
            let l = self.live.entry(unit).or_default();
            *l = if add { *l + live } else { *l - live };
        }
    }

    /// A new order, counted against the unit at `responsible_path` and handled at `path`.
    pub fn add(&mut self, responsible_path: &str, path: &str, o: &Order) {
        self.put(responsible_path, path, o, true);
    }

    /// An order changed: (order, responsible path, handling path) before and after.
    pub fn change(&mut self, before: (&Order, &str, &str), after: (&Order, &str, &str)) {
        self.put(before.1, before.2, before.0, false);
        self.put(after.1, after.2, after.0, true);
    }

    /// Adds the pending changes to the stored counters, by day and by month, each under the four
    /// dimensions of its key.
    pub async fn flush(&mut self, tx: &mut AnyConnection) -> Result<(), StoreError> {
        let mut days: HashMap<RowKey, Counts> = HashMap::new();
        let mut months: HashMap<RowKey, Counts> = HashMap::new();
        for ((unit, key), c) in self.days.drain() {
            if c.is_zero() {
                continue;
            }
            for (dim, value) in [
                (DIM_ALL, String::new()),
                ("channel", key.channel.as_str().to_string()),
                ("category", key.category.clone()),
                ("cause", key.cause.clone()),
            ] {
                *days.entry((unit, dim, key.day, value.clone())).or_default() += c;
                *months.entry((unit, dim, key.day / 100, value)).or_default() += c;
            }
            // by month only: employees' league tables, and the regulator's category × cause × channel table
            *months.entry((unit, DIM_RESPONDER, key.day / 100, key.responder.to_string())).or_default() += c;
            let cross = format!("{}|{}|{}", key.category, key.cause, key.channel.as_str());
            *months.entry((unit, DIM_CROSS, key.day / 100, cross)).or_default() += c;
        }
        // in key order: each statement touches neighbouring rows, and concurrent writers (several
        // servers on PostgreSQL) take their row locks in the same order
        let nonzero = |m: HashMap<RowKey, Counts>| {
            let mut rows = m.into_iter().filter(|(_, c)| !c.is_zero()).collect::<Vec<_>>();
            rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            rows
        };
        upsert_counts(tx, "rollup_days", "day", &nonzero(days)).await?;
        upsert_counts(tx, "rollup_months", "month", &nonzero(months)).await?;
        let mut live: Vec<(i64, Live)> = self.live.drain().filter(|(_, l)| !l.is_zero()).collect();
        live.sort_unstable_by_key(|(unit, _)| *unit);
        for chunk in crate::sql::pow2_chunks(&live) {
            let mut b = SqlBuilder::new("INSERT INTO unit_live (unit_id, open, escalated_open) VALUES ");
            for (n, (unit, l)) in chunk.iter().enumerate() {
                b.push(if n == 0 { "(" } else { ", (" });
                b.bind(Arg::I64(*unit)).push(", ").bind(Arg::I64(l.open)).push(", ");
                b.bind(Arg::I64(l.escalated_open)).push(")");
            }
            b.push(
                " ON CONFLICT (unit_id) DO UPDATE SET open = unit_live.open + excluded.open, \
                 escalated_open = unit_live.escalated_open + excluded.escalated_open",
            );
            b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
        }
        Ok(())
    }
}

/// The dimension under which every order counts once: the unit's totals.
pub(crate) const DIM_ALL: &str = "all";
/// The monthly dimension of first responders (value: the user's id).
pub(crate) const DIM_RESPONDER: &str = "responder";
/// The monthly dimension of category, cause and channel together (value: `category|cause|channel`).
pub(crate) const DIM_CROSS: &str = "cross";

/// A counter row's key, in the tables' key order: unit, dimension, period (yyyymmdd or yyyymm) and
/// the dimension's value.
type RowKey = (i64, &'static str, i32, String);

/// Adds counters to `table` (keyed by unit, the `period` column, dimension and value).
async fn upsert_counts(
    tx: &mut AnyConnection,
    table: &str,
    period: &str,
    rows: &[(RowKey, Counts)],
) -> Result<(), StoreError> {
    let set: Vec<String> = COUNTERS.iter().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect();
    for chunk in crate::sql::pow2_chunks(rows) {
        let mut b = SqlBuilder::new(&format!(
            "INSERT INTO {table} (unit_id, {period}, dim, value, {}) VALUES ",
            COUNTERS.join(", ")
        ));
        for (n, ((unit, dim, p, value), counts)) in chunk.iter().enumerate() {
            b.push(if n == 0 { "(" } else { ", (" });
            b.bind(Arg::I64(*unit)).push(", ").bind(Arg::I64(i64::from(*p))).push(", ");
            b.bind(Arg::Text((*dim).to_string())).push(", ").bind(Arg::Text(value.clone()));
            for v in counts.values() {
                b.push(", ").bind(Arg::I64(v));
            }
            b.push(")");
        }
        b.push(&format!(" ON CONFLICT (unit_id, {period}, dim, value) DO UPDATE SET ")).push(&set.join(", "));
        b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
    }
    Ok(())
}

/// Orders replayed per round of a rebuild: bounds its memory whatever the size of the log.
const REBUILD_PAGE: i64 = 5_000;

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildReport {
    pub orders: i64,
    pub events: i64,
    /// Counter rows written.
    pub rows: i64,
    /// Rows (of either table) whose counters differ from what was stored before the rebuild.
    pub differed: i64,
}

/// Every stored counter row, in key order, leaving out rows that count nothing: what a rebuild is
/// compared with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupSnapshot {
    /// (unit, yyyymmdd, dimension, value, counters)
    pub days: Vec<(i64, i64, String, String, Counts)>,
    /// (unit, yyyymm, dimension, value, counters)
    pub months: Vec<(i64, i64, String, String, Counts)>,
    pub live: Vec<(i64, Live)>,
}

impl RollupSnapshot {
    /// How many rows differ between two snapshots (present in one only, or with other counters).
    pub fn differences(&self, other: &Self) -> i64 {
        let by_key = |rows: &[(i64, i64, String, String, Counts)]| -> HashMap<(i64, i64, String, String), Counts> {
            rows.iter().map(|r| ((r.0, r.1, r.2.clone(), r.3.clone()), r.4)).collect()
        };
        let live = |rows: &[(i64, Live)]| -> HashMap<i64, Live> { rows.iter().copied().collect() };
        (differing(&by_key(&self.days), &by_key(&other.days))
            + differing(&by_key(&self.months), &by_key(&other.months))
            + differing(&live(&self.live), &live(&other.live))) as i64
    }
}

/// Keys whose values differ between `a` and `b`, or that only one has.
fn differing<K: Eq + std::hash::Hash, V: PartialEq>(a: &HashMap<K, V>, b: &HashMap<K, V>) -> usize {
    a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).count() + b.keys().filter(|k| !a.contains_key(*k)).count()
}

pub(crate) async fn snapshot(c: &mut AnyConnection) -> Result<RollupSnapshot, StoreError> {
    let days = counter_rows(c, "rollup_days", "day").await?;
    let months = counter_rows(c, "rollup_months", "month").await?;
    let live: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT CAST(unit_id AS BIGINT), CAST(open AS BIGINT), CAST(escalated_open AS BIGINT) FROM unit_live \
         WHERE open <> 0 OR escalated_open <> 0 ORDER BY unit_id",
    )
    .fetch_all(&mut *c)
    .await?;
    let live = live.into_iter().map(|(u, open, escalated_open)| (u, Live { open, escalated_open })).collect();
    Ok(RollupSnapshot { days, months, live })
}

async fn counter_rows(
    c: &mut AnyConnection,
    table: &str,
    period: &str,
) -> Result<Vec<(i64, i64, String, String, Counts)>, StoreError> {
    let sums: Vec<String> = COUNTERS.iter().map(|c| format!("CAST({c} AS BIGINT) AS {c}")).collect();
    let rows = sqlx::query(&format!(
        "SELECT CAST(unit_id AS BIGINT) AS unit_id, CAST({period} AS BIGINT) AS p, dim, value, {} \
         FROM {table} WHERE received <> 0 OR excluded <> 0 ORDER BY unit_id, {period}, dim, value",
        sums.join(", ")
    ))
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((r.try_get("unit_id")?, r.try_get("p")?, r.try_get("dim")?, r.try_get("value")?, counts_from_row(r)?))
        })
        .collect()
}

pub(crate) fn counts_from_row(r: &sqlx::any::AnyRow) -> Result<Counts, StoreError> {
    let mut v = [0i64; COUNTERS.len()];
    for (i, c) in COUNTERS.iter().enumerate() {
        v[i] = r.try_get(*c)?;
    }
    Ok(Counts::from_values(v))
}

/// The orders after `after_id` (a page of them), each replayed from its events: the last id, the
/// events read, and the orders. None when no order is left.
pub(crate) async fn replayed_page(
    tx: &mut AnyConnection,
    after_id: i64,
) -> Result<Option<(i64, i64, Vec<Order>)>, StoreError> {
    let corrupt = |what: String| StoreError::Corrupt(what);
    let orders = sqlx::query(
        "SELECT id, registered_unit_id, received_at, first_responder_id, channel, category, cause FROM complaints \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(REBUILD_PAGE)
    .fetch_all(&mut *tx)
    .await?;
    let Some(last) = orders.last() else { return Ok(None) };
    let last_id: i64 = last.try_get("id")?;
    let events = sqlx::query(
        "SELECT complaint_id, at, to_state, payload FROM events WHERE complaint_id > $1 AND complaint_id <= $2 \
         ORDER BY complaint_id, seq",
    )
    .bind(after_id)
    .bind(last_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut by_order: HashMap<i64, Vec<(Change, State, xiaobao_core::time::Instant)>> = HashMap::new();
    for e in &events {
        let payload: String = e.try_get("payload")?;
        let change: Change = serde_json::from_str(&payload).map_err(|err| corrupt(err.to_string()))?;
        let to: String = e.try_get("to_state")?;
        let to = State::from_str_opt(&to).ok_or_else(|| corrupt(format!("state {to}")))?;
        by_order.entry(e.try_get("complaint_id")?).or_default().push((change, to, from_millis(e.try_get("at")?)));
    }
    let mut replayed = Vec::with_capacity(orders.len());
    for r in &orders {
        let id: i64 = r.try_get("id")?;
        let history = by_order.remove(&id).unwrap_or_default();
        let channel: String = r.try_get("channel")?;
        let registration = Registration {
            id,
            registered_unit_id: r.try_get("registered_unit_id")?,
            received_at: from_millis(r.try_get("received_at")?),
            first_responder_id: r.try_get("first_responder_id")?,
            channel: Channel::parse("channel", &channel).map_err(|_| corrupt(format!("channel {channel}")))?,
            category: r.try_get("category")?,
            cause: r.try_get("cause")?,
        };
        replayed.push(
            replay(registration, history)
                .ok_or_else(|| corrupt(format!("complaint {id} has no register event first")))?,
        );
    }
    Ok(Some((last_id, events.len() as i64, replayed)))
}

/// Recomputes both tables from the event log inside the writer's transaction: every order is
/// replayed from its `register` event and counted where it stands now.
/// With `compare`, also counts the rows that differ from those stored before (reading both in full).
pub(crate) async fn rebuild(
    tx: &mut AnyConnection,
    compare: bool,
    service: &xiaobao_core::service::ServiceRules,
) -> Result<RebuildReport, StoreError> {
    let before = if compare { Some(snapshot(tx).await?) } else { None };
    let paths: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>("SELECT id, path FROM org_units")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let corrupt = |what: String| StoreError::Corrupt(what);
    let mut delta = RollupDelta::default();
    let mut report = RebuildReport::default();
    let mut after_id = 0i64;
    while let Some((last_id, events, orders)) = replayed_page(tx, after_id).await? {
        report.events += events;
        for order in &orders {
            let path = |id: i64| paths.get(&id).ok_or_else(|| corrupt(format!("unit {id}")));
            delta.add(path(order.responsible_unit_id)?, path(order.org_unit_id)?, order);
            report.orders += 1;
        }
        after_id = last_id;
    }
    sqlx::query("DELETE FROM rollup_days").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM rollup_months").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM unit_live").execute(&mut *tx).await?;
    delta.flush(tx).await?;
    sqlx::query(
        "INSERT INTO settings (name, value, updated_at) VALUES ('rollups_built', 'true', 0) \
         ON CONFLICT (name) DO UPDATE SET value = 'true'",
    )
    .execute(&mut *tx)
    .await?;
    if let Some(before) = before {
        let after = snapshot(tx).await?;
        report.rows = (after.days.len() + after.months.len() + after.live.len()) as i64;
        report.differed = before.differences(&after);
    } else {
        for table in ["rollup_days", "rollup_months", "unit_live"] {
            let (n,): (i64,) =
                sqlx::query_as(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")).fetch_one(&mut *tx).await?;
            report.rows += n;
        }
    }
    // the service counters, from the ratings and queue tickets
    let (rows, differed) = crate::service::rollups::rebuild(tx, service, compare).await?;
    report.rows += rows;
    report.differed += differed;
    Ok(report)
}

impl Store {
    /// Every counter row, for comparing the incremental counters with a rebuild.
    pub async fn rollup_snapshot(&self) -> Result<RollupSnapshot, StoreError> {
        let mut c = self.read().acquire().await?;
        snapshot(&mut c).await
    }

    /// Whether the counters were ever built (a database from before the rollups needs a rebuild).
    pub(crate) async fn rollups_built(&self) -> Result<bool, StoreError> {
        let v: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE name = 'rollups_built'")
            .fetch_optional(self.read())
            .await?;
        Ok(v.is_none_or(|(v,)| v == "true"))
    }

    /// Counts orders that are not stored as complaints into the rollups, each as (the path of the unit
    /// it counts against and is handled at, the order). For benchmarks of the measures, which read
    /// only the rollups: a bank-sized history is counted here without writing it complaint by
    /// complaint. A rebuild from the event log would remove these counts again.
    pub async fn bench_count_into_rollups(&self, orders: &[(String, Order)]) -> Result<(), StoreError> {
        let mut delta = RollupDelta::default();
        for (path, o) in orders {
            delta.add(path, path, o);
        }
        let mut tx = self.write().begin().await?;
        delta.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
