//! The service side of the home page. The service department and the operations supervisors see
//! the outlets over their overtime-wait target today and the rectifications still open, the
//! overdue first; the service department also sees last month's bulletin, draft or published. An
//! outlet head sees their outlet's satisfaction and waits this month and today, and its open
//! rectifications.

use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use chrono::Datelike;
use maud::{Markup, html};
use xiaobao_core::role::{Permission, Role};
use xiaobao_core::service::rectification::RectState;
use xiaobao_core::time::{Instant, local_date};

const SHOWN: usize = 5;

fn rectifications(lang: Lang, rows: &[crate::api::rectifications::RectificationView], total: usize) -> Markup {
    html! {
        div #home-rectifications {
            h3 { (lang.t("home.rect_open")) " " span.muted { "(" (total) ")" } }
            @if rows.is_empty() { p.muted { (lang.t("home.rect_none")) } }
            @else {
                ul { @for r in rows.iter().take(SHOWN) { li data-rectification=(r.id) {
                    a href={ "/rectifications/" (r.id) } { (r.title) } " · " (r.org_unit.name) " · " (lang.t("rect.due_on")) " " (r.due_on)
                    @if r.overdue_level > 0 { " " span.error { (tr!(lang, "rect.overdue", level = r.overdue_level)) } }
                } } }
                @if total > SHOWN { p { a href="/rectifications" { (lang.t("home.see_all")) } } }
            }
        }
    }
}

/// The card, or nothing for a role without a service side.
pub async fn card(state: &AppState, caller: &Caller, lang: Lang, now: Instant) -> Option<Markup> {
    let role = caller.user.role;
    let watches = matches!(role, Role::ServiceDept | Role::OperationsSupervisor);
    if !watches && role != Role::OutletHead {
        return None;
    }
    // open rectifications, the overdue (due soonest) first
    let p: Params = [("per_page".to_string(), "100".to_string())].into();
    let open: Vec<_> = crate::api::rectifications::list(state, caller, &p)
        .await
        .map(|l| l.items.into_iter().filter(|r| r.state != RectState::Verified).collect())
        .unwrap_or_default();
    let total = open.len();
    let today = local_date(now);
    if watches {
        let over = crate::service_notices::overtime_today(state, &caller.user.org_path, now).await.unwrap_or_default();
        let bulletin = if caller.can(Permission::ManageService) {
            crate::api::bulletins::draft(state, caller, &Params::new()).await.ok()
        } else {
            None
        };
        let target = state.store.rules().service.overtime_target_percent;
        return Some(html! {
            div.card #home-service {
                h2 { (lang.t("home.service")) }
                div #home-overtime {
                    h3 { (tr!(lang, "home.overtime_today", target = target)) }
                    @if over.is_empty() { p.muted #no-overtime { (lang.t("home.overtime_none")) } }
                    @else { ul { @for (_, code, name, _, bp, overtime, called) in over.iter().take(10) { li data-outlet=(code) {
                        a href={ "/service?org_unit=" (code) "&from=" (today) "&to=" (today) "&by=hour" } { (name) }
                        " · " strong { (format!("{}.{:02}%", bp / 100, bp % 100)) } " "
                        span.muted { (tr!(lang, "home.overtime_of", overtime = overtime, called = called)) }
                    } } } }
                }
                (rectifications(lang, &open, total))
                @if let Some(b) = &bulletin {
                    div #home-bulletin {
                        h3 { (tr!(lang, "bulletin.title_of", unit = b.org_name, month = b.month)) " "
                            span.badge { (lang.t(if b.id.is_some() { "bulletin.published" } else { "bulletin.draft" })) } }
                        p { (lang.t("bulletin.best")) "：" (names(&b.outlets, &b.best_outlets)) }
                        p { (lang.t("bulletin.worst")) "：" (names(&b.outlets, &b.worst_outlets)) }
                        p { a href="/bulletins" { (lang.t("home.open_bulletin")) } }
                    }
                }
            }
        });
    }
    // the outlet head: their outlet this month and today
    let unit = state.store.org_unit_by_code(&caller.user.org_code).await.ok().flatten()?;
    let first = today.with_day(1).unwrap_or(today);
    let month = crate::api::service_measures::service_measures(state, &unit, first, today, None).await.ok()?;
    let day = crate::api::service_measures::service_measures(state, &unit, today, today, None).await.ok()?;
    let wait = |s: Option<i64>| {
        s.map(|s| tr!(lang, "home.minutes", m = format!("{}.{}", s / 60, s % 60 * 10 / 60)))
            .unwrap_or_else(|| "—".into())
    };
    Some(html! {
        div.card #home-service {
            h2 { (lang.t("home.service_outlet")) }
            table #home-figures {
                thead { tr { th {} th.num { (lang.t("home.this_month")) } th.num { (lang.t("home.today")) } } }
                tbody {
                    tr { td { (lang.t("bulletin.satisfaction")) } td.num #sat-month { (month.figures.counter_satisfaction_rate.display) } td.num { (day.figures.counter_satisfaction_rate.display) } }
                    tr { td { (lang.t("bulletin.ratings")) } td.num { (lang.int(month.figures.ratings)) } td.num { (lang.int(day.figures.ratings)) } }
                    tr { td { (lang.t("home.dissatisfied")) } td.num { (lang.int(month.figures.dissatisfied)) } td.num { (lang.int(day.figures.dissatisfied)) } }
                    tr { td { (lang.t("home.average_wait")) } td.num { (wait(month.figures.average_wait_seconds)) } td.num { (wait(day.figures.average_wait_seconds)) } }
                    tr { td { (lang.t("bulletin.overtime")) } td.num #overtime-month { (month.figures.overtime_wait_ratio.display) } td.num { (day.figures.overtime_wait_ratio.display) } }
                }
            }
            p { a href={ "/service?org_unit=" (unit.code) } { (lang.t("home.open_service")) } }
            (rectifications(lang, &open, total))
        }
    })
}

fn names(r: &xiaobao_core::service::bulletin::Ranking, keys: &[String]) -> String {
    let n: Vec<&str> = keys
        .iter()
        .filter_map(|k| r.ranked.iter().find(|x| &x.candidate.key == k).map(|x| x.candidate.name.as_str()))
        .collect();
    if n.is_empty() { "—".into() } else { n.join("、") }
}
