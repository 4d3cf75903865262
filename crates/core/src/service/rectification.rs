//! Rectifications (整改): something found wrong that a named owner must put right by a due date,
//! with evidence. Open → submitted → verified, or sent back (open again, with the reason). The due
//! date is counted in working days on the bank's calendar; one not verified by then is overdue and
//! escalates a level for each further stretch of working days, as complaint clocks do.

use crate::calendar::Calendar;
use crate::error::FieldError;
use chrono::NaiveDate;

/// Working days a rectification is given when no due date is set.
pub const DEFAULT_WORKING_DAYS: u32 = 10;
/// Working days overdue before it escalates a further level (to the unit above).
pub const ESCALATE_EVERY_WORKING_DAYS: u32 = 5;
/// The latest due date: a year on.
pub const MAX_DAYS_AHEAD: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A finding of an inspection.
    InspectionFinding,
    /// A complaint decided as the bank's liability.
    LiableComplaint,
    /// A hot issue.
    HotIssue,
    /// A consumer-protection review (of a product or a contract).
    Review,
}

impl Source {
    pub const ALL: [Self; 4] = [Self::InspectionFinding, Self::LiableComplaint, Self::HotIssue, Self::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InspectionFinding => "inspection_finding",
            Self::LiableComplaint => "liable_complaint",
            Self::HotIssue => "hot_issue",
            Self::Review => "review",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::because(field, "field.unknown_choice").with("value", s).with("choices", all.join(", "))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RectState {
    /// Waiting for the owner.
    Open,
    /// The owner says it is put right; waiting for the verifier.
    Submitted,
    /// Checked and accepted: finished.
    Verified,
    /// Not accepted: back with the owner, with the reason.
    SentBack,
}

impl RectState {
    pub const ALL: [Self; 4] = [Self::Open, Self::Submitted, Self::Verified, Self::SentBack];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Verified => "verified",
            Self::SentBack => "sent_back",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::because(field, "field.unknown_state").with("value", s).with("choices", all.join(", "))
        })
    }

    /// Whether the owner has something to do.
    pub fn with_owner(self) -> bool {
        matches!(self, Self::Open | Self::SentBack)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RectAction {
    /// The owner reports it put right.
    Submit,
    /// The verifier accepts it.
    Verify,
    /// The verifier does not accept it.
    SendBack,
}

impl RectAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Verify => "verify",
            Self::SendBack => "send_back",
        }
    }

    /// The state `self` leads to from `from`, if it is allowed there.
    pub fn next(self, from: RectState) -> Option<RectState> {
        match (self, from) {
            (Self::Submit, RectState::Open | RectState::SentBack) => Some(RectState::Submitted),
            (Self::Verify, RectState::Submitted) => Some(RectState::Verified),
            (Self::SendBack, RectState::Submitted) => Some(RectState::SentBack),
            _ => None,
        }
    }
}

/// The due date of a rectification made on `today`: the one asked for (not before today, at most a
/// year on), else [`DEFAULT_WORKING_DAYS`] working days on.
pub fn due_on(
    calendar: &Calendar,
    today: NaiveDate,
    asked: Option<NaiveDate>,
    field: &str,
) -> Result<NaiveDate, FieldError> {
    match asked {
        None => Ok(calendar.add_working_days(today, DEFAULT_WORKING_DAYS)),
        Some(d) if d < today => Err(FieldError::because(field, "field.due_in_past")),
        Some(d) if (d - today).num_days() > MAX_DAYS_AHEAD => {
            Err(FieldError::because(field, "field.due_too_far").with("max", MAX_DAYS_AHEAD))
        }
        Some(d) => Ok(d),
    }
}

/// How far past due an unfinished rectification is on `today`: 0 when not overdue (or verified),
/// 1 from the first day after the due date, one more for each further
/// [`ESCALATE_EVERY_WORKING_DAYS`] working days.
pub fn overdue_level(calendar: &Calendar, state: RectState, due: NaiveDate, today: NaiveDate) -> u32 {
    if state == RectState::Verified || today <= due {
        return 0;
    }
    1 + calendar.working_days_between(due, today).saturating_sub(1) / ESCALATE_EVERY_WORKING_DAYS
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::calendar::{CHINA_CALENDAR_CSV, parse_entries};

    fn cal() -> Calendar {
        Calendar::from_entries(&parse_entries(CHINA_CALENDAR_CSV).unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_life_is_open_submitted_then_verified_or_sent_back_and_submitted_again() {
        use RectAction::*;
        use RectState::*;
        assert_eq!(Submit.next(Open), Some(Submitted));
        assert_eq!(SendBack.next(Submitted), Some(SentBack));
        assert_eq!(Submit.next(SentBack), Some(Submitted));
        assert_eq!(Verify.next(Submitted), Some(Verified));
        for (a, s) in [(Verify, Open), (SendBack, Open), (Submit, Submitted), (Submit, Verified), (Verify, Verified)] {
            assert_eq!(a.next(s), None, "{a:?} from {s:?}");
        }
    }

    #[test]
    fn the_default_due_date_skips_the_national_day_holiday() {
        let c = cal();
        // made on Monday 2025-09-29: 30 Sep, then 1–8 Oct are holidays; 9, 10, 11 (a Saturday worked),
        // 13–17 and 20 Oct make the ten
        assert_eq!(due_on(&c, d("2025-09-29"), None, "due_on").unwrap(), d("2025-10-20"));
        assert_eq!(due_on(&c, d("2025-09-29"), Some(d("2025-09-29")), "due_on").unwrap(), d("2025-09-29"));
        assert_eq!(
            due_on(&c, d("2025-09-29"), Some(d("2025-09-28")), "due_on").unwrap_err().reason,
            "field.due_in_past"
        );
        assert_eq!(
            due_on(&c, d("2025-01-01"), Some(d("2026-01-03")), "due_on").unwrap_err().reason,
            "field.due_too_far"
        );
    }

    #[test]
    fn overdue_rises_a_level_every_five_working_days_and_never_once_verified() {
        let c = cal();
        let due = d("2025-03-07"); // a Friday
        assert_eq!(overdue_level(&c, RectState::Open, due, d("2025-03-07")), 0);
        assert_eq!(overdue_level(&c, RectState::Open, due, d("2025-03-08")), 1);
        assert_eq!(overdue_level(&c, RectState::Submitted, due, d("2025-03-14")), 1);
        assert_eq!(overdue_level(&c, RectState::Open, due, d("2025-03-17")), 2);
        assert_eq!(overdue_level(&c, RectState::Verified, due, d("2025-04-30")), 0);
    }
}
