//! The org tree: its units, adding one, renaming one.

use super::*;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::role::Permission;

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
                thead { tr { th { (lang.t("org_unit")) } th { (lang.t("admin.org.kind")) } th { (lang.t("admin.org.rename")) } } }
                tbody {
                    @for u in &units {
                        @let depth = xiaobao_core::org::path_ids(&u.path).len().saturating_sub(base_depth);
                        tr data-unit=(u.code) {
                            td style={ "padding-left:" (0.5 + depth as f32 * 1.5) "rem" } { (u.name) " (" (u.code) ")" }
                            td { (lang.name(u.kind)) }
                            td {
                                form.inline method="post" action={ "/admin/org/" (u.code) "/rename" } {
                                    (hidden_csrf(&tok))
                                    input name="name" value=(if shown.form == "rename" && shown.values.get("code") == Some(&u.code) { shown.val("rename", "name") } else { u.name.clone() }) maxlength="100" aria-label=(lang.t("admin.org.new_name"));
                                    button type="submit" { (lang.t("admin.org.rename")) }
                                    @if shown.values.get("code") == Some(&u.code) { (shown.err("rename", &[])) }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("admin.org.add_unit")) }
            form #add-unit method="post" action="/admin/org" {
                (hidden_csrf(&tok))
                (shown.top("create", &names))
                div.filters {
                    div { label for="u-code" { (lang.t("admin.org.code")) } input #u-code name="code" maxlength="32" value=(shown.val("create", "code")); (shown.err("create", &["code"])) }
                    div { label for="u-name" { (lang.t("admin.org.name")) } input #u-name name="name" maxlength="100" value=(shown.val("create", "name")); (shown.err("create", &["name"])) }
                    div {
                        label for="u-kind" { (lang.t("admin.org.kind")) }
                        select #u-kind name="kind" {
                            @for k in OrgUnitKind::ALL.iter().filter(|k| **k != OrgUnitKind::HeadOffice) {
                                option value=(k.as_str()) selected[shown.val("create", "kind") == k.as_str()] { (lang.name(k)) }
                            }
                        }
                        (shown.err("create", &["kind"]))
                    }
                    div {
                        label for="u-parent" { (lang.t("admin.org.parent")) }
                        select #u-parent name="parent" {
                            @for u in units.iter().filter(|u| u.kind != OrgUnitKind::Outlet) {
                                option value=(u.code) selected[shown.val("create", "parent") == u.code] { (u.name) " (" (u.code) ")" }
                            }
                        }
                        (shown.err("create", &["parent"]))
                    }
                }
                button.primary type="submit" { (lang.t("admin.add")) }
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
            org_page(
                &state,
                &headers,
                &caller,
                Shown { form: "create", values: f, errors: vec![(field, msg)], notice: None },
                status,
            )
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
            org_page(
                &state,
                &headers,
                &caller,
                Shown { form: "rename", values: f, errors: vec![(field, msg)], notice: None },
                status,
            )
            .await
        }
    }
}
