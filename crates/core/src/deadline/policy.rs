//! The bank's deadline policy, as data: which clocks run and for how long, overridable per intake
//! channel and category; when warnings fire; the extension tiers and who approves the last one; and
//! the escalation chain a breach climbs. Stored as a JSON document and edited by admins.

use super::period::{OpeningHours, Period, Unit};
use super::{Alert, Clock, ClockKind};
use crate::FieldError;
use crate::calendar::Calendar;
use crate::channel::Channel;
use crate::role::Role;
use crate::time::Instant;
use serde::{Deserialize, Serialize};

/// One clock's length and the points (percent of its length) at which a warning fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    pub period: Period,
    #[serde(default)]
    pub warn_at: Vec<u8>,
}

impl ClockRule {
    pub const fn new(length: u32, unit: Unit) -> Self {
        Self { period: Period::new(length, unit), warn_at: Vec::new() }
    }

    fn warned(mut self, at: &[u8]) -> Self {
        self.warn_at = at.to_vec();
        self
    }
}

/// A different rule for one clock of the orders of a channel, a category (and its subclasses), or both.
/// `rule: null` turns the clock off for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub clock: ClockKind,
    pub channel: Option<Channel>,
    pub category: Option<String>,
    pub rule: Option<ClockRule>,
}

impl Override {
    fn applies(&self, kind: ClockKind, channel: Channel, category: Option<&str>) -> bool {
        self.clock == kind
            && self.channel.is_none_or(|c| c == channel)
            && self.category.as_deref().is_none_or(|c| category.is_some_and(|k| k.starts_with(c)))
    }

    /// More specific overrides win: channel and category, then a longer category code, then channel.
    fn specificity(&self) -> (bool, usize, bool) {
        (
            self.channel.is_some() && self.category.is_some(),
            self.category.as_ref().map_or(0, String::len),
            self.channel.is_some(),
        )
    }
}

/// Who hears of a breach, level by level, and what else happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Roles notified at breach level 1, 2, 3, …: each found by walking up the org tree from the
    /// order's unit.
    pub chain: Vec<Role>,
    /// Time from one level to the next after the breach.
    pub step: Period,
    /// Also escalate the order to the parent unit at every level after the first.
    pub auto_escalate: bool,
    /// Hold notifications that fall outside opening hours until the next opening.
    pub working_hours_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub opening_hours: OpeningHours,
    /// The bank's one-hour response to a forwarded order.
    pub response: Option<ClockRule>,
    /// The regulatory handling decision: 15 days from receipt.
    pub decision: ClockRule,
    /// The bank's own time-limited completion target (限时办结).
    pub completion: Option<ClockRule>,
    /// The superior unit's re-review.
    pub review: ClockRule,
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// The decision period from receipt after the first and the second extension (calendar days).
    pub extension_days: [u32; 2],
    /// Roles that may grant the second extension (the superior unit or a head-office senior manager).
    pub extension_approvers: Vec<Role>,
    /// Days after the decision within which the complainant may ask for a re-review.
    pub review_request_days: u32,
    /// Window in which a new complaint from the same complainant counts as a repeat.
    pub repeat_window_days: u32,
    pub escalation: Escalation,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            opening_hours: OpeningHours::nine_to_five(),
            response: Some(ClockRule::new(1, Unit::Hours).warned(&[50, 80])),
            decision: ClockRule::new(15, Unit::CalendarDays).warned(&[50, 80]),
            completion: Some(ClockRule::new(10, Unit::WorkingDays).warned(&[80])),
            review: ClockRule::new(30, Unit::CalendarDays).warned(&[80]),
            overrides: vec![Override {
                clock: ClockKind::Completion,
                channel: Some(Channel::Regulator),
                category: None,
                rule: Some(ClockRule::new(5, Unit::WorkingDays).warned(&[50, 80])),
            }],
            extension_days: [30, 60],
            extension_approvers: vec![Role::OperationsSupervisor, Role::VicePresident, Role::President, Role::CpCentre],
            review_request_days: 30,
            repeat_window_days: 90,
            escalation: Escalation {
                chain: vec![Role::OutletHead, Role::OperationsSupervisor, Role::VicePresident, Role::President],
                step: Period::new(1, Unit::WorkingDays),
                auto_escalate: false,
                working_hours_only: true,
            },
        }
    }
}

impl Policy {
    /// The rule for one clock of an order of this channel and category, if that clock runs.
    pub fn rule(&self, kind: ClockKind, channel: Channel, category: Option<&str>) -> Option<&ClockRule> {
        let over = self.overrides.iter().filter(|o| o.applies(kind, channel, category)).max_by_key(|o| o.specificity());
        match over {
            Some(o) => o.rule.as_ref(),
            None => match kind {
                ClockKind::Response => self.response.as_ref(),
                ClockKind::Decision => Some(&self.decision),
                ClockKind::Completion => self.completion.as_ref(),
                ClockKind::Review => Some(&self.review),
            },
        }
    }

    /// A clock of `kind` starting at `start`, if the policy runs one for this order.
    pub fn start(
        &self,
        cal: &Calendar,
        kind: ClockKind,
        channel: Channel,
        category: Option<&str>,
        start: Instant,
    ) -> Option<Clock> {
        let rule = self.rule(kind, channel, category)?;
        Some(Clock::start(kind, start, rule.period.end(cal, &self.opening_hours, start)))
    }

    /// The clocks a newly registered (or reopened) order starts with.
    pub fn initial_clocks(
        &self,
        cal: &Calendar,
        channel: Channel,
        category: Option<&str>,
        received_at: Instant,
    ) -> Vec<Clock> {
        [ClockKind::Response, ClockKind::Decision, ClockKind::Completion]
            .into_iter()
            .filter_map(|k| self.start(cal, k, channel, category, received_at))
            .collect()
    }

    /// The decision due time after extension `tier` (1 or 2).
    pub fn extended_decision_due(&self, cal: &Calendar, received_at: Instant, tier: u8) -> Option<Instant> {
        let days = *self.extension_days.get(usize::from(tier).checked_sub(1)?)?;
        Some(cal.period_end_calendar_days(received_at, days))
    }

    /// The instants at which warnings for `clock` fire, earliest first.
    pub fn warnings(&self, clock: &Clock, channel: Channel, category: Option<&str>) -> Vec<Instant> {
        let Some(rule) = self.rule(clock.kind, channel, category) else { return Vec::new() };
        let span = clock.due_at - clock.started_at;
        let mut at: Vec<Instant> = rule.warn_at.iter().map(|p| clock.started_at + span * i32::from(*p) / 100).collect();
        at.sort();
        at
    }

    /// The clock's next alert and when it falls due: its warnings, then breach level 1 at the due time
    /// and one more level per escalation step, up the chain. None for a clock that is met, stopped,
    /// paused, or past its last level.
    pub fn next_alert(
        &self,
        cal: &Calendar,
        clock: &Clock,
        channel: Channel,
        category: Option<&str>,
    ) -> Option<(Instant, Alert)> {
        if !clock.is_running() || clock.paused_at.is_some() {
            return None;
        }
        let warn_at = self.rule(clock.kind, channel, category).map(|r| r.warn_at.as_slice()).unwrap_or(&[]);
        let n = usize::from(clock.alerts_fired);
        if let Some(p) = warn_at.get(n) {
            let span = clock.due_at - clock.started_at;
            return Some((clock.started_at + span * i32::from(*p) / 100, Alert::Warning { percent: *p }));
        }
        let level = n - warn_at.len() + 1;
        if level > self.escalation.chain.len() {
            return None;
        }
        // Levels are counted from the due time in whole steps (a step of working days from a due
        // time at midnight must not skip a day).
        let steps = u32::try_from(level - 1).unwrap_or(u32::MAX);
        let at = if steps == 0 {
            clock.due_at
        } else {
            let step = self.escalation.step;
            // A due time of 24:00 belongs to the day that just ended: day-counted steps start there.
            let base = match step.unit {
                Unit::CalendarDays | Unit::WorkingDays => clock.due_at - chrono::Duration::milliseconds(1),
                Unit::Hours | Unit::BusinessHours => clock.due_at,
            };
            Period::new(step.length.saturating_mul(steps), step.unit).end(cal, &self.opening_hours, base)
        };
        Some((at, Alert::Breach { level: u8::try_from(level).unwrap_or(u8::MAX) }))
    }

    /// Checks the whole document; the error names the first field that is wrong.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.violations().into_iter().next().map_or(Ok(()), Err)
    }

    /// Every way the document is wrong, each naming its field (`decision.period.length`,
    /// `overrides[1].category`, `response.warn_at`), in the document's order.
    pub fn violations(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let rule = |out: &mut Vec<FieldError>, field: &str, r: &ClockRule| {
            if let Err(e) = r.period.validate(&format!("{field}.period")) {
                out.push(e);
            }
            let mut last = 0u8;
            for (i, p) in r.warn_at.iter().enumerate() {
                if *p == 0 || *p >= 100 || *p <= last {
                    out.push(FieldError::because(format!("{field}.warn_at[{i}]"), "field.warn_at"));
                    break;
                }
                last = *p;
            }
        };
        if let Some(r) = &self.response {
            rule(&mut out, "response", r);
        }
        rule(&mut out, "decision", &self.decision);
        if let Some(r) = &self.completion {
            rule(&mut out, "completion", r);
        }
        rule(&mut out, "review", &self.review);
        for (i, o) in self.overrides.iter().enumerate() {
            let field = format!("overrides[{i}]");
            if matches!(o.clock, ClockKind::Decision | ClockKind::Review) && o.rule.is_none() {
                out.push(FieldError::because(format!("{field}.rule"), "field.regulatory_clock"));
            }
            if let Some(c) = &o.category
                && !crate::classification::is_valid_code(c)
            {
                out.push(FieldError::because(format!("{field}.category"), "field.category_code"));
            }
            if o.channel.is_none() && o.category.is_none() {
                out.push(FieldError::because(field.to_string(), "field.override_scope"));
            }
            if let Some(r) = &o.rule {
                rule(&mut out, &format!("{field}.rule"), r);
            }
        }
        let [first, second] = self.extension_days;
        if first <= self.decision_days_hint() || second <= first || second > 60 {
            out.push(FieldError::because("extension_days", "field.extension_days"));
        }
        if self.escalation.chain.is_empty() || self.escalation.chain.len() > 8 {
            out.push(FieldError::because("escalation.chain", "field.escalation_chain"));
        }
        if let Err(e) = self.escalation.step.validate("escalation.step") {
            out.push(e);
        }
        if !(1..=366).contains(&self.repeat_window_days) {
            out.push(FieldError::because("repeat_window_days", "field.repeat_window"));
        }
        if !(1..=366).contains(&self.review_request_days) {
            out.push(FieldError::because("review_request_days", "field.review_window"));
        }
        out
    }

    /// The decision period in calendar days when it is stated in days (for checking extensions).
    fn decision_days_hint(&self) -> u32 {
        match self.decision.period.unit {
            Unit::CalendarDays | Unit::WorkingDays => self.decision.period.length,
            Unit::Hours | Unit::BusinessHours => 0,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::rfc3339;

    fn at(s: &str) -> Instant {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn every_violation_is_named() {
        let mut p = Policy::default();
        p.decision.period.length = 0;
        p.review.warn_at = vec![80, 50];
        p.repeat_window_days = 0;
        p.overrides[0].category = Some("x".into());
        let fields: Vec<String> = p.violations().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["decision.period.length", "review.warn_at[1]", "overrides[0].category", "repeat_window_days"]
        );
        assert_eq!(p.validate().unwrap_err().field, "decision.period.length");
    }

    #[test]
    fn default_policy_is_valid_and_round_trips_as_json() {
        let p = Policy::default();
        p.validate().unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"open\":\"09:00\""));
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);
    }

    #[test]
    fn overrides_pick_the_most_specific_rule() {
        let mut p = Policy::default();
        p.overrides.push(Override {
            clock: ClockKind::Completion,
            channel: None,
            category: Some("03".into()),
            rule: Some(ClockRule::new(7, Unit::WorkingDays)),
        });
        p.overrides.push(Override {
            clock: ClockKind::Completion,
            channel: Some(Channel::Regulator),
            category: Some("0302".into()),
            rule: Some(ClockRule::new(3, Unit::WorkingDays)),
        });
        p.overrides.push(Override {
            clock: ClockKind::Response,
            channel: Some(Channel::Counter),
            category: None,
            rule: None,
        });
        let len = |k, ch, cat| p.rule(k, ch, cat).map(|r| r.period.length);
        assert_eq!(len(ClockKind::Completion, Channel::Counter, None), Some(10));
        assert_eq!(len(ClockKind::Completion, Channel::Regulator, None), Some(5));
        assert_eq!(len(ClockKind::Completion, Channel::Counter, Some("0301")), Some(7));
        assert_eq!(len(ClockKind::Completion, Channel::Regulator, Some("0302")), Some(3));
        assert_eq!(len(ClockKind::Completion, Channel::Regulator, Some("0301")), Some(7));
        assert_eq!(len(ClockKind::Response, Channel::Counter, None), None);
        assert_eq!(len(ClockKind::Response, Channel::Hotline, None), Some(1));
        p.validate().unwrap();
    }

    #[test]
    fn initial_clocks_follow_the_rules() {
        let cal = Calendar::china();
        let p = Policy::default();
        let clocks = p.initial_clocks(&cal, Channel::Regulator, Some("01"), at("2025-01-20T10:00:00+08:00"));
        let kinds: Vec<ClockKind> = clocks.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ClockKind::Response, ClockKind::Decision, ClockKind::Completion]);
        assert_eq!(rfc3339(clocks[1].due_at), "2025-02-06T00:00:00.000+08:00");
        // 5 working days after Monday 2025-01-20: 21, 22, 23, 24, 26 (Sunday, adjusted working day)
        assert_eq!(rfc3339(clocks[2].due_at), "2025-01-27T00:00:00.000+08:00");
    }

    #[test]
    fn warnings_fire_at_their_fractions() {
        let cal = Calendar::china();
        let p = Policy::default();
        let start = at("2025-03-03T09:00:00+08:00");
        let c = p.start(&cal, ClockKind::Response, Channel::Hotline, None, start).unwrap();
        let w: Vec<String> = p.warnings(&c, Channel::Hotline, None).into_iter().map(rfc3339).collect();
        assert_eq!(w, ["2025-03-03T09:30:00.000+08:00", "2025-03-03T09:48:00.000+08:00"]);
    }

    #[test]
    fn alerts_come_in_order_warnings_then_breach_levels_up_the_chain() {
        let cal = Calendar::china();
        let p = Policy::default();
        // Friday 2025-03-07 16:00, one-hour response: warnings at 16:30 and 16:48, breach at 17:00,
        // then one working day per level: Monday, Tuesday, Wednesday.
        let mut c =
            p.start(&cal, ClockKind::Response, Channel::Hotline, None, at("2025-03-07T16:00:00+08:00")).unwrap();
        let mut seen = Vec::new();
        while let Some((when, alert)) = p.next_alert(&cal, &c, Channel::Hotline, None) {
            seen.push((rfc3339(when), alert));
            c.alerts_fired += 1;
        }
        assert_eq!(
            seen,
            [
                ("2025-03-07T16:30:00.000+08:00".to_string(), Alert::Warning { percent: 50 }),
                ("2025-03-07T16:48:00.000+08:00".to_string(), Alert::Warning { percent: 80 }),
                ("2025-03-07T17:00:00.000+08:00".to_string(), Alert::Breach { level: 1 }),
                ("2025-03-11T00:00:00.000+08:00".to_string(), Alert::Breach { level: 2 }),
                ("2025-03-12T00:00:00.000+08:00".to_string(), Alert::Breach { level: 3 }),
                ("2025-03-13T00:00:00.000+08:00".to_string(), Alert::Breach { level: 4 }),
            ]
        );
        // a decision due at 24:00 of Tuesday 2025-03-18 climbs a level at the end of each working day after
        let d = Clock::start(ClockKind::Decision, at("2025-03-03T09:00:00+08:00"), at("2025-03-19T00:00:00+08:00"));
        let d = Clock { alerts_fired: 3, ..d };
        assert_eq!(
            p.next_alert(&cal, &d, Channel::Hotline, None).map(|(t, _)| rfc3339(t)).unwrap(),
            "2025-03-20T00:00:00.000+08:00"
        );
        // nothing while paused or once met
        c.alerts_fired = 0;
        c.paused_at = Some(at("2025-03-07T16:10:00+08:00"));
        assert!(p.next_alert(&cal, &c, Channel::Hotline, None).is_none());
        c.paused_at = None;
        c.met_at = Some(at("2025-03-07T16:10:00+08:00"));
        assert!(p.next_alert(&cal, &c, Channel::Hotline, None).is_none());
    }

    #[test]
    fn bad_policies_name_the_field() {
        let mut p = Policy::default();
        p.decision.warn_at = vec![80, 50];
        assert_eq!(p.validate().unwrap_err().field, "decision.warn_at[1]");
        let mut p = Policy::default();
        p.overrides.push(Override {
            clock: ClockKind::Decision,
            channel: Some(Channel::Media),
            category: None,
            rule: None,
        });
        assert_eq!(p.validate().unwrap_err().field, "overrides[1].rule");
        let p = Policy { extension_days: [30, 90], ..Policy::default() };
        assert_eq!(p.validate().unwrap_err().field, "extension_days");
        let mut p = Policy::default();
        p.escalation.chain.clear();
        assert_eq!(p.validate().unwrap_err().field, "escalation.chain");
    }
}
