//! The service rollups: `service_days` and `service_months`, the counters of every unit's subtree by
//! local day and month, one dimension at a time (`xiaobao_core::service::measure::Dim`). Ingest
//! adds each row's contribution in its own transaction; the measures read only these.

use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use sqlx::{AnyConnection, Row};
use xiaobao_core::measure::day_number;
use xiaobao_core::org::path_ids;
use xiaobao_core::service::measure::{Dim, ServiceCounts};

type RowKey = (i64, &'static str, i32, String);

/// Counter changes not yet written: summed per outlet, day and row as rows arrive, and spread to the
/// units above each outlet (and to months) once, when the batch writes them.
#[derive(Default, Clone)]
pub(crate) struct ServiceDelta {
    at_outlet: HashMap<(i64, i32, Dim, String), ServiceCounts>,
    paths: HashMap<i64, String>,
}

impl ServiceDelta {
    /// Adds (or takes away) `rows` of a rating or ticket of the outlet `outlet` (at `path`) on `day`.
    pub fn put(&mut self, outlet: i64, path: &str, day: NaiveDate, rows: Vec<(Dim, String, ServiceCounts)>, add: bool) {
        self.paths.entry(outlet).or_insert_with(|| path.to_string());
        let d = day_number(day);
        for (dim, value, c) in rows {
            let e = self.at_outlet.entry((outlet, d, dim, value)).or_default();
            *e = if add { *e + c } else { *e - c };
        }
    }

    /// Adds what `other` holds.
    pub fn absorb(&mut self, other: &ServiceDelta) {
        for (key, c) in &other.at_outlet {
            match self.at_outlet.get_mut(key) {
                Some(e) => *e = *e + *c,
                None => {
                    self.at_outlet.insert(key.clone(), *c);
                }
            }
        }
        for (outlet, path) in &other.paths {
            self.paths.entry(*outlet).or_insert_with(|| path.clone());
        }
    }

    pub async fn flush(&mut self, tx: &mut AnyConnection) -> Result<(), StoreError> {
        let mut days: HashMap<RowKey, ServiceCounts> = HashMap::default();
        let mut months: HashMap<RowKey, ServiceCounts> = HashMap::default();
        for ((outlet, d, dim, value), c) in self.at_outlet.drain() {
            if c.is_zero() {
                continue;
            }
            let Some(path) = self.paths.get(&outlet) else { continue };
            for unit in path_ids(path) {
                for (map, period) in [(&mut days, d), (&mut months, d / 100)] {
                    let e = map.entry((unit, dim.as_str(), period, value.clone())).or_default();
                    *e = *e + c;
                }
            }
        }
        self.paths.clear();
        let sorted = |m: HashMap<RowKey, ServiceCounts>| {
            let mut rows: Vec<(RowKey, ServiceCounts)> = m.into_iter().filter(|(_, c)| !c.is_zero()).collect();
            // in key order, so concurrent writers take row locks in the same order
            rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            rows
        };
        upsert(tx, "service_days", "day", &sorted(days)).await?;
        upsert(tx, "service_months", "month", &sorted(months)).await
    }
}

/// The counters a rating adds to (`ratings`, `s1`…`s5`, `flagged`) and those a ticket adds to, as
/// indexes into [`ServiceCounts::COLUMNS`].
const RATING_COLUMNS: std::ops::Range<usize> = 0..7;
const TICKET_COLUMNS: std::ops::Range<usize> = 7..11;

/// Adds `rows` to `table`. A row writes only the counters of its kind (a rating's or a ticket's,
/// or all when it holds both): the others keep their stored value (0 in a new row), and an ingest
/// of one kind binds and adds about half as much.
async fn upsert(
    tx: &mut AnyConnection,
    table: &str,
    period: &str,
    rows: &[(RowKey, ServiceCounts)],
) -> Result<(), StoreError> {
    let (mut ratings, mut tickets, mut both) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        let v = row.1.values();
        let rated = v[RATING_COLUMNS].iter().any(|x| *x != 0);
        let ticketed = v[TICKET_COLUMNS].iter().any(|x| *x != 0);
        match (rated, ticketed) {
            (true, false) => ratings.push(row),
            (false, true) => tickets.push(row),
            _ => both.push(row),
        }
    }
    for (rows, cols) in [(ratings, RATING_COLUMNS), (tickets, TICKET_COLUMNS), (both, 0..ServiceCounts::COLUMNS.len())]
    {
        upsert_columns(tx, table, period, &rows, cols).await?;
    }
    Ok(())
}

async fn upsert_columns(
    tx: &mut AnyConnection,
    table: &str,
    period: &str,
    rows: &[&(RowKey, ServiceCounts)],
    cols: std::ops::Range<usize>,
) -> Result<(), StoreError> {
    let names = &ServiceCounts::COLUMNS[cols.clone()];
    let set: Vec<String> = names.iter().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect();
    for chunk in crate::sql::pow2_chunks(rows) {
        let mut b = SqlBuilder::on(
            tx,
            &format!("INSERT INTO {table} (unit_id, dim, {period}, value, {}) VALUES ", names.join(", ")),
        );
        for (n, ((unit, dim, p, value), c)) in chunk.iter().map(|r| (&r.0, &r.1)).enumerate() {
            b.push(if n == 0 { "(" } else { ", (" });
            b.bind(Arg::I64(*unit)).push(", ").bind(Arg::Text((*dim).to_string())).push(", ");
            b.bind(Arg::I64(i64::from(*p))).push(", ").bind(Arg::Text(value.clone()));
            for v in &c.values()[cols.clone()] {
                b.push(", ").bind(Arg::I64(*v));
            }
            b.push(")");
        }
        b.push(&format!(" ON CONFLICT (unit_id, dim, {period}, value) DO UPDATE SET ")).push(&set.join(", "));
        b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
    }
    Ok(())
}

/// One rollup row as read: the unit, the day (yyyymmdd) or month (yyyymm), the dimension's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub unit_id: i64,
    pub period: i32,
    pub value: String,
    pub counts: ServiceCounts,
}

/// How finely rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    /// Day by day (`period` is yyyymmdd).
    Day,
    /// Whole months from `service_months`, the days of a partial first or last month from
    /// `service_days`; `period` is the month (yyyymm) either way.
    Month,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(d)
}

impl Store {
    /// The rows of `dim` for `units` over `from..=to`, at `grain`.
    pub async fn service_rows(
        &self,
        units: &[i64],
        dim: Dim,
        from: NaiveDate,
        to: NaiveDate,
        grain: Grain,
    ) -> Result<Vec<ServiceRow>, StoreError> {
        self.service_rows_of(units, dim, from, to, grain, &ServiceCounts::COLUMNS).await
    }

    /// The same rows with only the counters `cols` read (the others zero): the wait buckets need only
    /// `tickets_called`, the reasons `ratings`, and a breakdown reads tens of thousands of them.
    pub async fn service_rows_of(
        &self,
        units: &[i64],
        dim: Dim,
        from: NaiveDate,
        to: NaiveDate,
        grain: Grain,
        cols: &[&'static str],
    ) -> Result<Vec<ServiceRow>, StoreError> {
        if units.is_empty() || from > to {
            return Ok(vec![]);
        }
        // (table, its period column, from, to, days read as their month)
        let day = |from: NaiveDate, to: NaiveDate, as_month| {
            ("service_days", "day", day_number(from), day_number(to), as_month)
        };
        let spans = match grain {
            Grain::Day => vec![day(from, to, false)],
            Grain::Month => {
                // [from, m1) in days, [m1, m2] in months, (m2, to] in days
                let whole_from = if from.day() == 1 { from } else { last_of_month(from).succ_opt().unwrap_or(to) };
                let whole_to = if to == last_of_month(to) { to } else { first_of_month(to).pred_opt().unwrap_or(from) };
                if whole_from > whole_to {
                    vec![day(from, to, true)]
                } else {
                    let mut spans = Vec::with_capacity(3);
                    if from < whole_from {
                        spans.push(day(from, whole_from.pred_opt().unwrap_or(from), true));
                    }
                    spans.push((
                        "service_months",
                        "month",
                        day_number(whole_from) / 100,
                        day_number(whole_to) / 100,
                        false,
                    ));
                    if whole_to < to {
                        spans.push(day(whole_to.succ_opt().unwrap_or(to), to, true));
                    }
                    spans
                }
            }
        };
        let mut out = Vec::new();
        for (table, period, lo, hi, as_month) in spans {
            self.read_rows(&mut out, cols, table, period, units, dim, lo, hi, as_month).await?;
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn read_rows(
        &self,
        out: &mut Vec<ServiceRow>,
        cols: &[&'static str],
        table: &str,
        period: &str,
        units: &[i64],
        dim: Dim,
        lo: i32,
        hi: i32,
        as_month: bool,
    ) -> Result<(), StoreError> {
        for chunk in crate::sql::pow2_chunks(units) {
            let mut b = SqlBuilder::new(&format!(
                "SELECT unit_id, {period} AS period, value, {} FROM {table} WHERE dim = ",
                cols.join(", ")
            ));
            b.bind(Arg::Text(dim.as_str().to_string())).push(&format!(" AND {period} >= "));
            b.bind(Arg::I64(i64::from(lo))).push(&format!(" AND {period} <= ")).bind(Arg::I64(i64::from(hi)));
            b.push(" AND unit_id IN ");
            crate::sql::in_list(&mut b, chunk.iter().map(|u| Arg::I64(*u)));
            for r in b.query().fetch_all(self.read()).await? {
                let p: i64 = r.try_get("period")?;
                let mut v = [0i64; 11];
                for c in cols {
                    if let Some(i) = ServiceCounts::COLUMNS.iter().position(|k| k == c) {
                        v[i] = r.try_get(*c)?;
                    }
                }
                out.push(ServiceRow {
                    unit_id: r.try_get("unit_id")?,
                    period: if as_month { (p / 100) as i32 } else { p as i32 },
                    value: r.try_get("value")?,
                    counts: ServiceCounts::from_values(v),
                });
            }
        }
        Ok(())
    }
}

/// A stored rating as its counters need it, from a row with `outlet_id`, `teller_id`, `rated_at`,
/// `score`, `reason` and `flagged`: (outlet, teller, flagged, the rating).
pub(crate) fn stored_rating(
    r: &sqlx::any::AnyRow,
) -> Result<(i64, i64, bool, xiaobao_core::service::rating::Rating), StoreError> {
    use xiaobao_core::service::rating::{Rating, Score};
    let score: i64 = r.try_get("score")?;
    let flagged: i64 = r.try_get("flagged")?;
    let rating = Rating {
        device: String::new(),
        seq: 0,
        outlet: String::new(),
        teller: String::new(),
        window: None,
        rated_at: xiaobao_core::time::from_millis(r.try_get("rated_at")?),
        score: Score::parse("score", score).map_err(|_| StoreError::Corrupt(format!("rating score {score}")))?,
        reason: r.try_get("reason")?,
    };
    Ok((r.try_get("outlet_id")?, r.try_get("teller_id")?, flagged != 0, rating))
}

/// Rows read per page while rebuilding.
const REBUILD_PAGE: i64 = 20_000;

type Snapshot = HashMap<(&'static str, i64, String, i64, String), [i64; 11]>;

async fn snapshot(tx: &mut AnyConnection) -> Result<Snapshot, StoreError> {
    let mut out = HashMap::default();
    for (table, period) in [("service_days", "day"), ("service_months", "month")] {
        let sql = format!(
            "SELECT unit_id, dim, {period} AS period, value, {} FROM {table}",
            ServiceCounts::COLUMNS.join(", ")
        );
        for r in sqlx::query(&sql).fetch_all(&mut *tx).await? {
            let mut v = [0i64; 11];
            for (i, c) in ServiceCounts::COLUMNS.iter().enumerate() {
                v[i] = r.try_get(*c)?;
            }
            out.insert((table, r.try_get("unit_id")?, r.try_get("dim")?, r.try_get("period")?, r.try_get("value")?), v);
        }
    }
    Ok(out)
}

/// Recounts the service rollups from the stored ratings (those not excluded) and queue tickets,
/// with the overtime thresholds now in force. Returns the rows written and, when `compare`, how many
/// differ from what was kept before.
pub(crate) async fn rebuild(
    tx: &mut AnyConnection,
    rules: &xiaobao_core::service::ServiceRules,
    compare: bool,
) -> Result<(i64, i64), StoreError> {
    use xiaobao_core::service::measure::{rating_rows, ticket_rows};
    use xiaobao_core::service::queue::Ticket;
    use xiaobao_core::time::{from_millis, local_date};
    let before = if compare { Some(snapshot(tx).await?) } else { None };
    let paths: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>("SELECT id, path FROM org_units")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let path = |id: i64| paths.get(&id).ok_or_else(|| StoreError::Corrupt(format!("unit {id}")));
    sqlx::query("DELETE FROM service_days").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM service_months").execute(&mut *tx).await?;
    let mut delta = ServiceDelta::default();
    let (mut device, mut seq) = (String::new(), -1i64);
    loop {
        let rows = sqlx::query(
            "SELECT device, seq, outlet_id, teller_id, rated_at, score, reason, flagged FROM ratings \
             WHERE excluded = 0 AND (device > $1 OR (device = $1 AND seq > $2)) ORDER BY device, seq LIMIT $3",
        )
        .bind(&device)
        .bind(seq)
        .bind(REBUILD_PAGE)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let (outlet, teller, flagged, rating) = stored_rating(r)?;
            delta.put(outlet, path(outlet)?, local_date(rating.rated_at), rating_rows(&rating, teller, flagged), true);
        }
        if let Some(last) = rows.last() {
            device = last.try_get("device")?;
            seq = last.try_get("seq")?;
        }
        delta.flush(tx).await?;
    }
    // by identity, the tickets' key
    let mut after: (i64, i64, String) = (-1, 0, String::new());
    loop {
        let rows = sqlx::query(
            "SELECT outlet_id, day, number, business, taken_at, called_at, finished_at, teller_id FROM queue_tickets \
             WHERE (outlet_id, day, number) > ($1, $2, $3) ORDER BY outlet_id, day, number LIMIT $4",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(&after.2)
        .bind(REBUILD_PAGE)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let outlet: i64 = r.try_get("outlet_id")?;
            let called: Option<i64> = r.try_get("called_at")?;
            let finished: Option<i64> = r.try_get("finished_at")?;
            let t = Ticket {
                outlet: String::new(),
                number: String::new(),
                business: r.try_get("business")?,
                taken_at: from_millis(r.try_get("taken_at")?),
                called_at: called.map(from_millis),
                finished_at: finished.map(from_millis),
                window: None,
                teller: None,
            };
            let teller: Option<i64> = r.try_get("teller_id")?;
            delta.put(outlet, path(outlet)?, t.day(), ticket_rows(&t, teller, &rules.overtime), true);
            after = (outlet, r.try_get("day")?, r.try_get("number")?);
        }
        delta.flush(tx).await?;
    }
    let after = snapshot(tx).await?;
    let differed = before.map_or(0, |before| {
        let keys: std::collections::HashSet<_> = before.keys().chain(after.keys()).collect();
        keys.into_iter().filter(|k| before.get(*k) != after.get(*k)).count() as i64
    });
    Ok((after.len() as i64, differed))
}

/// Ratings and tickets counted for a benchmark of the service measures without being stored: the
/// rows each would add (`rating_rows`, `ticket_rows`) summed as ingest sums them, written by
/// `Store::bench_write_service_tally`. A rebuild from the stored rows would remove these counts.
#[derive(Default)]
pub struct ServiceTally(ServiceDelta);

impl ServiceTally {
    /// Adds the rows of one rating or ticket of the outlet `outlet` (at `path`) on its local `day`.
    pub fn add(&mut self, outlet: i64, path: &str, day: NaiveDate, rows: Vec<(Dim, String, ServiceCounts)>) {
        self.0.put(outlet, path, day, rows, true);
    }
}

impl Store {
    /// Writes a benchmark's tally into the service rollups in one transaction, as ingest's flush does.
    pub async fn bench_write_service_tally(&self, mut tally: ServiceTally) -> Result<(), StoreError> {
        let mut tx = self.write().begin().await?;
        tally.0.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
