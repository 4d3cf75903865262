//! What can be done to a work order, with what it needs: each action is parsed from its request into
//! one of these, so the rules never see unchecked input.

use crate::FieldError;
use crate::deadline::ClockKind;
use crate::money::Money;
use crate::text::{bounded, limits};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    Decline,
    Respond,
    Transfer,
    Escalate,
    Extend,
    Pause,
    Resume,
    Decide,
    Close,
    Reopen,
    RequestReview,
    Withdraw,
    /// A unit asks head office to exclude the complaint from its figures (申诉).
    Appeal,
    /// Head office approves or rejects the appeal.
    DecideAppeal,
}

impl ActionKind {
    pub const ALL: [ActionKind; 15] = [
        Self::Accept,
        Self::Decline,
        Self::Respond,
        Self::Transfer,
        Self::Escalate,
        Self::Extend,
        Self::Pause,
        Self::Resume,
        Self::Decide,
        Self::Close,
        Self::Reopen,
        Self::RequestReview,
        Self::Withdraw,
        Self::Appeal,
        Self::DecideAppeal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Decline => "decline",
            Self::Respond => "respond",
            Self::Transfer => "transfer",
            Self::Escalate => "escalate",
            Self::Extend => "extend",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Decide => "decide",
            Self::Close => "close",
            Self::Reopen => "reopen",
            Self::RequestReview => "request_review",
            Self::Withdraw => "withdraw",
            Self::Appeal => "appeal",
            Self::DecideAppeal => "decide_appeal",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Actions that record what the complainant said or asked, rather than the bank's handling.
    pub fn is_complainant_request(self) -> bool {
        matches!(self, Self::Close | Self::Reopen | Self::RequestReview | Self::Withdraw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RootCause {
    /// 服务过错
    ServiceFault,
    /// 沟通误解
    Misunderstanding,
    /// 超出服务范围的诉求
    BeyondService,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feedback {
    Satisfied,
    Dissatisfied,
    Unreachable,
}

impl RootCause {
    pub const ALL: [RootCause; 3] = [Self::ServiceFault, Self::Misunderstanding, Self::BeyondService];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceFault => "service_fault",
            Self::Misunderstanding => "misunderstanding",
            Self::BeyondService => "beyond_service",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| FieldError::because(field, "field.root_cause"))
    }
}

impl Feedback {
    pub const ALL: [Feedback; 3] = [Self::Satisfied, Self::Dissatisfied, Self::Unreachable];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::Dissatisfied => "dissatisfied",
            Self::Unreachable => "unreachable",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| FieldError::because(field, "field.feedback"))
    }
}

/// Where a unit's appeal to exclude a complaint from its figures stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    Pending,
    /// Excluded from the measures of the unit and those above it; kept in the ledger, marked.
    Approved,
    Rejected,
}

impl AppealStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|a| a.as_str() == s)
    }
}

/// A handling decision (处理决定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub liable: bool,
    pub root_cause: RootCause,
    /// A cause code of the classification (checked against the table by the caller).
    pub cause: Option<String>,
    pub remedy: Option<String>,
    pub amount: Option<Money>,
    pub text: String,
    /// The employees (user ids) a liable decision holds to account: each is proposed for the
    /// service department to confirm or dismiss. Left out of the record when none, so decisions
    /// made before it read and seal as they did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liable_staff: Vec<i64>,
}

impl Decision {
    pub fn parse(
        liable: bool,
        root_cause: RootCause,
        cause: Option<String>,
        remedy: Option<&str>,
        amount: Option<&str>,
        text: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut faults = Vec::new();
        let remedy = crate::keep(
            &mut faults,
            remedy.filter(|r| !r.trim().is_empty()).map(|r| bounded("remedy", r, 1, limits::TEXT)).transpose(),
        );
        let amount = crate::keep(
            &mut faults,
            amount.filter(|a| !a.trim().is_empty()).map(|a| Money::parse("amount", a)).transpose(),
        );
        let text = crate::keep(&mut faults, bounded("text", text, 1, limits::TEXT));
        match (remedy, amount, text) {
            (Some(remedy), Some(amount), Some(text)) => {
                Ok(Self { liable, root_cause, cause, remedy, amount, text, liable_staff: Vec::new() })
            }
            // every fault of the decision at once (never an empty list)
            _ => Err(faults),
        }
    }
}

/// A unit an order can move to, as the store found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Accept,
    Decline {
        reason: String,
    },
    Respond {
        text: String,
    },
    Transfer {
        to: UnitRef,
        reason: String,
    },
    /// `to` is the parent unit, or `None` at head office. `overdue` is the clock whose breach made the
    /// system escalate (its reason is then empty: the code is worded where it is shown).
    Escalate {
        to: Option<UnitRef>,
        reason: String,
        overdue: Option<ClockKind>,
    },
    Extend {
        reason: String,
    },
    Pause {
        reason: String,
    },
    Resume {
        reason: String,
    },
    Decide(Decision),
    Close {
        feedback: Feedback,
        note: Option<String>,
    },
    Appeal {
        reason: String,
    },
    DecideAppeal {
        approve: bool,
        note: String,
    },
    Reopen {
        reason: String,
    },
    RequestReview {
        reason: String,
    },
    Withdraw {
        reason: String,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Accept => ActionKind::Accept,
            Self::Decline { .. } => ActionKind::Decline,
            Self::Respond { .. } => ActionKind::Respond,
            Self::Transfer { .. } => ActionKind::Transfer,
            Self::Escalate { .. } => ActionKind::Escalate,
            Self::Extend { .. } => ActionKind::Extend,
            Self::Pause { .. } => ActionKind::Pause,
            Self::Resume { .. } => ActionKind::Resume,
            Self::Decide(_) => ActionKind::Decide,
            Self::Close { .. } => ActionKind::Close,
            Self::Reopen { .. } => ActionKind::Reopen,
            Self::RequestReview { .. } => ActionKind::RequestReview,
            Self::Withdraw { .. } => ActionKind::Withdraw,
            Self::Appeal { .. } => ActionKind::Appeal,
            Self::DecideAppeal { .. } => ActionKind::DecideAppeal,
        }
    }
}

/// A reason as every action takes it: 1–500 characters.
pub fn reason(value: &str) -> Result<String, FieldError> {
    bounded("reason", value, 1, limits::REASON)
}

/// The complaint's cause as every report, rollup and ledger counts it: the decision's cause when the
/// decision gave one, else the one given at registration (None: not yet classified).
pub fn reported_cause<'a>(decision: Option<&'a Decision>, registered: Option<&'a str>) -> Option<&'a str> {
    let given = |c: &&str| !c.trim().is_empty();
    decision.and_then(|d| d.cause.as_deref()).filter(given).or(registered.filter(given))
}
