//! What a deadline alert does (预警与超时督办): whether it is due, whether the order climbs a unit,
//! which role of the escalation chain is told, and when their mail may go. Pure: the writer asks
//! [`plan`], finds the parent unit and the people, and writes what the plan says.

use super::{Alert, ClockKind, Policy};
use crate::calendar::Calendar;
use crate::complaint::{Action, Order, UnitRef};
use crate::role::Role;
use crate::time::Instant;

/// What people are told, as codes: the text catalogue words it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub clock: ClockKind,
    /// The warning's percent of the clock's time, or the breach's level.
    pub level: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    ClockWarning,
    ClockBreach,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClockWarning => "clock_warning",
            Self::ClockBreach => "clock_breach",
        }
    }
}

/// An alert that is due, and all it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPlan {
    pub alert: Alert,
    /// The clock's due time the alert is about.
    pub due_at: Instant,
    /// Move the order up one unit as well (the policy's automatic escalation, from the second
    /// breach level on), as the system actor.
    pub escalate: bool,
    /// The chain's role for this level, looked for from the order's unit upwards; None when the chain
    /// is shorter than the level.
    pub notify: Option<Role>,
    /// When mail may be sent: at once, or at the next opening when the policy holds mail outside
    /// opening hours.
    pub send_after: Instant,
    pub notice: Notice,
}

impl AlertPlan {
    /// The system's escalation of the order to its parent unit `to`, which the plan calls for: its
    /// reason is the breached clock, as a code.
    pub fn escalation(&self, to: UnitRef) -> Action {
        Action::Escalate { to: Some(to), reason: String::new(), overdue: Some(self.notice.clock) }
    }
}

/// What a clock's next alert is at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// It is due: do this.
    Now(AlertPlan),
    /// Not due (already fired, the clock moved, the policy changed): when it will be, if ever.
    Later(Option<Instant>),
}

/// Plans the next alert of the order's `clock` at `now`; None when the order has no such clock.
pub fn plan(order: &Order, clock: ClockKind, now: Instant, policy: &Policy, cal: &Calendar) -> Option<Due> {
    let c = order.clock(clock)?;
    let alert = match policy.next_alert(cal, c, order.channel, order.category.as_deref()) {
        Some((due, alert)) if due <= now => alert,
        other => return Some(Due::Later(other.map(|(t, _)| t))),
    };
    let (kind, level, chain_level) = match alert {
        Alert::Warning { percent } => (NoticeKind::ClockWarning, percent, 1),
        Alert::Breach { level } => (NoticeKind::ClockBreach, level, usize::from(level)),
    };
    let hours = &policy.opening_hours;
    let send_after = if policy.escalation.working_hours_only && !hours.is_open(cal, now) {
        hours.add_minutes(cal, now, 0)
    } else {
        now
    };
    Some(Due::Now(AlertPlan {
        alert,
        due_at: c.due_at,
        escalate: policy.escalation.auto_escalate && matches!(alert, Alert::Breach { level } if level >= 2),
        notify: policy.escalation.chain.get(chain_level.saturating_sub(1)).copied(),
        send_after,
        notice: Notice { kind, clock, level },
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::time::start_of_local_day;
    use chrono::{Duration, NaiveDate};

    fn order(at: Instant, policy: &Policy, cal: &Calendar) -> Order {
        let clocks = policy.initial_clocks(cal, Channel::Counter, None, at);
        Order::registered(1, 10, at, 7, Channel::Counter, None, None, clocks, false)
    }

    fn fire(o: &mut Order, kind: ClockKind) {
        let c = o.clocks.iter_mut().find(|c| c.kind == kind).unwrap();
        c.alerts_fired += 1;
    }

    #[test]
    fn warning_then_breaches_climb_the_chain_and_escalate_from_the_second_level() {
        let cal = Calendar::china();
        let mut policy = Policy::default();
        policy.escalation.auto_escalate = true;
        policy.escalation.working_hours_only = false;
        // Monday 2025-03-03 09:00
        let t0 = start_of_local_day(NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()) + Duration::hours(9);
        let mut o = order(t0, &policy, &cal);
        let due = o.clock(ClockKind::Response).unwrap().due_at;
        assert_eq!(plan(&o, ClockKind::Review, t0, &policy, &cal), None, "no review clock");
        let Some(Due::Later(Some(first))) = plan(&o, ClockKind::Response, t0, &policy, &cal) else { panic!() };
        assert!(first > t0 && first < due);
        let mut levels = Vec::new();
        let mut at = first;
        for _ in 0..10 {
            let Some(Due::Now(p)) = plan(&o, ClockKind::Response, at, &policy, &cal) else { break };
            assert_eq!(p.due_at, due);
            assert_eq!(p.send_after, at);
            levels.push((p.alert, p.escalate, p.notify));
            fire(&mut o, ClockKind::Response);
            match plan(&o, ClockKind::Response, at, &policy, &cal) {
                Some(Due::Later(Some(next))) => at = next,
                _ => break,
            }
        }
        let chain = &policy.escalation.chain;
        assert!(chain.len() >= 2, "{chain:?}");
        let warnings = levels.iter().take_while(|l| matches!(l.0, Alert::Warning { .. })).count();
        assert!(warnings >= 1, "{levels:?}");
        for w in &levels[..warnings] {
            assert_eq!((w.1, w.2), (false, chain.first().copied()), "a warning tells the first of the chain");
        }
        assert_eq!(levels[warnings], (Alert::Breach { level: 1 }, false, chain.first().copied()));
        assert_eq!(levels[warnings + 1], (Alert::Breach { level: 2 }, true, chain.get(1).copied()));
    }

    #[test]
    fn mail_outside_opening_hours_waits_for_the_next_opening_when_the_policy_says_so() {
        let cal = Calendar::china();
        let mut policy = Policy::default();
        policy.escalation.working_hours_only = true;
        // Friday 2025-03-07 16:30: the response clock runs out after closing
        let t0 = start_of_local_day(NaiveDate::from_ymd_opt(2025, 3, 7).unwrap()) + Duration::minutes(16 * 60 + 30);
        let o = order(t0, &policy, &cal);
        let saturday = start_of_local_day(NaiveDate::from_ymd_opt(2025, 3, 8).unwrap()) + Duration::hours(10);
        let Some(Due::Now(p)) = plan(&o, ClockKind::Response, saturday, &policy, &cal) else { panic!("not due") };
        assert!(p.send_after > saturday, "held past the weekend");
        assert!(
            policy.opening_hours.is_open(&cal, p.send_after)
                || p.send_after == policy.opening_hours.add_minutes(&cal, saturday, 0)
        );
        policy.escalation.working_hours_only = false;
        let Some(Due::Now(p)) = plan(&o, ClockKind::Response, saturday, &policy, &cal) else { panic!("not due") };
        assert_eq!(p.send_after, saturday);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Whatever the clock has fired and whenever it is asked, the plan keeps the policy's word.
        #[test]
        fn the_plan_follows_the_policy(
            fired in 0u8..8,
            minutes in 0i64..(40 * 24 * 60),
            auto_escalate in any::<bool>(),
            working_hours_only in any::<bool>(),
            kind in prop::sample::select(vec![ClockKind::Response, ClockKind::Decision, ClockKind::Completion]),
        ) {
            let cal = Calendar::china();
            let mut policy = Policy::default();
            policy.escalation.auto_escalate = auto_escalate;
            policy.escalation.working_hours_only = working_hours_only;
            let t0 = start_of_local_day(NaiveDate::from_ymd_opt(2025, 4, 28).unwrap()) + Duration::hours(15);
            let mut o = order(t0, &policy, &cal);
            o.clocks.iter_mut().filter(|c| c.kind == kind).for_each(|c| c.alerts_fired = fired);
            let now = t0 + Duration::minutes(minutes);
            let clock = o.clock(kind).unwrap().clone();
            let next = policy.next_alert(&cal, &clock, o.channel, o.category.as_deref());
            match plan(&o, kind, now, &policy, &cal) {
                None => prop_assert!(false, "the order has this clock"),
                Some(Due::Later(at)) => {
                    prop_assert_eq!(at, next.map(|(t, _)| t));
                    prop_assert!(at.is_none_or(|t| t > now), "due but not planned");
                }
                Some(Due::Now(p)) => {
                    let (due, alert) = next.expect("an alert that was never going to come");
                    prop_assert!(due <= now);
                    prop_assert_eq!(p.alert, alert);
                    prop_assert_eq!(p.due_at, clock.due_at);
                    let level = match alert { Alert::Warning { .. } => 1, Alert::Breach { level } => usize::from(level) };
                    prop_assert_eq!(p.notify, policy.escalation.chain.get(level - 1).copied());
                    prop_assert_eq!(p.escalate, auto_escalate && matches!(alert, Alert::Breach { level } if level >= 2));
                    prop_assert!(p.send_after >= now);
                    if !working_hours_only || policy.opening_hours.is_open(&cal, now) {
                        prop_assert_eq!(p.send_after, now, "held though it need not be");
                    } else {
                        prop_assert!(p.send_after > now, "sent outside opening hours");
                        prop_assert!(policy.opening_hours.is_open(&cal, p.send_after), "not held to an opening");
                        prop_assert!(!policy.opening_hours.is_open(&cal, p.send_after - Duration::minutes(1)), "held past the opening");
                    }
                    let (kind_code, lvl) = match alert {
                        Alert::Warning { percent } => (NoticeKind::ClockWarning, percent),
                        Alert::Breach { level } => (NoticeKind::ClockBreach, level),
                    };
                    prop_assert_eq!(p.notice, Notice { kind: kind_code, clock: kind, level: lvl });
                }
            }
        }
    }
}
