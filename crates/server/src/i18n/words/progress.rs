//! The words of the complainant's public progress page: plain words for anyone, of any age, not the
//! bank's own (限时办结 and the like).

catalogue! {
    "progress.intro" => (
        "请输入投诉编号和您登记时留的电话号码的最后四位，就能看到您的投诉办到哪一步了。",
        "Type your complaint number and the last four digits of the phone number you gave us, and you will see how far your complaint has got.",
    ),
    "progress.number" => ("投诉编号", "Complaint number"),
    "progress.number_help" => (
        "写在受理回执或短信里，以 TS 开头，例如 TS2026120300000123。字母大小写都可以。",
        "It is on your receipt or text message and starts with TS, for example TS2026120300000123. Capital or small letters both work.",
    ),
    "progress.last4" => ("电话号码的最后四位", "Last four digits of your phone number"),
    "progress.last4_help" => ("登记投诉时留下的电话号码。", "The phone number you gave when you made the complaint."),
    "progress.lookup" => ("查询进度", "Show my progress"),
    "progress.state" => ("现在办到哪一步", "Where it is now"),
    "progress.received" => ("银行收到投诉的日期", "The day the bank received it"),
    "progress.due.response" => ("银行最晚在这天联系您，说明怎么处理", "The bank will call you about what it will do by"),
    "progress.due.decision" => ("银行最晚在这天告诉您处理结果", "The bank will tell you its answer by"),
    "progress.due.completion" => ("银行争取在这天前全部办完", "The bank aims to have everything done by"),
    "progress.due.review" => ("复查结果最晚在这天告诉您", "You will hear the result of the second look by"),
    "progress.contact" => (
        "有疑问，请拨打银行客服电话，或到任何一个网点询问。",
        "Any questions? Call the bank's customer service line, or ask at any branch.",
    ),
}
