//! Administration pages: the org tree, users and roles, classification (categories, cause codes,
//! service channels), the deadline policy, the working-day calendar and the integration tokens, one
//! module a section. Each form is read into the typed request the API takes and handled by the same
//! application function, so the checks are the same; a refusal is shown beside the field it names,
//! with the values typed kept.

mod calendar;
mod classes;
mod integrations;
mod org;
mod policy;
mod users;

pub use calendar::{calendar, calendar_put};
pub use classes::{categories, category_put};
pub use integrations::{integration_create, integration_revoke, integrations};
pub use org::{org, org_create, org_rename};
pub use policy::{policy, policy_put};
pub use users::{user, user_create, user_disable, user_enable, user_reset, user_update, users};

use super::forms::{Csrf, Fields, Shown, caller_or_login, field, hidden_csrf};
use super::layout::page;
use super::pages::{csrf, html_response};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::role::Permission;

/// Which admin sections the caller may open.
fn sections(caller: &Caller) -> Vec<(&'static str, &'static str)> {
    let mut s = Vec::new();
    if caller.can(Permission::ManageOrg) {
        s.push(("/admin/org", "admin_org"));
    }
    if caller.can(Permission::ManageUsers) {
        s.push(("/admin/users", "admin_users"));
    }
    if caller.can(Permission::ManageRules) {
        s.push(("/admin/categories", "admin_categories"));
        s.push(("/admin/policy", "admin_policy"));
        s.push(("/admin/calendar", "admin_calendar"));
    }
    if caller.can(Permission::ManageIntegrations) {
        s.push(("/admin/integrations", "admin_integrations"));
    }
    s
}

/// The section's page for a role that may not open it.
fn forbidden(headers: &HeaderMap, caller: &Caller, title: &'static str) -> Response {
    let lang = Lang::from_headers(headers);
    render(
        headers,
        caller,
        csrf(headers),
        title,
        StatusCode::FORBIDDEN,
        html! { div.card { p.error { (lang.t("no_permission")) } } },
    )
}

fn render(
    headers: &HeaderMap,
    caller: &Caller,
    (token, set): Csrf,
    title: &'static str,
    status: StatusCode,
    body: Markup,
) -> Response {
    let lang = Lang::from_headers(headers);
    let tabs = html! {
        nav.tabs #admin-tabs {
            @for (href, key) in sections(caller) {
                a href=(href) class=[(key == title).then_some("current")] { (lang.t(key)) }
            }
        }
    };
    let body = html! { style { (maud::PreEscaped(ADMIN_CSS)) } (tabs) (body) };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t(title), body), set);
    *res.status_mut() = status;
    res
}

/// The administration pages' own touches: buttons inside the cards, the users' actions on one line,
/// the policy's tables, a new token's secret.
const ADMIN_CSS: &str = "\
.card button:not(.primary){background:#fff;color:#8a1c1c;border:1px solid #8a1c1c;border-radius:4px;padding:.4rem .9rem;font-size:.95rem;cursor:pointer;margin-top:.6rem}\
.card button.danger{color:#b00020;border-color:#b00020}\
td.actions{white-space:nowrap}td.actions a.button{margin-top:0;padding:.2rem .6rem;font-size:.9rem}\
td.actions form.inline{display:inline-flex}td.actions form.inline button{margin-top:0;padding:.2rem .6rem;font-size:.9rem}\
#temporary-password{font-size:1.2rem;background:#fff3cd;padding:.1rem .5rem;border-radius:3px}\
pre.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1rem;background:#fff3cd;border:1px solid #e0c36a;border-radius:4px;padding:.6rem .8rem;white-space:pre-wrap;word-break:break-all;user-select:all;margin:.4rem 0}\
pre.secret.usage{background:#f4f5f7;border-color:#d5d9de;user-select:text}\
@media (max-width:600px){table.orders td.actions:empty{display:none}}\
table.policy input.num{width:6rem}table.policy input,table.policy select{width:auto}\
fieldset{border:1px solid #e3e6ea;border-radius:4px;margin:.6rem 0}fieldset select{width:auto;margin:.2rem 0}\
";

fn refused(lang: Lang, e: ApiError) -> (StatusCode, String, String) {
    let p = e.problem(lang.english());
    (StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST), p.field.unwrap_or_default(), p.detail)
}

pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match sections(&caller).first() {
        Some((href, _)) => Redirect::to(href).into_response(),
        None => forbidden(&headers, &caller, "admin"),
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin", axum::routing::get(index))
        .route("/admin/org", axum::routing::get(org).post(org_create))
        .route("/admin/org/{code}/rename", axum::routing::post(org_rename))
        .route("/admin/users", axum::routing::get(users).post(user_create))
        .route("/admin/users/{username}", axum::routing::get(user).post(user_update))
        .route("/admin/users/{username}/disable", axum::routing::post(user_disable))
        .route("/admin/users/{username}/enable", axum::routing::post(user_enable))
        .route("/admin/users/{username}/reset-password", axum::routing::post(user_reset))
        .route("/admin/categories", axum::routing::get(categories).post(category_put))
        .route("/admin/policy", axum::routing::get(policy).post(policy_put))
        .route("/admin/calendar", axum::routing::get(calendar).post(calendar_put))
        .route("/admin/integrations", axum::routing::get(integrations).post(integration_create))
        .route("/admin/integrations/{id}/revoke", axum::routing::post(integration_revoke))
}
