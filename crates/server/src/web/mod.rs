//! The web interface: server-rendered pages in Chinese (default) and English, over the same store and
//! rules as the API. Pages use the session cookie; every form carries a CSRF token derived from the
//! session; every response carries security headers.

mod admin;
mod hot_issues;
mod layout;
mod league;
mod lists;
mod measures;
mod order;
pub(crate) mod pages;
pub mod progress;
mod register;
mod reports;
mod statistics;

use crate::app::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", axum::routing::get(pages::home))
        .route("/login", axum::routing::get(pages::login_form).post(pages::login))
        .route("/logout", axum::routing::post(pages::logout))
        .route("/lang", axum::routing::post(pages::switch_lang))
        .route("/complaints", axum::routing::get(lists::list))
        .route("/complaints/export.xlsx", axum::routing::get(lists::export))
        .route("/complaints/{id}", axum::routing::get(order::complaint))
        .route("/progress", axum::routing::get(progress::form).post(progress::lookup))
        .route("/complaints/new", axum::routing::post(register::submit))
        .route("/complaints/{id}/act/{action}", axum::routing::post(order::act))
        .route(
            "/complaints/{id}/attachments",
            axum::routing::post(order::attach)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/complaints/{id}/attachments/{attachment_id}", axum::routing::get(order::download))
        .route("/measures", axum::routing::get(measures::page_measures))
        .route("/hot-issues", axum::routing::get(hot_issues::page_hot_issues).post(hot_issues::link))
        .route("/hot-issues/{id}", axum::routing::get(hot_issues::page_hot_issue))
        .route("/hot-issues/{id}/decide", axum::routing::post(hot_issues::decide))
        .route("/hot-issues/{id}/remove", axum::routing::post(hot_issues::remove))
        .route("/reports", axum::routing::get(reports::page_reports))
        .route("/reports/ledger.xlsx", axum::routing::get(reports::ledger))
        .route("/reports/regulatory.xlsx", axum::routing::get(reports::regulatory_xlsx))
        .route("/league", axum::routing::get(league::page_league))
        .route("/league/settings", axum::routing::post(league::settings))
        .route("/statistics", axum::routing::get(statistics::page_statistics).post(statistics::enter))
        .route("/statistics/clear", axum::routing::post(statistics::clear))
        .route(
            "/statistics/import",
            axum::routing::post(statistics::import)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::attachments::MAX_UPLOAD_BYTES)),
        )
        .route("/statistics/template.csv", axum::routing::get(statistics::template))
        .route("/admin", axum::routing::get(admin::index))
        .route("/admin/org", axum::routing::get(admin::org).post(admin::org_create))
        .route("/admin/org/{code}/rename", axum::routing::post(admin::org_rename))
        .route("/admin/users", axum::routing::get(admin::users).post(admin::user_create))
        .route("/admin/users/{username}", axum::routing::get(admin::user).post(admin::user_update))
        .route("/admin/categories", axum::routing::get(admin::categories).post(admin::category_put))
        .route("/admin/policy", axum::routing::get(admin::policy).post(admin::policy_put))
        .route("/admin/calendar", axum::routing::get(admin::calendar).post(admin::calendar_put))
        .route("/static/app.js", axum::routing::get(app_js))
}

async fn app_js() -> impl axum::response::IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")],
        include_str!("app.js"),
    )
}

/// The CSRF token of a session: derived from the session's token hash, so it needs no storage and
/// dies with the session.
pub fn csrf_token(session_hash: &str) -> String {
    hex::encode(Sha256::digest(format!("xiaobao-csrf:{session_hash}").as_bytes()))
}

/// Security headers on every response: no framing, no sniffing, a strict content policy.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // pages and answers carry personal data: never kept by a browser or a proxy, unless a handler
    // said otherwise (the script, the OpenAPI document)
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
