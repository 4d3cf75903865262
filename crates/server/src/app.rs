//! The application: shared state, the router with its OpenAPI document, the language layer, and
//! serving on a socket until shutdown.

use crate::auth::{LoginThrottle, SessionCache};
use crate::clock::Clock;
use crate::error::{ApiError, Problem, problem_response};
use crate::json::Lang;
use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use xiaobao_store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub sessions: Arc<SessionCache>,
    pub throttle: Arc<LoginThrottle>,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock, sessions: Arc::default(), throttle: Arc::default() }
    }
}

/// Re-renders problem documents in English for callers who asked for it.
async fn language(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let res = next.run(req).await;
    if lang.english
        && let Some(p) = res.extensions().get::<Problem>().cloned()
    {
        return problem_response(&p, true);
    }
    res
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub fn router(state: AppState) -> Router {
    let (api, openapi) = crate::api::routes().split_for_parts();
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
    .layer(axum::middleware::from_fn(language))
    .layer(axum::middleware::from_fn(crate::web::security_headers))
    .layer(axum::extract::DefaultBodyLimit::max(crate::json::MAX_JSON_BYTES))
    .with_state(state)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, ApiError> {
    state.store.count_users().await?;
    Ok("ok")
}

/// Serves on `listener` until ctrl-c / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown()).await
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
