//! The complaint measures (DESIGN §5): what each order adds to the counters of its unit, and the
//! figures computed from summed counters and the unit's customers and transactions.
//!
//! Counters are kept by the day an order was received (its cohort): a period's figures describe the
//! complaints received in that period and how each has been handled so far. An order's contribution
//! depends only on its current projection, so a change adds `contribution(after) − contribution(before)`
//! and a rebuild sums the contributions of the orders replayed from their events: both give the same.

use crate::channel::Channel;
use crate::complaint::{Feedback, Order};
use crate::deadline::{Clock, ClockKind};
use crate::time::local_date;
use chrono::Datelike;

/// The counters an order adds to its unit (and each unit above it) for the day it was received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub received: i64,
    pub repeat: i64,
    pub over_level: i64,
    /// Escalated at least once.
    pub escalated: i64,
    pub transferred: i64,
    /// Response clock ended: met, or its breach recorded.
    pub response_ended: i64,
    /// … met before its due time.
    pub response_timely: i64,
    pub decided: i64,
    /// Decided within the decision clock (extensions counted).
    pub decided_on_time: i64,
    pub liable: i64,
    pub closed: i64,
    /// Closed without ever being escalated above the unit that received it.
    pub closed_at_outlet: i64,
    pub satisfied: i64,
    pub dissatisfied: i64,
    pub unreachable: i64,
    pub declined: i64,
    pub withdrawn: i64,
    /// Still open now.
    pub open: i64,
    /// Excluded from the figures by an approved appeal (counted here and nowhere else).
    pub excluded: i64,
}

/// Column names of the counters, in the order of `Counts::values`.
pub const COUNTERS: [&str; 19] = [
    "received",
    "repeat",
    "over_level",
    "escalated",
    "transferred",
    "response_ended",
    "response_timely",
    "decided",
    "decided_on_time",
    "liable",
    "closed",
    "closed_at_outlet",
    "satisfied",
    "dissatisfied",
    "unreachable",
    "declined",
    "withdrawn",
    "open",
    "excluded",
];

impl Counts {
    pub fn values(&self) -> [i64; 19] {
        [
            self.received,
            self.repeat,
            self.over_level,
            self.escalated,
            self.transferred,
            self.response_ended,
            self.response_timely,
            self.decided,
            self.decided_on_time,
            self.liable,
            self.closed,
            self.closed_at_outlet,
            self.satisfied,
            self.dissatisfied,
            self.unreachable,
            self.declined,
            self.withdrawn,
            self.open,
            self.excluded,
        ]
    }

    pub fn from_values(v: [i64; 19]) -> Self {
        let [
            received,
            repeat,
            over_level,
            escalated,
            transferred,
            response_ended,
            response_timely,
            decided,
            decided_on_time,
            liable,
            closed,
            closed_at_outlet,
            satisfied,
            dissatisfied,
            unreachable,
            declined,
            withdrawn,
            open,
            excluded,
        ] = v;
        Self {
            received,
            repeat,
            over_level,
            escalated,
            transferred,
            response_ended,
            response_timely,
            decided,
            decided_on_time,
            liable,
            closed,
            closed_at_outlet,
            satisfied,
            dissatisfied,
            unreachable,
            declined,
            withdrawn,
            open,
            excluded,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    fn zip(self, other: Self, f: impl Fn(i64, i64) -> i64) -> Self {
        let (a, b) = (self.values(), other.values());
        Self::from_values(std::array::from_fn(|i| f(a[i], b[i])))
    }
}

impl std::ops::Add for Counts {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        self.zip(o, |a, b| a + b)
    }
}

impl std::ops::Sub for Counts {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        self.zip(o, |a, b| a - b)
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}

/// Where an order's counters are kept, below its unit: the day it was received (as yyyymmdd), its
/// intake channel, the large class of its business category and of its reported cause (the decision's,
/// else the registration's: `Order::reported_cause`), and its first
/// responder (for the employees' league, kept by month).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub day: i32,
    pub channel: Channel,
    pub category: String,
    pub cause: String,
    pub responder: i64,
}

/// A day as the integer yyyymmdd the rollups are keyed by.
pub fn day_number(d: chrono::NaiveDate) -> i32 {
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

/// The large class of a classification code: its first two digits ("" when unclassified).
pub fn large_class(code: Option<&str>) -> String {
    code.and_then(|c| c.get(..2)).unwrap_or_default().to_string()
}

fn ended_in_time(c: Option<&Clock>) -> (bool, bool) {
    match c {
        Some(c) if c.met_at.is_some() => (true, c.breached_at.is_none()),
        Some(c) if c.breached_at.is_some() => (true, false),
        _ => (false, false),
    }
}

/// What the order adds to the counters, and under which key.
pub fn contribution(o: &Order) -> (Key, Counts) {
    let key = Key {
        day: day_number(local_date(o.received_at)),
        channel: o.channel,
        category: large_class(o.category.as_deref()),
        cause: large_class(o.reported_cause()),
        responder: o.first_responder_id,
    };
    if o.appeal == Some(crate::complaint::AppealStatus::Approved) {
        // out of the unit's figures (and its parents'), counted apart
        return (key, Counts { excluded: 1, ..Counts::default() });
    }
    let (response_ended, response_timely) = ended_in_time(o.clock(ClockKind::Response));
    let decided = o.decided_at.is_some();
    let on_time = decided && ended_in_time(o.clock(ClockKind::Decision)) == (true, true);
    let closed = o.closed_at.is_some() && o.state == crate::complaint::State::Closed;
    let n = |b: bool| i64::from(b);
    let counts = Counts {
        received: 1,
        repeat: n(o.repeat),
        over_level: n(o.channel.is_over_level()),
        escalated: n(o.escalation_count > 0),
        transferred: n(o.transfer_count > 0),
        response_ended: n(response_ended),
        response_timely: n(response_timely),
        decided: n(decided),
        decided_on_time: n(on_time),
        liable: n(decided && o.decision.as_ref().is_some_and(|d| d.liable)),
        closed: n(closed),
        closed_at_outlet: n(closed && o.escalation_count == 0),
        satisfied: n(closed && o.feedback == Some(Feedback::Satisfied)),
        dissatisfied: n(closed && o.feedback == Some(Feedback::Dissatisfied)),
        unreachable: n(closed && o.feedback == Some(Feedback::Unreachable)),
        declined: n(o.state == crate::complaint::State::Declined),
        withdrawn: n(o.state == crate::complaint::State::Withdrawn),
        open: n(o.state.is_open()),
        excluded: 0,
    };
    (key, counts)
}

/// What is open in a unit now: kept per unit (and each unit above it), not per day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Live {
    pub open: i64,
    pub escalated_open: i64,
}

impl Live {
    pub fn of(o: &Order) -> Self {
        let open = o.state.is_open();
        Self { open: i64::from(open), escalated_open: i64::from(open && o.escalation_count > 0) }
    }

    pub fn is_zero(&self) -> bool {
        self.open == 0 && self.escalated_open == 0
    }
}

impl std::ops::Add for Live {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Self { open: self.open + o.open, escalated_open: self.escalated_open + o.escalated_open }
    }
}

impl std::ops::Sub for Live {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Self { open: self.open - o.open, escalated_open: self.escalated_open - o.escalated_open }
    }
}

/// Customers and transactions of a unit's subtree over a period, when known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub customers: Option<i64>,
    pub transactions: Option<i64>,
}

impl Volume {
    /// Figures entered as (customers, transactions).
    pub fn of(figures: Option<(i64, i64)>) -> Self {
        Self { customers: figures.map(|f| f.0), transactions: figures.map(|f| f.1) }
    }

    /// A date range's volume: the figures of the year, quarter or month that is exactly the range
    /// (`exact`) when known; otherwise those of the months it touches, in order — transactions
    /// summed, customers (a stock, not a flow) those of the latest month known.
    pub fn of_range(exact: Option<(i64, i64)>, months: &[Option<(i64, i64)>]) -> Self {
        if exact.is_some() {
            return Self::of(exact);
        }
        let known: Vec<(i64, i64)> = months.iter().flatten().copied().collect();
        Self {
            customers: known.last().map(|k| k.0),
            transactions: (!known.is_empty()).then(|| known.iter().map(|k| k.1).sum()),
        }
    }
}

/// A ratio: its numerator and denominator, and the value when the denominator is not zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub numerator: i64,
    pub denominator: i64,
    pub scale: i64,
}

impl Ratio {
    pub fn new(numerator: i64, denominator: i64, scale: i64) -> Self {
        Self { numerator, denominator, scale }
    }

    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 * self.scale as f64 / self.denominator as f64)
    }

    /// As printed: per-10,000 figures with one decimal, percentages with two and a '%'; "—" when
    /// there is nothing to divide by.
    pub fn display(&self) -> String {
        match (self.value(), self.scale) {
            (None, _) => "—".into(),
            (Some(v), 100) => format!("{v:.2}%"),
            (Some(v), _) => format!("{v:.1}"),
        }
    }
}

/// The figures of DESIGN §5 for one subtree and period.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub counts: Counts,
    pub per_10k_customers: Ratio,
    pub per_10k_transactions: Ratio,
    pub timely_response_rate: Ratio,
    pub on_time_resolution_rate: Ratio,
    pub resolved_at_outlet_rate: Ratio,
    pub escalation_rate: Ratio,
    pub repeat_rate: Ratio,
    pub over_level_rate: Ratio,
    pub liable_share: Ratio,
    pub satisfaction: Ratio,
}

/// Names of the rates in `Figures`, as the API and pages name them.
pub const RATES: [&str; 10] = [
    "per_10k_customers",
    "per_10k_transactions",
    "timely_response_rate",
    "on_time_resolution_rate",
    "resolved_at_outlet_rate",
    "escalation_rate",
    "repeat_rate",
    "over_level_rate",
    "liable_share",
    "satisfaction",
];

impl Figures {
    pub fn compute(c: Counts, v: Volume) -> Self {
        let pct = |n, d| Ratio::new(n, d, 100);
        Self {
            counts: c,
            per_10k_customers: Ratio::new(c.received, v.customers.unwrap_or(0), 10_000),
            per_10k_transactions: Ratio::new(c.received, v.transactions.unwrap_or(0), 10_000),
            timely_response_rate: pct(c.response_timely, c.response_ended),
            on_time_resolution_rate: pct(c.decided_on_time, c.decided),
            resolved_at_outlet_rate: pct(c.closed_at_outlet, c.closed),
            escalation_rate: pct(c.escalated, c.received),
            repeat_rate: pct(c.repeat, c.received),
            over_level_rate: pct(c.over_level, c.received),
            liable_share: pct(c.liable, c.decided),
            satisfaction: pct(c.satisfied, c.satisfied + c.dissatisfied),
        }
    }

    /// The rates in the order of `RATES`.
    pub fn rates(&self) -> [(&'static str, Ratio); 10] {
        [
            (RATES[0], self.per_10k_customers),
            (RATES[1], self.per_10k_transactions),
            (RATES[2], self.timely_response_rate),
            (RATES[3], self.on_time_resolution_rate),
            (RATES[4], self.resolved_at_outlet_rate),
            (RATES[5], self.escalation_rate),
            (RATES[6], self.repeat_rate),
            (RATES[7], self.over_level_rate),
            (RATES[8], self.liable_share),
            (RATES[9], self.satisfaction),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::complaint::{Action, Actor, Decision, RootCause, State, apply, check};
    use crate::deadline::Policy;
    use crate::role::Role;
    use crate::time::start_of_local_day;
    use chrono::{Duration, NaiveDate};
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn t0() -> crate::time::Instant {
        start_of_local_day(NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()) + Duration::hours(9)
    }

    fn order(channel: Channel) -> Order {
        let cal = Calendar::china();
        let clocks = Policy::default().initial_clocks(&cal, channel, Some("0302"), t0());
        Order::registered(1, 10, t0(), 100, channel, Some("0302".into()), None, clocks, false)
    }

    fn run(o: &mut Order, action: Action, hours: i64) {
        let actor = Actor { user_id: 7, role: Role::OutletHead, unit_path: "/1/10/".into() };
        let at = t0() + Duration::hours(hours);
        let (change, to) = check(o, &action, &actor, at, &Policy::default(), &Calendar::china()).unwrap();
        apply(o, &change, to, at);
    }

    fn decide(liable: bool) -> Action {
        Action::Decide(
            Decision::parse(liable, RootCause::ServiceFault, Some("0105".into()), None, None, "已致歉").unwrap(),
        )
    }

    #[test]
    fn a_new_order_counts_as_received_and_open_under_its_day_channel_and_large_class() {
        let (key, c) = contribution(&order(Channel::Regulator));
        let o = order(Channel::Regulator);
        assert_eq!(
            key,
            Key {
                day: 20250303,
                channel: Channel::Regulator,
                category: "03".into(),
                cause: "".into(),
                responder: o.first_responder_id
            }
        );
        assert_eq!(c, Counts { received: 1, over_level: 1, open: 1, ..Counts::default() });
    }

    #[test]
    fn a_handled_order_counts_each_step_and_its_timeliness() {
        let mut o = order(Channel::Counter);
        run(&mut o, Action::Accept, 0);
        run(&mut o, Action::Respond { text: "已联系".into() }, 0);
        run(&mut o, decide(true), 2);
        run(&mut o, Action::Close { feedback: Feedback::Satisfied, note: None }, 3);
        let (key, c) = contribution(&o);
        assert_eq!(key.cause, "01", "the decided cause's large class");
        assert_eq!(
            c,
            Counts {
                received: 1,
                response_ended: 1,
                response_timely: 1,
                decided: 1,
                decided_on_time: 1,
                liable: 1,
                closed: 1,
                closed_at_outlet: 1,
                satisfied: 1,
                ..Counts::default()
            }
        );
        assert_eq!(Live::of(&o), Live::default());
    }

    #[test]
    fn a_late_response_ends_the_clock_but_not_in_time() {
        let mut o = order(Channel::Counter);
        run(&mut o, Action::Accept, 0);
        let due = o.clock(ClockKind::Response).unwrap().due_at;
        let hours = (due - t0()).num_hours() + 1;
        run(&mut o, Action::Respond { text: "迟复".into() }, hours);
        let (_, c) = contribution(&o);
        assert_eq!((c.response_ended, c.response_timely), (1, 0));
        assert_eq!(o.state, State::InProgress);
    }

    #[test]
    fn escalated_orders_are_open_escalated_and_not_resolved_at_the_outlet() {
        let mut o = order(Channel::Counter);
        run(&mut o, Action::Accept, 0);
        let to = crate::complaint::UnitRef { id: 1, code: "HO".into(), path: "/1/".into() };
        run(&mut o, Action::Escalate { to: Some(to), reason: "客户要求".into(), overdue: None }, 1);
        assert_eq!(Live::of(&o), Live { open: 1, escalated_open: 1 });
        run(&mut o, Action::Respond { text: "x".into() }, 1);
        run(&mut o, decide(false), 2);
        run(&mut o, Action::Close { feedback: Feedback::Dissatisfied, note: None }, 3);
        let (_, c) = contribution(&o);
        assert_eq!((c.escalated, c.closed, c.closed_at_outlet, c.liable, c.dissatisfied), (1, 1, 0, 0, 1));
    }

    #[test]
    fn an_approved_appeal_takes_the_order_out_of_every_figure_but_its_own_count() {
        let mut o = order(Channel::Regulator);
        let hq = Actor { user_id: 1, role: Role::CpCentre, unit_path: "/1/".into() };
        let unit = Actor { user_id: 7, role: Role::OutletHead, unit_path: "/1/10/".into() };
        let step = |o: &mut Order, a: Action, who: &Actor| {
            let (change, to) = check(o, &a, who, t0(), &Policy::default(), &Calendar::china()).unwrap();
            apply(o, &change, to, t0());
        };
        step(&mut o, Action::Appeal { reason: "恶意投诉".into() }, &unit);
        assert_eq!(contribution(&o).1.received, 1, "pending: still counted");
        let refused =
            check(&o, &Action::Appeal { reason: "x".into() }, &unit, t0(), &Policy::default(), &Calendar::china());
        assert!(matches!(refused, Err(crate::complaint::Refusal::AppealExists { .. })));
        let not_hq = check(
            &o,
            &Action::DecideAppeal { approve: true, note: "x".into() },
            &Actor { unit_path: "/1/10/".into(), ..hq.clone() },
            t0(),
            &Policy::default(),
            &Calendar::china(),
        );
        assert_eq!(not_hq, Err(crate::complaint::Refusal::HeadOfficeOnly));
        step(&mut o, Action::DecideAppeal { approve: true, note: "核实属实".into() }, &hq);
        assert_eq!(contribution(&o).1, Counts { excluded: 1, ..Counts::default() });
        assert_eq!(o.state, State::Registered, "the handling goes on");
        assert_eq!(Live::of(&o), Live { open: 1, escalated_open: 0 }, "still open work");
    }

    #[test]
    fn rates_divide_the_right_counters_and_print_as_the_regulator_reads_them() {
        let c = Counts {
            received: 3,
            repeat: 1,
            response_ended: 3,
            response_timely: 2,
            decided: 2,
            decided_on_time: 1,
            closed: 2,
            closed_at_outlet: 2,
            satisfied: 1,
            dissatisfied: 1,
            ..Counts::default()
        };
        let f = Figures::compute(c, Volume { customers: Some(12_000), transactions: None });
        assert_eq!(f.per_10k_customers.display(), "2.5");
        assert_eq!(f.per_10k_transactions.display(), "—");
        assert_eq!(f.timely_response_rate.display(), "66.67%");
        assert_eq!(f.on_time_resolution_rate.display(), "50.00%");
        assert_eq!(f.resolved_at_outlet_rate.display(), "100.00%");
        assert_eq!(f.repeat_rate.display(), "33.33%");
        assert_eq!(f.satisfaction.display(), "50.00%");
        assert_eq!(f.escalation_rate.display(), "0.00%");
        assert_eq!(f.liable_share.display(), "0.00%");
    }

    #[test]
    fn a_range_takes_its_exact_periods_figures_else_sums_the_months_transactions() {
        assert_eq!(
            Volume::of_range(Some((10, 20)), &[Some((1, 2))]),
            Volume { customers: Some(10), transactions: Some(20) }
        );
        assert_eq!(
            Volume::of_range(None, &[Some((100, 5)), None, Some((120, 7))]),
            Volume { customers: Some(120), transactions: Some(12) }
        );
        assert_eq!(Volume::of_range(None, &[None, None]), Volume::default());
    }

    #[test]
    fn counts_add_and_subtract_field_by_field() {
        let a = Counts { received: 2, open: 1, ..Counts::default() };
        let b = Counts { received: 1, closed: 1, ..Counts::default() };
        assert_eq!((a + b - b), a);
        assert_eq!(Counts::from_values(a.values()), a);
        assert!((a - a).is_zero());
    }

    fn decide_with(cause: Option<&str>) -> Action {
        Action::Decide(
            Decision::parse(false, RootCause::Misunderstanding, cause.map(str::to_string), None, None, "已解释")
                .unwrap(),
        )
    }

    #[test]
    fn an_order_counts_under_its_registered_cause_until_a_decision_gives_another() {
        let mut o = order(Channel::Counter);
        o.cause = Some("0302".into());
        assert_eq!(contribution(&o).0.cause, "03", "the registration's cause, before any decision");
        run(&mut o, Action::Accept, 0);
        run(&mut o, Action::Respond { text: "已联系".into() }, 0);
        let before = contribution(&o).0;
        run(&mut o, decide_with(Some("1201")), 1);
        let after = contribution(&o).0;
        assert_eq!((before.cause.as_str(), after.cause.as_str()), ("03", "12"), "the decision moves it");
        let mut kept = order(Channel::Counter);
        kept.cause = Some("0302".into());
        run(&mut kept, Action::Accept, 0);
        run(&mut kept, Action::Respond { text: "已联系".into() }, 0);
        run(&mut kept, decide_with(None), 1);
        assert_eq!(contribution(&kept).0.cause, "03", "a decision without a cause keeps the registration's");
    }

    fn cause_code() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop_oneof![
            (1u8..=12, 1u8..=9).prop_map(|(l, m)| format!("{l:02}{m:02}")),
            Just(String::new()),
            Just("  ".to_string()),
        ])
    }

    proptest! {
        /// The rollups' cause is always the reported cause's large class: the decision's when it gave
        /// one, else the registration's; never unclassified when either gave a cause. Moving an order
        /// from its key before the decision to its key after it leaves every other key's sum alone.
        #[test]
        fn the_rollup_cause_is_the_reported_one(registered in cause_code(), decided in cause_code(), decide in any::<bool>()) {
            let mut o = order(Channel::Counter);
            o.cause = registered.clone();
            run(&mut o, Action::Accept, 0);
            run(&mut o, Action::Respond { text: "已联系".into() }, 0);
            let (before, counts_before) = contribution(&o);
            if decide {
                run(&mut o, decide_with(decided.as_deref()), 1);
            }
            let (after, counts_after) = contribution(&o);
            let given = |c: &Option<String>| c.clone().filter(|c| !c.trim().is_empty());
            let expected = if decide { given(&decided).or(given(&registered)) } else { given(&registered) };
            prop_assert_eq!(&after.cause, &large_class(expected.as_deref()));
            prop_assert_eq!(after.cause.is_empty(), expected.is_none());
            prop_assert_eq!(o.reported_cause().map(str::to_string), expected);
            prop_assert_eq!(&before.cause, &large_class(given(&registered).as_deref()));
            // the writer's delta: the order leaves its old key and lands on the new one, once
            let mut sums: HashMap<Key, Counts> = HashMap::new();
            *sums.entry(before.clone()).or_default() += counts_before;
            let old = sums.clone();
            *sums.entry(before.clone()).or_default() = sums[&before] - counts_before;
            *sums.entry(after.clone()).or_default() += counts_after;
            prop_assert_eq!(sums.values().map(|c| c.received).sum::<i64>(), 1);
            prop_assert_eq!(sums[&after].received, 1);
            if before != after {
                prop_assert!(sums[&before].is_zero());
                prop_assert_eq!(old[&before].received, 1);
            }
        }
    }
}
