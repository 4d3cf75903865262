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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{Datelike, Days, Timelike};

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
