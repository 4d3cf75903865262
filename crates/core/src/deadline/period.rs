//! Lengths of time as a bank's rules state them — hours, business hours, calendar days, working days
//! — and when such a period that starts at a given instant runs out, on the working-day calendar and
//! the bank's opening hours.

use crate::FieldError;
use crate::calendar::{Calendar, end_of_day};
use crate::time::{Instant, local_date, shanghai, start_of_local_day};
use chrono::{Days, Duration, NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Clock hours, day and night (a 24/7 clock).
    Hours,
    /// Hours inside the opening hours of working days.
    BusinessHours,
    /// Days as the Civil Code counts them: the day of receipt not counted, ending at 24:00, a last
    /// day on a rest day moved to the next working day.
    CalendarDays,
    /// Working days after the day of receipt, ending at 24:00 of the last one.
    WorkingDays,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    pub length: u32,
    pub unit: Unit,
}

impl Period {
    pub const fn new(length: u32, unit: Unit) -> Self {
        Self { length, unit }
    }

    /// When a period starting at `start` runs out.
    pub fn end(&self, cal: &Calendar, hours: &OpeningHours, start: Instant) -> Instant {
        match self.unit {
            Unit::Hours => start + Duration::hours(i64::from(self.length)),
            Unit::BusinessHours => hours.add_minutes(cal, start, i64::from(self.length) * 60),
            Unit::CalendarDays => cal.period_end_calendar_days(start, self.length),
            Unit::WorkingDays => cal.period_end_working_days(start, self.length),
        }
    }

    pub fn validate(&self, field: &str) -> Result<(), FieldError> {
        let max = self.unit.max_length();
        if self.length == 0 || self.length > max {
            return Err(FieldError::because(format!("{field}.length"), "field.period_length").with("max", max));
        }
        Ok(())
    }
}

impl Unit {
    pub const ALL: [Unit; 4] = [Self::Hours, Self::BusinessHours, Self::CalendarDays, Self::WorkingDays];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hours => "hours",
            Self::BusinessHours => "business_hours",
            Self::CalendarDays => "calendar_days",
            Self::WorkingDays => "working_days",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|u| u.as_str() == s).ok_or_else(|| FieldError::because(field, "field.period_unit"))
    }

    /// The longest period of this unit a rule may state.
    pub fn max_length(self) -> u32 {
        match self {
            Unit::Hours | Unit::BusinessHours => 24 * 366,
            Unit::CalendarDays | Unit::WorkingDays => 366,
        }
    }
}

/// The bank's opening hours on working days, e.g. 09:00–17:00 Shanghai time. On the wire (and in
/// the OpenAPI document) it is `{open: "09:00", close: "17:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OpeningHoursText", into = "OpeningHoursText")]
pub struct OpeningHours {
    /// Minutes after midnight.
    open: u32,
    close: u32,
}

impl utoipa::PartialSchema for OpeningHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <OpeningHoursText as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for OpeningHours {}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpeningHoursText {
    /// `HH:MM`
    pub open: String,
    /// `HH:MM`, later than `open`
    pub close: String,
}

impl TryFrom<OpeningHoursText> for OpeningHours {
    type Error = String;
    fn try_from(t: OpeningHoursText) -> Result<Self, String> {
        OpeningHours::parse(&t.open, &t.close).map_err(|e| e.reason.to_string())
    }
}

impl From<OpeningHours> for OpeningHoursText {
    fn from(h: OpeningHours) -> Self {
        let f = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        Self { open: f(h.open), close: f(h.close) }
    }
}

/// The longest any walk over the calendar may go: no rule spans more than a few years.
const MAX_DAYS_WALKED: u32 = 3 * 366;

impl OpeningHours {
    /// Opening hours must open before they close on the same day; anything else (overnight, empty)
    /// is refused rather than looped over.
    pub fn parse(open: &str, close: &str) -> Result<Self, FieldError> {
        let p = |field: &str, s: &str| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map(|t| t.hour() * 60 + t.minute())
                .map_err(|_| FieldError::because(field, "field.time_of_day"))
        };
        let (o, c) = (p("opening_hours.open", open)?, p("opening_hours.close", close)?);
        if o >= c {
            return Err(FieldError::because("opening_hours.close", "field.opening_hours"));
        }
        Ok(Self { open: o, close: c })
    }

    pub fn nine_to_five() -> Self {
        Self { open: 9 * 60, close: 17 * 60 }
    }

    fn at(date: NaiveDate, minutes: u32) -> Instant {
        start_of_local_day(date) + Duration::minutes(i64::from(minutes))
    }

    fn minute_of_day(t: Instant) -> u32 {
        let local = t.with_timezone(&shanghai());
        local.hour() * 60 + local.minute()
    }

    /// Is `t` inside opening hours on a working day?
    pub fn is_open(&self, cal: &Calendar, t: Instant) -> bool {
        let m = Self::minute_of_day(t);
        cal.is_working_day(local_date(t)) && m >= self.open && m < self.close
    }

    /// `minutes` of business time after `start`. Time outside opening hours does not count, so a
    /// start out of hours counts from the next opening.
    pub fn add_minutes(&self, cal: &Calendar, start: Instant, minutes: i64) -> Instant {
        let mut left = Duration::minutes(minutes.max(0));
        let mut date = local_date(start);
        let mut t = start;
        for _ in 0..MAX_DAYS_WALKED {
            if cal.is_working_day(date) {
                let open = Self::at(date, self.open);
                let close = Self::at(date, self.close);
                if t < open {
                    t = open;
                }
                if t < close {
                    let avail = close - t;
                    if left <= avail {
                        return t + left;
                    }
                    left -= avail;
                }
            }
            date = date + Days::new(1);
            t = start_of_local_day(date);
        }
        t
    }

    /// `minutes` of business time before `end`: the inverse of `add_minutes` for ends inside hours.
    pub fn sub_minutes(&self, cal: &Calendar, end: Instant, minutes: i64) -> Instant {
        let mut left = Duration::minutes(minutes.max(0));
        let mut date = local_date(end);
        let mut t = end;
        for _ in 0..MAX_DAYS_WALKED {
            if cal.is_working_day(date) {
                let open = Self::at(date, self.open);
                let close = Self::at(date, self.close);
                if t > close {
                    t = close;
                }
                if t > open {
                    let avail = t - open;
                    if left <= avail {
                        return t - left;
                    }
                    left -= avail;
                }
            }
            date = date - Days::new(1);
            t = end_of_day(date);
        }
        t
    }

    /// Business minutes in `[from, to)`.
    pub fn minutes_between(&self, cal: &Calendar, from: Instant, to: Instant) -> i64 {
        let mut total = 0i64;
        let mut date = local_date(from);
        let last = local_date(to);
        let mut guard = 0;
        while date <= last && guard < 100_000 {
            if cal.is_working_day(date) {
                let open = Self::at(date, self.open).max(from);
                let close = Self::at(date, self.close).min(to);
                if close > open {
                    total += (close - open).num_minutes();
                }
            }
            date = date + Days::new(1);
            guard += 1;
        }
        total
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::rfc3339;
    use proptest::prelude::*;

    fn local(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn business_hours_skip_nights_weekends_and_holidays() {
        let cal = Calendar::china();
        let h = OpeningHours::nine_to_five();
        // Friday 2024-09-27 16:00 + 3 business hours: 1 h on Friday, then Sunday 2024-09-29 is an
        // adjusted working day: 11:00 there.
        let due = Period::new(3, Unit::BusinessHours).end(&cal, &h, local("2024-09-27T16:00:00+08:00"));
        assert_eq!(rfc3339(due), "2024-09-29T11:00:00.000+08:00");
        // Monday 2024-09-30 16:30 + 2 h: 0.5 h, then the National Day holiday until 2024-10-08.
        let due = Period::new(2, Unit::BusinessHours).end(&cal, &h, local("2024-09-30T16:30:00+08:00"));
        assert_eq!(rfc3339(due), "2024-10-08T10:30:00.000+08:00");
        // received at night: counts from the next opening
        let due = Period::new(1, Unit::BusinessHours).end(&cal, &h, local("2025-03-03T22:00:00+08:00"));
        assert_eq!(rfc3339(due), "2025-03-04T10:00:00.000+08:00");
    }

    #[test]
    fn a_period_ending_exactly_at_closing_time_ends_then() {
        let cal = Calendar::china();
        let h = OpeningHours::nine_to_five();
        let due = Period::new(8, Unit::BusinessHours).end(&cal, &h, local("2025-03-03T09:00:00+08:00"));
        assert_eq!(rfc3339(due), "2025-03-03T17:00:00.000+08:00");
    }

    #[test]
    fn hours_run_day_and_night() {
        let cal = Calendar::china();
        let due =
            Period::new(1, Unit::Hours).end(&cal, &OpeningHours::nine_to_five(), local("2025-01-28T23:30:00+08:00"));
        assert_eq!(rfc3339(due), "2025-01-29T00:30:00.000+08:00");
    }

    #[test]
    fn working_days_end_at_midnight_of_the_last_one() {
        let cal = Calendar::china();
        // Thursday 2024-02-08 + 3 working days across Spring Festival: Fri 9, Sun 18 (adjusted), Mon 19.
        let due = Period::new(3, Unit::WorkingDays).end(
            &cal,
            &OpeningHours::nine_to_five(),
            local("2024-02-08T15:00:00+08:00"),
        );
        assert_eq!(rfc3339(due), "2024-02-20T00:00:00.000+08:00");
    }

    #[test]
    fn invalid_opening_hours_are_refused() {
        assert!(OpeningHours::parse("17:00", "09:00").is_err());
        assert!(OpeningHours::parse("09:00", "09:00").is_err());
        assert!(OpeningHours::parse("9am", "17:00").is_err());
        assert!(OpeningHours::parse("00:00", "23:59").is_ok());
    }

    #[test]
    fn lengths_are_bounded() {
        assert!(Period::new(0, Unit::Hours).validate("p").is_err());
        assert!(Period::new(400, Unit::CalendarDays).validate("p").is_err());
        assert!(Period::new(60, Unit::CalendarDays).validate("p").is_ok());
    }

    proptest! {
        /// A due time minus its length lands on its start (for starts inside opening hours), and the
        /// business minutes between them are the length.
        #[test]
        fn business_hours_round_trip(day in 0u64..2500, minute in (9 * 60u32)..(17 * 60), hours in 1u32..200) {
            let cal = Calendar::china();
            let h = OpeningHours::nine_to_five();
            let date = cal.next_working_day_on_or_after(NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + Days::new(day));
            let start = OpeningHours::at(date, minute);
            let due = h.add_minutes(&cal, start, i64::from(hours) * 60);
            prop_assert_eq!(h.sub_minutes(&cal, due, i64::from(hours) * 60), start);
            prop_assert_eq!(h.minutes_between(&cal, start, due), i64::from(hours) * 60);
            prop_assert!(h.is_open(&cal, due - Duration::minutes(1)));
        }
    }
}
