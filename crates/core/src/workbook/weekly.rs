//! Weekly lobby reports (大堂周报): each outlet's lobby manager reports every week on consumer
//! protection, service quality and the week's complaints — prefilled with the outlet's figures — and
//! the outlet head signs it off or sends it back with a reason; a report sent back is written again.
//! Each week's report is due a bank-set period after the week ends; after that an outlet without a
//! signed report is missing.

use crate::FieldError;
use crate::calendar::Calendar;
use crate::deadline::period::{OpeningHours, Period, Unit};
use crate::error::keep;
use crate::text::{bounded, limits};
use crate::time::{Instant, start_of_local_day};
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// An ISO week, as `2026-W48`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

impl IsoWeek {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::because(field, "field.iso_week").with("value", s);
        let t = s.trim();
        let (y, w) = t.split_once(['-']).ok_or_else(bad)?;
        let w = w.strip_prefix(['W', 'w']).ok_or_else(bad)?;
        let (year, week) = (y.parse::<i32>().map_err(|_| bad())?, w.parse::<u32>().map_err(|_| bad())?);
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(Self { year, week })
    }

    /// The week a date falls in.
    pub fn of(d: NaiveDate) -> Self {
        let w = d.iso_week();
        Self { year: w.year(), week: w.week() }
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    pub fn previous(self) -> Self {
        Self::of(self.monday() - Duration::days(7))
    }

    pub fn label(self) -> String {
        format!("{}-W{:02}", self.year, self.week)
    }
}

/// The bank's rule for weekly reports: how long after the week ends its report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WeeklyRules {
    /// Default: one working day (the report of a week is due by the end of the next working day).
    pub due_after: Period,
}

impl Default for WeeklyRules {
    fn default() -> Self {
        Self { due_after: Period::new(1, Unit::WorkingDays) }
    }
}

impl WeeklyRules {
    pub fn check(&self) -> Vec<FieldError> {
        self.due_after.validate("weekly.due_after").err().into_iter().collect()
    }

    /// When the report of `week` is due: the period counted from the week's end (days counted
    /// after its Sunday; hours from Monday 00:00).
    pub fn due_at(&self, week: IsoWeek, cal: &Calendar, hours: &OpeningHours) -> Instant {
        let next_monday = start_of_local_day(week.sunday() + Duration::days(1));
        let start = match self.due_after.unit {
            Unit::Hours | Unit::BusinessHours => next_monday,
            Unit::CalendarDays | Unit::WorkingDays => next_monday - Duration::hours(12),
        };
        self.due_after.end(cal, hours, start)
    }
}

/// A report as written (the unit is resolved by the caller, in scope, and must be an outlet).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyIn {
    /// The outlet's org code.
    pub org_unit: String,
    /// The ISO week, e.g. `2026-W48`: this one or an earlier one.
    pub week: String,
    /// Consumer protection: disclosure, education, personal data, what was seen in the lobby.
    pub consumer_protection: String,
    /// Service quality: queues, counters open, ratings, the environment.
    pub service_quality: String,
    /// The week's complaints and how they were handled.
    pub complaints: String,
}

/// The outlet's figures of the week, filled in when the report is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct WeekFigures {
    pub complaints_received: i64,
    pub complaints_decided: i64,
    pub complaints_liable: i64,
    pub ratings: i64,
    /// Rated 4 or 5.
    pub satisfied: i64,
    pub tickets_called: i64,
    pub overtime_waits: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SendBack {
    pub by: String,
    #[schema(value_type = String)]
    pub at: Instant,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Signature {
    pub by: String,
    #[schema(value_type = String)]
    pub at: Instant,
}

crate::choices! {
    /// Where a weekly report stands.
    pub enum WeeklyState {
        /// Written, waiting for the outlet head.
        Submitted = "submitted",
        /// Sent back by the outlet head: to be written again.
        SentBack = "sent_back",
        /// Signed off: it reaches the centre.
        Signed = "signed",
    }
}

/// A report as kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WeeklyReport {
    pub week: String,
    pub consumer_protection: String,
    pub service_quality: String,
    pub complaints: String,
    pub figures: WeekFigures,
    pub written_by: String,
    pub written_at: Instant,
    pub sent_back: Vec<SendBack>,
    pub signed: Option<Signature>,
}

/// Why a sign-off or send-back is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignRefusal {
    /// Signed already, or sent back and not written again (409).
    NotNow(WeeklyState),
    /// Nobody signs off what they wrote themselves (403).
    OwnReport,
    Invalid(Vec<FieldError>),
}

impl WeeklyReport {
    /// The report's fields checked at once; `today` bounds the week (not a later one).
    pub fn fields(i: &WeeklyIn, today: NaiveDate) -> Result<(IsoWeek, String, String, String), Vec<FieldError>> {
        let mut f = Vec::new();
        let week = keep(&mut f, IsoWeek::parse("week", &i.week));
        if let Some(w) = week
            && w.monday() > today
        {
            f.push(FieldError::because("week", "field.week_not_begun").with("value", w.label()));
        }
        let cp = keep(&mut f, bounded("consumer_protection", &i.consumer_protection, 1, limits::TEXT));
        let sq = keep(&mut f, bounded("service_quality", &i.service_quality, 1, limits::TEXT));
        let c = keep(&mut f, bounded("complaints", &i.complaints, 1, limits::TEXT));
        match (week, cp, sq, c) {
            (Some(w), Some(cp), Some(sq), Some(c)) if f.is_empty() => Ok((w, cp, sq, c)),
            _ => Err(f),
        }
    }

    pub fn state(&self) -> WeeklyState {
        match (&self.signed, self.sent_back.last()) {
            (Some(_), _) => WeeklyState::Signed,
            (None, Some(b)) if b.at >= self.written_at => WeeklyState::SentBack,
            _ => WeeklyState::Submitted,
        }
    }

    /// May it be written again now (not once signed).
    pub fn editable(&self) -> Result<(), SignRefusal> {
        match self.state() {
            WeeklyState::Signed => Err(SignRefusal::NotNow(WeeklyState::Signed)),
            _ => Ok(()),
        }
    }

    pub fn sign_off(&mut self, by: &str, now: Instant) -> Result<(), SignRefusal> {
        self.waiting(by)?;
        self.signed = Some(Signature { by: by.to_string(), at: now });
        Ok(())
    }

    pub fn send_back(&mut self, by: &str, reason: &str, now: Instant) -> Result<(), SignRefusal> {
        self.waiting(by)?;
        let reason = bounded("reason", reason, 1, limits::REASON).map_err(|e| SignRefusal::Invalid(vec![e]))?;
        self.sent_back.push(SendBack { by: by.to_string(), at: now, reason });
        Ok(())
    }

    fn waiting(&self, by: &str) -> Result<(), SignRefusal> {
        match self.state() {
            WeeklyState::Submitted if self.written_by == by => Err(SignRefusal::OwnReport),
            WeeklyState::Submitted => Ok(()),
            s => Err(SignRefusal::NotNow(s)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn weeks_parse_as_iso_weeks_and_their_report_is_due_after_they_end() {
        let w = IsoWeek::parse("week", "2026-W48").unwrap();
        assert_eq!((w.monday().to_string(), w.sunday().to_string()), ("2026-11-23".into(), "2026-11-29".into()));
        assert_eq!(w.label(), "2026-W48");
        assert_eq!(IsoWeek::of(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()).label(), "2026-W53");
        assert_eq!(w.previous().label(), "2026-W47");
        for bad in ["2026-48", "2026-W54", "W48", "2026-Wx", ""] {
            assert_eq!(IsoWeek::parse("week", bad).unwrap_err().reason, "field.iso_week", "{bad}");
        }
        let (cal, hours) = (Calendar::china(), OpeningHours::nine_to_five());
        let rules = WeeklyRules::default();
        // the report of the week to Sunday 29 November is due by the end of Monday 30 November
        assert_eq!(rules.due_at(w, &cal, &hours), at("2026-12-01T00:00:00+08:00"));
        // the week before the National Day holiday of 2026: due on the first working day after it
        let golden = IsoWeek::parse("week", "2026-W40").unwrap();
        assert_eq!(golden.sunday().to_string(), "2026-10-04");
        assert_eq!(rules.due_at(golden, &cal, &hours), at("2026-10-09T00:00:00+08:00"));
        let noon = WeeklyRules { due_after: Period::new(12, Unit::Hours) };
        assert_eq!(noon.due_at(w, &cal, &hours), at("2026-11-30T12:00:00+08:00"));
    }

    #[test]
    fn a_report_is_signed_off_or_sent_back_and_written_again() {
        let i = WeeklyIn {
            org_unit: "BJ0101".into(),
            week: "2026-W48".into(),
            consumer_protection: "开展反诈宣传两次".into(),
            service_quality: "周二午间排队较长，已增开窗口".into(),
            complaints: "受理投诉 1 件，已办结".into(),
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let (week, cp, sq, c) = WeeklyReport::fields(&i, today).unwrap();
        let t = at("2026-11-30T10:00:00+08:00");
        let mut r = WeeklyReport {
            week: week.label(),
            consumer_protection: cp,
            service_quality: sq,
            complaints: c,
            figures: WeekFigures::default(),
            written_by: "lobby1".into(),
            written_at: t,
            sent_back: vec![],
            signed: None,
        };
        assert_eq!(r.state(), WeeklyState::Submitted);
        assert_eq!(r.sign_off("lobby1", t), Err(SignRefusal::OwnReport));
        assert!(matches!(r.send_back("head1", " ", t), Err(SignRefusal::Invalid(_))));
        r.send_back("head1", "投诉情况写得不具体", t + Duration::hours(1)).unwrap();
        assert_eq!(r.state(), WeeklyState::SentBack);
        assert_eq!(r.sign_off("head1", t), Err(SignRefusal::NotNow(WeeklyState::SentBack)));
        r.written_at = t + Duration::hours(2);
        assert_eq!(r.state(), WeeklyState::Submitted, "written again");
        r.sign_off("head1", t + Duration::hours(3)).unwrap();
        assert_eq!(r.state(), WeeklyState::Signed);
        assert_eq!(r.editable(), Err(SignRefusal::NotNow(WeeklyState::Signed)));
        let later = WeeklyIn { week: "2026-W50".into(), ..i.clone() };
        let f = WeeklyReport::fields(&later, today).unwrap_err();
        assert_eq!(f[0].reason, "field.week_not_begun");
        let blank = WeeklyIn { consumer_protection: "".into(), complaints: " ".into(), ..i };
        let fields: Vec<String> =
            WeeklyReport::fields(&blank, today).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["consumer_protection", "complaints"]);
    }
}
