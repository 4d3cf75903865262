//! Why an action was refused (core's `Refusal`).

catalogue! {
    "refusal.no_permission" => ("角色「{role}」无权执行「{action}」", "the role “{role}” may not “{action}”"),
    "refusal.not_in_state" => ("工单当前为「{state}」状态，不能「{action}」", "cannot “{action}” an order that is {state}"),
    "refusal.already_paused" => ("计时已暂停，不能重复暂停", "the clocks are already paused"),
    "refusal.not_paused" => ("计时未暂停，无需恢复", "the clocks are not paused"),
    "refusal.paused_clock" => ("计时暂停期间不能「{action}」，请先恢复计时", "cannot “{action}” while the clocks are paused; resume them first"),
    "refusal.at_head_office" => ("工单已在总行，无法继续升级", "the order is already at head office; there is no unit above"),
    "refusal.same_unit" => ("不能转办给当前承办机构", "the order is already with that unit"),
    "refusal.extensions_exhausted" => ("已延期至最长期限（自受理之日起 60 日），不能再延期", "the order is already extended to the maximum (60 days from receipt)"),
    "refusal.extension_needs_approval" => ("第二次延期须经上级机构或总行高级管理人员批准，角色「{role}」无权批准", "the second extension needs approval by the superior unit; the role “{role}” may not approve it"),
    "refusal.appeal_exists" => ("该投诉已有申诉（{status}），不能重复申诉", "the complaint already has an appeal ({status})"),
    "refusal.no_appeal_pending" => ("该投诉没有待审批的申诉", "the complaint has no appeal waiting for a decision"),
    "refusal.head_office_only" => ("申诉须由总行审批", "only head office decides appeals"),
    "refusal.review_window_closed" => ("已超过收到处理决定后 {days} 日的核查申请期限", "the {days}-day window to ask for a re-review after the decision has passed"),
}
