//! Service records (服务档案): each employee's rewards and penalties of a year, with points, an amount
//! and the reason, and where each came from: an inspection, a complaint decided as liable (after the
//! service department confirmed the accountability), the monthly bulletin, or entered by hand.

use crate::error::FieldError;
use crate::money::Money;
use crate::text::{bounded, limits};

/// Most points one entry carries.
pub const MAX_POINTS: i64 = 100;

crate::choices! {
    pub enum RecordKind {
        /// 奖励
        Reward = "reward",
        /// 处罚
        Penalty = "penalty",
    }
}

impl RecordKind {
    /// Points as they add to a year's balance: rewards up, penalties down.
    pub fn signed(self, points: i64) -> i64 {
        match self {
            Self::Reward => points,
            Self::Penalty => -points,
        }
    }
}

crate::choices! {
    pub enum RecordSource {
        Manual = "manual",
        Inspection = "inspection",
        LiableComplaint = "liable_complaint",
        Bulletin = "bulletin",
    }
}

/// An entry as checked: points from 0 to [`MAX_POINTS`], an amount not negative, at least one of
/// the two, and a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: RecordKind,
    pub points: i64,
    pub amount: Option<Money>,
    pub reason: String,
}

impl Entry {
    pub fn parse(kind: &str, points: i64, amount: Option<&str>, reason: &str) -> Result<Self, Vec<FieldError>> {
        let mut faults = Vec::new();
        let kind = crate::error::keep(&mut faults, RecordKind::parse("kind", kind.trim()));
        if !(0..=MAX_POINTS).contains(&points) {
            faults.push(
                FieldError::because("points", "field.between")
                    .with("min", 0)
                    .with("max", MAX_POINTS)
                    .with("value", points),
            );
        }
        let amount = crate::error::keep(
            &mut faults,
            amount.map(str::trim).filter(|a| !a.is_empty()).map(|a| Money::parse("amount", a)).transpose(),
        );
        let reason = crate::error::keep(&mut faults, bounded("reason", reason, 1, limits::REASON));
        if points == 0 && amount.flatten().is_none_or(|m| m.fen() == 0) && faults.is_empty() {
            faults.push(FieldError::because("points", "field.points_or_amount"));
        }
        match (kind, amount, reason) {
            (Some(kind), Some(amount), Some(reason)) if faults.is_empty() => Ok(Self { kind, points, amount, reason }),
            _ => Err(faults),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_needs_points_or_an_amount_and_a_reason_and_every_fault_is_told() {
        let e = Entry::parse("penalty", 2, Some("200.00"), "有责投诉：解释不到位").unwrap();
        assert_eq!((e.kind.signed(e.points), e.amount.unwrap().fen()), (-2, 20_000));
        assert_eq!(Entry::parse("reward", 0, Some("50"), "表扬信").unwrap().points, 0);
        let f = Entry::parse("bonus", 101, Some("-1"), " ").unwrap_err();
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "points", "amount", "reason"]);
        assert_eq!(Entry::parse("reward", 0, None, "x").unwrap_err()[0].reason, "field.points_or_amount");
    }
}
