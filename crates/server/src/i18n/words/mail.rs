//! The mail a deadline alert sends.

catalogue! {
    "mail.subject_breach" => ("【消保】投诉 {number} {clock}已超时（第 {level} 级）", "[Xiaobao] Complaint {number}: the {clock} clock is overdue (escalation level {level})"),
    "mail.subject_warning" => ("【消保】投诉 {number} {clock}已过 {level}%", "[Xiaobao] Complaint {number}: the {clock} clock has run {level}% of its time"),
    "mail.due" => ("到期时间：{due}", "Due: {due}"),
}
