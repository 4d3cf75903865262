//! The working-day calendar: China's statutory holidays and adjusted working weekends (调休), in
//! Asia/Shanghai time, and period arithmetic under the Civil Code (arts. 201, 203): the day of
//! receipt is not counted, a period ends at 24:00 of its last day, and a last day that is a rest day
//! moves to the next working day. A year without a loaded arrangement counts weekends only and is
//! reported by `missing_years`, never silently trusted.

use crate::time::{Instant, local_date, start_of_local_day};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashMap};

/// The arrangement shipped with Xiaobao (State Council notices; editable by admins later).
pub const CHINA_CALENDAR_CSV: &str = include_str!("../data/cn-calendar.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off in a statutory holiday period.
    Rest,
    /// A weekend day made a working day (调休).
    Work,
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: HashMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
}

/// One line of a published arrangement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub holiday_en: String,
    pub holiday_zh: String,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rest => "rest",
            Self::Work => "work",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "rest" => Some(Self::Rest),
            "work" => Some(Self::Work),
            _ => None,
        }
    }
}

/// Reads `date,kind[,holiday_en,holiday_zh]` lines: `kind` is `rest` (a day off in a holiday period)
/// or `work` (a weekend day made a working day). `#` starts a comment; a header line is allowed. A
/// date may appear once.
pub fn parse_entries(text: &str) -> Result<Vec<CalendarEntry>, CalendarError> {
    let mut out: Vec<CalendarEntry> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let err = |reason: &str| CalendarError { line: i + 1, reason: reason.to_string() };
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let date = NaiveDate::parse_from_str(cols[0], "%Y-%m-%d").map_err(|_| err("date is not YYYY-MM-DD"))?;
        let kind =
            cols.get(1).and_then(|k| DayKind::from_str_opt(k)).ok_or_else(|| err("kind must be rest or work"))?;
        if kind == DayKind::Work && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Err(err("an adjusted working day (work) must fall on a Saturday or Sunday"));
        }
        if !seen.insert(date) {
            return Err(err("this date appears twice"));
        }
        let name = |i: usize| cols.get(i).map(|s| s.chars().take(50).collect::<String>()).unwrap_or_default();
        out.push(CalendarEntry { date, kind, holiday_en: name(2), holiday_zh: name(3) });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("calendar line {line}: {reason}")]
pub struct CalendarError {
    pub line: usize,
    pub reason: String,
}

impl Calendar {
    /// China's arrangements as shipped.
    pub fn china() -> Self {
        Self::parse_csv(CHINA_CALENDAR_CSV).expect("the shipped calendar parses")
    }

    /// Reads `date,kind[,holiday_en,holiday_zh]` lines; `#` starts a comment; a header line is allowed.
    pub fn parse_csv(text: &str) -> Result<Self, CalendarError> {
        Ok(Self::from_entries(&parse_entries(text)?))
    }

    pub fn from_entries(entries: &[CalendarEntry]) -> Self {
        let mut cal = Calendar::default();
        for e in entries {
            cal.insert(e.date, e.kind);
        }
        cal
    }

    pub fn insert(&mut self, date: NaiveDate, kind: DayKind) {
        self.days.insert(date, kind);
        self.years.insert(date.year());
    }

    /// Years whose arrangement is loaded.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The years in `from..=to` with no arrangement loaded: their deadlines count weekends only.
    pub fn missing_years(&self, from: i32, to: i32) -> Vec<i32> {
        (from..=to).filter(|y| !self.covers(*y)).collect()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(DayKind::Rest) => false,
            Some(DayKind::Work) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    pub fn next_working_day_on_or_after(&self, mut date: NaiveDate) -> NaiveDate {
        // Holiday periods are at most ~10 days; 60 bounds any arrangement, loaded or not.
        for _ in 0..60 {
            if self.is_working_day(date) {
                return date;
            }
            date = date + Days::new(1);
        }
        date
    }

    /// The `n`-th working day after `date` (not counting `date` itself).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// The last day of a period of `days` calendar days from `received` (Civil Code arts. 201, 203).
    pub fn last_day_calendar_days(&self, received: Instant, days: u32) -> NaiveDate {
        let last = local_date(received) + Days::new(u64::from(days));
        self.next_working_day_on_or_after(last)
    }

    /// The instant a period of `days` calendar days from `received` runs out: 24:00 of its last day.
    pub fn period_end_calendar_days(&self, received: Instant, days: u32) -> Instant {
        end_of_day(self.last_day_calendar_days(received, days))
    }

    /// The instant a period of `days` working days from `received` runs out: 24:00 of its last day.
    pub fn period_end_working_days(&self, received: Instant, days: u32) -> Instant {
        end_of_day(self.add_working_days(local_date(received), days))
    }
}

/// 24:00 of `date` in Shanghai (= 00:00 of the next day).
pub fn end_of_day(date: NaiveDate) -> Instant {
    start_of_local_day(date + Days::new(1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::rfc3339;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at_local(s: &str, h: u32) -> Instant {
        start_of_local_day(d(s)) + chrono::Duration::hours(i64::from(h))
    }

    #[test]
    fn design_example_spring_festival_2025() {
        // Received 2025-01-20: 15 days later is 2025-02-04, the last day of the Spring Festival
        // holiday, so the decision is due by the end of 2025-02-05.
        let cal = Calendar::china();
        let received = at_local("2025-01-20", 10);
        assert_eq!(cal.last_day_calendar_days(received, 15), d("2025-02-05"));
        assert_eq!(rfc3339(cal.period_end_calendar_days(received, 15)), "2025-02-06T00:00:00.000+08:00");
    }

    #[test]
    fn received_just_before_midnight_counts_from_the_next_day() {
        let cal = Calendar::china();
        // 23:30 local on 2024-03-01 is still 2024-03-01 in Shanghai (15:30 UTC).
        let received = Utc.with_ymd_and_hms(2024, 3, 1, 15, 30, 0).unwrap();
        assert_eq!(cal.last_day_calendar_days(received, 15), d("2024-03-18")); // 16th is a Saturday... 18th Monday
        // and 00:30 local on 2024-03-02 (16:30 UTC on the 1st) counts from the 2nd.
        let received = Utc.with_ymd_and_hms(2024, 3, 1, 16, 30, 0).unwrap();
        assert_eq!(cal.last_day_calendar_days(received, 15), d("2024-03-18"));
    }

    #[test]
    fn national_day_golden_week_2024() {
        let cal = Calendar::china();
        // 2024-10-01..07 rest; 2024-09-29 (Sun) and 2024-10-12 (Sat) are working days.
        assert!(cal.is_working_day(d("2024-09-29")));
        assert!(cal.is_working_day(d("2024-10-12")));
        assert!(!cal.is_working_day(d("2024-10-07")));
        // Five working days after Friday 2024-09-27: Sun 29, Mon 30, then Tue 8, Wed 9, Thu 10.
        assert_eq!(cal.add_working_days(d("2024-09-27"), 5), d("2024-10-10"));
        // A decision period ending on 2024-10-03 moves to 2024-10-08.
        let received = at_local("2024-09-18", 9);
        assert_eq!(cal.last_day_calendar_days(received, 15), d("2024-10-08"));
    }

    #[test]
    fn spring_festival_2024_working_days() {
        let cal = Calendar::china();
        // 2024-02-10..17 rest; 2024-02-04 (Sun) and 2024-02-18 (Sun) adjusted working days.
        assert!(cal.is_working_day(d("2024-02-04")));
        assert!(cal.is_working_day(d("2024-02-18")));
        assert!(!cal.is_working_day(d("2024-02-12")));
        // From Thursday 2024-02-08: Fri 9, Sun 18, Mon 19.
        assert_eq!(cal.add_working_days(d("2024-02-08"), 3), d("2024-02-19"));
    }

    #[test]
    fn a_year_missing_from_the_calendar_is_reported() {
        let cal = Calendar::china();
        assert!(cal.covers(2026));
        assert_eq!(cal.missing_years(2025, 2028), vec![2027, 2028]);
        // and its weekends still count as rest days
        assert!(!cal.is_working_day(d("2027-01-02")));
        assert!(cal.is_working_day(d("2027-01-04")));
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let err = Calendar::parse_csv("date,kind\n2025-01-01,rest\n2025-13-01,rest\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(Calendar::parse_csv("2025-01-01,holiday\n").is_err());
        // 2025-01-02 is a Thursday: it cannot be an adjusted working day
        assert!(Calendar::parse_csv("2025-01-02,work\n").is_err());
        assert_eq!(Calendar::parse_csv("2025-01-01,rest\n2025-01-01,rest\n").unwrap_err().line, 2);
    }

    proptest! {
        #[test]
        fn period_end_is_a_working_day_at_midnight_and_never_early(day in 0i64..4000, hour in 0u32..24, days in 1u32..61) {
            let cal = Calendar::china();
            let received = start_of_local_day(d("2015-01-01") + Days::new(day as u64)) + chrono::Duration::hours(i64::from(hour));
            let last = cal.last_day_calendar_days(received, days);
            prop_assert!(cal.is_working_day(last));
            prop_assert!(last >= local_date(received) + Days::new(u64::from(days)));
            // nothing between the nominal last day and the moved one is a working day
            let mut x = local_date(received) + Days::new(u64::from(days));
            while x < last { prop_assert!(!cal.is_working_day(x)); x = x + Days::new(1); }
            prop_assert_eq!(end_of_day(last), start_of_local_day(last + Days::new(1)));
        }

        #[test]
        fn working_days_round_trip(day in 0i64..4000, n in 0u32..80) {
            let cal = Calendar::china();
            let start = d("2015-01-01") + Days::new(day as u64);
            let end = cal.add_working_days(start, n);
            prop_assert_eq!(cal.working_days_between(start, end), n);
            if n > 0 { prop_assert!(cal.is_working_day(end)); }
        }
    }
}
