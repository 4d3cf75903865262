//! The service counters (DESIGN §3, §5): what each rating and each called ticket adds to its outlet
//! and every unit above it, by local day and month, one dimension at a time — in total, by teller,
//! by hour of the day, by dissatisfaction reason (and teller × reason), by business type and by the
//! minute of the wait — and the figures computed from summed counters. A rebuild sums the same
//! contributions as the ingest adds, so the two agree.

use super::queue::{Thresholds, Ticket};
use super::rating::Rating;
use crate::measure::Ratio;
use crate::time::{Instant, shanghai};
use chrono::Timelike;
use std::collections::BTreeMap;

/// One dimension of the service rollups; `value` is the teller's user id, the hour `00`–`23`, the
/// reason's code, `teller_id:reason`, the business type, or the wait's minute `000`–`120`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    All,
    Teller,
    Hour,
    Reason,
    TellerReason,
    Business,
    Wait,
}

impl Dim {
    pub const ALL: [Dim; 7] =
        [Self::All, Self::Teller, Self::Hour, Self::Reason, Self::TellerReason, Self::Business, Self::Wait];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Teller => "teller",
            Self::Hour => "hour",
            Self::Reason => "reason",
            Self::TellerReason => "teller_reason",
            Self::Business => "business",
            Self::Wait => "wait",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// Waits of this many minutes or more share the last bucket.
pub const WAIT_BUCKETS: i64 = 120;

/// The counters of one rollup row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServiceCounts {
    pub ratings: i64,
    /// Ratings by score, `scores[0]` for 1 … `scores[4]` for 5.
    pub scores: [i64; 5],
    /// Ratings flagged as a burst of their device (they count unless excluded).
    pub flagged: i64,
    pub tickets_taken: i64,
    pub tickets_called: i64,
    pub wait_seconds: i64,
    pub overtime: i64,
}

impl ServiceCounts {
    pub const COLUMNS: [&'static str; 11] = [
        "ratings",
        "s1",
        "s2",
        "s3",
        "s4",
        "s5",
        "flagged",
        "tickets_taken",
        "tickets_called",
        "wait_seconds",
        "overtime",
    ];

    pub fn values(&self) -> [i64; 11] {
        let s = self.scores;
        [
            self.ratings,
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            self.flagged,
            self.tickets_taken,
            self.tickets_called,
            self.wait_seconds,
            self.overtime,
        ]
    }

    pub fn from_values(v: [i64; 11]) -> Self {
        Self {
            ratings: v[0],
            scores: [v[1], v[2], v[3], v[4], v[5]],
            flagged: v[6],
            tickets_taken: v[7],
            tickets_called: v[8],
            wait_seconds: v[9],
            overtime: v[10],
        }
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    pub fn satisfied(&self) -> i64 {
        self.scores[3] + self.scores[4]
    }

    pub fn dissatisfied(&self) -> i64 {
        self.scores[0] + self.scores[1]
    }
}

impl std::ops::Add for ServiceCounts {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        let (a, b) = (self.values(), o.values());
        Self::from_values(std::array::from_fn(|i| a[i] + b[i]))
    }
}

impl std::ops::Sub for ServiceCounts {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        let (a, b) = (self.values(), o.values());
        Self::from_values(std::array::from_fn(|i| a[i] - b[i]))
    }
}

/// The local hour of an instant, as the rollups key it.
pub fn hour(at: Instant) -> String {
    format!("{:02}", at.with_timezone(&shanghai()).hour())
}

/// The rows a rating adds one to, with what it adds: each under its dimension and value.
pub fn rating_rows(r: &Rating, teller_id: i64, flagged: bool) -> Vec<(Dim, String, ServiceCounts)> {
    let mut c = ServiceCounts { ratings: 1, flagged: i64::from(flagged), ..Default::default() };
    c.scores[usize::from(r.score.get() - 1)] = 1;
    let mut rows =
        vec![(Dim::All, String::new(), c), (Dim::Teller, teller_id.to_string(), c), (Dim::Hour, hour(r.rated_at), c)];
    if let Some(reason) = &r.reason {
        rows.push((Dim::Reason, reason.clone(), c));
        rows.push((Dim::TellerReason, format!("{teller_id}:{reason}"), c));
    }
    rows
}

/// The rows a ticket adds to, as it now stands (a later send takes away what the earlier one added
/// and adds this): taken, and once called, its wait and whether it was overtime, by teller, hour
/// taken, business type and the wait's minute.
pub fn ticket_rows(t: &Ticket, teller_id: Option<i64>, thresholds: &Thresholds) -> Vec<(Dim, String, ServiceCounts)> {
    let mut c = ServiceCounts { tickets_taken: 1, ..Default::default() };
    let wait = t.wait();
    if let Some(w) = wait {
        c.tickets_called = 1;
        c.wait_seconds = w.num_seconds();
        c.overtime = i64::from(thresholds.overtime(t.business.as_deref(), w));
    }
    let mut rows = vec![(Dim::All, String::new(), c), (Dim::Hour, hour(t.taken_at), c)];
    rows.push((Dim::Business, t.business.clone().unwrap_or_default(), c));
    if let Some(id) = teller_id {
        rows.push((Dim::Teller, id.to_string(), c));
    }
    if let Some(w) = wait {
        rows.push((Dim::Wait, format!("{:03}", (w.num_minutes()).clamp(0, WAIT_BUCKETS)), c));
    }
    rows
}

/// The service figures of one subtree and period.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub counts: ServiceCounts,
    pub counter_satisfaction_rate: Ratio,
    pub overtime_wait_ratio: Ratio,
    /// Seconds, rounded down; none before a ticket is called.
    pub average_wait_seconds: Option<i64>,
    /// The end of the minute the 90th-percentile wait falls in, in seconds (waits of two hours and
    /// more share one bucket, read as two hours); none before a ticket is called.
    pub p90_wait_seconds: Option<i64>,
    pub dissatisfied_by_reason: BTreeMap<String, i64>,
}

impl ServiceFigures {
    /// From the summed `All` counters, the waits' minute buckets and the reasons' counts.
    pub fn compute(c: ServiceCounts, waits: &BTreeMap<i64, i64>, reasons: BTreeMap<String, i64>) -> Self {
        Self {
            counts: c,
            counter_satisfaction_rate: Ratio::new(c.satisfied(), c.ratings, 100),
            overtime_wait_ratio: Ratio::new(c.overtime, c.tickets_called, 100),
            average_wait_seconds: (c.tickets_called > 0).then(|| c.wait_seconds / c.tickets_called),
            p90_wait_seconds: p90(waits),
            dissatisfied_by_reason: reasons,
        }
    }
}

/// The 90th percentile of waits bucketed by minute: the end of the first minute by which 90 % of
/// the called tickets had been called (the bucket of two hours and more reads as two hours).
pub fn p90(waits: &BTreeMap<i64, i64>) -> Option<i64> {
    let total: i64 = waits.values().sum();
    if total <= 0 {
        return None;
    }
    let mut seen = 0;
    for (&minute, &n) in waits {
        seen += n;
        // seen / total ≥ 0.9, in integers
        if seen * 10 >= total * 9 {
            return Some(if minute >= WAIT_BUCKETS { WAIT_BUCKETS * 60 } else { (minute + 1) * 60 });
        }
    }
    Some(WAIT_BUCKETS * 60)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::service::queue::TicketIn;
    use crate::service::rating::{RatingIn, Score};

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_rating_counts_in_total_by_teller_hour_and_its_reason() {
        let r = Rating {
            device: "d".into(),
            seq: 1,
            outlet: "o".into(),
            teller: "t".into(),
            window: None,
            rated_at: at("2026-12-01T09:59:59+08:00"),
            score: Score::parse("score", 2).unwrap(),
            reason: Some("01".into()),
        };
        let rows = rating_rows(&r, 42, true);
        let keys: Vec<(Dim, &str)> = rows.iter().map(|(d, v, _)| (*d, v.as_str())).collect();
        assert_eq!(
            keys,
            [(Dim::All, ""), (Dim::Teller, "42"), (Dim::Hour, "09"), (Dim::Reason, "01"), (Dim::TellerReason, "42:01")]
        );
        let c = rows[0].2;
        assert_eq!((c.ratings, c.scores, c.flagged, c.dissatisfied(), c.satisfied()), (1, [0, 1, 0, 0, 0], 1, 1, 0));
        let _ = RatingIn::default();
    }

    #[test]
    fn a_called_ticket_counts_its_wait_and_overtime_by_minute() {
        let now = at("2026-12-01T12:00:00+08:00");
        let t = Ticket::parse(
            &TicketIn {
                outlet: "o".into(),
                number: "A1".into(),
                taken_at: "2026-12-01T09:00:00+08:00".into(),
                called_at: Some("2026-12-01T09:20:30+08:00".into()),
                ..Default::default()
            },
            now,
        )
        .unwrap();
        let rows = ticket_rows(&t, None, &Thresholds::default());
        let all = rows[0].2;
        assert_eq!((all.tickets_taken, all.tickets_called, all.wait_seconds, all.overtime), (1, 1, 1230, 1));
        assert!(rows.iter().any(|(d, v, _)| *d == Dim::Wait && v == "020"));
        assert!(rows.iter().any(|(d, v, _)| *d == Dim::Business && v.is_empty()));
    }

    #[test]
    fn p90_is_the_end_of_the_minute_that_reaches_ninety_percent() {
        assert_eq!(p90(&BTreeMap::new()), None);
        // 9 tickets in minute 0, 1 in minute 30: 90 % reached in minute 0
        assert_eq!(p90(&[(0, 9), (30, 1)].into()), Some(60));
        // 8 and 2: reached only in minute 30
        assert_eq!(p90(&[(0, 8), (30, 2)].into()), Some(31 * 60));
        assert_eq!(p90(&[(120, 1)].into()), Some(7200));
        let f = ServiceFigures::compute(
            ServiceCounts {
                ratings: 3,
                scores: [1, 0, 0, 1, 1],
                tickets_called: 4,
                wait_seconds: 1001,
                overtime: 1,
                ..Default::default()
            },
            &[(1, 4)].into(),
            BTreeMap::new(),
        );
        assert_eq!(f.counter_satisfaction_rate.display(), "66.67%");
        assert_eq!((f.average_wait_seconds, f.overtime_wait_ratio.display()), (Some(250), "25.00%".to_string()));
    }
}
