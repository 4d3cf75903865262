//! The words of the mail a deadline alert sends, from the catalogue's `mail.…`: a Chinese subject,
//! and a body in Chinese, then English (the recipient's language is not known to the outbox).

use super::Lang;
use xiaobao_core::time::rfc3339;
use xiaobao_store::MailNotice;

/// The subject and body of an alert's mail.
pub fn alert_mail(n: &MailNotice) -> (String, String) {
    let due = n.due_at.map(rfc3339).unwrap_or_default();
    let worded = |lang: Lang| {
        let (number, level, clock) = (&n.number, n.level, lang.name(n.clock));
        let subject = if n.kind == "clock_breach" {
            crate::tr!(lang, "mail.subject_breach", number = number, clock = clock, level = level)
        } else {
            crate::tr!(lang, "mail.subject_warning", number = number, clock = clock, level = level)
        };
        let due = crate::tr!(lang, "mail.due", due = due);
        (subject, due)
    };
    let ((subject, due_zh), (subject_en, due_en)) = (worded(Lang::Zh), worded(Lang::En));
    let body = format!("{subject}\n{due_zh}\n\n{subject_en}\n{due_en}\n");
    (subject, body)
}
