//! The pages of errors: whatever refuses a page's request — an address that does not parse, a query
//! or form the framework cannot read, a body over the limit, a missing or wrong CSRF token, an
//! unknown address or method, a failure of the server — answers with a page of the site in the
//! reader's language that says what happened and leads back, never the framework's developer text.
//! The API keeps its problem documents (`app::problems_only`).

use super::layout::page;
use crate::i18n::Lang;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::html;

/// What went wrong, as the error page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    /// No such page (or an id in the address that does not parse, which names nothing either).
    NotFound,
    /// The address's query could not be read.
    BadAddress,
    /// The form carried no CSRF token, or not the browser's.
    Csrf,
    /// The form's fields could not be read (missing, mistyped, or not a form at all).
    BadForm,
    /// The body is over the limit.
    TooLarge,
    /// The page cannot be opened with this method (a GET of a form's target).
    Method,
    /// The server is too busy or its database unreachable.
    Unavailable,
    /// Anything else that failed on the server's side.
    Internal,
}

impl PageError {
    /// What the framework's answer `status` (with its plain `text`) means for a page.
    fn of(status: StatusCode, text: &str) -> Self {
        match status {
            // `/complaints/abc`: an id that does not parse names nothing
            StatusCode::BAD_REQUEST if text.starts_with("Invalid URL") => Self::NotFound,
            _ if text.contains("`_csrf`") || text.starts_with(CSRF_TEXT) => Self::Csrf,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::FORBIDDEN => Self::Csrf,
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            StatusCode::METHOD_NOT_ALLOWED => Self::Method,
            StatusCode::BAD_REQUEST if text.starts_with("Failed to deserialize query string") => Self::BadAddress,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_server_error() => Self::Internal,
            // a form the framework could not read: wrong content type, missing or mistyped field, broken multipart
            _ => Self::BadForm,
        }
    }

    /// The status the page answers with.
    fn status(self, original: StatusCode) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Csrf => StatusCode::FORBIDDEN,
            _ => original,
        }
    }

    /// The page's id, its heading and what it tells the reader to do.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::NotFound => ("not-found", "not_found", "errors.not_found_text"),
            Self::BadAddress => ("bad-address", "errors.bad_address", "errors.bad_address_text"),
            Self::Csrf => ("csrf", "errors.csrf", "errors.csrf_text"),
            Self::BadForm => ("bad-form", "errors.bad_form", "errors.bad_form_text"),
            Self::TooLarge => ("too-large", "errors.too_large", "errors.too_large_text"),
            Self::Method => ("method", "errors.method", "errors.method_text"),
            Self::Unavailable => ("unavailable", "errors.unavailable", "errors.unavailable_text"),
            Self::Internal => ("internal", "errors.internal", "errors.internal_text"),
        }
    }
}

/// What a handler answers when a form's CSRF token is missing or wrong (made a page on the way out).
const CSRF_TEXT: &str = "CSRF token missing or wrong";

/// The refusal of a form without the browser's CSRF token: 403, shown as the CSRF error page.
pub fn csrf_refused() -> Response {
    (StatusCode::FORBIDDEN, CSRF_TEXT).into_response()
}

/// The error page `e` for the request with `headers` to `path`.
pub fn error_page(headers: &HeaderMap, path: &str, e: PageError, status: StatusCode) -> Response {
    let lang = Lang::from_headers(headers);
    let (id, title, text) = e.words();
    // the public progress page's readers have no login: their way home is that page
    let home = if path.starts_with("/progress") { "/progress" } else { "/" };
    let back = same_site_referer(headers).filter(|b| b != path || e != PageError::NotFound);
    let body = html! {
        div.card #error-page data-status=(status.as_u16()) {
            h1 id=(id) { (lang.t(title)) }
            p #error-text { (lang.t(text)) }
            p #error-links {
                @if let Some(b) = &back { a #error-back href=(b) { (lang.t("errors.back")) } " · " }
                a #error-home href=(home) { (lang.t(if home == "/" { "home" } else { "progress" })) }
            }
        }
    };
    // the page's language switch is a form too: it carries the browser's token
    let (token, set) = super::pages::csrf(headers);
    let mut res = super::pages::html_response(page(lang, None, Some(&token), lang.t(title), body), set);
    *res.status_mut() = status;
    res
}

/// The page the request came from, when it is one of ours: its path and query.
fn same_site_referer(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1;
    let (at, path) = rest.split_at(rest.find('/')?);
    (at == host && !path.starts_with("//")).then(|| path.to_string())
}

/// The most of a refused body read (and dropped) before answering.
const DRAIN_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A page's form says it is longer than a page route takes (an upload's limit for a file, a form's
/// otherwise): refused before any handler, which would answer before the browser has finished
/// sending, and the browser, its connection cut mid-send, would show no answer at all.
fn declared_over_limit(path: &str, headers: &HeaderMap) -> bool {
    let Some(length) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) else {
        return false;
    };
    let upload = headers.get(header::CONTENT_TYPE).is_some_and(|c| c.as_bytes().starts_with(b"multipart/form-data"));
    let limit = match (upload, path) {
        (true, _) => crate::api::attachments::MAX_UPLOAD_BYTES,
        // the registration form takes a letter pasted whole, to say beside it that it is too long
        (false, "/complaints/new") => super::register::MAX_FORM_BYTES,
        (false, _) => crate::json::MAX_JSON_BYTES,
    };
    length > limit as u64
}

/// Reads a refused body to its end (up to `DRAIN_MAX_BYTES`, a chunk at a time, keeping nothing), so
/// the answer reaches a browser that is still sending.
async fn drain(mut body: axum::body::Body) {
    use axum::body::HttpBody;
    let mut read = 0u64;
    while read <= DRAIN_MAX_BYTES {
        match std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len() as u64),
            _ => return,
        }
    }
}

/// Every answer of a page route that is an error and no page (the framework's plain text, an empty
/// status, a problem document from the fallback) becomes the error page, keeping its status and the
/// headers that tell the browser what to do next.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/") || path == "/healthz" {
        return next.run(req).await;
    }
    let headers = req.headers().clone();
    if declared_over_limit(&path, &headers) {
        drain(req.into_body()).await;
        return error_page(&headers, &path, PageError::TooLarge, StatusCode::PAYLOAD_TOO_LARGE);
    }
    let res = next.run(req).await;
    let status = res.status();
    let is_page = res.headers().get(header::CONTENT_TYPE).is_some_and(|c| c.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return res;
    }
    let kept: Vec<(header::HeaderName, HeaderValue)> = [header::ALLOW, header::RETRY_AFTER, header::SET_COOKIE]
        .iter()
        .flat_map(|name| res.headers().get_all(name).iter().map(|v| (name.clone(), v.clone())))
        .collect();
    let text = axum::body::to_bytes(res.into_body(), 4096).await.unwrap_or_default();
    let e = PageError::of(status, &String::from_utf8_lossy(&text));
    if e == PageError::Internal {
        tracing::warn!(status = status.as_u16(), path, "a page failed");
    }
    let mut page = error_page(&headers, &path, e, e.status(status));
    for (name, value) in kept {
        page.headers_mut().append(name, value);
    }
    page
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_frameworks_refusals_are_told_apart() {
        let of = PageError::of;
        assert_eq!(of(StatusCode::BAD_REQUEST, "Invalid URL: Cannot parse `abc` to a `i64`"), PageError::NotFound);
        assert_eq!(of(StatusCode::BAD_REQUEST, "Failed to deserialize query string: x"), PageError::BadAddress);
        assert_eq!(
            of(StatusCode::UNPROCESSABLE_ENTITY, "Failed to deserialize form body: missing field `_csrf`"),
            PageError::Csrf
        );
        assert_eq!(
            of(StatusCode::UNPROCESSABLE_ENTITY, "Failed to deserialize form body: missing field `to`"),
            PageError::BadForm
        );
        assert_eq!(of(StatusCode::FORBIDDEN, CSRF_TEXT), PageError::Csrf);
        assert_eq!(of(StatusCode::PAYLOAD_TOO_LARGE, "Failed to buffer the request body"), PageError::TooLarge);
        assert_eq!(of(StatusCode::METHOD_NOT_ALLOWED, ""), PageError::Method);
        assert_eq!(of(StatusCode::INTERNAL_SERVER_ERROR, ""), PageError::Internal);
        assert_eq!(
            of(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Form requests must have `Content-Type: …`"),
            PageError::BadForm
        );
    }

    #[test]
    fn the_way_back_is_only_to_our_own_pages() {
        let h = |host: &str, referer: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, host.parse().unwrap());
            h.insert(header::REFERER, referer.parse().unwrap());
            same_site_referer(&h)
        };
        assert_eq!(h("bank:8080", "http://bank:8080/complaints/7?x=1").as_deref(), Some("/complaints/7?x=1"));
        assert_eq!(h("bank:8080", "http://evil.example/complaints/7"), None);
        assert_eq!(h("bank:8080", "http://bank:8080//evil.example/"), None);
    }
}
