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

/// RFC 3339 with the bank's offset, as the API prints dates.
pub fn rfc3339(at: Instant) -> String {
    at.with_timezone(&shanghai()).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}
