//! The complaint work order: its projection (`Order`), the rules that turn an action by an actor into
//! an event or a refusal (`check`), and the pure function that applies an event to the order (`apply`).
//! The store loads an order, calls `check`, appends the event and writes `apply`'s result, all in one
//! transaction.

pub mod action;
pub mod event;
pub mod intake;
pub mod search;
pub mod state;

pub use action::{Action, ActionKind, AppealStatus, Decision, Feedback, RootCause, UnitRef, reported_cause};
pub use event::{Change, ClockStart, NewEvent};
pub use search::Search;
pub use state::State;

use crate::calendar::Calendar;
use crate::channel::Channel;
use crate::deadline::{Clock, ClockKind, Policy};
use crate::role::{Permission, Role};
use crate::time::Instant;

/// Who is acting: the rules need the role and whether they are the order's first responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    pub unit_path: String,
}

impl Actor {
    /// The product itself, acting on deadlines as the user `user_id` (the `system` account the
    /// history names), with the system's permissions only.
    pub fn system(user_id: i64) -> Self {
        Self { user_id, role: Role::System, unit_path: "/".into() }
    }

    /// The actor as the scope rules see them (`crate::access`).
    pub fn viewer(&self) -> crate::access::Viewer<'_> {
        crate::access::Viewer { user_id: self.user_id, unit_path: &self.unit_path }
    }
}

/// The projection of a work order's events: what the rules need to decide the next action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub state: State,
    pub paused: bool,
    /// The unit handling the order now (escalation moves it up).
    pub org_unit_id: i64,
    /// The unit the complaint is counted against (责任单位): where it was registered, or where a
    /// transfer sent it; escalation does not change it.
    pub responsible_unit_id: i64,
    pub received_at: Instant,
    pub first_responder_id: i64,
    /// Intake channel and category: which deadline rules apply.
    pub channel: Channel,
    pub category: Option<String>,
    /// The cause given at registration (a classification code), if any; a decision may give
    /// another (`reported_cause` says which one the figures and the ledger show).
    pub cause: Option<String>,
    pub repeat: bool,
    pub extension_tier: u8,
    pub escalation_count: u32,
    pub transfer_count: u32,
    pub reopen_count: u32,
    pub merge_count: u32,
    pub responded_at: Option<Instant>,
    pub decided_at: Option<Instant>,
    pub closed_at: Option<Instant>,
    pub decision: Option<Decision>,
    pub feedback: Option<Feedback>,
    /// The unit's appeal to exclude the complaint from its figures, if any.
    pub appeal: Option<AppealStatus>,
    pub clocks: Vec<Clock>,
}

impl Order {
    /// A newly registered order, as its `register` event makes it.
    #[allow(clippy::too_many_arguments)]
    pub fn registered(
        id: i64,
        org_unit_id: i64,
        received_at: Instant,
        first_responder_id: i64,
        channel: Channel,
        category: Option<String>,
        cause: Option<String>,
        clocks: Vec<Clock>,
        repeat: bool,
    ) -> Self {
        Self {
            id,
            state: State::Registered,
            paused: false,
            org_unit_id,
            responsible_unit_id: org_unit_id,
            received_at,
            first_responder_id,
            channel,
            category,
            cause,
            repeat,
            extension_tier: 0,
            escalation_count: 0,
            transfer_count: 0,
            reopen_count: 0,
            merge_count: 0,
            responded_at: None,
            decided_at: None,
            closed_at: None,
            decision: None,
            feedback: None,
            appeal: None,
            clocks,
        }
    }

    /// The earliest due time among the clocks that are ticking (running and not paused): what the
    /// work queue sorts by, and overdue exactly when it is at or before now.
    pub fn next_due_at(&self) -> Option<Instant> {
        self.clocks.iter().filter(|c| c.is_running() && c.paused_at.is_none()).map(|c| c.due_at).min()
    }

    /// The cause the order is reported under: its decision's, if the decision gave one, else the
    /// registration's (`reported_cause`). The figures, the regulator's table and the ledger all use it.
    pub fn reported_cause(&self) -> Option<&str> {
        reported_cause(self.decision.as_ref(), self.cause.as_deref())
    }

    pub fn clock(&self, kind: ClockKind) -> Option<&Clock> {
        self.clocks.iter().rev().find(|c| c.kind == kind)
    }

    fn clock_mut(&mut self, kind: ClockKind) -> Option<&mut Clock> {
        self.clocks.iter_mut().rev().find(|c| c.kind == kind)
    }

    /// Starts the clock of `start.kind` afresh; on a paused order it starts paused, as the order's
    /// other clocks are (a transfer while paused must not set the new unit's clock ticking).
    fn restart_clock(&mut self, start: &ClockStart, at: Instant) {
        self.clocks.retain(|c| c.kind != start.kind);
        let mut clock = Clock::start(start.kind, at, start.due_at);
        if self.paused {
            clock.paused_at = Some(at);
        }
        self.clocks.push(clock);
    }
}

/// Why an action was refused. Nothing changes when an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role may not do this at all (HTTP 403).
    NoPermission {
        action: ActionKind,
        role: Role,
    },
    /// The action does not apply to the order's state (HTTP 409).
    NotInState {
        action: ActionKind,
        state: State,
    },
    AlreadyPaused,
    NotPaused,
    PausedClock {
        action: ActionKind,
    },
    AtHeadOffice,
    SameUnit,
    ExtensionsExhausted,
    ExtensionNeedsApproval {
        role: Role,
    },
    ReviewWindowClosed {
        days: u32,
    },
    /// An appeal is already pending, or was approved.
    AppealExists {
        status: AppealStatus,
    },
    NoAppealPending,
    /// Only head office decides appeals.
    HeadOfficeOnly,
}

impl Refusal {
    /// Forbidden (403) rather than a conflict with the order's state (409).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::NoPermission { .. } | Self::ExtensionNeedsApproval { .. } | Self::HeadOfficeOnly)
    }
}

/// The permission an action needs.
pub fn permission_for(action: ActionKind) -> Permission {
    if action == ActionKind::DecideAppeal {
        Permission::DecideAppeals
    } else if action.is_complainant_request() {
        Permission::RecordComplainantRequest
    } else {
        Permission::HandleComplaint
    }
}

/// Whether `actor` may do an action of this kind to `order` at `now`, whatever the action's details
/// (a transfer's target, a reason's text): the role's permission, the order's state, the paused
/// clocks, the appeal, the extension limits and the review window. `has_parent` says whether the unit
/// handling the order has a unit above it to escalate to. Scope is checked by the caller first
/// (`crate::access`).
pub fn allows(
    order: &Order,
    kind: ActionKind,
    actor: &Actor,
    now: Instant,
    policy: &Policy,
    cal: &Calendar,
    has_parent: bool,
) -> Result<(), Refusal> {
    use State::*;
    let permitted = actor.role.can(permission_for(kind))
        || (kind == ActionKind::Escalate && actor.role.can(Permission::EscalateOverdue));
    if !permitted {
        return Err(Refusal::NoPermission { action: kind, role: actor.role });
    }
    let s = order.state;
    let in_state = |ok: bool| if ok { Ok(()) } else { Err(Refusal::NotInState { action: kind, state: s }) };
    let handling = matches!(s, Accepted | InProgress | UnderReview);
    let ticking = |ok: bool| -> Result<(), Refusal> {
        in_state(ok)?;
        if order.paused { Err(Refusal::PausedClock { action: kind }) } else { Ok(()) }
    };
    match kind {
        // an appeal concerns the figures, not the handling: any state
        ActionKind::Appeal => match order.appeal {
            Some(status @ (AppealStatus::Pending | AppealStatus::Approved)) => Err(Refusal::AppealExists { status }),
            _ => Ok(()),
        },
        ActionKind::DecideAppeal => {
            if crate::org::path_ids(&actor.unit_path).len() != 1 {
                Err(Refusal::HeadOfficeOnly)
            } else if order.appeal != Some(AppealStatus::Pending) {
                Err(Refusal::NoAppealPending)
            } else {
                Ok(())
            }
        }
        ActionKind::Accept | ActionKind::Decline => ticking(s == Registered),
        ActionKind::Respond => ticking(s == Accepted),
        ActionKind::Transfer => in_state(matches!(s, Registered | Accepted | InProgress)),
        ActionKind::Escalate => {
            in_state(matches!(s, Registered | Accepted | InProgress | UnderReview))?;
            if has_parent { Ok(()) } else { Err(Refusal::AtHeadOffice) }
        }
        ActionKind::Extend => {
            ticking(matches!(s, Accepted | InProgress))?;
            extended_due(order, policy, cal)?;
            if order.extension_tier + 1 >= 2 && !policy.extension_approvers.contains(&actor.role) {
                return Err(Refusal::ExtensionNeedsApproval { role: actor.role });
            }
            Ok(())
        }
        ActionKind::Pause => {
            in_state(handling)?;
            if order.paused { Err(Refusal::AlreadyPaused) } else { Ok(()) }
        }
        ActionKind::Resume => {
            in_state(handling)?;
            if order.paused { Ok(()) } else { Err(Refusal::NotPaused) }
        }
        ActionKind::Decide => ticking(matches!(s, InProgress | UnderReview)),
        ActionKind::Close => in_state(s == Decided),
        ActionKind::Reopen => in_state(s == Closed),
        ActionKind::RequestReview => {
            in_state(matches!(s, Decided | Closed))?;
            let decided_at = order.decided_at.unwrap_or(order.received_at);
            if now > cal.period_end_calendar_days(decided_at, policy.review_request_days) {
                return Err(Refusal::ReviewWindowClosed { days: policy.review_request_days });
            }
            Ok(())
        }
        ActionKind::Withdraw => in_state(s.is_open()),
    }
}

/// The kinds of action `actor` may take on `order` now, in the order the page shows them: what
/// `GET /api/v1/complaints/{id}` answers as `actions` and the order page draws as buttons.
pub fn available_actions(
    order: &Order,
    actor: &Actor,
    now: Instant,
    policy: &Policy,
    cal: &Calendar,
    has_parent: bool,
) -> Vec<ActionKind> {
    ActionKind::ALL.into_iter().filter(|k| allows(order, *k, actor, now, policy, cal, has_parent).is_ok()).collect()
}

/// The decision due time a further extension would set, counted from receipt (or from the
/// reopening when the same matter came back); refused once the extensions are used up.
fn extended_due(order: &Order, policy: &Policy, cal: &Calendar) -> Result<Instant, Refusal> {
    let from = order.clock(ClockKind::Decision).map_or(order.received_at, |c| c.started_at);
    policy.extended_decision_due(cal, from, order.extension_tier + 1).ok_or(Refusal::ExtensionsExhausted)
}

/// Decide whether `actor` may do `action` to `order` at `now` ([`allows`], then the action's own
/// details); if so, the change it makes and the state it leads to. Scope (is the order inside the
/// actor's subtree) is checked by the caller first.
pub fn check(
    order: &Order,
    action: &Action,
    actor: &Actor,
    now: Instant,
    policy: &Policy,
    cal: &Calendar,
) -> Result<(Change, State), Refusal> {
    use State::*;
    let has_parent = !matches!(action, Action::Escalate { to: None, .. });
    allows(order, action.kind(), actor, now, policy, cal, has_parent)?;
    let s = order.state;
    let out = match action {
        Action::Appeal { reason } => (Change::Appeal { reason: reason.clone() }, s),
        Action::DecideAppeal { approve, note } => (Change::AppealDecided { approved: *approve, note: note.clone() }, s),
        Action::Accept => (Change::Accept, Accepted),
        Action::Decline { reason } => (Change::Decline { reason: reason.clone() }, Declined),
        Action::Respond { text } => (Change::Respond { text: text.clone() }, InProgress),
        Action::Transfer { to, reason } => {
            if to.id == order.org_unit_id {
                return Err(Refusal::SameUnit);
            }
            // The receiving unit owes the complainant a response of its own.
            let clock = (s != Registered)
                .then(|| policy.start(cal, ClockKind::Response, order.channel, order.category.as_deref(), now))
                .flatten()
                .map(|c| ClockStart { kind: c.kind, due_at: c.due_at });
            let next = if s == Registered { Registered } else { Accepted };
            (Change::Transfer { from: order.org_unit_id, to: to.clone(), reason: reason.clone(), clock }, next)
        }
        Action::Escalate { to, reason, overdue } => {
            let to = to.clone().ok_or(Refusal::AtHeadOffice)?;
            (Change::Escalate { from: order.org_unit_id, to, reason: reason.clone(), overdue: *overdue }, s)
        }
        Action::Extend { reason } => {
            let due = extended_due(order, policy, cal)?;
            (Change::Extend { reason: reason.clone(), tier: order.extension_tier + 1, decision_due_at: due }, s)
        }
        Action::Pause { reason } => (Change::Pause { reason: reason.clone() }, s),
        Action::Resume { reason } => (Change::Resume { reason: reason.clone() }, s),
        Action::Decide(decision) => (Change::Decide { decision: decision.clone() }, Decided),
        Action::Close { feedback, note } => (Change::Close { feedback: *feedback, note: note.clone() }, Closed),
        Action::Reopen { reason } => {
            let clocks = policy
                .initial_clocks(cal, order.channel, order.category.as_deref(), now)
                .into_iter()
                .map(|c| ClockStart { kind: c.kind, due_at: c.due_at })
                .collect();
            (Change::Reopen { reason: reason.clone(), clocks }, Accepted)
        }
        Action::RequestReview { reason } => {
            let clock = policy
                .start(cal, ClockKind::Review, order.channel, order.category.as_deref(), now)
                .map(|c| ClockStart { kind: c.kind, due_at: c.due_at });
            (Change::RequestReview { reason: reason.clone(), clock }, UnderReview)
        }
        Action::Withdraw { reason } => (Change::Withdraw { reason: reason.clone() }, Withdrawn),
    };
    Ok(out)
}

/// What an order's row records of its registration and its `register` event does not carry.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: i64,
    pub registered_unit_id: i64,
    pub received_at: Instant,
    pub first_responder_id: i64,
    pub channel: Channel,
    pub category: Option<String>,
    /// The cause given at registration.
    pub cause: Option<String>,
}

/// An order rebuilt from its history: its `register` event (which must come first), then each later
/// event's change, the state it led to and when, in order. None when the history does not start
/// with a registration.
pub fn replay(reg: Registration, events: impl IntoIterator<Item = (Change, State, Instant)>) -> Option<Order> {
    let mut events = events.into_iter();
    let Some((Change::Register { clocks, repeat_of, .. }, _, _)) = events.next() else {
        return None;
    };
    let mut order = Order::registered(
        reg.id,
        reg.registered_unit_id,
        reg.received_at,
        reg.first_responder_id,
        reg.channel,
        reg.category,
        reg.cause,
        clocks.iter().map(|c| Clock::start(c.kind, reg.received_at, c.due_at)).collect(),
        repeat_of.is_some(),
    );
    for (change, to, at) in events {
        apply(&mut order, &change, to, at);
    }
    Some(order)
}

/// Apply an event's change to the order. Deterministic: replaying an order's events rebuilds it.
pub fn apply(order: &mut Order, change: &Change, to: State, at: Instant) {
    match change {
        Change::Register { .. } | Change::Accept | Change::Pause { .. } | Change::Resume { .. } => {}
        Change::ClockAlert { clock, alert, due_at } => {
            if let Some(c) = order.clock_mut(*clock).filter(|c| c.is_running()) {
                c.alerts_fired = c.alerts_fired.saturating_add(1);
                if matches!(alert, crate::deadline::Alert::Breach { level: 1 }) {
                    c.breached_at.get_or_insert(*due_at);
                }
            }
        }
        Change::Merge { .. } => order.merge_count += 1,
        Change::Decline { .. } | Change::Withdraw { .. } => stop_all(order, at),
        Change::Attach { .. } | Change::HotIssue { .. } | Change::HotIssueLeft { .. } => {}
        Change::Appeal { .. } => order.appeal = Some(AppealStatus::Pending),
        Change::AppealDecided { approved, .. } => {
            order.appeal = Some(if *approved { AppealStatus::Approved } else { AppealStatus::Rejected });
        }
        Change::Respond { .. } => {
            order.responded_at.get_or_insert(at);
            meet(order, ClockKind::Response, at);
        }
        Change::Transfer { to: unit, clock, .. } => {
            order.org_unit_id = unit.id;
            order.responsible_unit_id = unit.id;
            order.transfer_count += 1;
            if let Some(c) = clock {
                order.restart_clock(c, at);
            }
        }
        Change::Escalate { to: unit, .. } => {
            order.org_unit_id = unit.id;
            order.escalation_count += 1;
        }
        Change::Extend { tier, decision_due_at, .. } => {
            order.extension_tier = *tier;
            if let Some(c) = order.clock_mut(ClockKind::Decision) {
                // The extended period is counted as the regulation states it, from receipt.
                c.due_at = *decision_due_at;
            }
        }
        Change::Decide { decision } => {
            order.decision = Some(decision.clone());
            order.decided_at = Some(at);
            let kind = if order.state == State::UnderReview { ClockKind::Review } else { ClockKind::Decision };
            meet(order, kind, at);
        }
        Change::Close { feedback, .. } => {
            order.feedback = Some(*feedback);
            order.closed_at = Some(at);
            // Closing is what the completion target (限时办结) measures.
            meet(order, ClockKind::Completion, at);
            stop_all(order, at);
        }
        Change::Reopen { clocks, .. } => {
            order.reopen_count += 1;
            order.repeat = true;
            order.decision = None;
            order.decided_at = None;
            order.closed_at = None;
            order.feedback = None;
            order.responded_at = None;
            order.extension_tier = 0;
            for c in clocks {
                order.restart_clock(c, at);
            }
        }
        Change::RequestReview { clock, .. } => {
            order.feedback = None;
            order.closed_at = None;
            if let Some(c) = clock {
                order.restart_clock(c, at);
            }
        }
    }
    match change {
        Change::Pause { .. } => {
            order.paused = true;
            for c in order.clocks.iter_mut().filter(|c| c.is_running()) {
                c.paused_at = Some(at);
            }
        }
        Change::Resume { .. } => {
            order.paused = false;
            for c in order.clocks.iter_mut() {
                if let Some(p) = c.paused_at.take() {
                    c.due_at += at - p;
                }
            }
        }
        _ => {}
    }
    if !to.is_open() && order.paused {
        order.paused = false;
        for c in order.clocks.iter_mut() {
            c.paused_at = None;
        }
    }
    order.state = to;
}

fn meet(order: &mut Order, kind: ClockKind, at: Instant) {
    if let Some(c) = order.clock_mut(kind).filter(|c| c.is_running()) {
        c.met_at = Some(at);
        c.paused_at = None;
        if at >= c.due_at && c.breached_at.is_none() {
            c.breached_at = Some(c.due_at);
        }
    }
}

fn stop_all(order: &mut Order, at: Instant) {
    for c in order.clocks.iter_mut().filter(|c| c.is_running()) {
        c.stopped_at = Some(at);
        c.paused_at = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
