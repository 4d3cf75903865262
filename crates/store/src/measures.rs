//! What the measures read: the rollup counters of a subtree over a range of days (in total or by
//! channel, category, cause or month), and the customers and transactions per unit and period —
//! entered, or for a unit without its own, the sum of its children's, kept current as figures are
//! entered so a read is one row.

use crate::rollups::{DIM_ALL, DIM_CROSS, DIM_RESPONDER, counts_from_row};
use crate::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use xiaobao_core::measure::{COUNTERS, Counts, Volume, day_number};
use xiaobao_core::org::path_ids;
use xiaobao_core::period::Period;

/// How the counters of a range are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    Total,
    Channel,
    Category,
    Cause,
    /// yyyymm
    Month,
    /// The first responder's user id: kept by month only, so read whole months with it.
    Responder,
    /// `category|cause|channel` (large classes): kept by month only, so read whole months with it.
    Cross,
}

impl Split {
    /// The rows' dimension, and what they are grouped by.
    fn read(self, table: Table) -> (&'static str, &'static str) {
        match (self, table) {
            (Self::Total, _) => (DIM_ALL, "CAST('' AS TEXT)"),
            (Self::Channel, _) => ("channel", "value"),
            (Self::Category, _) => ("category", "value"),
            (Self::Cause, _) => ("cause", "value"),
            (Self::Responder, _) => (DIM_RESPONDER, "value"),
            (Self::Cross, _) => (DIM_CROSS, "value"),
            (Self::Month, Table::Days) => (DIM_ALL, "CAST(day / 100 AS TEXT)"),
            (Self::Month, Table::Months) => (DIM_ALL, "CAST(month AS TEXT)"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Days,
    Months,
}

/// An inclusive range of days (yyyymmdd) or months (yyyymm).
type Span = (i32, i32);

/// The parts of `from..=to` to read: day ranges (yyyymmdd) for the partial months at its ends, and a
/// month range (yyyymm) for the whole months between.
fn segments(from: NaiveDate, to: NaiveDate) -> (Vec<Span>, Option<Span>) {
    let month_of = |d: NaiveDate| d.year() * 100 + d.month() as i32;
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let last_of = |d: NaiveDate| Period::Month(d.year(), d.month()).last_day();
    let mut days = Vec::new();
    let mut whole_from = first_of(from);
    if from.day() != 1 || to < last_of(from) {
        days.push((day_number(from), day_number(to.min(last_of(from)))));
        whole_from = last_of(from).succ_opt().unwrap_or(to);
    }
    let mut whole_to = to;
    if to >= whole_from && to != last_of(to) {
        days.push((day_number(first_of(to).max(from)), day_number(to)));
        whole_to = first_of(to).pred_opt().unwrap_or(from);
    }
    let months = (whole_from <= whole_to).then(|| (month_of(whole_from), month_of(whole_to)));
    (days, months)
}

const LEAGUE_MIN_VOLUME: &str = "league_min_volume";

/// Figures entered for one unit and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnteredFigures {
    pub unit_id: i64,
    pub period: Period,
    pub customers: i64,
    pub transactions: i64,
}

/// One period's figures as stored for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodStatsRow {
    pub unit_id: i64,
    pub period: String,
    pub customers: i64,
    pub transactions: i64,
    /// Entered for the unit itself; otherwise the sum of its children's.
    pub entered: bool,
}

impl PeriodStatsRow {
    /// (customers, transactions)
    pub fn figures(&self) -> (i64, i64) {
        (self.customers, self.transactions)
    }
}

impl Store {
    /// Summed counters of each unit in `units` over the days `from..=to`, split as asked:
    /// (unit, split key, counts), in unit and key order. Units without a row are left out. Whole
    /// months are read by month, the partial months at the ends by day.
    pub async fn rollup_counts(
        &self,
        units: &[i64],
        from: NaiveDate,
        to: NaiveDate,
        split: Split,
    ) -> Result<Vec<(i64, String, Counts)>, StoreError> {
        if units.is_empty() || to < from {
            return Ok(Vec::new());
        }
        let (day_ranges, months) = segments(from, to);
        let mut parts = Vec::new();
        for (a, b) in day_ranges {
            parts.push((Table::Days, a, b));
        }
        if let Some((a, b)) = months {
            parts.push((Table::Months, a, b));
        }
        let ids = units.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sums: Vec<String> = COUNTERS.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect();
        let mut out: std::collections::BTreeMap<(i64, String), Counts> = Default::default();
        for (table, a, b) in parts {
            let (name, period) = match table {
                Table::Days => ("rollup_days", "day"),
                Table::Months => ("rollup_months", "month"),
            };
            let (dim, g) = split.read(table);
            let by = if split == Split::Total { "unit_id".to_string() } else { format!("unit_id, {g}") };
            let sql = format!(
                "SELECT CAST(unit_id AS BIGINT) AS unit_id, {g} AS g, {} FROM {name} \
                 WHERE unit_id IN ({ids}) AND {period} >= $1 AND {period} <= $2 AND dim = '{dim}' GROUP BY {by}",
                sums.join(", ")
            );
            let rows = sqlx::query(&sql).bind(i64::from(a)).bind(i64::from(b)).fetch_all(self.read()).await?;
            for r in &rows {
                use sqlx::Row;
                *out.entry((r.try_get("unit_id")?, r.try_get("g")?)).or_default() += counts_from_row(r)?;
            }
        }
        Ok(out.into_iter().map(|((u, g), c)| (u, g, c)).collect())
    }

    /// Enters (or replaces) a unit's customers and transactions for a period, and brings the sums
    /// held by the units above it up to date, in one transaction.
    pub async fn put_period_stats(
        &self,
        unit_id: i64,
        period: Period,
        customers: i64,
        transactions: i64,
        by: i64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.put_period_stats_many(&[EnteredFigures { unit_id, period, customers, transactions }], Some(by), at_ms)
            .await
    }

    /// Enters many units' figures (an import) in one transaction: all of them or, on any error, none.
    /// Each unit above an entered one is re-summed once, deepest first.
    /// `by` is the user who entered them (none for the command line).
    pub async fn put_period_stats_many(
        &self,
        rows: &[EnteredFigures],
        by: Option<i64>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.put_period_stats_many_if(rows, None, by, at_ms).await.map(|_| ())
    }

    /// The figures entered (not summed) for each unit and period of `keys` that has them.
    pub async fn entered_figures(&self, keys: &[(i64, Period)]) -> Result<EnteredBefore, StoreError> {
        let mut conn = self.read().acquire().await?;
        entered_in(&mut conn, keys).await
    }

    /// Like `put_period_stats_many`, but when `before` is given the figures entered for the rows'
    /// units and periods are read again inside the transaction and, unless they are still exactly
    /// `before`, nothing is written and the answer is false.
    pub async fn put_period_stats_many_if(
        &self,
        rows: &[EnteredFigures],
        before: Option<&EnteredBefore>,
        by: Option<i64>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        if let Some(before) = before {
            let keys: Vec<(i64, Period)> = rows.iter().map(|r| (r.unit_id, r.period)).collect();
            if entered_in(&mut tx, &keys).await? != *before {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        let mut above: std::collections::BTreeSet<(std::cmp::Reverse<usize>, i64, Period)> = Default::default();
        let mut paths: HashMap<i64, String> = HashMap::new();
        for r in rows {
            upsert_figures(&mut tx, r.unit_id, r.period, (r.customers, r.transactions), true, by, at_ms).await?;
            let path = match paths.get(&r.unit_id) {
                Some(p) => p.clone(),
                None => {
                    let (path,): (String,) = sqlx::query_as("SELECT path FROM org_units WHERE id = $1")
                        .bind(r.unit_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    paths.insert(r.unit_id, path.clone());
                    path
                }
            };
            let ids = path_ids(&path);
            for (depth, id) in ids.iter().enumerate().take(ids.len().saturating_sub(1)) {
                above.insert((std::cmp::Reverse(depth), *id, r.period));
            }
        }
        for (_, id, period) in above {
            resum(&mut tx, id, period, by, at_ms).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a unit's own figures for a period: it holds the sum of its children's again (or
    /// nothing), and the units above are brought up to date. False when nothing was entered.
    pub async fn delete_period_stats(
        &self,
        unit_id: i64,
        period: Period,
        by: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        let r = sqlx::query("DELETE FROM period_stats WHERE unit_id = $1 AND period = $2 AND entered = 1")
            .bind(unit_id)
            .bind(period.to_string())
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        resum(&mut tx, unit_id, period, Some(by), at_ms).await?;
        resum_above(&mut tx, unit_id, period, Some(by), at_ms).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The figures of the given units and periods: (unit, period, customers, transactions, entered).
    pub async fn period_stats(&self, units: &[i64], periods: &[Period]) -> Result<Vec<PeriodStatsRow>, StoreError> {
        if periods.is_empty() || units.is_empty() {
            return Ok(Vec::new());
        }
        let ids = units.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let list = periods.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ");
        let rows: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(&format!(
            "SELECT CAST(unit_id AS BIGINT), period, CAST(customers AS BIGINT), CAST(transactions AS BIGINT), \
             CAST(entered AS BIGINT) FROM period_stats WHERE unit_id IN ({ids}) AND period IN ({list}) ORDER BY period, unit_id"
        ))
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(unit_id, period, customers, transactions, entered)| PeriodStatsRow {
                unit_id,
                period,
                customers,
                transactions,
                entered: entered == 1,
            })
            .collect())
    }

    /// The minimum volume for a fair rank in the league tables (a setting; five by default).
    pub async fn league_min_volume(&self) -> Result<i64, StoreError> {
        let v: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE name = $1")
            .bind(LEAGUE_MIN_VOLUME)
            .fetch_optional(self.read())
            .await?;
        Ok(v.and_then(|(v,)| v.parse().ok()).unwrap_or(xiaobao_core::league::DEFAULT_MIN_VOLUME))
    }

    pub async fn set_league_min_volume(&self, value: i64, by: i64, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)              ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,              updated_by = excluded.updated_by",
        )
        .bind(LEAGUE_MIN_VOLUME)
        .bind(value.to_string())
        .bind(at_ms)
        .bind(by)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Customers and transactions of each of `units` over `from..=to` (`Volume::of_range`).
    pub async fn volumes(
        &self,
        units: &[i64],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<i64, Volume>, StoreError> {
        let months = Period::months(from, to);
        let exact = Period::exactly(from, to);
        let periods: Vec<Period> = exact.into_iter().chain(months.iter().copied()).collect();
        let rows = self.period_stats(units, &periods).await?;
        Ok(units
            .iter()
            .map(|&u| {
                let figure =
                    |p: Period| rows.iter().find(|r| r.unit_id == u && r.period == p.to_string()).map(|r| r.figures());
                let monthly: Vec<Option<(i64, i64)>> = months.iter().map(|m| figure(*m)).collect();
                (u, Volume::of_range(exact.and_then(figure), &monthly))
            })
            .collect())
    }
}

/// Figures entered for units and periods: (unit id, period) → (customers, transactions).
pub type EnteredBefore = std::collections::BTreeMap<(i64, Period), (i64, i64)>;

/// The entered figures of `keys`, read a period and 500 units at a time.
async fn entered_in(conn: &mut sqlx::AnyConnection, keys: &[(i64, Period)]) -> Result<EnteredBefore, StoreError> {
    let mut by_period: std::collections::BTreeMap<Period, Vec<i64>> = Default::default();
    for (unit, period) in keys {
        by_period.entry(*period).or_default().push(*unit);
    }
    let mut out = EnteredBefore::new();
    for (period, mut units) in by_period {
        units.sort_unstable();
        units.dedup();
        for chunk in units.chunks(500) {
            let ids = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
                "SELECT CAST(unit_id AS BIGINT), CAST(customers AS BIGINT), CAST(transactions AS BIGINT) \
                 FROM period_stats WHERE entered = 1 AND period = $1 AND unit_id IN ({ids})"
            ))
            .bind(period.to_string())
            .fetch_all(&mut *conn)
            .await?;
            out.extend(rows.into_iter().map(|(unit, c, t)| ((unit, period), (c, t))));
        }
    }
    Ok(out)
}

async fn upsert_figures(
    tx: &mut sqlx::AnyConnection,
    unit_id: i64,
    period: Period,
    (customers, transactions): (i64, i64),
    entered: bool,
    by: Option<i64>,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO period_stats (unit_id, period, customers, transactions, entered, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (unit_id, period) DO UPDATE SET \
         customers = excluded.customers, transactions = excluded.transactions, entered = excluded.entered, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(unit_id)
    .bind(period.to_string())
    .bind(customers)
    .bind(transactions)
    .bind(i64::from(entered))
    .bind(at_ms)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Sets a unit without figures of its own to the sum of its children's (or nothing when none has any).
/// False when the unit has its own figures, which no change below alters.
async fn resum(
    tx: &mut sqlx::AnyConnection,
    unit_id: i64,
    period: Period,
    by: Option<i64>,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let own: Option<(i64,)> =
        sqlx::query_as("SELECT CAST(entered AS BIGINT) FROM period_stats WHERE unit_id = $1 AND period = $2")
            .bind(unit_id)
            .bind(period.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    if own == Some((1,)) {
        return Ok(false);
    }
    let (n, c, t): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(SUM(s.customers) AS BIGINT), CAST(SUM(s.transactions) AS BIGINT) \
         FROM period_stats s JOIN org_units o ON o.id = s.unit_id WHERE o.parent_id = $1 AND s.period = $2",
    )
    .bind(unit_id)
    .bind(period.to_string())
    .fetch_one(&mut *tx)
    .await?;
    if n == 0 {
        sqlx::query("DELETE FROM period_stats WHERE unit_id = $1 AND period = $2")
            .bind(unit_id)
            .bind(period.to_string())
            .execute(&mut *tx)
            .await?;
    } else {
        upsert_figures(tx, unit_id, period, (c.unwrap_or(0), t.unwrap_or(0)), false, by, at_ms).await?;
    }
    Ok(true)
}

/// Re-sums each unit above `unit_id`, nearest first, up to the first that has figures of its own.
async fn resum_above(
    tx: &mut sqlx::AnyConnection,
    unit_id: i64,
    period: Period,
    by: Option<i64>,
    at_ms: i64,
) -> Result<(), StoreError> {
    let (path,): (String,) =
        sqlx::query_as("SELECT path FROM org_units WHERE id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
    for above in path_ids(&path).into_iter().rev().skip(1) {
        if !resum(tx, above, period, by, at_ms).await? {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::segments;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_range_reads_whole_months_by_month_and_the_rest_by_day() {
        assert_eq!(segments(d("2025-01-01"), d("2025-12-31")), (vec![], Some((202501, 202512))));
        assert_eq!(
            segments(d("2025-01-15"), d("2025-03-10")),
            (vec![(20250115, 20250131), (20250301, 20250310)], Some((202502, 202502)))
        );
        assert_eq!(segments(d("2025-03-02"), d("2025-03-30")), (vec![(20250302, 20250330)], None));
        assert_eq!(segments(d("2025-03-01"), d("2025-03-30")), (vec![(20250301, 20250330)], None));
        assert_eq!(segments(d("2025-03-02"), d("2025-03-31")), (vec![(20250302, 20250331)], None));
        assert_eq!(segments(d("2025-02-01"), d("2025-02-28")), (vec![], Some((202502, 202502))));
        assert_eq!(
            segments(d("2025-01-31"), d("2025-02-01")),
            (vec![(20250131, 20250131), (20250201, 20250201)], None)
        );
        assert_eq!(segments(d("2024-12-15"), d("2025-01-31")), (vec![(20241215, 20241231)], Some((202501, 202501))));
    }
}
