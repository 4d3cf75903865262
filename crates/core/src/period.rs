//! Statistical periods: a year (`2024`), a quarter (`2024-Q1`) or a month (`2024-03`), as customers and
//! transactions are reported per unit, and which of them a date range of the measures uses.

use crate::FieldError;
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Year(i32),
    Quarter(i32, u32),
    Month(i32, u32),
}

impl Period {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::because(field, "field.period");
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y) && y.to_string().len() == 4);
        match s.split_once('-') {
            None => year(s).map(Self::Year).ok_or_else(bad),
            Some((y, q)) if q.starts_with('Q') => {
                let q: u32 = q[1..].parse().map_err(|_| bad())?;
                match (year(y), (1..=4).contains(&q)) {
                    (Some(y), true) => Ok(Self::Quarter(y, q)),
                    _ => Err(bad()),
                }
            }
            Some((y, m)) => {
                let m: u32 = m.parse().ok().filter(|_| m.len() == 2).ok_or_else(bad)?;
                match (year(y), (1..=12).contains(&m)) {
                    (Some(y), true) => Ok(Self::Month(y, m)),
                    _ => Err(bad()),
                }
            }
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        let (y, m) = match *self {
            Self::Year(y) => (y, 1),
            Self::Quarter(y, q) => (y, q * 3 - 2),
            Self::Month(y, m) => (y, m),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    pub fn last_day(&self) -> NaiveDate {
        let (y, m) = match *self {
            Self::Year(y) => (y, 12),
            Self::Quarter(y, q) => (y, q * 3),
            Self::Month(y, m) => (y, m),
        };
        let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
        next.and_then(|d| d.pred_opt()).unwrap_or_default()
    }

    /// The last whole month before `date`: the month whose figures and rankings are read by default.
    pub fn month_before(date: NaiveDate) -> Self {
        let last = date.with_day(1).and_then(|d| d.pred_opt()).unwrap_or(date);
        Self::Month(last.year(), last.month())
    }

    /// The year, quarter or month that is exactly `from..=to`, if there is one.
    pub fn exactly(from: NaiveDate, to: NaiveDate) -> Option<Self> {
        let y = from.year();
        [Self::Year(y), Self::Quarter(y, from.month().div_ceil(3)), Self::Month(y, from.month())]
            .into_iter()
            .find(|p| p.first_day() == from && p.last_day() == to)
    }

    /// The months that `from..=to` touches, in order.
    pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<Self> {
        let mut out = Vec::new();
        let (mut y, mut m) = (from.year(), from.month());
        while (y, m) <= (to.year(), to.month()) && out.len() < 1200 {
            out.push(Self::Month(y, m));
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
        out
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_month_before_a_date_crosses_the_year() {
        assert_eq!(Period::month_before(d("2026-01-15")), Period::Month(2025, 12));
        assert_eq!(Period::month_before(d("2026-03-01")), Period::Month(2026, 2));
    }

    #[test]
    fn periods_parse_print_and_span_their_days() {
        for (s, first, last) in [
            ("2024", "2024-01-01", "2024-12-31"),
            ("2024-Q1", "2024-01-01", "2024-03-31"),
            ("2024-Q4", "2024-10-01", "2024-12-31"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2025-12", "2025-12-01", "2025-12-31"),
        ] {
            let p = Period::parse("period", s).unwrap();
            assert_eq!(p.to_string(), s);
            assert_eq!((p.first_day(), p.last_day()), (d(first), d(last)), "{s}");
        }
        for bad in ["24", "2024-Q5", "2024-Q0", "2024-13", "2024-3", "2024-00", "abcd", "", "2024-", "1999"] {
            let e = Period::parse("period", bad).unwrap_err();
            assert_eq!(e.field, "period", "{bad}");
        }
    }

    #[test]
    fn a_range_is_exactly_a_period_only_when_it_spans_it_whole() {
        assert_eq!(Period::exactly(d("2024-01-01"), d("2024-12-31")), Some(Period::Year(2024)));
        assert_eq!(Period::exactly(d("2024-04-01"), d("2024-06-30")), Some(Period::Quarter(2024, 2)));
        assert_eq!(Period::exactly(d("2024-05-01"), d("2024-05-31")), Some(Period::Month(2024, 5)));
        assert_eq!(Period::exactly(d("2024-05-02"), d("2024-05-31")), None);
        assert_eq!(
            Period::months(d("2024-11-15"), d("2025-01-03")),
            [Period::Month(2024, 11), Period::Month(2024, 12), Period::Month(2025, 1)]
        );
    }
}
