//! Intake channels: how a complaint reached the bank. Channel drives deadlines and the over-level flag.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    OutletPhone,
    Hotline,
    Letter,
    Online,
    Regulator,
    OtherTransfer,
    Media,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Self::Counter,
        Self::OutletPhone,
        Self::Hotline,
        Self::Letter,
        Self::Online,
        Self::Regulator,
        Self::OtherTransfer,
        Self::Media,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::OutletPhone => "outlet_phone",
            Self::Hotline => "hotline",
            Self::Letter => "letter",
            Self::Online => "online",
            Self::Regulator => "regulator",
            Self::OtherTransfer => "other_transfer",
            Self::Media => "media",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
            FieldError::because(field, "field.unknown_channel").with("value", s).with("choices", all.join(", "))
        })
    }

    /// A complaint that arrives through the regulator reached it before the responsible unit
    /// decided: it is over-level (越级) from the start.
    pub fn is_over_level(self) -> bool {
        matches!(self, Self::Regulator)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
