//! The order's timeline: every event with its time, who did it, the state it moved between, and
//! what it said — read from the event as its typed change and worded in the reader's language.

use crate::i18n::Lang;
use crate::tr;
use maud::{Markup, html};
use xiaobao_core::complaint::Change;
use xiaobao_core::time::{deadline_text, local_minute};
use xiaobao_store::EventRow;

/// An event with its typed change, read once for the whole page (None for a payload this version
/// does not know).
pub(super) struct Event {
    pub row: EventRow,
    pub change: Option<Change>,
}

/// The order's events, each change read once.
pub(super) fn read(rows: Vec<EventRow>) -> Vec<Event> {
    use serde::Deserialize;
    rows.into_iter().map(|row| Event { change: Change::deserialize(&row.payload).ok(), row }).collect()
}

/// The timeline card, oldest event first.
pub(super) fn card(lang: Lang, events: &[Event]) -> Markup {
    html! {
        div.card #timeline-card {
            h2 { (lang.t("timeline")) }
            div.scroll {
                table #timeline {
                    @for Event { row: e, change } in events {
                        tr data-kind=(e.kind) {
                            td.nowrap { (local_minute(e.at)) }
                            td { (event_label(lang, &e.kind)) } td { (e.actor_name) }
                            td { @if !e.from_state.is_empty() { (state_label(lang, &e.from_state)) " → " } (state_label(lang, &e.to_state)) }
                            td.detail { @if let Some(c) = change { (event_detail(lang, c)) } }
                        }
                    }
                }
            }
        }
    }
}

/// What an event says to a reader: the unit it went to, the decision and the complainant's response
/// in words, and what was written with it; an escalation the system made for a breached clock is
/// worded from the clock's code. Empty for an event with nothing more to say.
fn event_detail(lang: Lang, change: &Change) -> String {
    use xiaobao_core::complaint::AppealStatus;
    let written = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
    let parts: Vec<Option<String>> = match change {
        Change::Register { .. } | Change::Accept => vec![],
        Change::Merge { summary, description } => vec![written(summary), written(description)],
        Change::Respond { text } => vec![written(text)],
        Change::Transfer { to, reason, .. } => vec![Some(format!("→ {}", to.code)), written(reason)],
        Change::Escalate { to, reason, overdue, .. } => vec![
            Some(format!("→ {}", to.code)),
            overdue.map(|clock| tr!(lang, "order.auto_escalated", clock = lang.name(clock))),
            written(reason),
        ],
        Change::Extend { reason, decision_due_at, .. } => {
            vec![Some(tr!(lang, "order.extended_to", due = deadline_text(*decision_due_at))), written(reason)]
        }
        Change::Decide { decision: d } => vec![
            Some(lang.t(if d.liable { "order.liable" } else { "order.not_liable" }).to_string()),
            Some(lang.name(d.root_cause).to_string()),
            d.cause.as_ref().map(|c| format!("{} {c}", lang.t("order.cause_code"))),
            d.remedy.as_deref().and_then(written),
            d.amount.map(|a| tr!(lang, "order.amount_of", amount = a)),
            written(&d.text),
        ],
        Change::Close { feedback, note } => {
            vec![Some(lang.name(*feedback).to_string()), note.as_deref().and_then(written)]
        }
        Change::AppealDecided { approved, note } => vec![
            Some(lang.name(if *approved { AppealStatus::Approved } else { AppealStatus::Rejected }).to_string()),
            written(note),
        ],
        Change::Attach { name, .. } => vec![Some(name.clone())],
        Change::ClockAlert { clock, .. } => vec![Some(lang.name(*clock).to_string())],
        Change::HotIssue { title, .. } | Change::HotIssueLeft { title, .. } => vec![Some(title.clone())],
        Change::Decline { reason }
        | Change::Pause { reason }
        | Change::Resume { reason }
        | Change::Reopen { reason, .. }
        | Change::RequestReview { reason, .. }
        | Change::Withdraw { reason }
        | Change::Appeal { reason } => vec![written(reason)],
    };
    parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

/// An event's name on the timeline (its stored kind when this version has no word for it).
fn event_label(lang: Lang, kind: &str) -> String {
    lang.event_name(kind)
}

/// A state's name as stored on an event (shown as stored when unknown).
pub(crate) fn state_label(lang: Lang, s: &str) -> String {
    match xiaobao_core::complaint::State::from_str_opt(s) {
        Some(st) => lang.name(st).to_string(),
        None => s.to_string(),
    }
}
