//! The API's error: every failure becomes `application/problem+json` with a status, a message in the
//! caller's language and, for bad input, the offending field. Internal errors are logged and say
//! nothing about their cause.

use crate::i18n::Msg;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xiaobao_core::FieldError;
use xiaobao_core::complaint::Refusal;
use xiaobao_store::{StoreError, WriteError};

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden(Msg),
    NotFound,
    Conflict(Msg),
    /// Well-formed but wrong input (422).
    Invalid(FieldError),
    /// Several things wrong at once (422): every one is told, each naming its field; the first is
    /// the problem's `field`.
    InvalidAll(Vec<FieldError>),
    /// Malformed input: not JSON, wrong types (400).
    BadRequest(FieldError),
    /// Too many tries: wait this many seconds (sent as `Retry-After`).
    TooManyRequests(Msg, u64),
    /// The server cannot answer now (the database is unreachable, or it is too busy): try again in
    /// this many seconds (503 with `Retry-After`).
    Unavailable(Msg, u64),
    PayloadTooLarge,
    Internal,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// One wrong field of a problem: its name and, in words, what is wrong with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub detail: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub msg: Option<Msg>,
}

/// The faults of a request's fields, gathered so that all are told at once: each check's result is
/// kept, a field fault set aside; any other failure (forbidden, not found) ends the request there.
#[derive(Debug, Default)]
pub struct Faults(Vec<FieldError>);

impl Faults {
    pub fn keep<T>(&mut self, r: Result<T, ApiError>) -> ApiResult<Option<T>> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(ApiError::Invalid(e)) => {
                self.0.push(e);
                Ok(None)
            }
            Err(ApiError::InvalidAll(all)) => {
                self.0.extend(all);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    pub fn add(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// Refused with every fault, or on with the request.
    pub fn check(self) -> ApiResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::InvalidAll(self.0)) }
    }
}

/// The problem document, kept on the response so the language layer can re-render it in English.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field error, when there are several (bad input to a form of many fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    #[serde(skip)]
    #[schema(ignore)]
    pub msg: Option<Msg>,
    /// Seconds before trying again (the `Retry-After` header).
    #[serde(skip)]
    #[schema(ignore)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// Every error of `errors`: none is `Ok`, one is `Invalid`, more are `InvalidAll`.
    pub fn all(mut errors: Vec<FieldError>) -> Result<(), Self> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(Self::Invalid(errors.remove(0))),
            _ => Err(Self::InvalidAll(errors)),
        }
    }

    /// The field errors this error tells: (field, words), one for each.
    pub fn field_errors(&self, english: bool) -> Vec<(String, String)> {
        match self {
            Self::Invalid(e) | Self::BadRequest(e) => vec![(e.field.clone(), Msg::invalid(e).in_lang(english).into())],
            Self::InvalidAll(all) => {
                all.iter().map(|e| (e.field.clone(), Msg::invalid(e).in_lang(english).to_string())).collect()
            }
            _ => Vec::new(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, Option<String>, Msg) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", None, Msg::of("problem.unauthorized")),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", None, m.clone()),
            Self::NotFound => (StatusCode::NOT_FOUND, "not-found", None, Msg::of("problem.not_found")),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", None, m.clone()),
            Self::Invalid(e) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", Some(e.field.clone()), Msg::invalid(e))
            }
            Self::BadRequest(e) => (StatusCode::BAD_REQUEST, "bad-request", Some(e.field.clone()), Msg::invalid(e)),
            Self::InvalidAll(all) => {
                let msgs: Vec<Msg> = all.iter().map(Msg::invalid).collect();
                let join = |english: bool, sep: &str| {
                    all.iter()
                        .zip(&msgs)
                        .map(|(e, m)| format!("{}: {}", e.field, m.in_lang(english)))
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                let field = all.first().map(|e| e.field.clone());
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-fields",
                    field,
                    Msg::new(join(false, "；"), join(true, "; ")),
                )
            }
            Self::TooManyRequests(m, _) => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests", None, m.clone()),
            Self::Unavailable(m, _) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None, m.clone()),
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", None, Msg::of("problem.payload_too_large"))
            }
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None, Msg::of("problem.internal")),
        }
    }

    /// Seconds the caller should wait before trying again, if this error says so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests(_, s) | Self::Unavailable(_, s) => Some(*s),
            _ => None,
        }
    }

    /// Too busy to take the request now.
    pub fn busy(seconds: u64) -> Self {
        Self::Unavailable(Msg::of("problem.busy"), seconds)
    }

    pub fn problem(&self, english: bool) -> Problem {
        let (status, kind, field, msg) = self.parts();
        let several = matches!(self, Self::InvalidAll(_));
        let detail = match &field {
            Some(f) if !several => format!("{f}: {}", msg.in_lang(english)),
            _ => msg.in_lang(english).to_string(),
        };
        let errors = match self {
            Self::Invalid(e) | Self::BadRequest(e) => std::slice::from_ref(e),
            Self::InvalidAll(all) => all.as_slice(),
            _ => &[],
        }
        .iter()
        .map(|e| {
            let m = Msg::invalid(e);
            FieldProblem { field: e.field.clone(), detail: m.in_lang(english).to_string(), msg: Some(m) }
        })
        .collect();
        Problem {
            kind: format!("https://xiaobao.example/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("error").to_string(),
            status: status.as_u16(),
            detail,
            field,
            errors,
            msg: Some(msg),
            retry_after: self.retry_after(),
        }
    }

    /// `field` is wrong for `reason`, a key of the text catalogue.
    pub fn invalid(field: &str, reason: &'static str) -> Self {
        Self::Invalid(FieldError::because(field, reason))
    }

    pub fn forbidden_role() -> Self {
        Self::Forbidden(Msg::of("problem.forbidden_role"))
    }
}

pub fn problem_response(p: &Problem, english: bool) -> Response {
    let mut body = p.clone();
    if let Some(m) = &p.msg {
        body.detail = match &p.field {
            // several faults' words already name each field (even when only one was found)
            Some(f) if p.errors.len() <= 1 && !p.kind.ends_with("/invalid-fields") => {
                format!("{f}: {}", m.in_lang(english))
            }
            _ => m.in_lang(english).to_string(),
        };
    }
    for e in &mut body.errors {
        if let Some(m) = &e.msg {
            e.detail = m.in_lang(english).to_string();
        }
    }
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if let Some(s) = p.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let mut res = (status, headers, json).into_response();
    res.extensions_mut().insert(p.clone());
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(&self.problem(false), false)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Duplicate(field) => Self::Invalid(FieldError::because(field, "field.already_exists")),
            StoreError::Refused(reason) => Self::Conflict(Msg::of(reason)),
            e if e.is_unavailable() => {
                tracing::warn!(error = %e, "the database is unavailable");
                Self::Unavailable(Msg::of("problem.database_unavailable"), 5)
            }
            other => {
                tracing::error!(error = %other, "store error");
                Self::Internal
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let msg = crate::i18n::refusal(&r);
        if r.is_forbidden() { Self::Forbidden(msg) } else { Self::Conflict(msg) }
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::NotFound => Self::NotFound,
            WriteError::Refused(r) => r.into(),
            WriteError::AlreadyLinked { complaint_id, hot_issue_id } => Self::Conflict(Msg::format(
                "problem.already_linked",
                &[("complaint_id", &complaint_id), ("hot_issue_id", &hot_issue_id)],
            )),
            WriteError::NotLinked { complaint_id, hot_issue_id } => Self::Conflict(Msg::format(
                "problem.not_linked",
                &[("complaint_id", &complaint_id), ("hot_issue_id", &hot_issue_id)],
            )),
            WriteError::Store(s) => s.into(),
        }
    }
}
