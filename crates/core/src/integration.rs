//! Integration tokens: a system, not a person, sending to the product — a counter evaluator, the
//! queue system, the hotline, a webhook receiver. Each token is bound to one org unit's subtree and
//! to its kind's endpoints; an evaluator's or a queue system's unit is one outlet.

use crate::error::FieldError;
use crate::org::OrgUnitKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationKind {
    /// A counter evaluator (服务评价器): sends ratings of its outlet.
    Evaluator,
    /// The queue system (排队叫号): sends queue tickets of its outlet.
    Queue,
    /// The call centre: files complaints for the units of its subtree.
    Hotline,
    /// Receives the product's events.
    Webhook,
}

impl IntegrationKind {
    pub const ALL: [Self; 4] = [Self::Evaluator, Self::Queue, Self::Hotline, Self::Webhook];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Evaluator => "evaluator",
            Self::Queue => "queue",
            Self::Hotline => "hotline",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::because(field, "field.unknown_choice").with("value", s).with("choices", all.join(", "))
        })
    }

    /// Whether a token of this kind may be bound to a unit of `kind`: devices of an outlet only to
    /// that outlet.
    pub fn may_bind_to(self, kind: OrgUnitKind) -> bool {
        match self {
            Self::Evaluator | Self::Queue => kind == OrgUnitKind::Outlet,
            Self::Hotline | Self::Webhook => true,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_bound_to_an_outlet_and_kinds_parse_by_name() {
        assert!(IntegrationKind::Evaluator.may_bind_to(OrgUnitKind::Outlet));
        assert!(!IntegrationKind::Queue.may_bind_to(OrgUnitKind::SubBranch));
        assert!(IntegrationKind::Hotline.may_bind_to(OrgUnitKind::Branch));
        assert_eq!(IntegrationKind::parse("kind", "queue").unwrap(), IntegrationKind::Queue);
        assert_eq!(IntegrationKind::parse("kind", "fax").unwrap_err().reason, "field.unknown_choice");
    }
}
