//! Request bodies and the caller's language. `ValidJson` reads JSON and, when it cannot, names the
//! field that is missing, mistyped or unknown instead of answering with serde's prose.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use xiaobao_core::FieldError;

/// Largest JSON body accepted (a complaint description is at most 4,000 characters).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

pub struct ValidJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| ApiError::PayloadTooLarge)?;
        if bytes.len() > MAX_JSON_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        if !is_json && !bytes.is_empty() {
            return Err(ApiError::BadRequest(FieldError::because("body", "field.body_not_json")));
        }
        let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        parse_json(bytes).map(ValidJson)
    }
}

/// Parses JSON into `T`, reporting the path of the field that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let mut path = e.path().to_string();
        let text = inner.to_string();
        let syntax = inner.is_syntax() || inner.is_eof();
        if syntax {
            return ApiError::BadRequest(FieldError::because("body", "field.malformed_json").with("detail", text));
        }
        // "missing field `summary`" is reported at the parent's path: name the field itself.
        if let Some(name) = text.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            path = if path == "." || path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
            return ApiError::invalid(&path, "field.required");
        }
        if let Some(name) = text.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            path = if path == "." || path.is_empty() { name.to_string() } else { path };
            return ApiError::invalid(&path, "field.unknown_field");
        }
        let path = if path == "." { "body".to_string() } else { path };
        let text = text.split(" at line ").next().unwrap_or(&text);
        // a type that parses itself (an amount, opening hours) says why with a key of the catalogue
        if let Some(reason) = crate::i18n::reason_key(text) {
            return ApiError::Invalid(FieldError::because(path, reason));
        }
        ApiError::Invalid(FieldError::because(path, "field.invalid_value").with("detail", text))
    })
}
