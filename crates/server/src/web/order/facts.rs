//! The order's facts, at the top of its page: how and when the complaint came in, what it is about
//! (category, service channel and cause by name), who has it, the complainant (masked unless the
//! reader may see personal data, whose read is logged), what was complained of, and what the bank
//! has told the complainant and decided so far.

use super::super::pages::clocks;
use super::timeline::Event;
use crate::api::views::ComplaintView;
use crate::i18n::Lang;
use maud::{Markup, html};
use xiaobao_core::classification::Dimension;
use xiaobao_core::complaint::{AppealStatus, Change};
use xiaobao_core::money::Money;
use xiaobao_core::time::{Instant, local_minute};
use xiaobao_store::ComplaintRow;

pub(super) use crate::i18n::ClassNames;

fn fact(id: &str, label: &str, value: Markup) -> Markup {
    html! { div.fact { dt { (label) } dd id=(id) { (value) } } }
}

/// The header card: number, state, the facts and the clocks.
pub(super) fn header(lang: Lang, k: &ComplaintRow, names: &ClassNames, now: Instant) -> Markup {
    let dash = || "—".to_string();
    let class = |dim, code: Option<&str>| code.map_or_else(dash, |c| names.label(lang, dim, c));
    let cause = k.reported_cause();
    html! {
        div.card #order-header {
            h1 #number { (k.number) " " span.state #state { (lang.name(k.order.state)) }
                @if k.order.paused { " " span.badge #paused { (lang.t("paused")) } }
                @if let Some(a) = k.order.appeal { " " span.badge #appeal data-appeal=(a.as_str()) { (lang.name(a)) } } }
            p.clocks { (clocks(lang, k, now)) }
            dl.facts {
                (fact("fact-channel", lang.t("channel"), html! { (lang.name(k.channel)) }))
                (fact("fact-received", lang.t("received_at"), html! { (local_minute(k.order.received_at)) }))
                (fact("fact-registered", lang.t("order.registered_at"), html! { (local_minute(k.registered_at)) }))
                (fact("fact-category", lang.t("category"), html! { (class(Dimension::Category, k.category.as_deref())) }))
                (fact("fact-service-channel", lang.t("order.service_channel"), html! { (class(Dimension::ServiceChannel, k.service_channel.as_deref())) }))
                (fact("fact-cause", lang.t("order.cause"), html! { (class(Dimension::Cause, cause)) }))
                (fact("fact-amount", lang.t("order.amount_claimed"), html! {
                    (k.amount_fen.map_or_else(dash, |f| format!("{} {}", lang.money(Money::from_fen(f)), lang.t("yuan")))) }))
                (fact("fact-unit", lang.t("org_unit"), html! { (k.org_name) " (" (k.org_code) ")" }))
                (fact("fact-first-responder", lang.t("first_responder"), html! { (k.first_responder_name) }))
                @if let Some(r) = k.repeat_of {
                    (fact("fact-repeat", lang.t("repeat"), html! { a href={ "/complaints/" (r) } { (lang.t("order.repeat_of")) } }))
                }
                @if k.over_level { (fact("fact-over-level", lang.t("order.over_level"), html! { (lang.t("yes")) })) }
            }
        }
    }
}

/// What was complained of, and by whom.
pub(super) fn matter(lang: Lang, k: &ComplaintRow, view: &ComplaintView, events: &[Event]) -> Markup {
    let c = &view.complainant;
    // registrations merged into this order since, each with what it said
    let merged: Vec<(Instant, &str, &str)> = events
        .iter()
        .filter_map(|e| match &e.change {
            Some(Change::Merge { summary, description }) => Some((e.row.at, summary.as_str(), description.as_str())),
            _ => None,
        })
        .collect();
    html! {
        div.card #matter {
            h2 #summary { (k.summary) }
            p #description.prewrap { (k.description) }
            @if !merged.is_empty() {
                h3 { (lang.t("order.merged_texts")) }
                ul #merged-texts {
                    @for (at, summary, description) in &merged {
                        li { small.muted { (local_minute(*at)) } " " strong { (summary) } br; span.prewrap { (description) } }
                    }
                }
            }
            dl.facts {
                (fact("complainant-name", lang.t("complainant"), html! { (c.name) }))
                (fact("complainant-phone", lang.t("register.phone"), html! { (c.phone.clone().unwrap_or_else(|| "—".into())) }))
                (fact("complainant-id", lang.t("register.id_number"), html! {
                    (c.id_number.clone().unwrap_or_else(|| "—".into()))
                    @if !c.masked && c.id_number.is_some() { " " small.muted { (lang.t("order.unmasked_logged")) } }
                }))
                @if !c.tags.is_empty() {
                    (fact("complainant-tags", lang.t("order.tags"), html! {
                        @for (i, t) in c.tags.iter().enumerate() { @if i > 0 { "、" } (lang.name(*t)) } }))
                }
            }
        }
    }
}

/// What the bank has told the complainant, decided, and heard back; empty before the first response.
pub(super) fn outcome(lang: Lang, k: &ComplaintRow, events: &[Event], names: &ClassNames) -> Markup {
    let response = events.iter().rev().find_map(|e| match &e.change {
        Some(Change::Respond { text }) => Some((e.row.at, e.row.actor_name.as_str(), text)),
        _ => None,
    });
    let appeal = events.iter().rev().find_map(|e| match &e.change {
        Some(Change::AppealDecided { approved, note }) => Some((*approved, note)),
        _ => None,
    });
    if response.is_none() && k.order.decision.is_none() && k.order.feedback.is_none() && appeal.is_none() {
        return html! {};
    }
    html! {
        div.card #outcome {
            h2 { (lang.t("order.outcome")) }
            dl.facts.wide {
                @if let Some((at, who, text)) = response {
                    (fact("outcome-response", lang.t("order.response_told"), html! {
                        span.prewrap { (text) } br; small.muted { (local_minute(at)) " · " (who) } }))
                }
                @if let Some(d) = &k.order.decision {
                    (fact("outcome-liable", lang.t("order.liability"), html! {
                        (lang.t(if d.liable { "order.liable" } else { "order.not_liable" })) }))
                    (fact("outcome-root-cause", lang.t("order.root_cause"), html! { (lang.name(d.root_cause)) }))
                    @if let Some(c) = &d.cause {
                        (fact("outcome-cause", lang.t("order.cause_code"), html! { (names.label(lang, Dimension::Cause, c)) }))
                    }
                    @if let Some(r) = &d.remedy { (fact("outcome-remedy", lang.t("order.remedy"), html! { span.prewrap { (r) } })) }
                    @if let Some(a) = d.amount {
                        (fact("outcome-amount", lang.t("order.amount"), html! { (lang.money(a)) }))
                    }
                    (fact("outcome-text", lang.t("order.decide_text"), html! {
                        span.prewrap { (d.text) }
                        @if let Some(at) = k.order.decided_at { br; small.muted { (local_minute(at)) } } }))
                }
                @if let Some(f) = k.order.feedback {
                    (fact("outcome-feedback", lang.t("order.feedback"), html! { (lang.name(f)) }))
                }
                @if let Some((approved, note)) = appeal {
                    (fact("outcome-appeal", lang.t("order.appeal_outcome"), html! {
                        (lang.name(if approved { AppealStatus::Approved } else { AppealStatus::Rejected }))
                        @if !note.trim().is_empty() { " · " (note) } }))
                }
            }
        }
    }
}
