//! What the measures read: the rollup counters of a subtree over a range of days (in total or by
//! channel, category, cause or month), and the customers and transactions entered per unit and
//! period, a unit without its own figure counting as the sum of its children's.

use crate::db::subtree_range;
use crate::rollups::counts_from_row;
use crate::{Store, StoreError};
use std::collections::HashMap;
use xiaobao_core::measure::{COUNTERS, Counts, Volume};
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
}

impl Split {
    fn column(self) -> &'static str {
        match self {
            Self::Total => "CAST('' AS TEXT)",
            Self::Channel => "channel",
            Self::Category => "category",
            Self::Cause => "cause",
            Self::Month => "CAST(day / 100 AS TEXT)",
        }
    }
}

/// One period's figures as stored for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodStatsRow {
    pub unit_id: i64,
    pub period: String,
    pub customers: i64,
    pub transactions: i64,
}

impl Store {
    /// Summed counters of each unit in `units` over the days `from..=to` (yyyymmdd), split as asked:
    /// (unit, split key, counts), in unit and key order. Units without a row are left out.
    pub async fn rollup_counts(
        &self,
        units: &[i64],
        from: i32,
        to: i32,
        split: Split,
    ) -> Result<Vec<(i64, String, Counts)>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let ids = units.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let sums: Vec<String> = COUNTERS.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect();
        let g = split.column();
        let by = if split == Split::Total { "unit_id".to_string() } else { format!("unit_id, {g}") };
        let sql = format!(
            "SELECT CAST(unit_id AS BIGINT) AS unit_id, {g} AS g, {} FROM rollup_days \
             WHERE unit_id IN ({ids}) AND day >= $1 AND day <= $2 GROUP BY {by} ORDER BY {by}",
            sums.join(", ")
        );
        let rows = sqlx::query(&sql).bind(i64::from(from)).bind(i64::from(to)).fetch_all(self.read()).await?;
        rows.iter()
            .map(|r| {
                use sqlx::Row;
                Ok((r.try_get("unit_id")?, r.try_get("g")?, counts_from_row(r)?))
            })
            .collect()
    }

    /// Enters (or replaces) a unit's customers and transactions for a period.
    pub async fn put_period_stats(
        &self,
        unit_id: i64,
        period: Period,
        customers: i64,
        transactions: i64,
        by: i64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO period_stats (unit_id, period, customers, transactions, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id, period) DO UPDATE SET \
             customers = excluded.customers, transactions = excluded.transactions, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(unit_id)
        .bind(period.to_string())
        .bind(customers)
        .bind(transactions)
        .bind(at_ms)
        .bind(by)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Removes a unit's own figures for a period: it counts as the sum of its children's again.
    pub async fn delete_period_stats(&self, unit_id: i64, period: Period) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM period_stats WHERE unit_id = $1 AND period = $2")
            .bind(unit_id)
            .bind(period.to_string())
            .execute(self.write())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The figures entered for units of the subtree at `path`, for the given periods.
    pub async fn period_stats(&self, path: &str, periods: &[Period]) -> Result<Vec<PeriodStatsRow>, StoreError> {
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        let (lo, hi) = subtree_range(path);
        let list = periods.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ");
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT CAST(s.unit_id AS BIGINT), s.period, CAST(s.customers AS BIGINT), CAST(s.transactions AS BIGINT) \
             FROM period_stats s JOIN org_units o ON o.id = s.unit_id \
             WHERE o.path >= $1 AND o.path < $2 AND s.period IN ({list}) ORDER BY s.period, s.unit_id"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(unit_id, period, customers, transactions)| PeriodStatsRow {
                unit_id,
                period,
                customers,
                transactions,
            })
            .collect())
    }

    /// Customers and transactions of each unit of the subtree at `path` over `from..=to`: the
    /// figures of the year, quarter or month that is exactly the range where they are known;
    /// otherwise the months it touches (transactions summed, customers of the latest month known).
    /// A unit without its own figure takes the sum of its children's.
    pub async fn volumes(
        &self,
        path: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<HashMap<i64, Volume>, StoreError> {
        let units: Vec<(i64, Option<i64>)> = {
            let (lo, hi) = subtree_range(path);
            sqlx::query_as("SELECT id, parent_id FROM org_units WHERE path >= $1 AND path < $2 ORDER BY path DESC")
                .bind(lo)
                .bind(hi)
                .fetch_all(self.read())
                .await?
        };
        let months = Period::months(from, to);
        let exact = Period::exactly(from, to);
        let periods: Vec<Period> = exact.into_iter().chain(months.iter().copied()).collect();
        let rows = self.period_stats(path, &periods).await?;
        // per period, each unit's figure: its own, else the sum of its children's (deepest first)
        let effective = |period: Period| -> HashMap<i64, (i64, i64)> {
            let key = period.to_string();
            let mut own: HashMap<i64, (i64, i64)> =
                rows.iter().filter(|r| r.period == key).map(|r| (r.unit_id, (r.customers, r.transactions))).collect();
            let mut summed: HashMap<i64, (i64, i64)> = HashMap::new();
            for (id, parent) in &units {
                let mine = own.remove(id).or_else(|| summed.remove(id));
                if let Some(v) = mine {
                    own.insert(*id, v);
                    if let Some(p) = parent {
                        let s = summed.entry(*p).or_default();
                        s.0 += v.0;
                        s.1 += v.1;
                    }
                }
            }
            own
        };
        let exact_figures = exact.map(effective).unwrap_or_default();
        let monthly: Vec<HashMap<i64, (i64, i64)>> = months.iter().map(|m| effective(*m)).collect();
        let mut out = HashMap::with_capacity(units.len());
        for (id, _) in &units {
            let v = match exact_figures.get(id) {
                Some((c, t)) => Volume { customers: Some(*c), transactions: Some(*t) },
                None => {
                    let known: Vec<(i64, i64)> = monthly.iter().filter_map(|m| m.get(id).copied()).collect();
                    Volume {
                        customers: known.last().map(|k| k.0),
                        transactions: (!known.is_empty()).then(|| known.iter().map(|k| k.1).sum()),
                    }
                }
            };
            out.insert(*id, v);
        }
        Ok(out)
    }
}
