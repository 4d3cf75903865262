//! Users and their roles: the list, adding one, editing one.

use super::*;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use xiaobao_core::role::{Permission, Role};

pub async fn users(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => users_page(&state, &headers, &c, &p, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
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
            table #users {
                thead { tr { th { (lang.t("username")) } th { (lang.t("admin.users.name")) } th { (lang.t("admin.users.role")) } th { (lang.t("org_unit")) } th { (lang.t("admin.status")) } } }
                tbody {
                    @for u in rows.iter().take(per_page as usize) {
                        tr data-user=(u.username) {
                            td { a href={ "/admin/users/" (u.username) } { (u.username) } }
                            td { (u.display_name) }
                            td { (lang.name(u.role)) }
                            td { (u.org_name) " (" (u.org_code) ")" }
                            td { @if u.active { (lang.t("admin.users.active")) } @else { span.error { (lang.t("admin.users.deactivated")) } } }
                        }
                    }
                }
            }
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
                    div { label for="n-email" { "E-mail" } input #n-email name="email" type="email" value=(shown.val("create", "email")); (shown.err("create", &["email"])) }
                }
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
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            let mut values = f;
            values.remove("password");
            users_page(
                &state,
                &headers,
                &caller,
                &Params::new(),
                Shown { form: "create", values, error: Some((field, msg)) },
                status,
            )
            .await
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
    let names = ["display_name", "role", "org_unit", "email", "password", "active"];
    let active = if shown.form == "update" { shown.values.contains_key("active") } else { u.active };
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (u.display_name) " (" (u.username) ")" }
            form #edit-user method="post" action={ "/admin/users/" (u.username) } data-confirm-if-unchecked="active"
                data-confirm=(lang.t("admin.users.deactivate_confirm")) {
                (hidden_csrf(&tok))
                (shown.top("update", &names))
                div.filters {
                    div { label for="e-display" { (lang.t("admin.users.name")) } input #e-display name="display_name" maxlength="50" value=(shown_or("display_name", u.display_name.clone())); (shown.err("update", &["display_name"])) }
                    div { label for="e-role" { (lang.t("admin.users.role")) } (role_select(lang, "e-role", &shown_or("role", u.role.as_str().to_string()))) (shown.err("update", &["role"])) }
                    div { label for="e-unit" { (lang.t("org_unit_code")) } input #e-unit name="org_unit" maxlength="32" value=(shown_or("org_unit", u.org_code.clone())); (shown.err("update", &["org_unit"])) }
                    div { label for="e-email" { "E-mail" } input #e-email name="email" type="email" value=(shown_or("email", u.email.clone().unwrap_or_default())); (shown.err("update", &["email"])) }
                    div { label for="e-password" { (lang.t("admin.users.new_password")) } input #e-password name="password" type="password" autocomplete="new-password"; (shown.err("update", &["password"])) }
                }
                p { label.inline { input #e-active type="checkbox" name="active" value="true" checked[active]; " " (lang.t("admin.users.may_log_in")) } }
                button.primary type="submit" { (lang.t("save")) }
                " " a.button href="/admin/users" { (lang.t("back")) }
            }
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
        let req = crate::api::users::UpdateUser {
            display_name: Some(field(&f, "display_name")),
            role: Some(Role::parse("role", &field(&f, "role"))?),
            org_unit: Some(field(&f, "org_unit")),
            active: Some(f.get("active").is_some_and(|v| v == "true")),
            password: f.get("password").filter(|p| !p.is_empty()).cloned(),
            email: f.get("email").filter(|e| !e.trim().is_empty()).cloned(),
        };
        crate::api::users::update(&state, &caller, &username, req).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            let mut values = f;
            values.remove("password");
            user_page(
                &state,
                &headers,
                &caller,
                &username,
                Shown { form: "update", values, error: Some((field, msg)) },
                status,
            )
            .await
        }
    }
}
