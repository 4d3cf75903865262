//! Classification: categories, cause codes and service channels.

use super::*;
use crate::api::query::Params;
use crate::app::AppState;
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use xiaobao_core::classification::Dimension;
use xiaobao_core::role::Permission;

fn dimension_of(p: &Params) -> Dimension {
    p.get("dimension").and_then(|d| Dimension::from_str_opt(d)).unwrap_or(Dimension::Category)
}

fn dimension_label(d: Dimension, lang: Lang) -> &'static str {
    match d {
        Dimension::Category => lang.t("admin.classes.categories"),
        Dimension::Cause => lang.t("admin.classes.causes"),
        Dimension::ServiceChannel => lang.t("admin.classes.channels"),
        Dimension::DissatisfactionReason => lang.t("admin.classes.reasons"),
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
                    a href={ "/admin/categories?dimension=" (d.as_str()) } class=[(d == dim).then_some("current")] { (dimension_label(d, lang)) }
                }
            }
            h1 { (dimension_label(dim, lang)) }
            (shown.top("toggle", &[]))
            table #classes {
                thead { tr { th { (lang.t("admin.classes.code")) } th { (lang.t("admin.classes.name_zh")) } th { (lang.t("admin.classes.name_en")) } th { (lang.t("admin.status")) } th {} } }
                tbody {
                    @for c in &rows {
                        @let depth = c.code.len() / 2 - 1;
                        tr data-code=(c.code) class=[(!c.active).then_some("muted")] {
                            td style={ "padding-left:" (0.5 + depth as f32 * 1.2) "rem" } { (c.code) }
                            td { (c.name_zh) } td { (c.name_en) }
                            td { @if c.active { (lang.t("admin.classes.in_use")) } @else { (lang.t("admin.classes.retired")) } }
                            td {
                                form.inline method="post" action="/admin/categories"
                                    data-confirm=[c.active.then_some(lang.t("admin.classes.retire_confirm"))] {
                                    (hidden_csrf(&tok))
                                    input type="hidden" name="dimension" value=(dim.as_str());
                                    input type="hidden" name="code" value=(c.code);
                                    input type="hidden" name="name_zh" value=(c.name_zh);
                                    input type="hidden" name="name_en" value=(c.name_en);
                                    input type="hidden" name="active" value=(if c.active { "false" } else { "true" });
                                    input type="hidden" name="_form" value="toggle";
                                    button type="submit" { @if c.active { (lang.t("admin.classes.retire")) } @else { (lang.t("admin.classes.restore")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { (lang.t("admin.classes.add")) }
            form #add-class method="post" action="/admin/categories" {
                (hidden_csrf(&tok))
                input type="hidden" name="dimension" value=(dim.as_str());
                input type="hidden" name="active" value="true";
                (shown.top("create", &names))
                div.filters {
                    div { label for="c-code" { (lang.t("admin.classes.code_digits")) } input #c-code name="code" maxlength="6" value=(shown.val("create", "code")); (shown.err("create", &["code"])) }
                    div { label for="c-zh" { (lang.t("admin.classes.name_zh")) } input #c-zh name="name_zh" maxlength="100" value=(shown.val("create", "name_zh")); (shown.err("create", &["name_zh"])) }
                    div { label for="c-en" { (lang.t("admin.classes.name_en")) } input #c-en name="name_en" maxlength="100" value=(shown.val("create", "name_en")); (shown.err("create", &["name_en"])) }
                }
                button.primary type="submit" { (lang.t("save")) }
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
                Shown { form, values: f, errors: vec![(field, msg)], notice: None },
                status,
            )
            .await
        }
    }
}
