//! The words of the mail a deadline alert sends: Chinese, then English, in one message (the
//! recipient's language is not known to the outbox).

use super::Lang;
use xiaobao_core::time::rfc3339;
use xiaobao_store::MailNotice;

/// The subject and body of an alert's mail.
pub fn alert_mail(n: &MailNotice) -> (String, String) {
    let (number, level) = (&n.number, n.level);
    let clock = Lang::Zh.name(n.clock);
    let breach = n.kind == "clock_breach";
    let subject = if breach {
        format!("【消保】投诉 {number} {clock}已超时（第 {level} 级）")
    } else {
        format!("【消保】投诉 {number} {clock}已过 {level}%")
    };
    let due = n.due_at.map(rfc3339).unwrap_or_default();
    let told =
        if breach { format!("is overdue (escalation level {level})") } else { format!("has run {level}% of its time") };
    let body = format!("{subject}\n到期时间 / due: {due}\n\nComplaint {number}: {} clock {told}.\n", n.clock.as_str());
    (subject, body)
}
