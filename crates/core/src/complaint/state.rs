//! The states of a work order (DESIGN §2).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Registered,
    Accepted,
    InProgress,
    Decided,
    UnderReview,
    Closed,
    Declined,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 8] = [
        Self::Registered,
        Self::Accepted,
        Self::InProgress,
        Self::Decided,
        Self::UnderReview,
        Self::Closed,
        Self::Declined,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Accepted => "accepted",
            Self::InProgress => "in_progress",
            Self::Decided => "decided",
            Self::UnderReview => "under_review",
            Self::Closed => "closed",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still being handled: a new complaint on the same matter merges into an open order.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Declined | Self::Withdrawn)
    }

    /// No action leads out of these states.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Declined | Self::Withdrawn)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
