//! Time in Xiaobao: instants are UTC milliseconds; the bank's day is Asia/Shanghai (UTC+8, no
//! daylight saving since 1991), so local dates use a fixed offset.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub type Instant = DateTime<Utc>;

/// Asia/Shanghai: China has kept UTC+8 all year since 1991.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

pub fn local_date(at: Instant) -> NaiveDate {
    at.with_timezone(&shanghai()).date_naive()
}

/// 00:00 of `date` in Shanghai, as an instant.
pub fn start_of_local_day(date: NaiveDate) -> Instant {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    shanghai().from_local_datetime(&naive).single().expect("a fixed offset has no gaps").with_timezone(&Utc)
}

pub fn to_millis(at: Instant) -> i64 {
    at.timestamp_millis()
}

pub fn from_millis(ms: i64) -> Instant {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The instant to the millisecond, as it is stored: what an event says and what the database keeps
/// must be the same instant, or a replayed order could differ from the stored one.
pub fn to_stored_precision(at: Instant) -> Instant {
    from_millis(to_millis(at))
}

/// RFC 3339 with the bank's offset, as the API prints dates.
pub fn rfc3339(at: Instant) -> String {
    at.with_timezone(&shanghai()).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// An instant as the staff read it: the bank's local date and time to the minute, "2026-12-17 09:30".
pub fn local_minute(at: Instant) -> String {
    at.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string()
}

/// A deadline as the staff read it. A period that ends at the end of a day ends at the next day's
/// 00:00; it is written as that day's 24:00, so "2026-12-17 24:00" is the whole of 17 December and
/// never reads as the 18th. Any other instant is written as `local_minute` writes it.
pub fn deadline_text(at: Instant) -> String {
    let local = at.with_timezone(&shanghai());
    if local.time() == chrono::NaiveTime::MIN {
        let day = local.date_naive().pred_opt().unwrap_or(local.date_naive());
        format!("{} 24:00", day.format("%Y-%m-%d"))
    } else {
        local_minute(at)
    }
}

/// The last local day a deadline leaves to act on: the day before its instant when it falls on a
/// midnight (the end of that day), else its own day.
pub fn deadline_day(at: Instant) -> NaiveDate {
    let local = at.with_timezone(&shanghai());
    let day = local.date_naive();
    if local.time() == chrono::NaiveTime::MIN { day.pred_opt().unwrap_or(day) } else { day }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{Datelike, Days, Timelike};

    /// A deadline at a local midnight is the end of the day before, written as its 24:00; any other
    /// time is written as it is, and a year's first midnight belongs to the year before.
    #[test]
    fn deadlines_at_midnight_are_the_end_of_the_day_before() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let end_of_17th = start_of_local_day(d(2026, 12, 18));
        assert_eq!(deadline_text(end_of_17th), "2026-12-17 24:00");
        assert_eq!(deadline_day(end_of_17th), d(2026, 12, 17));
        let new_year = start_of_local_day(d(2027, 1, 1));
        assert_eq!(deadline_text(new_year), "2026-12-31 24:00");
        assert_eq!(deadline_day(new_year), d(2026, 12, 31));
        let morning = end_of_17th + chrono::Duration::minutes(9 * 60 + 30);
        assert_eq!(deadline_text(morning), "2026-12-18 09:30");
        assert_eq!(deadline_day(morning), d(2026, 12, 18));
        assert_eq!(local_minute(end_of_17th), "2026-12-18 00:00");
        // a millisecond before midnight is still the 17th, written to its minute
        assert_eq!(deadline_text(end_of_17th - chrono::Duration::milliseconds(1)), "2026-12-17 23:59");
    }

    /// Shanghai keeps UTC+8 all year: every local midnight is 16:00 UTC the day before, summer and
    /// winter alike, and a day is always 24 hours long.
    #[test]
    fn no_daylight_saving_in_shanghai() {
        let mut d = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap();
        while d.year() < 2027 {
            let midnight = start_of_local_day(d);
            assert_eq!(midnight.hour(), 16);
            assert_eq!(start_of_local_day(d + Days::new(1)) - midnight, chrono::Duration::hours(24));
            assert_eq!(local_date(midnight), d);
            assert_eq!(local_date(midnight - chrono::Duration::milliseconds(1)), d - Days::new(1));
            d = d + Days::new(1);
        }
    }

    #[test]
    fn rfc3339_prints_the_bank_offset() {
        let t = start_of_local_day(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
        assert_eq!(rfc3339(t), "2025-07-01T00:00:00.000+08:00");
        assert_eq!(from_millis(to_millis(t)), t);
    }
}
