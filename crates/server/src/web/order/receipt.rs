//! The complaint receipt (受理回执) handed to the complainant after registration: the number, the
//! day it was received, the unit that received it, the latest day of the decision, how to follow
//! its progress (the address and its QR code), and the bank's hotline. One printable page, no
//! personal data.

use super::super::layout::page;
use super::super::pages::{csrf, html_response};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Lang;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{PreEscaped, html};
use xiaobao_core::deadline::ClockKind;
use xiaobao_core::time::{deadline_text, local_date};

pub async fn receipt(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let Ok(caller) = Caller::from_headers(&headers, &state).await else {
        return Redirect::to("/login").into_response();
    };
    let lang = Lang::from_headers(&headers);
    let (token, set) = csrf(&headers);
    let k = match crate::api::complaints::read_visible(&state, &caller, id).await {
        Ok(k) => k,
        Err(ApiError::NotFound) => return super::super::pages::not_found(lang, &caller, (token, set)),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let received_at = match state.store.org_unit_by_id(k.registered_unit_id).await {
        Ok(Some(u)) => format!("{} ({})", u.name, u.code),
        _ => format!("{} ({})", k.org_name, k.org_code),
    };
    let bank = match k.org_path.split('/').find(|s| !s.is_empty()).and_then(|r| r.parse::<i64>().ok()) {
        Some(root) => state.store.org_unit_by_id(root).await.ok().flatten().map(|u| u.name),
        None => None,
    };
    let due = k
        .order
        .clock(ClockKind::Decision)
        .or_else(|| k.order.clock(ClockKind::Completion))
        .map(|c| deadline_text(c.due_at));
    let address = format!("{}/progress?number={}", public_base(&state, &headers), k.number);
    let qr = qr_svg(&address);
    let body = html! {
        div.card.receipt #receipt {
            @if let Some(b) = &bank { p.bank { (b) } }
            h1 { (lang.t("receipt.title")) }
            p { (lang.t("receipt.intro")) }
            table.receipt-facts {
                tr { th { (lang.t("receipt.number")) } td #receipt-number { strong { (k.number) } } }
                tr { th { (lang.t("receipt.received")) } td #receipt-received { (local_date(k.order.received_at).format("%Y-%m-%d").to_string()) } }
                tr { th { (lang.t("receipt.outlet")) } td #receipt-outlet { (received_at) } }
                @if let Some(d) = &due { tr { th { (lang.t("receipt.decision_due")) } td #receipt-due { (d) } } }
                @if let Some(h) = &state.deployment.hotline { tr { th { (lang.t("receipt.hotline")) } td #receipt-hotline { (h) } } }
            }
            h2 { (lang.t("receipt.progress")) }
            div.receipt-qr {
                @if let Some(svg) = &qr { div #receipt-qr { (PreEscaped(svg)) } }
                div {
                    p { (lang.t("receipt.progress_how")) }
                    p #receipt-address { code { (address) } }
                }
            }
            p.muted { (lang.t("receipt.keep")) }
            p.no-print {
                button.primary type="button" data-print #print { (lang.t("receipt.print_now")) }
                " "
                a.button href={ "/complaints/" (id) } { (lang.t("receipt.back")) }
            }
        }
    };
    let mut res = html_response(page(lang, Some(&caller.user), Some(&token), lang.t("receipt.title"), body), set);
    res.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    res
}

/// Where complainants reach the server: the configured public address, else the one this browser
/// used.
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.deployment.public_url {
        return u.clone();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| {
        !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    let scheme = if state.deployment.https { "https" } else { "http" };
    format!("{scheme}://{}", host.unwrap_or("localhost"))
}

/// The address as a QR code, an SVG drawing (none if it is too long for one).
fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
}
