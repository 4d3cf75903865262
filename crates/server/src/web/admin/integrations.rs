//! Integration tokens: the list of the subtree's tokens with a revoke button on each live one (asked
//! first, told after), making one (kind, name, the unit it is bound to), and the page that shows a
//! new token's secret this once, on the answer to the form itself (never in an address, a cookie or
//! a later page).

use super::*;
use crate::api::integrations::{CreateIntegration, IntegrationView, create, revoke};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::integration::IntegrationKind;
use xiaobao_core::role::Permission;
use xiaobao_core::time::{from_millis, local_minute};
use xiaobao_store::service::IntegrationRow;

const TITLE: &str = "admin_integrations";

pub async fn integrations(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let mut shown = Shown::default();
    // told only of a token of the caller's subtree, so a crafted address cannot put words on the page
    if p.get("done").is_some_and(|d| d == "revoked")
        && caller.can(Permission::ManageIntegrations)
        && let Some(id) = p.get("id").and_then(|v| v.parse::<i64>().ok())
        && let Ok(Some(row)) = state.store.integration(id).await
        && caller.sees_unit(&row.org_path)
    {
        shown.notice = Some(tr!(lang, "admin.integrations.revoked_done", name = row.name));
    }
    integrations_page(&state, &headers, &caller, shown, StatusCode::OK).await
}

/// The button that revokes `r`, asking first.
fn revoke_button(lang: Lang, tok: &Csrf, r: &IntegrationRow) -> Markup {
    html! {
        form.inline method="post" action={ "/admin/integrations/" (r.id) "/revoke" }
            data-confirm=(tr!(lang, "admin.integrations.revoke_confirm", name = r.name)) {
            (hidden_csrf(tok))
            button.danger id={ "revoke-" (r.id) } type="submit" { (lang.t("admin.integrations.revoke")) }
        }
    }
}

async fn integrations_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    if !caller.can(Permission::ManageIntegrations) {
        return forbidden(headers, caller, TITLE);
    }
    let rows = state.store.integrations(&caller.user.org_path).await.unwrap_or_default();
    let units = state.unit_choices.get(|| state.store.org_units_in_subtree("/")).await.unwrap_or_default();
    let names = ["kind", "name", "org_unit"];
    let chosen = shown.val("create", "kind");
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t(TITLE)) }
            p.muted { (lang.t("admin.integrations.explained")) }
            (shown.notice())
            (shown.top("list", &[]))
            @if rows.is_empty() {
                p #no-integrations { (lang.t("admin.integrations.none")) }
            } @else {
                table.orders #integrations {
                    thead { tr {
                        th { (lang.t("admin.integrations.name")) } th { (lang.t("admin.integrations.kind")) }
                        th { (lang.t("org_unit")) } th { (lang.t("admin.integrations.made")) }
                        th { (lang.t("admin.status")) } th { (lang.t("admin.integrations.actions")) }
                    } }
                    tbody {
                        @for r in &rows {
                            tr data-integration=(r.id) data-kind=(r.kind.as_str()) {
                                td data-label=(lang.t("admin.integrations.name")) { (r.name) }
                                td data-label=(lang.t("admin.integrations.kind")) { (lang.name(r.kind)) }
                                td data-label=(lang.t("org_unit")) { (r.org_name) " (" (r.org_code) ")" }
                                td data-label=(lang.t("admin.integrations.made")) {
                                    (r.created_by) " · " span.nowrap { (local_minute(from_millis(r.created_at))) }
                                }
                                td.status data-label=(lang.t("admin.status")) {
                                    @match r.revoked_at {
                                        None => span.ok { (lang.t("admin.integrations.in_use")) },
                                        Some(at) => span.error { (tr!(lang, "admin.integrations.revoked_at", at = local_minute(from_millis(at)))) },
                                    }
                                }
                                td.actions data-label=(lang.t("admin.integrations.actions")) { @if r.revoked_at.is_none() { (revoke_button(lang, &tok, r)) } }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("admin.integrations.add")) }
            form #add-integration method="post" action="/admin/integrations" {
                (hidden_csrf(&tok))
                (shown.top("create", &names))
                div.filters {
                    div {
                        label for="i-kind" { (lang.t("admin.integrations.kind")) }
                        select #i-kind name="kind" {
                            @for k in IntegrationKind::ALL {
                                option value=(k.as_str()) selected[chosen == k.as_str()] { (lang.name(k)) }
                            }
                        }
                        (shown.err("create", &["kind"]))
                    }
                    div {
                        label for="i-name" { (lang.t("admin.integrations.name")) }
                        input #i-name name="name" maxlength="100" placeholder=(lang.t("admin.integrations.name_example"))
                            value=(shown.val("create", "name"));
                        (shown.err("create", &["name"]))
                    }
                    div {
                        label for="i-unit" { (lang.t("admin.integrations.unit")) }
                        input #i-unit name="org_unit" list="integration-units" maxlength="64" autocomplete="off"
                            placeholder=(lang.t("order.unit_search")) value=(shown.val("create", "org_unit"));
                        datalist #integration-units {
                            @for u in units.iter().filter(|u| caller.sees_unit(&u.path)) {
                                option value=(u.code) { (u.code) " " (u.name) " · " (lang.name(u.kind)) }
                            }
                        }
                        (shown.err("create", &["org_unit"]))
                    }
                }
                p.hint #unit-hint { (lang.t("admin.integrations.unit_hint")) }
                button.primary #make-integration type="submit" { (lang.t("admin.integrations.create")) }
            }
        }
    };
    render(headers, caller, tok, TITLE, status, body)
}

/// Makes the token and answers with its secret, this once: the page is the POST's own answer and
/// is never kept by the browser, so going back or reloading cannot show it again.
pub async fn integration_create(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let req = CreateIntegration { kind: field(&f, "kind"), name: field(&f, "name"), org_unit: field(&f, "org_unit") };
    match create(&state, &caller, req).await {
        Ok(made) => {
            let mut res = render(&headers, &caller, csrf(&headers), TITLE, StatusCode::OK, secret_page(lang, &made));
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            let (status, shown) = Shown::refused("create", f, lang, e);
            integrations_page(&state, &headers, &caller, shown, status).await
        }
    }
}

/// A new token's secret, how its device sends it, and the way back to the list.
fn secret_page(lang: Lang, made: &IntegrationView) -> Markup {
    let endpoint = match made.kind {
        IntegrationKind::Evaluator => Some(("admin.integrations.sends_ratings", "POST /api/v1/ratings")),
        IntegrationKind::Queue => Some(("admin.integrations.sends_tickets", "POST /api/v1/queue-tickets")),
        IntegrationKind::Hotline | IntegrationKind::Webhook => None,
    };
    let unit = format!("{} ({})", made.org_name, made.org_unit);
    html! {
        div.card #integration-made {
            h1 { (lang.t("admin.integrations.made_title")) }
            p.notice #notice role="status" {
                (tr!(lang, "admin.integrations.created", name = made.name, kind = lang.name(made.kind), unit = unit))
            }
            h2 { (lang.t("admin.integrations.secret")) }
            pre.secret #integration-secret { (made.token.as_deref().unwrap_or_default()) }
            button #copy-secret type="button" hidden data-copy="integration-secret"
                data-copied=(lang.t("admin.integrations.copied")) { (lang.t("admin.integrations.copy")) }
            p.warning #shown-once role="alert" { strong { (lang.t("admin.integrations.shown_once")) } }
            h2 { (lang.t("admin.integrations.how_used")) }
            p { (lang.t("admin.integrations.sends_header")) }
            pre.secret.usage { "Authorization: Bearer " (lang.t("admin.integrations.secret_placeholder")) }
            @if let Some((words, path)) = endpoint {
                p { (lang.t(words)) " " code #integration-endpoint { (path) } }
            } @else {
                p { (lang.t("admin.integrations.sends_elsewhere")) " " code { "/api/openapi.json" } }
            }
            p { a.button.primary #back-to-integrations href="/admin/integrations" { (lang.t("admin.integrations.back")) } }
        }
    }
}

/// Revokes a token of the caller's subtree; one outside it, or none, is not found.
pub async fn integration_revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    if !caller.can(Permission::ManageIntegrations) {
        return forbidden(&headers, &caller, TITLE);
    }
    let r = match id.parse::<i64>() {
        Ok(id) => revoke(&state, &caller, id).await,
        Err(_) => Err(ApiError::NotFound),
    };
    match r {
        Ok(v) => Redirect::to(&format!("/admin/integrations?done=revoked&id={}", v.id)).into_response(),
        Err(ApiError::NotFound) => render(
            &headers,
            &caller,
            csrf(&headers),
            TITLE,
            StatusCode::NOT_FOUND,
            html! { div.card { h1 #not-found { (lang.t("not_found")) } p { a href="/admin/integrations" { (lang.t("back")) } } } },
        ),
        Err(e) => {
            let (status, shown) = Shown::refused("list", Fields::new(), lang, e);
            integrations_page(&state, &headers, &caller, shown, status).await
        }
    }
}
