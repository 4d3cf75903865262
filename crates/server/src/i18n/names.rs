//! Naming the domain's codes (roles, states, channels, actions, unit kinds, appeals, clocks, root
//! causes, feedback, integration kinds, timeline events): core returns the code, the catalogue's `kind.code` names it
//! (`words/names.rs`).

use super::Lang;
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::ComplainantTag;
use xiaobao_core::complaint::{ActionKind, AppealStatus, Feedback, RootCause, State};
use xiaobao_core::deadline::{ClockKind, Unit};
use xiaobao_core::integration::IntegrationKind;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Role;
use xiaobao_core::service::inspection::InspectionKind;
use xiaobao_core::service::record::{RecordKind, RecordSource};
use xiaobao_core::service::rectification::{RectAction, RectState, Source};
use xiaobao_core::workbook::fraud::{Place, Scenario};
use xiaobao_core::workbook::review::{ReviewKind, ReviewStage, ReviewState, ReviewStep};
use xiaobao_core::workbook::weekly::WeeklyState;
use xiaobao_core::workbook::{CustomerGroup, Register};

/// A code of the domain with a name in each language.
pub trait Named: Copy {
    /// The kind of code: the first half of its key in the table (`role.teller`).
    const KIND: &'static str;
    fn code(self) -> &'static str;
}

impl<T: Named> Named for &T {
    const KIND: &'static str = T::KIND;
    fn code(self) -> &'static str {
        (*self).code()
    }
}

macro_rules! named {
    ($($ty:ty => $kind:literal),* $(,)?) => {
        $(impl Named for $ty {
            const KIND: &'static str = $kind;
            fn code(self) -> &'static str {
                self.as_str()
            }
        })*
    };
}

named!(
    Role => "role",
    State => "state",
    Channel => "channel",
    ActionKind => "action",
    OrgUnitKind => "unit_kind",
    AppealStatus => "appeal",
    ClockKind => "clock",
    Unit => "period_unit",
    RootCause => "root_cause",
    Feedback => "feedback",
    ComplainantTag => "tag",
    IntegrationKind => "integration_kind",
    InspectionKind => "inspection_kind",
    RectState => "rect_state",
    RectAction => "rect_action",
    Source => "rect_source",
    RecordKind => "record_kind",
    RecordSource => "record_source",
    Register => "register",
    Scenario => "scenario",
    Place => "fraud_place",
    CustomerGroup => "customer_group",
    ReviewKind => "review_kind",
    ReviewStage => "review_stage",
    ReviewState => "review_state",
    ReviewStep => "review_step",
    WeeklyState => "weekly_state",
);

impl Lang {
    /// The name of a code in this language (the code itself if the catalogue lacks it, which a test
    /// catches).
    pub fn name<T: Named>(self, v: T) -> &'static str {
        let (zh, en) = name_of(T::KIND, v.code()).unwrap_or((v.code(), v.code()));
        if self.english() { en } else { zh }
    }

    /// What a timeline event of `kind` (as stored) is called; the stored kind when unknown.
    pub fn event_name(self, kind: &str) -> String {
        match event_name(kind) {
            Some((zh, en)) => (if self.english() { en } else { zh }).to_string(),
            None => kind.to_string(),
        }
    }
}

/// (Chinese, English) for a code of `kind`: the catalogue's `kind.code`.
pub(super) fn name_of(kind: &str, code: &str) -> Option<(&'static str, &'static str)> {
    super::words(&format!("{kind}.{code}"))
}

/// (Chinese, English) for a timeline event of `kind` (as stored, `Change::kind`): an action's name,
/// else the catalogue's `event.kind`.
fn event_name(kind: &str) -> Option<(&'static str, &'static str)> {
    name_of("action", kind).or_else(|| name_of("event", kind))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn every<T: Named>(all: impl IntoIterator<Item = T>) {
        for v in all {
            let (zh, en) = name_of(T::KIND, v.code()).unwrap_or_else(|| panic!("{}.{} has no name", T::KIND, v.code()));
            assert!(!zh.is_empty() && !en.is_empty());
            assert_ne!(zh, en, "{}.{}", T::KIND, v.code());
            assert!(!zh.is_ascii(), "{}.{}: the Chinese name is not Chinese", T::KIND, v.code());
            assert_eq!(Lang::Zh.name(v), zh);
            assert_eq!(Lang::En.name(v), en);
        }
    }

    #[test]
    fn every_code_has_a_name_in_both_languages() {
        every(Role::ALL.into_iter().chain([Role::System]));
        every(State::ALL);
        every(Channel::ALL);
        every(ActionKind::ALL);
        every(OrgUnitKind::ALL);
        every([AppealStatus::Pending, AppealStatus::Approved, AppealStatus::Rejected]);
        every(ClockKind::ALL);
        every(RootCause::ALL);
        every(Feedback::ALL);
        every(ComplainantTag::ALL);
        every(IntegrationKind::ALL);
        every(InspectionKind::ALL);
        every(RectState::ALL);
        every([RectAction::Submit, RectAction::Verify, RectAction::SendBack]);
        every(Source::ALL);
        every(RecordKind::ALL);
        every(RecordSource::ALL);
        every(Register::ALL);
        every(Scenario::ALL);
        every(Place::ALL);
        every(CustomerGroup::ALL);
    }

    #[test]
    fn every_event_kind_has_a_name() {
        for kind in [
            "register",
            "merge",
            "appeal_decided",
            "attach",
            "hot_issue",
            "hot_issue_left",
            "clock_warning",
            "clock_breach",
        ]
        .into_iter()
        .chain(ActionKind::ALL.map(|a| a.as_str()))
        {
            assert!(event_name(kind).is_some(), "{kind}");
        }
        // each kind its own words on a timeline (decide_appeal is recorded as appeal_decided)
        let kinds: Vec<&str> = ActionKind::ALL
            .map(|a| a.as_str())
            .into_iter()
            .filter(|k| *k != "decide_appeal")
            .chain(["register", "merge", "appeal_decided", "attach", "hot_issue", "hot_issue_left"])
            .chain(["clock_warning", "clock_breach"])
            .collect();
        let names: Vec<(&str, &str)> = kinds.iter().map(|k| event_name(k).unwrap()).collect();
        let zh: std::collections::BTreeSet<_> = names.iter().map(|l| l.0).collect();
        let en: std::collections::BTreeSet<_> = names.iter().map(|l| l.1).collect();
        assert_eq!((zh.len(), en.len()), (kinds.len(), kinds.len()), "{names:?}");
        assert_eq!(Lang::En.event_name("accept"), "Accept");
        assert_eq!(Lang::Zh.event_name("hot_issue_left"), "移出热点问题");
        assert_eq!(Lang::En.event_name("no_such_kind"), "no_such_kind");
    }
}
