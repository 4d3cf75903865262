//! The deadline policy, edited as the JSON document the API takes.

use super::*;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::json::parse_json;
use crate::web::pages::{csrf, form_caller};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde_json::Value;
use xiaobao_core::role::Permission;

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
                tr { th { (lang.t("admin.policy.extensions")) } td { (format!("{:?}", p.extension_days)) } }
                tr { th { (lang.t("admin.policy.repeat_window")) } td { (p.repeat_window_days) } }
            }
            p.muted { (lang.t("admin.policy.changes_apply")) }
            form #policy-form method="post" action="/admin/policy" data-confirm=(lang.t("admin.policy.replace_confirm")) {
                (hidden_csrf(&tok))
                label for="policy" { (lang.t("admin.policy.json")) }
                textarea #policy name="policy" rows="24" spellcheck="false" style="font-family:monospace;font-size:.9rem" { (text) }
                (shown.err("policy", &[]))
                button.primary type="submit" { (lang.t("save")) }
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
        Err(e) => Err(ApiError::BadRequest(
            xiaobao_core::FieldError::because("policy", "field.policy_json")
                .with("line", e.line())
                .with("column", e.column()),
        )),
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
                Shown { form: "policy", values: f, errors: vec![("policy".into(), msg)], notice: None },
                status,
            )
            .await
        }
    }
}
