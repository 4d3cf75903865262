//! One queue ticket: taken, called and finished, at an outlet on a local day. The queue system sends
//! a ticket when it is taken and again as it is called and finished; a later send completes the
//! earlier one. Waiting time is called − taken; a wait longer than the threshold of the ticket's
//! business type is an overtime wait.

use super::rating::{code, optional_code, past_time};
use crate::error::{FieldError, keep};
use crate::time::{Instant, local_date};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// A ticket as the queue system sends it (DESIGN §7), every field as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketIn {
    /// The outlet's org code.
    pub outlet: String,
    /// The ticket's number as printed ("A012"); with the outlet and the local day of `taken_at`, its identity.
    pub number: String,
    /// The business type's code ("personal", "corporate", …), which picks the overtime threshold.
    #[serde(default)]
    pub business: Option<String>,
    /// RFC 3339 with offset.
    pub taken_at: String,
    #[serde(default)]
    pub called_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub window: Option<String>,
    /// The username of the teller who called it.
    #[serde(default)]
    pub teller: Option<String>,
}

/// A ticket whose every field parsed and whose times are in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub outlet: String,
    pub number: String,
    pub business: Option<String>,
    pub taken_at: Instant,
    pub called_at: Option<Instant>,
    pub finished_at: Option<Instant>,
    pub window: Option<String>,
    pub teller: Option<String>,
}

impl Ticket {
    /// Every fault of the row at once.
    pub fn parse(t: &TicketIn, now: Instant) -> Result<Self, Vec<FieldError>> {
        let mut f = Vec::new();
        let outlet = keep(&mut f, code("outlet", &t.outlet));
        let number = keep(&mut f, code("number", &t.number));
        let business = keep(&mut f, optional_code("business", t.business.as_deref()));
        let taken_at = keep(&mut f, past_time("taken_at", &t.taken_at, now));
        let when = |field: &str, v: Option<&str>| match v.map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => past_time(field, v, now).map(Some),
        };
        let called_at = keep(&mut f, when("called_at", t.called_at.as_deref()));
        let finished_at = keep(&mut f, when("finished_at", t.finished_at.as_deref()));
        let window = keep(&mut f, optional_code("window", t.window.as_deref()));
        let teller = keep(&mut f, optional_code("teller", t.teller.as_deref()));
        if let (Some(taken), Some(Some(called))) = (taken_at, called_at)
            && called < taken
        {
            f.push(FieldError::because("called_at", "field.before").with_word("other", "field_name.taken_at"));
        }
        if let (Some(Some(finished)), Some(called)) = (finished_at, called_at) {
            match called {
                None => f.push(
                    FieldError::because("called_at", "field.required_with")
                        .with_word("other", "field_name.finished_at"),
                ),
                Some(called) if finished < called => f.push(
                    FieldError::because("finished_at", "field.before").with_word("other", "field_name.called_at"),
                ),
                Some(_) => {}
            }
        }
        match (outlet, number, business, taken_at, called_at, finished_at, window, teller) {
            (
                Some(outlet),
                Some(number),
                Some(business),
                Some(taken_at),
                Some(called_at),
                Some(finished_at),
                Some(window),
                Some(teller),
            ) if f.is_empty() => {
                Ok(Self { outlet, number, business, taken_at, called_at, finished_at, window, teller })
            }
            _ => Err(f),
        }
    }

    /// The local day the ticket was taken on: with the outlet and number, its identity.
    pub fn day(&self) -> NaiveDate {
        local_date(self.taken_at)
    }

    /// Called − taken, once called.
    pub fn wait(&self) -> Option<Duration> {
        self.called_at.map(|c| c - self.taken_at)
    }

    /// This send merged into what was stored: times and names already stored stay unless this send
    /// gives them for the first time; a different value for one already stored is a fault.
    pub fn completing(&self, stored: &Ticket) -> Result<Ticket, Vec<FieldError>> {
        let mut f = Vec::new();
        fn fill<T: Clone + PartialEq + std::fmt::Debug>(
            f: &mut Vec<FieldError>,
            field: &str,
            old: &Option<T>,
            new: &Option<T>,
        ) -> Option<T> {
            match (old, new) {
                (Some(o), Some(n)) if o != n => {
                    f.push(FieldError::because(field, "field.already_recorded"));
                    Some(o.clone())
                }
                (Some(o), _) => Some(o.clone()),
                (None, n) => n.clone(),
            }
        }
        let merged = Ticket {
            outlet: stored.outlet.clone(),
            number: stored.number.clone(),
            business: fill(&mut f, "business", &stored.business, &self.business),
            taken_at: stored.taken_at,
            called_at: fill(&mut f, "called_at", &stored.called_at, &self.called_at),
            finished_at: fill(&mut f, "finished_at", &stored.finished_at, &self.finished_at),
            window: fill(&mut f, "window", &stored.window, &self.window),
            teller: fill(&mut f, "teller", &stored.teller, &self.teller),
        };
        if self.taken_at != stored.taken_at {
            f.push(FieldError::because("taken_at", "field.already_recorded"));
        }
        if f.is_empty() { Ok(merged) } else { Err(f) }
    }
}

/// The default overtime threshold (DESIGN §3).
pub const DEFAULT_OVERTIME_MINUTES: i64 = 20;

/// How long a customer may wait before it counts as an overtime wait: per business type, else the
/// bank's own threshold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Minutes, for a business type without its own.
    pub default_minutes: i64,
    /// Minutes per business type code.
    #[serde(default)]
    pub by_business: BTreeMap<String, i64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { default_minutes: DEFAULT_OVERTIME_MINUTES, by_business: BTreeMap::new() }
    }
}

impl Thresholds {
    pub fn minutes(&self, business: Option<&str>) -> i64 {
        business.and_then(|b| self.by_business.get(b)).copied().unwrap_or(self.default_minutes)
    }

    /// A wait longer than the threshold (a wait of exactly the threshold is in time).
    pub fn overtime(&self, business: Option<&str>, wait: Duration) -> bool {
        wait > Duration::minutes(self.minutes(business))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn taken() -> TicketIn {
        TicketIn {
            outlet: "BJ0101".into(),
            number: "A012".into(),
            business: Some("personal".into()),
            taken_at: "2026-12-01T09:00:00+08:00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_later_send_completes_the_ticket_and_cannot_change_it() {
        let now = at("2026-12-01T12:00:00+08:00");
        let first = Ticket::parse(&taken(), now).unwrap();
        assert_eq!((first.wait(), first.day()), (None, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        let called = TicketIn {
            called_at: Some("2026-12-01T09:21:00+08:00".into()),
            teller: Some("bj0101.teller".into()),
            business: None,
            ..taken()
        };
        let done = Ticket::parse(&called, now).unwrap().completing(&first).unwrap();
        assert_eq!(done.wait(), Some(Duration::minutes(21)));
        assert_eq!(done.business.as_deref(), Some("personal"), "what was stored stays");
        let changed = TicketIn { called_at: Some("2026-12-01T09:30:00+08:00".into()), ..called };
        let faults = Ticket::parse(&changed, now).unwrap().completing(&done).unwrap_err();
        assert_eq!(faults[0].field, "called_at");
    }

    #[test]
    fn times_out_of_order_are_named() {
        let now = at("2026-12-01T12:00:00+08:00");
        let bad = TicketIn {
            called_at: Some("2026-12-01T08:59:00+08:00".into()),
            finished_at: Some("2026-12-01T08:58:00+08:00".into()),
            ..taken()
        };
        let f = Ticket::parse(&bad, now).unwrap_err();
        let named: Vec<(&str, &str)> = f.iter().map(|e| (e.field.as_str(), e.reason)).collect();
        assert_eq!(named, [("called_at", "field.before"), ("finished_at", "field.before")]);
        let finished_only = TicketIn { finished_at: Some("2026-12-01T09:10:00+08:00".into()), ..taken() };
        assert_eq!(Ticket::parse(&finished_only, now).unwrap_err()[0].reason, "field.required_with");
    }

    #[test]
    fn overtime_is_longer_than_the_business_types_threshold() {
        let t = Thresholds { default_minutes: 20, by_business: [("vip".to_string(), 5)].into() };
        assert!(!t.overtime(Some("personal"), Duration::minutes(20)));
        assert!(t.overtime(None, Duration::minutes(20) + Duration::seconds(1)));
        assert!(t.overtime(Some("vip"), Duration::minutes(6)));
    }
}
