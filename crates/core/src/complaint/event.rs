//! Events: what happened to a work order, in enough detail that the order's row can be rebuilt by
//! replaying them, and the hash chain that proves the history untouched.

use super::action::{Decision, Feedback, UnitRef};
use super::state::State;
use crate::deadline::{Alert, ClockKind};
use crate::time::Instant;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The change an event makes. Due times are computed when the event is made and carried in it, so
/// replaying the history gives the same order even after the calendar is edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Register {
        clocks: Vec<ClockStart>,
        repeat_of: Option<i64>,
        /// The seal over the complainant's record as this registration left it (see
        /// `seal::complainant_seal`); absent on registrations from before records were sealed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        complainant: Option<String>,
    },
    Merge {
        summary: String,
        description: String,
    },
    Accept,
    Decline {
        reason: String,
    },
    Respond {
        text: String,
    },
    Transfer {
        from: i64,
        to: UnitRef,
        reason: String,
        clock: Option<ClockStart>,
    },
    Escalate {
        from: i64,
        to: UnitRef,
        reason: String,
        /// Escalated by the system because this clock was breached (absent when a person escalated).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overdue: Option<ClockKind>,
    },
    Extend {
        reason: String,
        tier: u8,
        decision_due_at: Instant,
    },
    Pause {
        reason: String,
    },
    Resume {
        reason: String,
    },
    Decide {
        decision: Decision,
    },
    Close {
        feedback: Feedback,
        note: Option<String>,
    },
    Reopen {
        reason: String,
        clocks: Vec<ClockStart>,
    },
    RequestReview {
        reason: String,
        clock: Option<ClockStart>,
    },
    Withdraw {
        reason: String,
    },
    /// A file attached to the order (its content is kept beside the event, named by its hash).
    Attach {
        name: String,
        content_type: String,
        size: i64,
        sha256: String,
    },
    /// The deadline scheduler's warning or breach on one clock.
    ClockAlert {
        clock: ClockKind,
        alert: Alert,
        due_at: Instant,
    },
    /// The unit asks to exclude the complaint from its figures.
    Appeal {
        reason: String,
    },
    /// Head office decides the appeal.
    AppealDecided {
        approved: bool,
        note: String,
    },
    /// Linked with similar complaints as one hot issue.
    HotIssue {
        hot_issue_id: i64,
        title: String,
    },
    /// Taken out of the hot issue it was linked to.
    HotIssueLeft {
        hot_issue_id: i64,
        title: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStart {
    pub kind: ClockKind,
    pub due_at: Instant,
}

impl Change {
    /// The event kind as stored and shown (`register`, `accept`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Register { .. } => "register",
            Self::Appeal { .. } => "appeal",
            Self::AppealDecided { .. } => "appeal_decided",
            Self::Merge { .. } => "merge",
            Self::Accept => "accept",
            Self::Decline { .. } => "decline",
            Self::Respond { .. } => "respond",
            Self::Transfer { .. } => "transfer",
            Self::Escalate { .. } => "escalate",
            Self::Extend { .. } => "extend",
            Self::Pause { .. } => "pause",
            Self::Resume { .. } => "resume",
            Self::Decide { .. } => "decide",
            Self::Close { .. } => "close",
            Self::Reopen { .. } => "reopen",
            Self::RequestReview { .. } => "request_review",
            Self::Withdraw { .. } => "withdraw",
            Self::Attach { .. } => "attach",
            Self::HotIssue { .. } => "hot_issue",
            Self::HotIssueLeft { .. } => "hot_issue_left",
            Self::ClockAlert { alert: Alert::Warning { .. }, .. } => "clock_warning",
            Self::ClockAlert { alert: Alert::Breach { .. }, .. } => "clock_breach",
        }
    }
}

/// An event ready to be appended: the store gives it its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub complaint_id: i64,
    pub actor_id: i64,
    pub at: Instant,
    pub from: Option<State>,
    pub to: State,
    pub change: Change,
}

/// The hash of the zero-th event: the chain starts from here.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a stored event that its hash covers, in the order they are hashed.
#[derive(Debug, Clone, Copy)]
pub struct Hashed<'a> {
    pub seq: i64,
    pub complaint_id: i64,
    pub kind: &'a str,
    pub actor_id: i64,
    pub at_ms: i64,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub payload: &'a str,
}

/// SHA-256 over the previous hash and every stored field, hex-encoded: how events were chained
/// before the chain was keyed. `audit verify` still checks the events from then this way; the seal
/// anchored after the last of them keeps them from being rewritten.
pub fn chain_hash(prev_hash: &str, e: Hashed<'_>) -> String {
    let mut h = Sha256::new();
    for part in e.parts(prev_hash) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

/// HMAC-SHA256 with the chain key over the previous hash and every stored field, hex-encoded: the
/// seal of every event since the chain was keyed.
pub fn chain_mac(key: &crate::seal::ChainKey, prev_hash: &str, e: Hashed<'_>) -> String {
    let parts = e.parts(prev_hash);
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    key.mac("event", &refs)
}

impl Hashed<'_> {
    fn parts(&self, prev_hash: &str) -> [Vec<u8>; 9] {
        [
            prev_hash.as_bytes().to_vec(),
            self.seq.to_string().into_bytes(),
            self.complaint_id.to_string().into_bytes(),
            self.kind.as_bytes().to_vec(),
            self.actor_id.to_string().into_bytes(),
            self.at_ms.to_string().into_bytes(),
            self.from_state.as_bytes().to_vec(),
            self.to_state.as_bytes().to_vec(),
            self.payload.as_bytes().to_vec(),
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample<'a>(payload: &'a str) -> Hashed<'a> {
        Hashed {
            seq: 1,
            complaint_id: 7,
            kind: "accept",
            actor_id: 3,
            at_ms: 1_700_000_000_000,
            from_state: "registered",
            to_state: "accepted",
            payload,
        }
    }

    #[test]
    fn any_field_change_changes_the_hash() {
        let base = chain_hash(GENESIS_HASH, sample("{}"));
        assert_ne!(base, chain_hash(GENESIS_HASH, sample("{ }")));
        assert_ne!(base, chain_hash(GENESIS_HASH, Hashed { actor_id: 4, ..sample("{}") }));
        assert_ne!(base, chain_hash("1", sample("{}")));
        assert_eq!(base, chain_hash(GENESIS_HASH, sample("{}")));
    }

    #[test]
    fn the_keyed_seal_differs_from_the_plain_hash_and_between_keys() {
        use crate::seal::ChainKey;
        let a = ChainKey::from_bytes([7; 32]);
        let sealed = chain_mac(&a, GENESIS_HASH, sample("{}"));
        assert_ne!(sealed, chain_hash(GENESIS_HASH, sample("{}")));
        assert_ne!(sealed, chain_mac(&ChainKey::from_bytes([8; 32]), GENESIS_HASH, sample("{}")));
        assert_ne!(sealed, chain_mac(&a, GENESIS_HASH, Hashed { seq: 2, ..sample("{}") }));
        assert_eq!(sealed, chain_mac(&a, GENESIS_HASH, sample("{}")));
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = chain_hash(GENESIS_HASH, Hashed { kind: "ab", from_state: "c", ..sample("{}") });
        let b = chain_hash(GENESIS_HASH, Hashed { kind: "a", from_state: "bc", ..sample("{}") });
        assert_ne!(a, b);
    }

    #[test]
    fn changes_round_trip_through_json_with_their_kind() {
        let c = Change::Decline { reason: "非本行业务".into() };
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains("\"kind\":\"decline\""));
        assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), c);
    }
}
