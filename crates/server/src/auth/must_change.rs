//! A user whose password an administrator has reset must choose their own before anything else:
//! every page but the password page (and logging out) sends them there, and every API call but
//! changing the password, reading the session and logging out is refused (403) until they have.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::Msg;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// The page where the password is changed.
pub const PASSWORD_PAGE: &str = "/password";

/// What a user who must change their password may still reach.
fn open_to_them(path: &str) -> bool {
    matches!(
        path,
        PASSWORD_PAGE
            | "/logout"
            | "/login"
            | "/lang"
            | "/api/v1/session"
            | "/api/v1/session/password"
            | "/api/openapi.json"
            | "/healthz"
            | "/static/app.js"
    )
}

pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if open_to_them(path) || crate::auth::token_from_headers(req.headers()).is_none() {
        return next.run(req).await;
    }
    // an invalid token is for the handler to refuse as it does
    match Caller::from_headers(req.headers(), &state).await {
        Ok(c) if c.user.must_change_password => {
            if path.starts_with("/api/") {
                ApiError::Forbidden(Msg::of("problem.must_change_password")).into_response()
            } else {
                Redirect::to(PASSWORD_PAGE).into_response()
            }
        }
        _ => next.run(req).await,
    }
}
