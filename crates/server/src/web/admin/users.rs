//! Users and their roles: the list with each user's actions, adding one, editing one, disabling and
//! enabling (asked first, told after), and resetting a password (typed, or made and shown once).

use super::*;
use crate::api::query::Params;
use crate::api::user_access::{ResetPassword, reset, set_active};
use crate::api::users::UpdateUser;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::tr;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::role::{Permission, Role};
use xiaobao_store::UserRow;

/// What the list says after a change, by the `done` of its address.
fn done_notice(lang: Lang, done: &str, user: &str) -> Option<String> {
    Some(match done {
        "saved" => tr!(lang, "admin.users.saved", user = user),
        "disabled" => tr!(lang, "admin.users.disabled_done", user = user),
        "enabled" => tr!(lang, "admin.users.enabled_done", user = user),
        "created" => tr!(lang, "admin.users.created", user = user),
        _ => return None,
    })
}

pub async fn users(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    let caller = match caller_or_login(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lang = Lang::from_headers(&headers);
    let mut shown = Shown::default();
    // told only of a user the caller administers, so a crafted address cannot put words on the page
    if let (Some(done), Some(user)) = (p.get("done"), p.get("user"))
        && caller.can(Permission::ManageUsers)
        && crate::api::users::user_in_scope(&state, &caller, user).await.is_ok()
    {
        shown.notice = done_notice(lang, done, user);
    }
    users_page(&state, &headers, &caller, &p, shown, StatusCode::OK).await
}

fn role_select(lang: Lang, id: &str, selected: &str) -> Markup {
    html! {
        select id=(id) name="role" {
            @for r in Role::ALL {
                option value=(r.as_str()) selected[selected == r.as_str()] { (lang.name(r)) }
            }
        }
    }
}

/// The button that disables or enables `u`, asking first.
fn active_button(lang: Lang, tok: &Csrf, u: &UserRow, id_prefix: &str) -> Markup {
    let (action, label, confirm) = if u.active {
        ("disable", "admin.users.disable", tr!(lang, "admin.users.disable_confirm", user = u.username))
    } else {
        ("enable", "admin.users.enable", tr!(lang, "admin.users.enable_confirm", user = u.username))
    };
    html! {
        form.inline method="post" action={ "/admin/users/" (u.username) "/" (action) } data-confirm=(confirm) {
            (hidden_csrf(tok))
            button id={ (id_prefix) (action) "-" (u.username) } class=[u.active.then_some("danger")] type="submit" { (lang.t(label)) }
        }
    }
}

async fn users_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    if !caller.can(Permission::ManageUsers) {
        return forbidden(headers, caller, "admin_users");
    }
    let page_no = p.get("page").and_then(|v| v.parse::<i64>().ok()).filter(|n| *n >= 1).unwrap_or(1);
    let per_page = 50;
    let rows = state
        .store
        .users_in_subtree(&caller.user.org_path, (page_no - 1) * per_page, per_page + 1)
        .await
        .unwrap_or_default();
    let more = rows.len() as i64 > per_page;
    let names = ["username", "display_name", "role", "org_unit", "password", "email"];
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_users")) }
            (shown.notice())
            (shown.top("list", &[]))
            div.scroll { table #users {
                thead { tr {
                    th { (lang.t("username")) } th { (lang.t("admin.users.name")) } th { (lang.t("admin.users.role")) }
                    th { (lang.t("org_unit")) } th { (lang.t("admin.status")) } th { (lang.t("admin.users.actions")) }
                } }
                tbody {
                    @for u in rows.iter().take(per_page as usize) {
                        tr data-user=(u.username) {
                            td { a href={ "/admin/users/" (u.username) } { (u.username) } }
                            td { (u.display_name) }
                            td { (lang.name(u.role)) }
                            td { (u.org_name) " (" (u.org_code) ")" }
                            td.status {
                                @if u.active { (lang.t("admin.users.active")) } @else { span.error { (lang.t("admin.users.deactivated")) } }
                                @if u.must_change_password { br; span.muted { (lang.t("admin.users.must_change")) } }
                            }
                            td.actions {
                                a.button href={ "/admin/users/" (u.username) } { (lang.t("admin.users.edit")) } " "
                                a.button href={ "/admin/users/" (u.username) "#reset-password" } { (lang.t("admin.users.reset")) } " "
                                @if u.id != caller.user.id { (active_button(lang, &tok, u, "list-")) }
                            }
                        }
                    }
                }
            } }
            nav.pager {
                @if page_no > 1 { a href={ "/admin/users?page=" (page_no - 1) } { "‹ " (lang.t("prev")) } }
                @if more { a #next href={ "/admin/users?page=" (page_no + 1) } { (lang.t("next")) " ›" } }
            }
        }
        div.card {
            h2 { (lang.t("admin.users.add")) }
            form #add-user method="post" action="/admin/users" {
                (hidden_csrf(&tok))
                (shown.top("create", &names))
                div.filters {
                    div { label for="n-username" { (lang.t("username")) } input #n-username name="username" maxlength="32" value=(shown.val("create", "username")); (shown.err("create", &["username"])) }
                    div { label for="n-display" { (lang.t("admin.users.name")) } input #n-display name="display_name" maxlength="50" value=(shown.val("create", "display_name")); (shown.err("create", &["display_name"])) }
                    div { label for="n-role" { (lang.t("admin.users.role")) } (role_select(lang, "n-role", &shown.val("create", "role"))) (shown.err("create", &["role"])) }
                    div { label for="n-unit" { (lang.t("org_unit_code")) } input #n-unit name="org_unit" maxlength="32" value=(shown.val("create", "org_unit")); (shown.err("create", &["org_unit"])) }
                    div { label for="n-password" { (lang.t("password")) } input #n-password name="password" type="password" autocomplete="new-password"; (shown.err("create", &["password"])) }
                    div { label for="n-email" { (lang.t("admin.users.email")) } input #n-email name="email" type="email" value=(shown.val("create", "email")); (shown.err("create", &["email"])) }
                }
                p.muted { (tr!(lang, "admin.users.password_rule", min = xiaobao_core::password::MIN_CHARS)) }
                button.primary type="submit" { (lang.t("admin.add")) }
            }
        }
    };
    render(headers, caller, tok, "admin_users", status, body)
}

pub async fn user_create(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = async {
        let req = crate::api::users::CreateUser {
            username: field(&f, "username"),
            display_name: field(&f, "display_name"),
            role: Role::parse("role", &field(&f, "role"))?,
            org_unit: field(&f, "org_unit"),
            password: field(&f, "password"),
            email: f.get("email").filter(|e| !e.trim().is_empty()).cloned(),
        };
        crate::api::users::create(&state, &caller, req).await
    }
    .await;
    match r {
        Ok(_) => {
            let user = crate::api::query::percent_encode(&field(&f, "username"));
            Redirect::to(&format!("/admin/users?done=created&user={user}")).into_response()
        }
        Err(e) => {
            let mut values = f;
            values.remove("password");
            let (status, shown) = Shown::refused("create", values, Lang::from_headers(&headers), e);
            users_page(&state, &headers, &caller, &Params::new(), shown, status).await
        }
    }
}

pub async fn user(State(state): State<AppState>, headers: HeaderMap, Path(username): Path<String>) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => user_page(&state, &headers, &c, &username, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn user_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    username: &str,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    if !caller.can(Permission::ManageUsers) {
        return forbidden(headers, caller, "admin_users");
    }
    let Ok(u) = crate::api::users::user_in_scope(state, caller, username).await else {
        return render(
            headers,
            caller,
            csrf(headers),
            "admin_users",
            StatusCode::NOT_FOUND,
            html! { div.card { h1 #not-found { (lang.t("not_found")) } } },
        );
    };
    let shown_or =
        |name: &str, current: String| if shown.form == "update" { shown.val("update", name) } else { current };
    let names = ["display_name", "role", "org_unit", "email"];
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (u.display_name) " (" (u.username) ")" }
            (shown.notice())
            p #user-status {
                (lang.t("admin.status")) ": "
                @if u.active { (lang.t("admin.users.active")) } @else { span.error { (lang.t("admin.users.deactivated")) } }
                @if u.must_change_password { " · " span.muted { (lang.t("admin.users.must_change")) } }
            }
            form #edit-user method="post" action={ "/admin/users/" (u.username) } {
                (hidden_csrf(&tok))
                (shown.top("update", &names))
                div.filters {
                    div { label for="e-display" { (lang.t("admin.users.name")) } input #e-display name="display_name" maxlength="50" value=(shown_or("display_name", u.display_name.clone())); (shown.err("update", &["display_name"])) }
                    div { label for="e-role" { (lang.t("admin.users.role")) } (role_select(lang, "e-role", &shown_or("role", u.role.as_str().to_string()))) (shown.err("update", &["role"])) }
                    div { label for="e-unit" { (lang.t("org_unit_code")) } input #e-unit name="org_unit" maxlength="32" value=(shown_or("org_unit", u.org_code.clone())); (shown.err("update", &["org_unit"])) }
                    div { label for="e-email" { (lang.t("admin.users.email")) } input #e-email name="email" type="email" value=(shown_or("email", u.email.clone().unwrap_or_default())); (shown.err("update", &["email"])) }
                }
                button.primary #save-user type="submit" { (lang.t("save")) }
                " " a.button href="/admin/users" { (lang.t("back")) }
            }
        }
        div.card #reset-password {
            h2 { (lang.t("admin.users.reset")) }
            @if shown.form == "reset-done" {
                p.notice #reset-done role="status" { (tr!(lang, "admin.users.reset_done", user = u.username)) }
                @if let Some(pw) = shown.values.get("_temporary") {
                    p { (lang.t("admin.users.temporary_password")) ": " code #temporary-password { (pw) } }
                    p.muted { (lang.t("admin.users.shown_once")) }
                }
            }
            form #reset-form method="post" action={ "/admin/users/" (u.username) "/reset-password" }
                data-confirm=(tr!(lang, "admin.users.reset_confirm", user = u.username)) {
                (hidden_csrf(&tok))
                (shown.top("reset", &["password"]))
                div.filters {
                    div { label for="r-password" { (lang.t("admin.users.temporary_password_typed")) }
                        input #r-password name="password" type="password" autocomplete="new-password";
                        (shown.err("reset", &["password"])) }
                }
                p.muted { (tr!(lang, "admin.users.password_rule", min = xiaobao_core::password::MIN_CHARS)) " " (lang.t("admin.users.reset_explained")) }
                button #reset-user type="submit" { (lang.t("admin.users.reset")) }
            }
        }
        div.card #access {
            h2 { (lang.t("admin.users.access")) }
            (shown.top("access", &[]))
            @if u.id != caller.user.id { (active_button(lang, &tok, &u, "")) }
        }
    };
    render(headers, caller, tok, "admin_users", status, body)
}

pub async fn user_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = async {
        let req = UpdateUser {
            display_name: Some(field(&f, "display_name")),
            role: Some(Role::parse("role", &field(&f, "role"))?),
            org_unit: Some(field(&f, "org_unit")),
            email: f.get("email").filter(|e| !e.trim().is_empty()).cloned(),
            ..Default::default()
        };
        crate::api::users::update(&state, &caller, &username, req).await
    }
    .await;
    match r {
        Ok(u) => Redirect::to(&format!("/admin/users?done=saved&user={}", u.username)).into_response(),
        Err(e) => {
            let (status, shown) = Shown::refused("update", f, Lang::from_headers(&headers), e);
            user_page(&state, &headers, &caller, &username, shown, status).await
        }
    }
}

async fn active_post(state: AppState, headers: HeaderMap, username: String, f: Fields, active: bool) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match set_active(&state, &caller, &username, active).await {
        Ok(u) => {
            let done = if active { "enabled" } else { "disabled" };
            Redirect::to(&format!("/admin/users?done={done}&user={}", u.username)).into_response()
        }
        Err(e) => {
            let (status, shown) = Shown::refused("access", Fields::new(), Lang::from_headers(&headers), e);
            user_page(&state, &headers, &caller, &username, shown, status).await
        }
    }
}

pub async fn user_disable(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    active_post(state, headers, username, f, false).await
}

pub async fn user_enable(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    active_post(state, headers, username, f, true).await
}

/// Resets the password and shows the temporary one this once, on the answer itself (never in an
/// address or a later page).
pub async fn user_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = ResetPassword { password: f.get("password").filter(|p| !p.is_empty()).cloned() };
    let typed = req.password.is_some();
    match reset(&state, &caller, &username, req).await {
        Ok(done) => {
            // a password the administrator typed is theirs already; a made one is shown this once
            let values = if typed { Fields::new() } else { Fields::from([("_temporary".to_string(), done.password)]) };
            let shown = Shown { form: "reset-done", values, ..Default::default() };
            user_page(&state, &headers, &caller, &username, shown, StatusCode::OK).await
        }
        Err(e) => {
            let (status, shown) = Shown::refused("reset", Fields::new(), Lang::from_headers(&headers), e);
            user_page(&state, &headers, &caller, &username, shown, status).await
        }
    }
}
