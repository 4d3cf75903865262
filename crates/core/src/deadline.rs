//! Deadline clocks on a work order: the bank's one-hour response, the regulatory handling decision
//! (15 days from receipt, extendable to 30, then to 60 with approval), and the re-review. Due times are
//! computed here when a clock starts or moves, and stored; they are never recomputed on read.

use crate::calendar::Calendar;
use crate::time::Instant;
use chrono::Duration;
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
}

impl Clock {
    pub fn start(kind: ClockKind, started_at: Instant, due_at: Instant) -> Self {
        Self { kind, started_at, due_at, met_at: None, breached_at: None, paused_at: None, stopped_at: None }
    }

    pub fn is_running(&self) -> bool {
        self.met_at.is_none() && self.stopped_at.is_none()
    }

    /// Running, not paused, and past its due time at `now`.
    pub fn is_overdue(&self, now: Instant) -> bool {
        self.is_running() && self.paused_at.is_none() && now >= self.due_at
    }
}

/// The bank's deadline policy. Defaults follow DESIGN §2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub response_hours: i64,
    pub decision_days: u32,
    /// Decision periods from receipt after the first and second extension.
    pub extension_days: [u32; 2],
    pub review_days: u32,
    /// Days after the decision within which the complainant may ask for a re-review.
    pub review_request_days: u32,
    /// Window in which a new complaint from the same complainant counts as a repeat.
    pub repeat_window_days: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            response_hours: 1,
            decision_days: 15,
            extension_days: [30, 60],
            review_days: 30,
            review_request_days: 30,
            repeat_window_days: 90,
        }
    }
}

impl Policy {
    /// The clocks a newly registered order starts with.
    pub fn initial_clocks(&self, cal: &Calendar, received_at: Instant) -> Vec<Clock> {
        vec![
            Clock::start(ClockKind::Response, received_at, received_at + Duration::hours(self.response_hours)),
            Clock::start(
                ClockKind::Decision,
                received_at,
                cal.period_end_calendar_days(received_at, self.decision_days),
            ),
        ]
    }

    /// The decision due time after extension `tier` (1 or 2).
    pub fn extended_decision_due(&self, cal: &Calendar, received_at: Instant, tier: u8) -> Option<Instant> {
        let days = *self.extension_days.get(usize::from(tier).checked_sub(1)?)?;
        Some(cal.period_end_calendar_days(received_at, days))
    }

    pub fn review_clock(&self, cal: &Calendar, requested_at: Instant) -> Clock {
        Clock::start(ClockKind::Review, requested_at, cal.period_end_calendar_days(requested_at, self.review_days))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::rfc3339;
    use chrono::{TimeZone, Utc};

    #[test]
    fn new_order_has_response_and_decision_clocks() {
        let cal = Calendar::china();
        let received = Utc.with_ymd_and_hms(2025, 1, 20, 2, 0, 0).unwrap(); // 10:00 Shanghai
        let clocks = Policy::default().initial_clocks(&cal, received);
        assert_eq!(clocks[0].kind, ClockKind::Response);
        assert_eq!(rfc3339(clocks[0].due_at), "2025-01-20T11:00:00.000+08:00");
        assert_eq!(rfc3339(clocks[1].due_at), "2025-02-06T00:00:00.000+08:00");
    }

    #[test]
    fn extension_tiers_are_bounded() {
        let cal = Calendar::china();
        let p = Policy::default();
        let received = Utc.with_ymd_and_hms(2025, 3, 3, 2, 0, 0).unwrap();
        assert!(p.extended_decision_due(&cal, received, 1).is_some());
        assert!(
            p.extended_decision_due(&cal, received, 2).unwrap() > p.extended_decision_due(&cal, received, 1).unwrap()
        );
        assert!(p.extended_decision_due(&cal, received, 3).is_none());
        assert!(p.extended_decision_due(&cal, received, 0).is_none());
    }
}
