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
    "hot.outcome" => ("已作出决定 {decided} 笔，未能处理 {refused} 笔", "{decided} decided, {refused} not"),
    "hot.decided" => ("已决定", "decided"),
    "hot.decide_all" => ("对 {open} 笔在办工单作出同一处理决定", "One decision for the {open} open orders"),
    "hot.decide_each_help" => (
        "逐笔作出决定，各自记录事件；尚不能决定的工单将列出原因。",
        "Each order is decided on its own, with its own event; those not ready for a decision are listed with the reason.",
    ),
}
