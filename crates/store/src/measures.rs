//! What the measures read: the rollup counters of a subtree over a range of days (in total or by
//! channel, category, cause or month), and the customers and transactions entered per unit and
//! period, a unit without its own figure counting as the sum of its children's.

use crate::db::subtree_range;
use crate::rollups::counts_from_row;
use crate::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use xiaobao_core::measure::{COUNTERS, Counts, Volume, day_number};
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
    fn column(self, table: Table) -> &'static str {
        match (self, table) {
            (Self::Total, _) => "CAST('' AS TEXT)",
            (Self::Channel, _) => "channel",
            (Self::Category, _) => "category",
            (Self::Cause, _) => "cause",
            (Self::Month, Table::Days) => "CAST(day / 100 AS TEXT)",
            (Self::Month, Table::Months) => "CAST(month AS TEXT)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Days,
    Months,
}

/// The parts of `from..=to` to read: day ranges (yyyymmdd) for the partial months at its ends, and a
/// month range (yyyymm) for the whole months between.
/// An inclusive range of days (yyyymmdd) or months (yyyymm).
type Span = (i32, i32);

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

/// One period's figures as stored for one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodStatsRow {
    pub unit_id: i64,
    pub period: String,
    pub customers: i64,
    pub transactions: i64,
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
            let g = split.column(table);
            let by = if split == Split::Total { "unit_id".to_string() } else { format!("unit_id, {g}") };
            let sql = format!(
                "SELECT CAST(unit_id AS BIGINT) AS unit_id, {g} AS g, {} FROM {name} \
                 WHERE unit_id IN ({ids}) AND {period} >= $1 AND {period} <= $2 GROUP BY {by}",
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
        from: NaiveDate,
        to: NaiveDate,
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
