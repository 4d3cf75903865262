//! One counter rating: the evaluator's score of a served customer, with the reason when the customer
//! was dissatisfied, and the burst rule that flags a device pressed faster than customers are served.

use crate::error::{FieldError, keep};
use crate::time::Instant;
use chrono::Duration;

/// A score on the evaluator's five keys: 5 very satisfied … 1 very dissatisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    pub fn parse(field: &str, v: i64) -> Result<Self, FieldError> {
        match u8::try_from(v) {
            Ok(s @ 1..=5) => Ok(Self(s)),
            _ => Err(FieldError::because(field, "field.score_range").with("value", v)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// Very satisfied or satisfied: what counter satisfaction counts.
    pub fn satisfied(self) -> bool {
        self.0 >= 4
    }

    /// Dissatisfied or very dissatisfied: a reason is required.
    pub fn dissatisfied(self) -> bool {
        self.0 <= 2
    }
}

/// A rating as a device sends it (DESIGN §7), every field as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    /// The evaluator's own identifier; with `seq` the rating's identity.
    pub device: String,
    /// The device's sequence number of this rating; a re-sent one is counted once.
    pub seq: i64,
    /// The outlet's org code.
    pub outlet: String,
    /// The teller's username.
    pub teller: String,
    #[serde(default)]
    pub window: Option<String>,
    /// RFC 3339 with offset.
    pub rated_at: String,
    /// 1–5.
    pub score: i64,
    /// A code of the `dissatisfaction_reason` classes; required when the score is 1 or 2.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A rating whose every field parsed; the outlet and the teller are still names, which the store
/// resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub device: String,
    pub seq: i64,
    pub outlet: String,
    pub teller: String,
    pub window: Option<String>,
    pub rated_at: Instant,
    pub score: Score,
    pub reason: Option<String>,
}

/// How far ahead of the server's clock a device's time may run (clocks drift).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A code-like field: given, trimmed, at most [`super::MAX_CODE`] characters.
pub(crate) fn code(field: &str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(FieldError::because(field, "field.required"));
    }
    let len = v.chars().count();
    if len > super::MAX_CODE {
        return Err(FieldError::because(field, "field.too_long").with("max", super::MAX_CODE).with("len", len));
    }
    Ok(v.to_string())
}

/// An optional code-like field: blank is none.
pub(crate) fn optional_code(field: &str, v: Option<&str>) -> Result<Option<String>, FieldError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => code(field, v).map(Some),
    }
}

/// A time with its offset, not later than `now` plus the clock skew.
pub(crate) fn past_time(field: &str, v: &str, now: Instant) -> Result<Instant, FieldError> {
    let t = chrono::DateTime::parse_from_rfc3339(v.trim())
        .map_err(|_| FieldError::because(field, "field.bad_time").with("value", v))?
        .to_utc();
    if t > now + CLOCK_SKEW {
        return Err(FieldError::because(field, "field.in_future"));
    }
    Ok(crate::time::to_stored_precision(t))
}

impl Rating {
    /// Every fault of the row at once. `reason_known` says whether a code is an active
    /// dissatisfaction reason.
    pub fn parse(r: &RatingIn, now: Instant, reason_known: impl Fn(&str) -> bool) -> Result<Self, Vec<FieldError>> {
        let mut f = Vec::new();
        let device = keep(&mut f, code("device", &r.device));
        let seq =
            keep(&mut f, if r.seq < 0 { Err(FieldError::because("seq", "field.not_negative")) } else { Ok(r.seq) });
        let outlet = keep(&mut f, code("outlet", &r.outlet));
        let teller = keep(&mut f, code("teller", &r.teller));
        let window = keep(&mut f, optional_code("window", r.window.as_deref()));
        let rated_at = keep(&mut f, past_time("rated_at", &r.rated_at, now));
        let score = keep(&mut f, Score::parse("score", r.score));
        let reason = match (score, r.reason.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (Some(s), None) if s.dissatisfied() => {
                f.push(FieldError::because("reason", "field.reason_for_low_score"));
                None
            }
            (_, Some(code)) if !reason_known(code) => {
                f.push(FieldError::because("reason", "field.unknown_reason").with("value", code));
                None
            }
            (_, reason) => reason.map(str::to_string),
        };
        match (device, seq, outlet, teller, window, rated_at, score) {
            (Some(device), Some(seq), Some(outlet), Some(teller), Some(window), Some(rated_at), Some(score))
                if f.is_empty() =>
            {
                Ok(Self { device, seq, outlet, teller, window, rated_at, score, reason })
            }
            _ => Err(f),
        }
    }
}

/// Which of a device's ratings came faster than `min_interval` after the one before it: `last` is
/// the latest rating stored for the device, `times` the new ones in the order given. A rating is
/// compared with the nearest earlier one among the stored latest and the new ones; one older than
/// the stored latest (a late re-send) is compared only with the new ones.
pub fn bursts(last: Option<Instant>, times: &[Instant], min_interval: Duration) -> Vec<bool> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| times[i]);
    let mut flagged = vec![false; times.len()];
    let mut before: Option<Instant> = None;
    for i in order {
        let t = times[i];
        let prev = match (before, last) {
            (Some(b), Some(l)) if l <= t => Some(b.max(l)),
            (Some(b), _) => Some(b),
            (None, Some(l)) if l <= t => Some(l),
            _ => None,
        };
        flagged[i] = prev.is_some_and(|p| t - p < min_interval);
        before = Some(t);
    }
    flagged
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn row() -> RatingIn {
        RatingIn {
            device: "EV-01".into(),
            seq: 7,
            outlet: "BJ0101".into(),
            teller: "bj0101.teller".into(),
            window: Some("3".into()),
            rated_at: "2026-12-01T10:00:00+08:00".into(),
            score: 5,
            reason: None,
        }
    }

    #[test]
    fn a_good_row_parses_and_scores_say_what_they_count() {
        let now = at("2026-12-01T12:00:00+08:00");
        let r = Rating::parse(&row(), now, |_| true).unwrap();
        assert_eq!((r.score.get(), r.score.satisfied(), r.score.dissatisfied()), (5, true, false));
        assert!(!Score::parse("s", 3).unwrap().satisfied() && !Score::parse("s", 3).unwrap().dissatisfied());
        assert!(Score::parse("s", 2).unwrap().dissatisfied());
    }

    #[test]
    fn every_fault_of_a_row_is_named_at_once() {
        let now = at("2026-12-01T12:00:00+08:00");
        let bad = RatingIn {
            device: " ".into(),
            seq: -1,
            outlet: String::new(),
            teller: "x".repeat(65),
            window: None,
            rated_at: "2026-12-01T12:06:00+08:00".into(),
            score: 1,
            reason: None,
        };
        let faults = Rating::parse(&bad, now, |_| true).unwrap_err();
        let named: Vec<(&str, &str)> = faults.iter().map(|f| (f.field.as_str(), f.reason)).collect();
        assert_eq!(
            named,
            [
                ("device", "field.required"),
                ("seq", "field.not_negative"),
                ("outlet", "field.required"),
                ("teller", "field.too_long"),
                ("rated_at", "field.in_future"),
                ("reason", "field.reason_for_low_score"),
            ]
        );
        let odd = RatingIn { score: 6, reason: Some("42".into()), rated_at: "yesterday".into(), ..row() };
        let faults = Rating::parse(&odd, now, |c| c == "01").unwrap_err();
        let named: Vec<(&str, &str)> = faults.iter().map(|f| (f.field.as_str(), f.reason)).collect();
        assert_eq!(
            named,
            [("rated_at", "field.bad_time"), ("score", "field.score_range"), ("reason", "field.unknown_reason")]
        );
        // within the skew a device's clock may run ahead
        assert!(
            Rating::parse(&RatingIn { rated_at: "2026-12-01T12:04:59+08:00".into(), ..row() }, now, |_| true).is_ok()
        );
    }

    #[test]
    fn bursts_are_ratings_closer_than_the_interval_to_the_one_before() {
        let t = |s: i64| at("2026-12-01T10:00:00+08:00") + Duration::seconds(s);
        let min = Duration::seconds(10);
        // given out of order: 0, 30, 35 (burst), 36 (burst), 50
        assert_eq!(bursts(None, &[t(35), t(0), t(50), t(30), t(36)], min), [true, false, false, false, true]);
        // the stored latest counts for later ones, not for a late re-send before it
        assert_eq!(bursts(Some(t(100)), &[t(105), t(120), t(95)], min), [true, false, false]);
        assert_eq!(bursts(Some(t(100)), &[t(110)], min), [false], "exactly the interval is not a burst");
    }
}
