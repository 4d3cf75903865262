//! The words of the warning that a year's holiday arrangement is not loaded.

catalogue! {
    "calendar_gap.bank" => (
        "{years} 年的节假日安排尚未导入：在管理员导入之前，落在这些年份的时限只按周末计算，可能不准确。",
        "The holiday arrangement for {years} is not loaded: until an admin loads it, deadlines in those years count weekends only and may be wrong.",
    ),
    "calendar_gap.order" => (
        "本工单的时限延伸到 {years} 年，而该年的节假日安排尚未导入：在管理员导入之前，这些时限只按周末计算，可能不准确。",
        "This order's deadlines run into {years}, whose holiday arrangement is not loaded: until an admin loads it, they count weekends only and may be wrong.",
    ),
    "calendar_gap.and" => ("、", ", "),
    "calendar_gap.load" => ("去导入节假日安排", "Load the holiday arrangement"),
    "calendar_gap.ask" => ("请联系系统管理员导入。", "Ask your system administrator to load it."),
}
