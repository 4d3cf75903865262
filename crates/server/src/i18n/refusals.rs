//! Why an action was refused, in both languages: core says which refusal (`Refusal`), the
//! catalogue's `refusal.…` words it, with the codes it names in the reader's language.

use super::{Lang, Msg};
use xiaobao_core::complaint::Refusal;

/// The words of a refusal.
pub fn refusal(r: &Refusal) -> Msg {
    Msg::new(worded(r, Lang::Zh), worded(r, Lang::En))
}

fn worded(r: &Refusal, lang: Lang) -> String {
    match r {
        Refusal::NoPermission { action, role } => {
            crate::tr!(lang, "refusal.no_permission", role = lang.name(*role), action = lang.name(*action))
        }
        Refusal::NotInState { action, state } => {
            crate::tr!(lang, "refusal.not_in_state", state = lang.name(*state), action = lang.name(*action))
        }
        Refusal::AlreadyPaused => lang.t("refusal.already_paused").into(),
        Refusal::NotPaused => lang.t("refusal.not_paused").into(),
        Refusal::PausedClock { action } => crate::tr!(lang, "refusal.paused_clock", action = lang.name(*action)),
        Refusal::AtHeadOffice => lang.t("refusal.at_head_office").into(),
        Refusal::SameUnit => lang.t("refusal.same_unit").into(),
        Refusal::ExtensionsExhausted => lang.t("refusal.extensions_exhausted").into(),
        Refusal::ExtensionNeedsApproval { role } => {
            crate::tr!(lang, "refusal.extension_needs_approval", role = lang.name(*role))
        }
        Refusal::AppealExists { status } => crate::tr!(lang, "refusal.appeal_exists", status = lang.name(*status)),
        Refusal::NoAppealPending => lang.t("refusal.no_appeal_pending").into(),
        Refusal::HeadOfficeOnly => lang.t("refusal.head_office_only").into(),
        Refusal::ReviewWindowClosed { days } => crate::tr!(lang, "refusal.review_window_closed", days = days),
    }
}
