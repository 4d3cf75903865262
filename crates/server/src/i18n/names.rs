//! The names of the domain's codes (roles, states, channels, actions, unit kinds, appeals, clocks,
//! root causes, feedback, timeline events) in both languages: core returns the code, this names it.

use super::Lang;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{ActionKind, AppealStatus, Feedback, RootCause, State};
use xiaobao_core::deadline::ClockKind;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Role;

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
    RootCause => "root_cause",
    Feedback => "feedback",
);

impl Lang {
    /// The name of a code in this language (the code itself if the table lacks it, which a test
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

/// (Chinese, English) for a code of `kind`.
pub(super) fn name_of(kind: &str, code: &str) -> Option<(&'static str, &'static str)> {
    Some(match (kind, code) {
        ("role", "teller") => ("柜员", "Teller"),
        ("role", "lobby_manager") => ("大堂经理", "Lobby manager"),
        ("role", "relationship_manager") => ("客户经理", "Relationship manager"),
        ("role", "outlet_head") => ("网点负责人", "Outlet head"),
        ("role", "operations_supervisor") => ("营运主管", "Operations supervisor"),
        ("role", "vice_president") => ("分管行长", "Vice president"),
        ("role", "president") => ("行长", "President"),
        ("role", "cp_centre") => ("消保中心", "Consumer-protection centre"),
        ("role", "service_dept") => ("服务主管部门", "Service supervision department"),
        ("role", "auditor") => ("审计", "Auditor"),
        ("role", "admin") => ("系统管理员", "Administrator"),
        ("role", "system") => ("系统", "System"),
        ("state", "registered") => ("已登记", "registered"),
        ("state", "accepted") => ("已受理", "accepted"),
        ("state", "in_progress") => ("处理中", "in progress"),
        ("state", "decided") => ("已作出处理决定", "decided"),
        ("state", "under_review") => ("核查中", "under review"),
        ("state", "closed") => ("已办结", "closed"),
        ("state", "declined") => ("不予受理", "declined"),
        ("state", "withdrawn") => ("已撤回", "withdrawn"),
        ("channel", "counter") => ("现场", "At the counter"),
        ("channel", "outlet_phone") => ("网点电话", "Outlet phone"),
        ("channel", "hotline") => ("客服热线", "Service hotline"),
        ("channel", "letter") => ("信函", "Letter"),
        ("channel", "online") => ("网上/手机银行", "Online / mobile banking"),
        ("channel", "regulator") => ("监管转办", "Forwarded by the regulator"),
        ("channel", "other_transfer") => ("消协及其他转办", "Forwarded by the consumer association or others"),
        ("channel", "media") => ("媒体", "Media"),
        ("action", "accept") => ("受理", "Accept"),
        ("action", "decline") => ("不予受理", "Decline to accept"),
        ("action", "respond") => ("响应", "Respond"),
        ("action", "transfer") => ("转办", "Transfer"),
        ("action", "escalate") => ("升级上报", "Escalate"),
        ("action", "extend") => ("延期", "Extend"),
        ("action", "pause") => ("暂停计时", "Pause the clock"),
        ("action", "resume") => ("恢复计时", "Resume the clock"),
        ("action", "decide") => ("作出处理决定", "Decide"),
        ("action", "close") => ("办结", "Close"),
        ("action", "reopen") => ("重新打开", "Reopen"),
        ("action", "request_review") => ("申请核查", "Request re-review"),
        ("action", "withdraw") => ("撤回", "Withdraw"),
        ("action", "appeal") => ("申诉剔除", "Appeal to exclude"),
        ("action", "decide_appeal") => ("审批申诉", "Decide the appeal"),
        ("unit_kind", "head_office") => ("总行", "Head office"),
        ("unit_kind", "branch") => ("分行", "Branch"),
        ("unit_kind", "sub_branch") => ("支行", "Sub-branch"),
        ("unit_kind", "outlet") => ("网点", "Outlet"),
        ("appeal", "pending") => ("申诉待审批", "appeal pending"),
        ("appeal", "approved") => ("申诉已批准（剔除）", "appeal approved (excluded)"),
        ("appeal", "rejected") => ("申诉已驳回", "appeal rejected"),
        ("clock", "response") => ("响应时限", "response"),
        ("clock", "decision") => ("处理决定期限", "decision"),
        ("clock", "completion") => ("限时办结期限", "completion"),
        ("clock", "review") => ("核查期限", "review"),
        ("root_cause", "service_fault") => ("服务过错", "Service fault"),
        ("root_cause", "misunderstanding") => ("沟通误解", "Misunderstanding"),
        ("root_cause", "beyond_service") => ("超出服务范围的诉求", "Beyond the service"),
        ("feedback", "satisfied") => ("满意", "Satisfied"),
        ("feedback", "dissatisfied") => ("不满意", "Dissatisfied"),
        ("feedback", "unreachable") => ("联系不上", "Unreachable"),
        _ => return None,
    })
}

/// (Chinese, English) for a timeline event of `kind` (as stored, `Change::kind`).
fn event_name(kind: &str) -> Option<(&'static str, &'static str)> {
    if let Some(a) = name_of("action", kind) {
        return Some(a);
    }
    Some(match kind {
        "register" => ("登记", "Registered"),
        "merge" => ("合并重复投诉", "Merged a repeat complaint"),
        "appeal_decided" => ("申诉审批", "Appeal decided"),
        "attach" => ("上传附件", "Attachment"),
        "hot_issue" => ("归入热点问题", "Linked to a hot issue"),
        "hot_issue_left" => ("移出热点问题", "Taken out of a hot issue"),
        "clock_warning" => ("临近到期提醒", "Due-soon alert"),
        "clock_breach" => ("超时", "Breached"),
        _ => return None,
    })
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
