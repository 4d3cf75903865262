//! Why an action was refused, in both languages: core says which refusal (`Refusal`), this words it.

use super::names::name_of;
use crate::i18n::Msg;
use xiaobao_core::complaint::Refusal;

fn zh(kind: &str, code: &'static str) -> &'static str {
    name_of(kind, code).map_or(code, |n| n.0)
}

fn en(kind: &str, code: &'static str) -> &'static str {
    name_of(kind, code).map_or(code, |n| n.1)
}

/// The words of a refusal.
pub fn refusal(r: &Refusal) -> Msg {
    match r {
        Refusal::NoPermission { action, role } => Msg::new(
            format!("角色「{}」无权执行「{}」", zh("role", role.as_str()), zh("action", action.as_str())),
            format!("the role {role} may not {}", action.as_str()),
        ),
        Refusal::NotInState { action, state } => Msg::new(
            format!("工单当前为「{}」状态，不能「{}」", zh("state", state.as_str()), zh("action", action.as_str())),
            format!("cannot {} an order that is {}", action.as_str(), en("state", state.as_str())),
        ),
        Refusal::AlreadyPaused => Msg::new("计时已暂停，不能重复暂停", "the clocks are already paused"),
        Refusal::NotPaused => Msg::new("计时未暂停，无需恢复", "the clocks are not paused"),
        Refusal::PausedClock { action } => Msg::new(
            format!("计时暂停期间不能「{}」，请先恢复计时", zh("action", action.as_str())),
            format!("cannot {} while the clocks are paused; resume them first", action.as_str()),
        ),
        Refusal::AtHeadOffice => {
            Msg::new("工单已在总行，无法继续升级", "the order is already at head office; there is no unit above")
        }
        Refusal::SameUnit => Msg::new("不能转办给当前承办机构", "the order is already with that unit"),
        Refusal::ExtensionsExhausted => Msg::new(
            "已延期至最长期限（自受理之日起 60 日），不能再延期",
            "the order is already extended to the maximum (60 days from receipt)",
        ),
        Refusal::ExtensionNeedsApproval { role } => Msg::new(
            format!("第二次延期须经上级机构或总行高级管理人员批准，角色「{}」无权批准", zh("role", role.as_str())),
            format!("the second extension needs approval by the superior unit; the role {role} may not approve it"),
        ),
        Refusal::AppealExists { status } => Msg::new(
            format!("该投诉已有申诉（{}），不能重复申诉", zh("appeal", status.as_str())),
            format!("the complaint already has an appeal ({})", en("appeal", status.as_str())),
        ),
        Refusal::NoAppealPending => {
            Msg::new("该投诉没有待审批的申诉", "the complaint has no appeal waiting for a decision")
        }
        Refusal::HeadOfficeOnly => Msg::new("申诉须由总行审批", "only head office decides appeals"),
        Refusal::ReviewWindowClosed { days } => Msg::new(
            format!("已超过收到处理决定后 {days} 日的核查申请期限"),
            format!("the {days}-day window to ask for a re-review after the decision has passed"),
        ),
    }
}
