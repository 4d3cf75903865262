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
