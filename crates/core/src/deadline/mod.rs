//! Deadline clocks on a work order: the bank's one-hour response, the regulatory handling decision
//! (15 days from receipt, extendable to 30, then to 60 with approval), the bank's completion target
//! and the re-review. Due times are computed here (`policy`, `period`) when a clock starts or moves,
//! and stored; they are never recomputed on read.

pub mod alerting;
pub mod period;
pub mod policy;

pub use period::{OpeningHours, Period, Unit};
pub use policy::{ClockRule, Escalation, Override, Policy};

use crate::time::Instant;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Response,
    Decision,
    Completion,
    Review,
}

impl ClockKind {
    pub const ALL: [ClockKind; 4] = [Self::Response, Self::Decision, Self::Completion, Self::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Decision => "decision",
            Self::Completion => "completion",
            Self::Review => "review",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One clock of one order. A clock is running while it has neither `met_at` nor `stopped_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub kind: ClockKind,
    pub started_at: Instant,
    pub due_at: Instant,
    pub met_at: Option<Instant>,
    pub breached_at: Option<Instant>,
    pub paused_at: Option<Instant>,
    pub stopped_at: Option<Instant>,
    /// How many of this clock's alerts (warnings, then breach levels) have fired.
    pub alerts_fired: u8,
}

/// What the deadline scheduler tells people about a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "alert", rename_all = "snake_case")]
pub enum Alert {
    /// The clock has run `percent` of its length.
    Warning { percent: u8 },
    /// The clock ran out (`level` 1) and has stayed out for `level - 1` escalation steps since.
    Breach { level: u8 },
}

/// Where a clock stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    Running,
    Paused,
    /// Running past its due time.
    Overdue,
    Met,
    /// Met, but late.
    Breached,
    Stopped,
}

/// How far past today a deadline set today can fall: the longest clock of the default policy (a
/// decision extended to 60 days, a re-review asked for at the end of its 30 days and decided in 30),
/// with a holiday's week to spare.
pub const REACH_DAYS: u64 = 90;

/// The deadlines a reader has in view: the whole bank's at an instant, or one order's.
#[derive(Debug, Clone, Copy)]
pub enum InView<'a> {
    /// Every deadline running or being set at `now`: those of orders received since the start of last
    /// year, up to [`REACH_DAYS`] ahead.
    Bank { now: Instant },
    /// One order's: from its receipt to its last clock's due time.
    Order { received_at: Instant, clocks: &'a [Clock] },
}

/// The years without a loaded holiday arrangement that the deadlines in view run into: there they
/// count weekends only and may be wrong until an admin loads the year (DESIGN §2: a missing year
/// never blocks work, and is warned of). Sorted, each once.
pub fn unarranged_years(calendar: &crate::calendar::Calendar, view: InView<'_>) -> Vec<i32> {
    use chrono::Datelike;
    let year = |t: Instant| crate::time::local_date(t).year();
    let (from, to) = match view {
        InView::Bank { now } => (year(now) - 1, year(now + chrono::Duration::days(REACH_DAYS as i64))),
        InView::Order { received_at, clocks } => {
            let last = clocks.iter().map(|c| c.due_at).max().unwrap_or(received_at).max(received_at);
            (year(received_at), year(last))
        }
    };
    calendar.missing_years(from, to)
}

/// A running clock that has used this share (percent) of its time is shown as due soon.
pub const DUE_SOON_PERCENT: i64 = 80;

impl Clock {
    pub fn status(&self, now: Instant) -> ClockStatus {
        if self.met_at.is_some() {
            if self.breached_at.is_some() { ClockStatus::Breached } else { ClockStatus::Met }
        } else if self.stopped_at.is_some() {
            ClockStatus::Stopped
        } else if self.paused_at.is_some() {
            ClockStatus::Paused
        } else if now >= self.due_at {
            ClockStatus::Overdue
        } else {
            ClockStatus::Running
        }
    }

    /// Breached: met or stopped late (a breach recorded), or running past its due time.
    pub fn is_breached(&self, now: Instant) -> bool {
        self.breached_at.is_some() || self.is_overdue(now)
    }

    /// Running, not yet due, but past `DUE_SOON_PERCENT` of its time.
    pub fn is_due_soon(&self, now: Instant) -> bool {
        let span = (self.due_at - self.started_at).num_seconds().max(1);
        let gone = (now - self.started_at).num_seconds();
        self.status(now) == ClockStatus::Running && gone * 100 >= span * DUE_SOON_PERCENT
    }

    pub fn start(kind: ClockKind, started_at: Instant, due_at: Instant) -> Self {
        Self {
            kind,
            started_at,
            due_at,
            met_at: None,
            breached_at: None,
            paused_at: None,
            stopped_at: None,
            alerts_fired: 0,
        }
    }

    pub fn is_running(&self) -> bool {
        self.met_at.is_none() && self.stopped_at.is_none()
    }

    /// Running, not paused, and past its due time at `now`.
    pub fn is_overdue(&self, now: Instant) -> bool {
        self.is_running() && self.paused_at.is_none() && now >= self.due_at
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod unarranged_tests {
    use super::*;
    use crate::calendar::Calendar;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_year_without_its_arrangement_is_named_where_deadlines_reach_it() {
        // shipped: 2015 to 2026
        let cal = Calendar::china();
        // the bank: in March 2026 no deadline reaches 2027; from October one set today may
        assert_eq!(unarranged_years(&cal, InView::Bank { now: at("2026-03-03T09:00:00+08:00") }), Vec::<i32>::new());
        assert_eq!(unarranged_years(&cal, InView::Bank { now: at("2026-12-03T09:00:00+08:00") }), [2027]);
        assert_eq!(unarranged_years(&cal, InView::Bank { now: at("2027-06-01T09:00:00+08:00") }), [2027]);
        // an order: only when one of its clocks runs into the year
        let received = at("2026-12-01T10:00:00+08:00");
        let inside = [Clock::start(ClockKind::Decision, received, at("2026-12-17T00:00:00+08:00"))];
        let across =
            [inside[0].clone(), Clock::start(ClockKind::Completion, received, at("2027-01-05T00:00:00+08:00"))];
        assert_eq!(unarranged_years(&cal, InView::Order { received_at: received, clocks: &inside }), Vec::<i32>::new());
        assert_eq!(unarranged_years(&cal, InView::Order { received_at: received, clocks: &across }), [2027]);
        assert_eq!(unarranged_years(&cal, InView::Order { received_at: received, clocks: &[] }), Vec::<i32>::new());
        // once the year is loaded, nothing
        let mut loaded = cal.clone();
        loaded.insert(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(), crate::calendar::DayKind::Rest);
        assert_eq!(
            unarranged_years(&loaded, InView::Order { received_at: received, clocks: &across }),
            Vec::<i32>::new()
        );
        assert_eq!(unarranged_years(&loaded, InView::Bank { now: at("2026-12-03T09:00:00+08:00") }), Vec::<i32>::new());
    }
}
