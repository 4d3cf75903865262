use super::*;
use crate::channel::Channel;
use crate::time::start_of_local_day;
use chrono::Duration;
use chrono::NaiveDate;
use proptest::prelude::*;

fn t0() -> Instant {
    start_of_local_day(NaiveDate::from_ymd_opt(2025, 3, 3).unwrap()) + Duration::hours(9)
}

fn new_order() -> Order {
    let cal = Calendar::china();
    Order::registered(
        1,
        10,
        t0(),
        100,
        Channel::Counter,
        Some("01".into()),
        Some("0101".into()),
        Policy::default().initial_clocks(&cal, Channel::Counter, Some("01"), t0()),
        false,
    )
}

fn actor(role: Role) -> Actor {
    Actor { user_id: 7, role, unit_path: "/1/10/".into() }
}

fn unit(id: i64) -> UnitRef {
    UnitRef { id, code: format!("U{id}"), path: format!("/1/{id}/") }
}

fn decision() -> Decision {
    Decision::parse(
        true,
        RootCause::ServiceFault,
        Some("01".into()),
        Some("致歉"),
        Some("50"),
        "已向客户致歉并退还手续费",
    )
    .unwrap()
}

fn run(order: &mut Order, action: Action, role: Role, at: Instant) -> Result<(), Refusal> {
    let cal = Calendar::china();
    let (change, to) = check(order, &action, &actor(role), at, &Policy::default(), &cal)?;
    apply(order, &change, to, at);
    Ok(())
}

#[test]
fn whole_life_of_an_order() {
    let mut o = new_order();
    let head = Role::OutletHead;
    run(&mut o, Action::Accept, head, t0()).unwrap();
    run(&mut o, Action::Respond { text: "已联系客户说明处理方案".into() }, head, t0() + Duration::minutes(30)).unwrap();
    assert_eq!(o.clock(ClockKind::Response).unwrap().met_at, Some(t0() + Duration::minutes(30)));
    assert!(o.clock(ClockKind::Response).unwrap().breached_at.is_none());
    run(&mut o, Action::Decide(decision()), head, t0() + Duration::days(3)).unwrap();
    assert_eq!(o.state, State::Decided);
    assert!(o.clock(ClockKind::Decision).unwrap().met_at.is_some());
    run(&mut o, Action::Close { feedback: Feedback::Satisfied, note: None }, Role::Teller, t0() + Duration::days(4))
        .unwrap();
    assert_eq!(o.state, State::Closed);
    assert_eq!(o.feedback, Some(Feedback::Satisfied));
}

#[test]
fn late_response_is_recorded_as_breached_at_its_due_time() {
    let mut o = new_order();
    run(&mut o, Action::Accept, Role::OutletHead, t0()).unwrap();
    run(&mut o, Action::Respond { text: "x".into() }, Role::OutletHead, t0() + Duration::hours(2)).unwrap();
    let c = o.clock(ClockKind::Response).unwrap();
    assert_eq!(c.breached_at, Some(t0() + Duration::hours(1)));
}

#[test]
fn declined_order_cannot_be_decided() {
    let mut o = new_order();
    run(&mut o, Action::Decline { reason: "非本行业务".into() }, Role::OutletHead, t0()).unwrap();
    let err = run(&mut o, Action::Decide(decision()), Role::OutletHead, t0()).unwrap_err();
    assert_eq!(err, Refusal::NotInState { action: ActionKind::Decide, state: State::Declined });
    assert!(o.clocks.iter().all(|c| !c.is_running()));
}

#[test]
fn undecided_order_cannot_be_closed() {
    let mut o = new_order();
    run(&mut o, Action::Accept, Role::OutletHead, t0()).unwrap();
    assert!(matches!(
        run(&mut o, Action::Close { feedback: Feedback::Satisfied, note: None }, Role::OutletHead, t0()),
        Err(Refusal::NotInState { .. })
    ));
}

#[test]
fn teller_may_not_accept() {
    let mut o = new_order();
    let err = run(&mut o, Action::Accept, Role::Teller, t0()).unwrap_err();
    assert!(err.is_forbidden());
    assert_eq!(o, new_order());
}

#[test]
fn extension_moves_decision_due_and_second_needs_approval() {
    let mut o = new_order();
    run(&mut o, Action::Accept, Role::OutletHead, t0()).unwrap();
    let before = o.clock(ClockKind::Decision).unwrap().due_at;
    run(&mut o, Action::Extend { reason: "需调取监控".into() }, Role::OutletHead, t0()).unwrap();
    let after = o.clock(ClockKind::Decision).unwrap().due_at;
    assert!(after > before);
    let err = run(&mut o, Action::Extend { reason: "仍需核实".into() }, Role::OutletHead, t0()).unwrap_err();
    assert!(matches!(err, Refusal::ExtensionNeedsApproval { .. }));
    run(&mut o, Action::Extend { reason: "仍需核实".into() }, Role::VicePresident, t0()).unwrap();
    assert_eq!(o.extension_tier, 2);
    assert_eq!(
        run(&mut o, Action::Extend { reason: "x".into() }, Role::VicePresident, t0()),
        Err(Refusal::ExtensionsExhausted)
    );
}

#[test]
fn pause_shifts_due_times_by_the_paused_span() {
    let mut o = new_order();
    run(&mut o, Action::Accept, Role::OutletHead, t0()).unwrap();
    let due = o.clock(ClockKind::Decision).unwrap().due_at;
    run(&mut o, Action::Pause { reason: "司法鉴定".into() }, Role::OutletHead, t0() + Duration::hours(1)).unwrap();
    assert_eq!(run(&mut o, Action::Pause { reason: "x".into() }, Role::OutletHead, t0()), Err(Refusal::AlreadyPaused));
    assert!(matches!(
        run(&mut o, Action::Respond { text: "x".into() }, Role::OutletHead, t0()),
        Err(Refusal::PausedClock { .. })
    ));
    run(&mut o, Action::Resume { reason: "鉴定完成".into() }, Role::OutletHead, t0() + Duration::hours(49)).unwrap();
    assert_eq!(o.clock(ClockKind::Decision).unwrap().due_at, due + Duration::hours(48));
    assert_eq!(run(&mut o, Action::Resume { reason: "x".into() }, Role::OutletHead, t0()), Err(Refusal::NotPaused));
}

#[test]
fn next_due_is_the_earliest_ticking_clock_and_none_while_paused_or_ended() {
    let mut o = new_order();
    let earliest = o.clocks.iter().map(|c| c.due_at).min();
    assert_eq!(o.next_due_at(), earliest);
    run(&mut o, Action::Accept, Role::OutletHead, t0()).unwrap();
    run(&mut o, Action::Respond { text: "已联系".into() }, Role::OutletHead, t0() + Duration::minutes(10)).unwrap();
    // The response clock is met: the next due time is the earliest of the others.
    let others = o.clocks.iter().filter(|c| c.met_at.is_none()).map(|c| c.due_at).min();
    assert!(others.is_some());
    assert_eq!(o.next_due_at(), others);
    run(&mut o, Action::Pause { reason: "司法鉴定".into() }, Role::OutletHead, t0() + Duration::hours(1)).unwrap();
    assert_eq!(o.next_due_at(), None);
    run(&mut o, Action::Resume { reason: "鉴定完成".into() }, Role::OutletHead, t0() + Duration::hours(2)).unwrap();
    assert!(o.next_due_at().is_some());
    run(&mut o, Action::Withdraw { reason: "客户撤诉".into() }, Role::OutletHead, t0() + Duration::hours(3)).unwrap();
    assert_eq!(o.next_due_at(), None);
}

#[test]
fn escalation_at_head_office_is_refused() {
    let mut o = new_order();
    run(
        &mut o,
        Action::Escalate { to: Some(unit(2)), reason: "网点无法解决".into(), overdue: None },
        Role::OutletHead,
        t0(),
    )
    .unwrap();
    assert_eq!(o.org_unit_id, 2);
    assert_eq!(o.escalation_count, 1);
    assert_eq!(
        run(&mut o, Action::Escalate { to: None, reason: "x".into(), overdue: None }, Role::President, t0()),
        Err(Refusal::AtHeadOffice)
    );
}

#[test]
fn transfer_to_the_same_unit_is_refused_and_restarts_response() {
    let mut o = new_order();
    run(&mut o, Action::Accept, Role::CpCentre, t0()).unwrap();
    assert_eq!(
        run(&mut o, Action::Transfer { to: unit(10), reason: "x".into() }, Role::CpCentre, t0()),
        Err(Refusal::SameUnit)
    );
    run(
        &mut o,
        Action::Transfer { to: unit(11), reason: "归属其他网点".into() },
        Role::CpCentre,
        t0() + Duration::hours(3),
    )
    .unwrap();
    assert_eq!(o.state, State::Accepted);
    assert_eq!(o.clock(ClockKind::Response).unwrap().due_at, t0() + Duration::hours(4));
}

#[test]
fn reopen_counts_as_repeat_and_restarts_clocks() {
    let mut o = new_order();
    for a in [Action::Accept, Action::Respond { text: "x".into() }, Action::Decide(decision())] {
        run(&mut o, a, Role::OutletHead, t0()).unwrap();
    }
    run(&mut o, Action::Close { feedback: Feedback::Dissatisfied, note: None }, Role::OutletHead, t0()).unwrap();
    run(&mut o, Action::Reopen { reason: "客户对结果不满意".into() }, Role::Teller, t0() + Duration::days(2)).unwrap();
    assert_eq!(o.state, State::Accepted);
    assert!(o.repeat);
    assert!(o.decision.is_none());
    assert!(o.clock(ClockKind::Decision).unwrap().is_running());
}

#[test]
fn review_only_within_the_window() {
    let mut o = new_order();
    for a in [Action::Accept, Action::Respond { text: "x".into() }, Action::Decide(decision())] {
        run(&mut o, a, Role::OutletHead, t0()).unwrap();
    }
    let late = t0() + Duration::days(45);
    assert!(matches!(
        run(&mut o.clone(), Action::RequestReview { reason: "x".into() }, Role::Teller, late),
        Err(Refusal::ReviewWindowClosed { .. })
    ));
    run(&mut o, Action::RequestReview { reason: "不服处理决定".into() }, Role::Teller, t0() + Duration::days(5))
        .unwrap();
    assert_eq!(o.state, State::UnderReview);
    run(&mut o, Action::Decide(decision()), Role::VicePresident, t0() + Duration::days(6)).unwrap();
    assert!(o.clock(ClockKind::Review).unwrap().met_at.is_some());
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Accept),
        Just(Action::Decline { reason: "r".into() }),
        Just(Action::Respond { text: "t".into() }),
        (10i64..13).prop_map(|id| Action::Transfer { to: unit(id), reason: "r".into() }),
        prop_oneof![Just(None), Just(Some(unit(1)))].prop_map(|to| Action::Escalate {
            to,
            reason: "r".into(),
            overdue: None
        }),
        Just(Action::Extend { reason: "r".into() }),
        Just(Action::Pause { reason: "r".into() }),
        Just(Action::Resume { reason: "r".into() }),
        Just(Action::Decide(decision())),
        prop_oneof![Just(Feedback::Satisfied), Just(Feedback::Dissatisfied), Just(Feedback::Unreachable)]
            .prop_map(|feedback| Action::Close { feedback, note: None }),
        Just(Action::Reopen { reason: "r".into() }),
        Just(Action::RequestReview { reason: "r".into() }),
        Just(Action::Withdraw { reason: "r".into() }),
        Just(Action::Appeal { reason: "非本机构责任".into() }),
        any::<bool>().prop_map(|approve| Action::DecideAppeal { approve, note: "n".into() }),
    ]
}

/// A step of an order's life: an action by someone, or the same complainant's complaint on the same
/// matter merged into it (registration merges only into an open order).
#[derive(Debug, Clone)]
enum Step {
    Act { action: Action, role: Role, at_head_office: bool },
    Merge,
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        10 => (arb_action(), arb_role(), any::<bool>()).prop_map(|(action, role, at_head_office)| Step::Act { action, role, at_head_office }),
        1 => Just(Step::Merge),
    ]
}

fn arb_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

/// What must hold of every order, each stated on its own.
fn assert_consistent(o: &Order) -> Result<(), TestCaseError> {
    use State::*;
    prop_assert!(o.extension_tier <= 2);
    if matches!(o.state, Decided | Closed | UnderReview) {
        prop_assert!(o.decision.is_some() && o.decided_at.is_some(), "{:?} without a decision", o.state);
    }
    if matches!(o.state, Registered | Accepted | InProgress | Declined) {
        prop_assert!(o.decision.is_none(), "{:?} with a decision", o.state);
    }
    prop_assert_eq!(o.feedback.is_some(), o.state == Closed);
    prop_assert_eq!(o.closed_at.is_some(), o.state == Closed);
    if !o.state.is_open() {
        prop_assert!(!o.paused);
        prop_assert!(o.clocks.iter().all(|c| !c.is_running()), "a finished order has a running clock: {:?}", o);
    }
    for c in &o.clocks {
        // a paused order's running clocks are all paused, and only a paused order has paused clocks
        if o.paused && c.is_running() {
            prop_assert!(c.paused_at.is_some(), "a running clock ticks on while the order is paused: {:?}", o);
        }
        if !o.paused {
            prop_assert!(c.paused_at.is_none(), "a paused clock on an order that is not paused: {:?}", o);
        }
        prop_assert!(c.met_at.is_none() || c.stopped_at.is_none());
        prop_assert!(c.due_at >= c.started_at);
    }
    for kind in ClockKind::ALL {
        prop_assert!(o.clocks.iter().filter(|c| c.kind == kind).count() <= 1);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No sequence of actions (appeals and their decisions included) and merges by any roles, at
    /// head office or an outlet, reaches an inconsistent order; a refused action changes nothing; an
    /// accepted one was listed as available; the appeal and merge counts follow what was accepted;
    /// replaying the accepted changes rebuilds the same order.
    #[test]
    fn no_sequence_reaches_an_inconsistent_state(steps in proptest::collection::vec((arb_step(), 0i64..72), 0..40)) {
        let cal = Calendar::china();
        let policy = Policy::default();
        let mut o = new_order();
        let mut log = Vec::new();
        let mut now = t0();
        let (mut merges, mut appeal) = (0u32, None);
        for (step, hours) in steps {
            now += Duration::hours(hours);
            let before = o.clone();
            let (action, actor) = match step {
                Step::Merge => {
                    if o.state.is_open() {
                        let change = Change::Merge { summary: "s".into(), description: "d".into() };
                        let state = o.state;
                        apply(&mut o, &change, state, now);
                        log.push((change, state, now));
                        merges += 1;
                    }
                    prop_assert_eq!(o.merge_count, merges);
                    assert_consistent(&o)?;
                    continue;
                }
                Step::Act { action, role, at_head_office } => {
                    let path = if at_head_office { "/1/" } else { "/1/10/" };
                    (action, Actor { user_id: 7, role, unit_path: path.into() })
                }
            };
            let has_parent = !matches!(action, Action::Escalate { to: None, .. });
            let offered = available_actions(&o, &actor, now, &policy, &cal, has_parent);
            match check(&o, &action, &actor, now, &policy, &cal) {
                Ok((change, to)) => {
                    if before.state.is_terminal() {
                        // only the figures' appeal touches an ended order, and it leaves the state alone
                        prop_assert!(matches!(action.kind(), ActionKind::Appeal | ActionKind::DecideAppeal), "{:?} on an ended order", action.kind());
                        prop_assert_eq!(to, before.state);
                    }
                    prop_assert!(offered.contains(&action.kind()), "{:?} was accepted but not offered", action.kind());
                    apply(&mut o, &change, to, now);
                    log.push((change, to, now));
                    match &action {
                        Action::Appeal { .. } => appeal = Some(AppealStatus::Pending),
                        Action::DecideAppeal { approve, .. } => {
                            appeal = Some(if *approve { AppealStatus::Approved } else { AppealStatus::Rejected })
                        }
                        _ => {}
                    }
                }
                Err(refusal) => {
                    prop_assert_eq!(&o, &before);
                    // only a transfer to the unit already handling it is refused for its details alone
                    if offered.contains(&action.kind()) {
                        prop_assert_eq!(refusal, Refusal::SameUnit);
                    }
                }
            }
            prop_assert_eq!(o.appeal, appeal);
            assert_consistent(&o)?;
        }
        let mut replayed = new_order();
        for (change, to, at) in &log {
            apply(&mut replayed, change, *to, *at);
        }
        prop_assert_eq!(replayed, o);
    }
}

#[test]
fn replaying_the_history_rebuilds_the_order_and_needs_the_registration_first() {
    let cal = Calendar::china();
    let mut live = new_order();
    let register = Change::Register {
        clocks: live.clocks.iter().map(|c| ClockStart { kind: c.kind, due_at: c.due_at }).collect(),
        repeat_of: None,
        complainant: None,
    };
    let mut history = vec![(register, State::Registered, t0())];
    for (action, hours) in [
        (Action::Accept, 0),
        (Action::Respond { text: "已联系".into() }, 1),
        (Action::Escalate { to: Some(unit(1)), reason: "客户要求".into(), overdue: None }, 2),
        (Action::Decide(decision()), 30),
    ] {
        let at = t0() + Duration::hours(hours);
        let (change, to) = check(&live, &action, &actor(Role::CpCentre), at, &Policy::default(), &cal).unwrap();
        apply(&mut live, &change, to, at);
        history.push((change, to, at));
    }
    let reg = Registration {
        id: 1,
        registered_unit_id: 10,
        received_at: t0(),
        first_responder_id: 100,
        channel: Channel::Counter,
        category: Some("01".into()),
        cause: Some("0101".into()),
    };
    assert_eq!(replay(reg.clone(), history.clone()), Some(live));
    assert_eq!(replay(reg, history.into_iter().skip(1)), None);
}

#[test]
fn the_system_actor_may_escalate_and_nothing_else() {
    let cal = Calendar::china();
    let o = new_order();
    let system = Actor::system(1);
    let kinds = available_actions(&o, &system, t0(), &Policy::default(), &cal, true);
    assert_eq!(kinds, [ActionKind::Escalate]);
    let refused = check(&o, &Action::Accept, &system, t0(), &Policy::default(), &cal);
    assert_eq!(refused, Err(Refusal::NoPermission { action: ActionKind::Accept, role: Role::System }));
    assert!(Role::parse("role", "system").is_err(), "no user can be given the system's role");
    assert!(serde_json::from_str::<Role>("\"system\"").is_err(), "nor through a request body");
    assert_eq!(serde_json::from_str::<Role>("\"teller\"").unwrap(), Role::Teller);
}

#[test]
fn a_transfer_while_paused_starts_the_new_response_clock_paused() {
    let mut o = new_order();
    let head = Role::OutletHead;
    run(&mut o, Action::Accept, head, t0()).unwrap();
    run(&mut o, Action::Pause { reason: "等待客户补充材料".into() }, head, t0()).unwrap();
    run(&mut o, Action::Transfer { to: unit(11), reason: "属地处理".into() }, head, t0() + Duration::hours(1)).unwrap();
    let response = o.clock(ClockKind::Response).unwrap().clone();
    assert_eq!(response.paused_at, Some(t0() + Duration::hours(1)), "{o:?}");
    run(&mut o, Action::Resume { reason: "材料已到".into() }, head, t0() + Duration::hours(5)).unwrap();
    // the four paused hours are added to its due time
    assert_eq!(o.clock(ClockKind::Response).unwrap().due_at, response.due_at + Duration::hours(4));
}
