//! Request bodies. `JsonBody` reads JSON after the handler's permission check and, when it cannot, names the
//! field that is missing, mistyped or unknown instead of answering with serde's prose.

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use xiaobao_core::FieldError;

/// Largest JSON body accepted (a complaint description is at most 4,000 characters).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A JSON body read but not yet parsed. A handler checks the caller's permission and scope first and
/// only then calls [`JsonBody::parse`], so a caller who may not act is told 403 (or 404), never what
/// is wrong with the body: the body's checks say nothing to whoever may not send it.
pub struct JsonBody<T> {
    read: Result<Read, ApiError>,
    _of: std::marker::PhantomData<fn() -> T>,
}

enum Read {
    Bytes {
        bytes: axum::body::Bytes,
        is_json: bool,
    },
    /// A value made in process (a page handing its form to the API's handler).
    Value(serde_json::Value),
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// The body as `T`: a body too large, not JSON, malformed or of the wrong shape is refused
    /// naming the field.
    pub fn parse(self) -> Result<T, ApiError> {
        match self.read? {
            Read::Bytes { bytes, is_json } => {
                if bytes.len() > MAX_JSON_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                if !is_json && !bytes.is_empty() {
                    return Err(ApiError::BadRequest(FieldError::because("body", "field.body_not_json")));
                }
                let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
                parse_json(bytes)
            }
            Read::Value(v) => serde_json::from_value(v).map_err(|_| ApiError::Internal),
        }
    }
}

impl<T: serde::Serialize> JsonBody<T> {
    /// A body holding `value`, for a page that calls the API's handler with what its form said.
    pub fn of(value: &T) -> Self {
        let read = serde_json::to_value(value).map(Read::Value).map_err(|_| ApiError::Internal);
        Self { read, _of: std::marker::PhantomData }
    }
}

impl<S: Send + Sync, T> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    /// Reads the bytes only; a failure to read them is kept and told by `parse`.
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        let read = axum::body::Bytes::from_request(req, state)
            .await
            .map(|bytes| Read::Bytes { bytes, is_json })
            .map_err(|_| ApiError::PayloadTooLarge);
        Ok(Self { read, _of: std::marker::PhantomData })
    }
}

/// Parses JSON into `T`, reporting the path of the field that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(problem_of)
}

/// A value already read as JSON, as `T`, reporting the path of the field that failed.
pub fn parse_value<T: DeserializeOwned>(v: &serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(problem_of)
}

/// The problem of JSON that did not parse into its type: the field it failed at, and why.
fn problem_of(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
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
}
