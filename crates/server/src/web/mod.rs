//! The web interface: server-rendered pages in Chinese (default) and English, over the same store and
//! rules as the API. Pages use the session cookie; every form carries a CSRF token derived from the
//! session; every response carries security headers.

mod account;
mod admin;
mod bulletins;
pub(crate) mod calendar_gap;
mod charts;
pub(crate) mod errors;
mod forms;
mod home_service;
mod hot_issues;
pub mod inbox;
mod inspections;
mod layout;
mod league;
mod lists;
mod measures;
mod order;
pub(crate) mod pages;
pub mod progress;
mod rectifications;
mod register;
mod reports;
mod service;
mod service_records;
mod service_sheet;
mod statistics;
mod workbook;

use crate::app::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The pages, each module registering its own.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(lists::routes())
        .merge(order::routes())
        .merge(inbox::routes())
        .merge(progress::routes())
        .merge(register::routes())
        .merge(measures::routes())
        .merge(service::routes())
        .merge(hot_issues::routes())
        .merge(inspections::routes())
        .merge(rectifications::routes())
        .merge(bulletins::routes())
        .merge(service_records::routes())
        .merge(workbook::routes())
        .merge(reports::routes())
        .merge(league::routes())
        .merge(statistics::routes())
        .merge(admin::routes())
        .merge(account::routes())
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
