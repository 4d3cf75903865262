//! The application: shared state, the router with its OpenAPI document, the language layer, and
//! serving on a socket until shutdown.

use crate::auth::SessionCache;
use crate::auth::login::LoginGuard;
use crate::auth::passwords::PasswordWork;
use crate::clock::Clock;
use crate::error::{ApiError, Problem, problem_response};
use crate::i18n::Lang;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use xiaobao_store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub sessions: Arc<SessionCache>,
    pub login: Arc<LoginGuard>,
    pub passwords: Arc<PasswordWork>,
    pub deployment: Arc<Deployment>,
    pub progress: Arc<crate::web::progress::ProgressGuard>,
    /// Statistics imports previewed on the page, waiting to be confirmed.
    pub pending_imports: Arc<crate::api::period_stats::PendingImports>,
    /// The bank's units as the transfer picker lists them, read at most every half minute.
    pub unit_choices: Arc<crate::api::org_units::UnitChoices>,
    /// The classification with its names, read at most every half minute.
    pub classes: Arc<crate::held::Held<crate::i18n::Classes>>,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        let sessions: Arc<SessionCache> = Arc::default();
        forget_what_is_announced(&store, Arc::downgrade(&sessions));
        Self {
            store,
            clock,
            sessions,
            login: Arc::default(),
            passwords: Arc::new(PasswordWork::per_core()),
            deployment: Arc::default(),
            progress: Arc::default(),
            pending_imports: Arc::default(),
            unit_choices: Arc::default(),
            classes: Arc::default(),
        }
    }

    pub fn with_deployment(mut self, d: Deployment) -> Self {
        self.deployment = Arc::new(d);
        self
    }
}

/// Keeps the session cache true to what any server announces: a logout, a password change, a
/// deactivation or a role change on one server takes effect on this one at once.
fn forget_what_is_announced(store: &Store, sessions: std::sync::Weak<SessionCache>) {
    use tokio::sync::broadcast::error::RecvError;
    use xiaobao_store::Announcement;
    let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
    let mut rx = store.announcements();
    rt.spawn(async move {
        loop {
            let a = match rx.recv().await {
                Ok(a) => a,
                Err(RecvError::Lagged(_)) => Announcement::Everything,
                Err(RecvError::Closed) => return,
            };
            let Some(cache) = sessions.upgrade() else { return };
            match a {
                Announcement::Session(h) => cache.forget(&h),
                Announcement::User(id) => cache.forget_user(id),
                Announcement::Everything => cache.clear(),
                Announcement::Rules => {}
            }
        }
    });
}

/// How browsers reach the server.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// Browsers reach it over HTTPS (its public URL is https://): cookies are `Secure` and every
    /// answer carries HSTS.
    pub https: bool,
    /// A proxy in front is trusted to say how the browser connected (`X-Forwarded-Proto`) and
    /// from where (the last address of `X-Forwarded-For`). Never set without such a proxy: the
    /// headers would be the client's own word.
    pub trust_proxy: bool,
    /// The address complainants reach the progress page at (`--public-url`), printed on receipts;
    /// without it, the address the staff's browser used.
    pub public_url: Option<String>,
    /// The bank's customer hotline, printed on receipts (`--hotline`).
    pub hotline: Option<String>,
}

/// The address a request came from: the socket's peer, or what the trusted proxy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientAddr>().copied().unwrap_or(ClientAddr(IpAddr::V4(Ipv4Addr::LOCALHOST))))
    }
}

/// Names the client of every request, and over HTTPS marks cookies `Secure` and adds HSTS.
async fn transport(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let d = &state.deployment;
    let (client, https) = {
        let h = req.headers();
        let last = |name: &str| {
            h.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.rsplit(',').next()).map(|v| v.trim().to_string())
        };
        let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let from = if d.trust_proxy { last("x-forwarded-for").and_then(|v| v.parse().ok()) } else { None };
        let https =
            d.https || (d.trust_proxy && last("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https")));
        (from.or(peer).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)), https)
    };
    req.extensions_mut().insert(ClientAddr(client));
    let mut res = next.run(req).await;
    if https {
        let h = res.headers_mut();
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(header::SET_COOKIE);
            for c in cookies {
                let secure = c
                    .to_str()
                    .ok()
                    .filter(|t| !t.to_ascii_lowercase().contains("; secure"))
                    .and_then(|t| HeaderValue::from_str(&format!("{t}; Secure")).ok())
                    .unwrap_or(c);
                h.append(header::SET_COOKIE, secure);
            }
        }
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// Re-renders problem documents in English for callers who asked for it.
async fn language(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let res = next.run(req).await;
    if lang.english()
        && let Some(p) = res.extensions().get::<Problem>().cloned()
    {
        return problem_response(&p, true);
    }
    res
}

/// Every refusal of the API is a problem document, also those made before a handler ran (a path or
/// query that does not parse, a body of the wrong type), which the framework answers in plain text.
/// (The pages' refusals are pages: `web::errors`.)
async fn problems_only(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let status = res.status();
    let plain =
        !res.headers().get(header::CONTENT_TYPE).is_some_and(|c| c.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || !plain || res.extensions().get::<Problem>().is_some()
    {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let text = match axum::body::to_bytes(res.into_body(), 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let invalid =
        |field: &str| xiaobao_core::FieldError::because(field, "problem.request_not_valid").with("text", &text);
    let e = match status {
        axum::http::StatusCode::NOT_FOUND => ApiError::NotFound,
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE | axum::http::StatusCode::BAD_REQUEST => {
            ApiError::BadRequest(invalid("request"))
        }
        axum::http::StatusCode::METHOD_NOT_ALLOWED => {
            let e = xiaobao_core::FieldError::because("method", "problem.method_not_allowed");
            let mut p = ApiError::BadRequest(e).problem(false);
            (p.status, p.title) = (status.as_u16(), status.canonical_reason().unwrap_or("error").to_string());
            let mut r = problem_response(&p, false);
            if let Some(a) = allow {
                r.headers_mut().insert(header::ALLOW, a);
            }
            return r;
        }
        s if s.is_server_error() => ApiError::Internal,
        _ => ApiError::BadRequest(invalid("request")),
    };
    e.into_response()
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = crate::api::routes().split_for_parts();
    crate::api::document_problems(&mut openapi);
    let api = crate::api::refuse_unknown_parameters(api, &openapi);
    let openapi = Arc::new(openapi);
    api.route(
        "/api/openapi.json",
        axum::routing::get(move || {
            let doc = openapi.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .route("/healthz", axum::routing::get(healthz))
    .merge(crate::web::routes())
    .fallback(not_found)
    .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::must_change::gate))
    .layer(axum::middleware::from_fn(problems_only))
    .layer(axum::middleware::from_fn(crate::web::errors::error_pages))
    .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::calendar_gap::bank_gaps))
    .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::inbox::unread))
    .layer(axum::middleware::from_fn(language))
    .layer(axum::middleware::from_fn(crate::web::security_headers))
    .layer(axum::middleware::from_fn_with_state(state.clone(), transport))
    .layer(axum::extract::DefaultBodyLimit::max(crate::json::MAX_JSON_BYTES))
    .with_state(state)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, ApiError> {
    state.store.count_users().await?;
    Ok("ok")
}

/// Serves on `listener` until ctrl-c / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
