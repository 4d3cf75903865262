//! What the API returns: JSON views of the store's rows, with personal data masked unless the
//! caller may see it.

use serde::Serialize;
use utoipa::ToSchema;
use xiaobao_core::complaint::{Decision, Feedback, RootCause, State};
use xiaobao_core::deadline::Clock;
use xiaobao_core::mask::mask;
use xiaobao_core::time::{Instant, rfc3339};
use xiaobao_store::{ComplainantRow, ComplaintRow, EventRow, OrgUnitRow, UserRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Paged<T> {
    /// A page from rows fetched with one extra (`limit + 1`) to learn whether more follow without
    /// counting them all: `total` then says "at least one more page".
    pub fn from_probe<R>(rows: &[R], offset: i64, limit: i64, page: i64, view: impl Fn(&R) -> T) -> Self {
        let more = rows.len() as i64 > limit;
        let items: Vec<T> = rows.iter().take(limit as usize).map(view).collect();
        let total = offset + items.len() as i64 + i64::from(more);
        Self { items, total, page, per_page: limit }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitView {
    pub code: String,
    pub name: String,
    pub kind: xiaobao_core::org::OrgUnitKind,
    pub parent: Option<String>,
    pub path: String,
}

impl OrgUnitView {
    pub fn new(u: &OrgUnitRow, parent: Option<String>) -> Self {
        Self { code: u.code.clone(), name: u.name.clone(), kind: u.kind, parent, path: u.path.clone() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: xiaobao_core::role::Role,
    pub org_unit: OrgUnitRef,
    pub active: bool,
    pub email: Option<String>,
    /// An administrator set the password: the user must choose their own before anything else.
    pub must_change_password: bool,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            org_unit: OrgUnitRef { code: u.org_code.clone(), name: u.org_name.clone() },
            active: u.active,
            email: u.email.clone(),
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplainantView {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<xiaobao_core::complainant::ComplainantTag>,
    pub watchlist: bool,
    /// True when phone and ID number are masked for this caller.
    pub masked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complaint_count: Option<i64>,
}

impl ComplainantView {
    pub fn new(c: &ComplainantRow, unmasked: bool, with_count: bool) -> Self {
        let m = |v: &Option<String>| v.as_ref().map(|s| if unmasked { s.clone() } else { mask(s) });
        Self {
            id: c.id,
            name: c.name.clone(),
            phone: m(&c.phone),
            id_number: m(&c.id_number),
            tags: c.tags.clone(),
            watchlist: c.watchlist,
            masked: !unmasked,
            complaint_count: with_count.then_some(c.complaint_count),
        }
    }
}

pub use xiaobao_core::deadline::ClockStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    pub kind: xiaobao_core::deadline::ClockKind,
    pub status: ClockStatus,
    pub started_at: String,
    pub due_at: String,
    pub met_at: Option<String>,
    pub breached_at: Option<String>,
    pub paused_at: Option<String>,
    pub stopped_at: Option<String>,
    /// Seconds left until due (negative when overdue); only for a running clock.
    pub remaining_seconds: Option<i64>,
}

fn opt(t: Option<Instant>) -> Option<String> {
    t.map(rfc3339)
}

impl ClockView {
    pub fn new(c: &Clock, now: Instant) -> Self {
        let status = c.status(now);
        let remaining = c.is_running().then(|| (c.due_at - c.paused_at.unwrap_or(now)).num_seconds());
        Self {
            kind: c.kind,
            status,
            started_at: rfc3339(c.started_at),
            due_at: rfc3339(c.due_at),
            met_at: opt(c.met_at),
            breached_at: opt(c.breached_at),
            paused_at: opt(c.paused_at),
            stopped_at: opt(c.stopped_at),
            remaining_seconds: remaining,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub liable: bool,
    pub root_cause: RootCause,
    pub cause: Option<String>,
    pub remedy: Option<String>,
    pub amount: Option<String>,
    pub text: String,
}

impl From<&Decision> for DecisionView {
    fn from(d: &Decision) -> Self {
        Self {
            liable: d.liable,
            root_cause: d.root_cause,
            cause: d.cause.clone(),
            remedy: d.remedy.clone(),
            amount: d.amount.map(|a| a.to_string()),
            text: d.text.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserRef {
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub id: i64,
    pub number: String,
    pub state: State,
    pub channel: xiaobao_core::channel::Channel,
    pub org_unit: OrgUnitRef,
    pub first_responder: UserRef,
    pub complainant: ComplainantView,
    pub received_at: String,
    pub registered_at: String,
    pub category: Option<String>,
    pub service_channel: Option<String>,
    /// The cause the complaint is reported under: the decision's if it gave one, else the one given at
    /// registration (as the ledger and the figures count it).
    pub cause: Option<String>,
    /// The cause given at registration.
    pub registered_cause: Option<String>,
    pub summary: String,
    pub description: String,
    pub amount: Option<String>,
    pub over_level: bool,
    pub repeat: bool,
    pub repeat_of: Option<i64>,
    pub paused: bool,
    pub extension_tier: u8,
    pub escalation_count: u32,
    pub transfer_count: u32,
    pub reopen_count: u32,
    pub merge_count: u32,
    pub responded_at: Option<String>,
    pub decided_at: Option<String>,
    pub closed_at: Option<String>,
    pub decision: Option<DecisionView>,
    pub feedback: Option<Feedback>,
    /// The unit's appeal to exclude the complaint from its figures: pending, approved (excluded) or rejected.
    pub appeal: Option<xiaobao_core::complaint::AppealStatus>,
    pub clocks: Vec<ClockView>,
    /// Years this order's clocks span whose holiday arrangement is not loaded: their deadlines count
    /// weekends only until an admin loads it.
    pub missing_calendar_years: Vec<i32>,
    pub updated_at: String,
    /// What the caller may do to the order now (`xiaobao_core::complaint::available_actions`); only
    /// in the answer of `GET /api/v1/complaints/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<xiaobao_core::complaint::ActionKind>>,
}

impl ComplaintView {
    pub fn new(k: &ComplaintRow, unmasked: bool, now: Instant, calendar: &xiaobao_core::calendar::Calendar) -> Self {
        let o = &k.order;
        Self {
            id: o.id,
            number: k.number.clone(),
            state: o.state,
            channel: k.channel,
            org_unit: OrgUnitRef { code: k.org_code.clone(), name: k.org_name.clone() },
            first_responder: UserRef {
                username: k.first_responder.clone(),
                display_name: k.first_responder_name.clone(),
            },
            complainant: ComplainantView::new(&k.complainant, unmasked, false),
            received_at: rfc3339(o.received_at),
            registered_at: rfc3339(k.registered_at),
            category: k.category.clone(),
            service_channel: k.service_channel.clone(),
            cause: k.reported_cause().map(str::to_string),
            registered_cause: k.cause.clone(),
            summary: k.summary.clone(),
            description: k.description.clone(),
            amount: k.amount_fen.map(|f| xiaobao_core::money::Money::from_fen(f).to_string()),
            over_level: k.over_level,
            repeat: o.repeat,
            repeat_of: k.repeat_of,
            paused: o.paused,
            extension_tier: o.extension_tier,
            escalation_count: o.escalation_count,
            transfer_count: o.transfer_count,
            reopen_count: o.reopen_count,
            merge_count: o.merge_count,
            responded_at: opt(o.responded_at),
            decided_at: opt(o.decided_at),
            closed_at: opt(o.closed_at),
            decision: o.decision.as_ref().map(DecisionView::from),
            feedback: o.feedback,
            appeal: o.appeal,
            clocks: o.clocks.iter().map(|c| ClockView::new(c, now)).collect(),
            missing_calendar_years: xiaobao_core::deadline::unarranged_years(
                calendar,
                xiaobao_core::deadline::InView::Order { received_at: o.received_at, clocks: &o.clocks },
            ),
            updated_at: rfc3339(k.updated_at),
            actions: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub kind: String,
    pub actor: UserRef,
    pub at: String,
    pub from_state: Option<String>,
    pub to_state: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub hash: String,
}

impl From<&EventRow> for EventView {
    fn from(e: &EventRow) -> Self {
        Self {
            seq: e.seq,
            kind: e.kind.clone(),
            actor: UserRef { username: e.actor.clone(), display_name: e.actor_name.clone() },
            at: rfc3339(e.at),
            from_state: (!e.from_state.is_empty()).then(|| e.from_state.clone()),
            to_state: e.to_state.clone(),
            payload: e.payload.clone(),
            hash: e.hash.clone(),
        }
    }
}
