//! Administration pages: the org tree, users and roles, classification (categories, cause codes,
//! service channels), the deadline policy and the working-day calendar. Each form is turned into the
//! API's request and handled by the API's own handler, so the checks are the same; a refusal is
//! shown beside the field it names, with the values typed kept.

use super::layout::page;
use super::pages::{csrf, form_caller, html_response};
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::json::parse_json;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde_json::{Value, json};
use std::collections::HashMap;
use xiaobao_core::classification::Dimension;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::{Permission, Role};

type Fields = HashMap<String, String>;

/// A form shown again after a refusal: the values typed and the error (its field, its message).
#[derive(Default)]
struct Shown {
    form: &'static str,
    values: Fields,
    error: Option<(String, String)>,
}

impl Shown {
    fn val(&self, form: &str, name: &str) -> String {
        if self.form == form { self.values.get(name).cloned().unwrap_or_default() } else { String::new() }
    }

    fn err(&self, form: &str, names: &[&str]) -> Markup {
        html! {
            @if let Some((f, m)) = self.error.as_ref().filter(|_| self.form == form) {
                @if names.contains(&f.as_str()) || names.is_empty() {
                    span.error.field-error data-field=(f) role="alert" { (m) }
                }
            }
        }
    }

    /// The error when it names no field of the form: shown at the form's top.
    fn top(&self, form: &str, names: &[&str]) -> Markup {
        html! {
            @if let Some((f, m)) = self.error.as_ref().filter(|_| self.form == form) {
                @if !names.contains(&f.as_str()) { p.error.form-error role="alert" { (m) } }
            }
        }
    }
}

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
    s
}

async fn caller_or_login(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    Caller::from_headers(headers, state).await.map_err(|_| Redirect::to("/login").into_response())
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
    let body = html! { (tabs) (body) };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t(title), body), set);
    *res.status_mut() = status;
    res
}

fn refused(lang: Lang, e: ApiError) -> (StatusCode, String, String) {
    let p = e.problem(lang.english());
    (StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST), p.field.unwrap_or_default(), p.detail)
}

/// A form field's text, empty when the form did not send it (validation then names it).
fn field(f: &Fields, name: &str) -> String {
    f.get(name).cloned().unwrap_or_default()
}

/// The request's CSRF token and the cookie that sets it when the browser has none: decided once per
/// page, so every form on it and the cookie agree.
type Csrf = (String, Option<HeaderValue>);

fn hidden_csrf(token: &Csrf) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token.0); }
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

// ---------------------------------------------------------------- org tree

pub async fn org(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => org_page(&state, &headers, &c, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn org_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let en = lang.english();
    if !caller.can(Permission::ManageOrg) {
        return forbidden(headers, caller, "admin_org");
    }
    let units = state.store.org_units_in_subtree(&caller.user.org_path).await.unwrap_or_default();
    let base_depth = xiaobao_core::org::path_ids(&caller.user.org_path).len();
    let names = ["code", "name", "kind", "parent"];
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_org")) }
            table #org-tree {
                thead { tr { th { (lang.t("org_unit")) } th { (if en { "Kind" } else { "层级" }) } th { (if en { "Rename" } else { "更名" }) } } }
                tbody {
                    @for u in &units {
                        @let depth = xiaobao_core::org::path_ids(&u.path).len().saturating_sub(base_depth);
                        tr data-unit=(u.code) {
                            td style={ "padding-left:" (0.5 + depth as f32 * 1.5) "rem" } { (u.name) " (" (u.code) ")" }
                            td { (if en { u.kind.as_str() } else { u.kind.label_zh() }) }
                            td {
                                form.inline method="post" action={ "/admin/org/" (u.code) "/rename" } {
                                    (hidden_csrf(&tok))
                                    input name="name" value=(if shown.form == "rename" && shown.values.get("code") == Some(&u.code) { shown.val("rename", "name") } else { u.name.clone() }) maxlength="100" aria-label=(if en { "new name" } else { "新名称" });
                                    button type="submit" { (if en { "Rename" } else { "更名" }) }
                                    @if shown.values.get("code") == Some(&u.code) { (shown.err("rename", &[])) }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (if en { "Add an org unit" } else { "新增机构" }) }
            form #add-unit method="post" action="/admin/org" {
                (hidden_csrf(&tok))
                (shown.top("create", &names))
                div.filters {
                    div { label for="u-code" { (if en { "Code" } else { "机构代码" }) } input #u-code name="code" maxlength="32" value=(shown.val("create", "code")); (shown.err("create", &["code"])) }
                    div { label for="u-name" { (if en { "Name" } else { "机构名称" }) } input #u-name name="name" maxlength="100" value=(shown.val("create", "name")); (shown.err("create", &["name"])) }
                    div {
                        label for="u-kind" { (if en { "Kind" } else { "层级" }) }
                        select #u-kind name="kind" {
                            @for k in OrgUnitKind::ALL.iter().filter(|k| **k != OrgUnitKind::HeadOffice) {
                                option value=(k.as_str()) selected[shown.val("create", "kind") == k.as_str()] { (if en { k.as_str() } else { k.label_zh() }) }
                            }
                        }
                        (shown.err("create", &["kind"]))
                    }
                    div {
                        label for="u-parent" { (if en { "Parent" } else { "上级机构" }) }
                        select #u-parent name="parent" {
                            @for u in units.iter().filter(|u| u.kind != OrgUnitKind::Outlet) {
                                option value=(u.code) selected[shown.val("create", "parent") == u.code] { (u.name) " (" (u.code) ")" }
                            }
                        }
                        (shown.err("create", &["parent"]))
                    }
                }
                button.primary type="submit" { (if en { "Add" } else { "新增" }) }
            }
        }
    };
    render(headers, caller, tok, "admin_org", status, body)
}

pub async fn org_create(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = async {
        let req = crate::api::org_units::CreateOrgUnit {
            code: field(&f, "code"),
            name: field(&f, "name"),
            kind: OrgUnitKind::parse("kind", &field(&f, "kind"))?,
            parent: field(&f, "parent"),
        };
        crate::api::org_units::create(&state, &caller, req).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to("/admin/org").into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            org_page(&state, &headers, &caller, Shown { form: "create", values: f, error: Some((field, msg)) }, status)
                .await
        }
    }
}

pub async fn org_rename(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(mut f): Form<Fields>,
) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = crate::api::org_units::UpdateOrgUnit { name: field(&f, "name") };
    let r = crate::api::org_units::rename(&state, &caller, &code, req).await;
    match r {
        Ok(_) => Redirect::to("/admin/org").into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            f.insert("code".into(), code);
            org_page(&state, &headers, &caller, Shown { form: "rename", values: f, error: Some((field, msg)) }, status)
                .await
        }
    }
}

// ---------------------------------------------------------------- users

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
                option value=(r.as_str()) selected[selected == r.as_str()] { (if lang.english() { r.as_str() } else { r.label_zh() }) }
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
    let en = lang.english();
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
                thead { tr { th { (lang.t("username")) } th { (if en { "Name" } else { "姓名" }) } th { (if en { "Role" } else { "角色" }) } th { (lang.t("org_unit")) } th { (if en { "Status" } else { "状态" }) } } }
                tbody {
                    @for u in rows.iter().take(per_page as usize) {
                        tr data-user=(u.username) {
                            td { a href={ "/admin/users/" (u.username) } { (u.username) } }
                            td { (u.display_name) }
                            td { (if en { u.role.as_str() } else { u.role.label_zh() }) }
                            td { (u.org_name) " (" (u.org_code) ")" }
                            td { @if u.active { (if en { "active" } else { "启用" }) } @else { span.error { (if en { "deactivated" } else { "已停用" }) } } }
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
            h2 { (if en { "Add a user" } else { "新增用户" }) }
            form #add-user method="post" action="/admin/users" {
                (hidden_csrf(&tok))
                (shown.top("create", &names))
                div.filters {
                    div { label for="n-username" { (lang.t("username")) } input #n-username name="username" maxlength="32" value=(shown.val("create", "username")); (shown.err("create", &["username"])) }
                    div { label for="n-display" { (if en { "Name" } else { "姓名" }) } input #n-display name="display_name" maxlength="50" value=(shown.val("create", "display_name")); (shown.err("create", &["display_name"])) }
                    div { label for="n-role" { (if en { "Role" } else { "角色" }) } (role_select(lang, "n-role", &shown.val("create", "role"))) (shown.err("create", &["role"])) }
                    div { label for="n-unit" { (lang.t("org_unit_code")) } input #n-unit name="org_unit" maxlength="32" value=(shown.val("create", "org_unit")); (shown.err("create", &["org_unit"])) }
                    div { label for="n-password" { (lang.t("password")) } input #n-password name="password" type="password" autocomplete="new-password"; (shown.err("create", &["password"])) }
                    div { label for="n-email" { "E-mail" } input #n-email name="email" type="email" value=(shown.val("create", "email")); (shown.err("create", &["email"])) }
                }
                button.primary type="submit" { (if en { "Add" } else { "新增" }) }
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
    let en = lang.english();
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
                data-confirm=(if en { "Deactivating ends this user's sessions. Continue?" } else { "停用将立即结束该用户的所有会话，确定继续吗？" }) {
                (hidden_csrf(&tok))
                (shown.top("update", &names))
                div.filters {
                    div { label for="e-display" { (if en { "Name" } else { "姓名" }) } input #e-display name="display_name" maxlength="50" value=(shown_or("display_name", u.display_name.clone())); (shown.err("update", &["display_name"])) }
                    div { label for="e-role" { (if en { "Role" } else { "角色" }) } (role_select(lang, "e-role", &shown_or("role", u.role.as_str().to_string()))) (shown.err("update", &["role"])) }
                    div { label for="e-unit" { (lang.t("org_unit_code")) } input #e-unit name="org_unit" maxlength="32" value=(shown_or("org_unit", u.org_code.clone())); (shown.err("update", &["org_unit"])) }
                    div { label for="e-email" { "E-mail" } input #e-email name="email" type="email" value=(shown_or("email", u.email.clone().unwrap_or_default())); (shown.err("update", &["email"])) }
                    div { label for="e-password" { (if en { "New password (leave empty to keep)" } else { "新密码（不修改请留空）" }) } input #e-password name="password" type="password" autocomplete="new-password"; (shown.err("update", &["password"])) }
                }
                p { label.inline { input #e-active type="checkbox" name="active" value="true" checked[active]; " " (if en { "may log in" } else { "启用（可登录）" }) } }
                button.primary type="submit" { (if en { "Save" } else { "保存" }) }
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

// ---------------------------------------------------------------- classification

fn dimension_of(p: &Params) -> Dimension {
    p.get("dimension").and_then(|d| Dimension::from_str_opt(d)).unwrap_or(Dimension::Category)
}

fn dimension_label(d: Dimension, en: bool) -> &'static str {
    match (d, en) {
        (Dimension::Category, false) => "业务类别",
        (Dimension::Category, true) => "Business categories",
        (Dimension::Cause, false) => "投诉原因",
        (Dimension::Cause, true) => "Cause codes",
        (Dimension::ServiceChannel, false) => "服务渠道",
        (Dimension::ServiceChannel, true) => "Service channels",
    }
}

pub async fn categories(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => categories_page(&state, &headers, &c, dimension_of(&p), Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn categories_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    dim: Dimension,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let en = lang.english();
    if !caller.can(Permission::ManageRules) {
        return forbidden(headers, caller, "admin_categories");
    }
    let rows = state.store.classes(Some(dim)).await.unwrap_or_default();
    let names = ["code", "name_zh", "name_en"];
    let tok = csrf(headers);
    let body = html! {
        div.card {
            nav.tabs {
                @for d in Dimension::ALL {
                    a href={ "/admin/categories?dimension=" (d.as_str()) } class=[(d == dim).then_some("current")] { (dimension_label(d, en)) }
                }
            }
            h1 { (dimension_label(dim, en)) }
            (shown.top("toggle", &[]))
            table #classes {
                thead { tr { th { (if en { "Code" } else { "代码" }) } th { "中文" } th { "English" } th { (if en { "Status" } else { "状态" }) } th {} } }
                tbody {
                    @for c in &rows {
                        @let depth = c.code.len() / 2 - 1;
                        tr data-code=(c.code) class=[(!c.active).then_some("muted")] {
                            td style={ "padding-left:" (0.5 + depth as f32 * 1.2) "rem" } { (c.code) }
                            td { (c.name_zh) } td { (c.name_en) }
                            td { @if c.active { (if en { "in use" } else { "启用" }) } @else { (if en { "retired" } else { "已停用" }) } }
                            td {
                                form.inline method="post" action="/admin/categories"
                                    data-confirm=[c.active.then_some(if en { "Retire this code? Orders already classified keep it." } else { "确定停用该代码吗？已分类的工单保留原代码。" })] {
                                    (hidden_csrf(&tok))
                                    input type="hidden" name="dimension" value=(dim.as_str());
                                    input type="hidden" name="code" value=(c.code);
                                    input type="hidden" name="name_zh" value=(c.name_zh);
                                    input type="hidden" name="name_en" value=(c.name_en);
                                    input type="hidden" name="active" value=(if c.active { "false" } else { "true" });
                                    input type="hidden" name="_form" value="toggle";
                                    button type="submit" { @if c.active { (if en { "Retire" } else { "停用" }) } @else { (if en { "Restore" } else { "启用" }) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (if en { "Add or rename a code" } else { "新增或更名" }) }
            form #add-class method="post" action="/admin/categories" {
                (hidden_csrf(&tok))
                input type="hidden" name="dimension" value=(dim.as_str());
                input type="hidden" name="active" value="true";
                (shown.top("create", &names))
                div.filters {
                    div { label for="c-code" { (if en { "Code (2, 4 or 6 digits)" } else { "代码（2、4 或 6 位数字）" }) } input #c-code name="code" maxlength="6" value=(shown.val("create", "code")); (shown.err("create", &["code"])) }
                    div { label for="c-zh" { "中文名称" } input #c-zh name="name_zh" maxlength="100" value=(shown.val("create", "name_zh")); (shown.err("create", &["name_zh"])) }
                    div { label for="c-en" { "English name" } input #c-en name="name_en" maxlength="100" value=(shown.val("create", "name_en")); (shown.err("create", &["name_en"])) }
                }
                button.primary type="submit" { (if en { "Save" } else { "保存" }) }
            }
        }
    };
    render(headers, caller, tok, "admin_categories", status, body)
}

pub async fn category_put(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let dim = dimension_of(&f);
    let req = crate::api::categories::PutClass {
        dimension: dim,
        code: field(&f, "code").trim().to_string(),
        name_zh: field(&f, "name_zh"),
        name_en: field(&f, "name_en"),
        active: f.get("active").is_none_or(|a| a != "false"),
    };
    let r = crate::api::categories::put(&state, &caller, req).await;
    match r {
        Ok(_) => Redirect::to(&format!("/admin/categories?dimension={}", dim.as_str())).into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            let form = if f.get("_form").is_some_and(|v| v == "toggle") { "toggle" } else { "create" };
            categories_page(
                &state,
                &headers,
                &caller,
                dim,
                Shown { form, values: f, error: Some((field, msg)) },
                status,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- deadline policy

pub async fn policy(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => policy_page(&state, &headers, &c, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn policy_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let lang = Lang::from_headers(headers);
    let en = lang.english();
    if !caller.can(Permission::ManageRules) {
        return forbidden(headers, caller, "admin_policy");
    }
    let rules = state.store.rules();
    let p = &rules.policy;
    let text = if shown.form == "policy" {
        shown.val("policy", "policy")
    } else {
        serde_json::to_string_pretty(p).unwrap_or_default()
    };
    let period = |x: Value| if x.is_null() { "—".to_string() } else { x.to_string() };
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_policy")) }
            table #policy-summary {
                tr { th { (lang.t("response")) } td { (period(serde_json::to_value(&p.response).unwrap_or_default())) } }
                tr { th { (lang.t("decision")) } td { (period(serde_json::to_value(&p.decision).unwrap_or_default())) } }
                tr { th { (lang.t("completion")) } td { (period(serde_json::to_value(&p.completion).unwrap_or_default())) } }
                tr { th { (lang.t("review")) } td { (period(serde_json::to_value(&p.review).unwrap_or_default())) } }
                tr { th { (if en { "Extensions (days)" } else { "延期（天）" }) } td { (format!("{:?}", p.extension_days)) } }
                tr { th { (if en { "Repeat window (days)" } else { "重复投诉认定期（天）" }) } td { (p.repeat_window_days) } }
            }
            p.muted { (if en { "Changes apply to clocks started from now on; deadlines already set on orders stay as they are." } else { "修改只影响此后开始计时的时限，已设定的工单时限不变。" }) }
            form #policy-form method="post" action="/admin/policy" data-confirm=(if en { "Replace the deadline policy?" } else { "确定替换时限规则吗？" }) {
                (hidden_csrf(&tok))
                label for="policy" { (if en { "The policy (JSON)" } else { "时限规则（JSON）" }) }
                textarea #policy name="policy" rows="24" spellcheck="false" style="font-family:monospace;font-size:.9rem" { (text) }
                (shown.err("policy", &[]))
                button.primary type="submit" { (if en { "Save" } else { "保存" }) }
            }
        }
    };
    render(headers, caller, tok, "admin_policy", status, body)
}

pub async fn policy_put(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let text = f.get("policy").cloned().unwrap_or_default();
    // the policy is edited as the JSON document the API takes, and read as the API reads its body
    let r = match serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        Err(e) => Err(ApiError::BadRequest(xiaobao_core::FieldError::new(
            "policy",
            format!("不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column()),
            format!("not valid JSON (line {}, column {})", e.line(), e.column()),
        ))),
        Ok(_) => match parse_json::<xiaobao_core::deadline::Policy>(text.as_bytes()) {
            Ok(policy) => crate::api::rules::set_policy(&state, &caller, policy).await.map(|_| ()),
            Err(e) => Err(e),
        },
    };
    match r {
        Ok(()) => Redirect::to("/admin/policy").into_response(),
        Err(e) => {
            let (status, field, msg) = refused(Lang::from_headers(&headers), e);
            let msg = if field.is_empty() || field == "policy" { msg } else { format!("{field}: {msg}") };
            policy_page(
                &state,
                &headers,
                &caller,
                Shown { form: "policy", values: f, error: Some(("policy".into(), msg)) },
                status,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- working-day calendar

pub async fn calendar(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<Params>) -> Response {
    match caller_or_login(&state, &headers).await {
        Ok(c) => calendar_page(&state, &headers, &c, &p, Shown::default(), StatusCode::OK).await,
        Err(r) => r,
    }
}

async fn calendar_page(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    p: &Params,
    shown: Shown,
    status: StatusCode,
) -> Response {
    use chrono::Datelike;
    let lang = Lang::from_headers(headers);
    let en = lang.english();
    if !caller.can(Permission::ManageRules) {
        return forbidden(headers, caller, "admin_calendar");
    }
    let rules = state.store.rules();
    let this_year = xiaobao_core::time::local_date(state.clock.now()).year();
    let year =
        p.get("year").and_then(|y| y.parse::<i32>().ok()).filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year);
    let years: Vec<i32> = rules.calendar.years().collect();
    let missing = rules.calendar.missing_years(this_year - 1, this_year + 1);
    let days = state.store.calendar_entries(Some(year)).await.unwrap_or_default();
    let tok = csrf(headers);
    let body = html! {
        div.card {
            h1 { (lang.t("admin_calendar")) }
            @if !missing.is_empty() {
                p.error #missing-years role="alert" {
                    (if en { "No arrangement loaded for " } else { "以下年份尚未导入节假日安排：" })
                    (missing.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", "))
                    (if en { ". Until it is, deadlines in those years count weekends only." } else { "。导入前，这些年份的时限只按周末计算。" })
                }
            }
            nav.tabs #years {
                @for y in &years { a href={ "/admin/calendar?year=" (y) } class=[(*y == year).then_some("current")] { (y) } }
            }
            h2 { (year) }
            @if days.is_empty() {
                p.muted #no-days { (if en { "No holidays or make-up working days loaded for this year. Import the published arrangement below." } else { "该年份没有节假日或调休安排。请在下方导入国务院办公厅公布的安排。" }) }
            } @else {
                table #days {
                    thead { tr { th { (if en { "Date" } else { "日期" }) } th { (if en { "Kind" } else { "类型" }) } th { (if en { "Holiday" } else { "节日" }) } } }
                    tbody {
                        @for d in &days {
                            tr { td { (d.date.format("%Y-%m-%d")) } td { (match (d.kind.as_str(), en) { ("rest", false) => "放假", ("work", false) => "调休上班", (k, _) => k }) } td { (if en { &d.holiday_en } else { &d.holiday_zh }) } }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (if en { "Import an arrangement" } else { "导入节假日安排" }) }
            p.muted { (if en { "Lines date,kind,holiday_en,holiday_zh (kind: rest or work). Every year in the file is replaced whole." } else { "每行：日期,类型,英文节日名,中文节日名（类型为 rest 放假 或 work 调休上班）。文件中出现的年份将整体替换。" }) }
            form #calendar-form method="post" action="/admin/calendar" data-confirm=(if en { "Replace the years in this file?" } else { "确定替换文件中出现的年份吗？" }) {
                (hidden_csrf(&tok))
                textarea #csv name="csv" rows="10" spellcheck="false" style="font-family:monospace" placeholder="2027-01-01,rest,New Year's Day,元旦" { (shown.val("calendar", "csv")) }
                (shown.err("calendar", &[]))
                button.primary type="submit" { (if en { "Import" } else { "导入" }) }
            }
        }
    };
    render(headers, caller, tok, "admin_calendar", status, body)
}

pub async fn calendar_put(State(state): State<AppState>, headers: HeaderMap, Form(f): Form<Fields>) -> Response {
    let caller = match form_caller(&state, &headers, &f).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = json!({"csv": f.get("csv")}).to_string();
    let r = crate::api::rules::put_calendar(State(state.clone()), caller.clone(), HeaderMap::new(), body.into()).await;
    match r {
        Ok(imported) => {
            let year = imported.0.years.first().copied().unwrap_or(2026);
            Redirect::to(&format!("/admin/calendar?year={year}")).into_response()
        }
        Err(e) => {
            let (status, _, msg) = refused(Lang::from_headers(&headers), e);
            calendar_page(
                &state,
                &headers,
                &caller,
                &Params::new(),
                Shown { form: "calendar", values: f, error: Some(("csv".into(), msg)) },
                status,
            )
            .await
        }
    }
}
