//! A system sending to the product with an integration token (`xbi_` and 64 hex digits): a counter
//! evaluator, the queue system. Its token names one integration, of one kind, bound to one org
//! unit; a user's session token is refused here, and an integration's token is refused everywhere
//! a person is expected (it is not a session).

use super::{token_from_headers, token_hash};
use crate::app::AppState;
use crate::error::ApiError;
use crate::i18n::Msg;
use xiaobao_core::integration::IntegrationKind;
use xiaobao_store::service::IntegrationRow;

/// What an integration's token starts with.
pub const PREFIX: &str = "xbi_";

/// A new token: the prefix and 256 random bits in hex.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", hex::encode(bytes))
}

/// The integration a request comes from.
#[derive(Debug, Clone)]
pub struct Integration(pub IntegrationRow);

impl Integration {
    /// The live integration of kind `kind` whose token the request carries. No token, or one that
    /// names nothing live, is 401; a person's session, or another kind's token, is 403.
    pub async fn of_kind(
        headers: &axum::http::HeaderMap,
        state: &AppState,
        kind: IntegrationKind,
    ) -> Result<Self, ApiError> {
        let token = token_from_headers(headers).ok_or(ApiError::Unauthorized)?;
        let Some(secret) = token.strip_prefix(PREFIX) else {
            return match crate::auth::Caller::from_headers(headers, state).await {
                Ok(_) => Err(only(kind)),
                Err(e) => Err(e),
            };
        };
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::Unauthorized);
        }
        let row = state.store.integration_by_token(&token_hash(&token)).await?.ok_or(ApiError::Unauthorized)?;
        if row.kind != kind {
            return Err(only(kind));
        }
        Ok(Self(row))
    }
}

/// The refusal of a token that is not this kind's.
fn only(kind: IntegrationKind) -> ApiError {
    ApiError::Forbidden(Msg::of(match kind {
        IntegrationKind::Evaluator => "problem.evaluator_only",
        IntegrationKind::Queue => "problem.queue_only",
        IntegrationKind::Hotline => "problem.hotline_only",
        IntegrationKind::Webhook => "problem.webhook_only",
    }))
}
