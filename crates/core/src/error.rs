//! Messages in both interface languages, and the field error every parse function returns.

use serde::Serialize;

/// A message in both interface languages: Chinese first, English second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    /// The message in the caller's language (`zh` unless English was asked for).
    pub fn in_lang(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

/// Input that failed to parse: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {msg}")]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field: field.into(), msg: Msg::new(zh, en) }
    }

    /// The same error under a nested field name, e.g. `phone` → `complainant.phone`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}
