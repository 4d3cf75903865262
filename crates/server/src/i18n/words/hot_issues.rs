//! The words of the hot issues: suggestions, linking, members and the one decision for all.

catalogue! {
    "hot.take_out" => ("移出", "Take out"),
    "hot.take_out_confirm" => ("确定将 {number} 移出该热点问题吗？", "Take {number} out of this hot issue?"),
    "hot.no_issues" => (
        "尚未归并热点问题。可在下方将建议的分组归为热点问题。",
        "No hot issues linked yet. Link a suggested group below.",
    ),
    "hot.issue" => ("热点问题", "Hot issue"),
    "hot.keywords" => ("关键词", "Keywords"),
    "hot.orders" => ("工单数", "Orders"),
    "hot.linked" => ("归并时间", "Linked"),
    "hot.suggested" => ("疑似热点问题", "Suggested hot issues"),
    "hot.days" => ("最近天数", "Received in the last (days)"),
    "hot.min_size" => ("最少投诉笔数", "At least (complaints)"),
    "hot.compared" => (
        "已比对最近 {days} 天内尚未归并的投诉 {n} 笔。",
        "{n} complaints of the last {days} days not yet in a hot issue were compared.",
    ),
    "hot.truncated" => (
        "仅比对了最新的投诉，缩小机构或天数可查看其余。",
        "Only the newest were read: narrow the unit or the days to see the rest.",
    ),
    "hot.no_groups" => ("没有发现相似投诉的分组。", "No group of alike complaints."),
    "hot.group_size" => ("{n} 笔，涉及 {units} 个机构", "{n} complaints at {units} units"),
    "hot.untick" => ("{n} 笔工单（不属于该问题的请取消勾选）", "The {n} orders (untick those that do not belong)"),
    "hot.title" => ("热点问题名称", "Title of the hot issue"),
    "hot.link" => ("归为热点问题", "Link as one hot issue"),
    "hot.n_orders" => ("{n} 笔工单", "The {n} orders"),
    "hot.open_in_list" => ("在工单列表中查看", "Open in the order list"),
    "hot.outcome" => ("已对 {decided} 笔工单（{units} 个机构）作出决定，{refused} 笔未作决定", "{decided} orders decided at {units} units; {refused} not decided"),
    "hot.refused_list" => ("以下 {n} 笔未作决定，原因如下：", "These {n} were not decided, and why:"),
    "hot.decided_list" => ("已作出决定的 {n} 笔工单", "The {n} orders decided"),
    "hot.confirm_title" => ("确认对 {orders} 笔工单（{units} 个机构）作出同一处理决定？", "Decide {orders} orders at {units} units?"),
    "hot.batch_changed" => (
        "您确认的是 {confirmed} 笔，现在可决定的为 {orders} 笔。尚未作出任何决定，请核对后再确认。",
        "You confirmed {confirmed} orders, but {orders} can be decided now. Nothing has been decided: check and confirm again.",
    ),
    "hot.confirm_help" => (
        "将在下列每笔工单上记录同一处理决定，各自记录事件。现在尚未作出任何决定。",
        "The same decision will be recorded on each order below, each with its own event. Nothing has been decided yet.",
    ),
    "hot.not_reached" => ("另有 {n} 笔在办工单现在不能决定，保持不变。", "{n} other open orders cannot be decided now and are left as they are."),
    "hot.confirm_button" => ("确认决定这 {orders} 笔", "Decide these {orders}"),
    "hot.cancel" => ("取消", "Cancel"),
    "hot.not_decidable" => ("{n} 笔在办工单现在不能决定（查看原因）", "{n} open orders cannot be decided now (see why)"),
    "hot.confirm_decide" => (
        "将对 {orders} 笔工单（{units} 个机构）逐笔作出该处理决定，确定吗？",
        "This decision will be recorded on {orders} orders at {units} units. Go ahead?",
    ),
    "hot.nothing_to_decide" => ("目前没有可以作出决定的工单：须先受理并响应。", "No order can be decided now: each must first be accepted and responded to."),
    "problem.nothing_to_decide" => ("该热点问题中现在没有可由您作出决定的工单", "no order of this hot issue can be decided by you now"),
    "problem.batch_changed" => (
        "确认的是 {confirmed} 笔，现在可决定的为 {orders} 笔：未作任何决定，请重新确认",
        "{confirmed} orders were confirmed, but {orders} can be decided now: nothing was decided; confirm again",
    ),
    "hot.decided" => ("已决定", "decided"),
    "hot.decide_all" => ("对现在可决定的 {orders} 笔工单（{units} 个机构）作出同一处理决定", "One decision for the {orders} orders at {units} units that can be decided now"),
    "hot.decide_each_help" => (
        "逐笔作出决定，各自记录事件；尚不能决定的工单将列出原因。",
        "Each order is decided on its own, with its own event; those not ready for a decision are listed with the reason.",
    ),
}
