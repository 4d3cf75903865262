//! The warning that deadlines may be wrong because a year's holiday arrangement is not loaded: on
//! every page of those who watch the calendar (admins, the consumer-protection centre) while the
//! bank's deadlines reach such a year, and on the page of each order whose clocks run into one, for
//! whoever reads it; admins get the link to load it. The years come from one rule,
//! `xiaobao_core::deadline::unarranged_years`; the bank's are worked out once per page request.

use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use maud::{Markup, html};
use std::cell::Cell;
use xiaobao_core::deadline::{InView, unarranged_years};
use xiaobao_core::role::Permission;
use xiaobao_store::{ComplaintRow, UserRow};

/// The bank's years without an arrangement, for the page being made, and whether the page has
/// already warned of them (an order's warning names them too).
struct Gaps {
    bank: Vec<i32>,
    warned: Cell<bool>,
}

tokio::task_local! {
    static GAPS: Gaps;
}

/// Works out the bank's years without an arrangement for a page request (a lookup in the rules in
/// force, no query), for the layout's warning.
pub async fn bank_gaps(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let bank = unarranged_years(&state.store.rules().calendar, InView::Bank { now: state.clock.now() });
    GAPS.scope(Gaps { bank, warned: Cell::new(false) }, next.run(req)).await
}

/// The layout's warning: for a user who watches the calendar, while the bank's deadlines reach a
/// year without its arrangement, unless the page warned already.
pub fn banner(lang: Lang, user: Option<&UserRow>) -> Markup {
    let Some(u) = user.filter(|u| u.role.watches_the_calendar()) else { return html! {} };
    let years = GAPS.try_with(|g| if g.warned.replace(true) { Vec::new() } else { g.bank.clone() }).unwrap_or_default();
    warning(lang, u, &years, "calendar_gap.bank")
}

/// The order page's warning: the years its clocks run into without an arrangement (and, for those
/// who watch the calendar, the bank's too), for whoever reads the order.
pub fn order_banner(state: &AppState, lang: Lang, caller: &Caller, k: &ComplaintRow) -> Markup {
    let rules = state.store.rules();
    let order =
        unarranged_years(&rules.calendar, InView::Order { received_at: k.order.received_at, clocks: &k.order.clocks });
    if order.is_empty() {
        return html! {};
    }
    let mut years = order;
    if caller.user.role.watches_the_calendar() {
        years.extend(GAPS.try_with(|g| g.bank.clone()).unwrap_or_default());
        years.sort_unstable();
        years.dedup();
    }
    let _ = GAPS.try_with(|g| g.warned.set(true));
    warning(lang, &caller.user, &years, "calendar_gap.order")
}

fn warning(lang: Lang, user: &UserRow, years: &[i32], key: &'static str) -> Markup {
    let Some(first) = years.first() else { return html! {} };
    let named = years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(lang.t("calendar_gap.and"));
    let text = match key {
        "calendar_gap.order" => tr!(lang, "calendar_gap.order", years = named),
        _ => tr!(lang, "calendar_gap.bank", years = named),
    };
    html! {
        div.card #calendar-gap role="alert" data-years=(years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(","))
            style="border-left:6px solid #b00020;background:#fff4f4" {
            p.error style="margin:0" { (text) }
            @if user.role.can(Permission::ManageRules) {
                p style="margin:.4rem 0 0" { a #calendar-gap-load href={ "/admin/calendar?year=" (first) } { (lang.t("calendar_gap.load")) } }
            } @else {
                p.muted style="margin:.4rem 0 0" { (lang.t("calendar_gap.ask")) }
            }
        }
    }
}
