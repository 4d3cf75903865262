//! The language of a request and the interface's words in both languages, keyed by the glossary's
//! identifiers. One rule for pages and API alike: the user's choice (cookie `xiaobao_lang`) first,
//! else the browser's `Accept-Language`; Chinese when neither says English.

mod classes;
mod mail;
mod names;
mod numbers;
mod refusals;
mod words;

pub use classes::{ClassNames, Classes};
pub use mail::alert_mail;
pub use names::Named;
pub use refusals::refusal;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "xiaobao_lang";

impl Lang {
    pub fn from_headers(h: &HeaderMap) -> Self {
        let cookie = h
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .map(|(_, v)| v.to_string());
        match cookie.as_deref() {
            Some("en") => Lang::En,
            Some("zh") | Some("zh-CN") => Lang::Zh,
            _ => Self::from_accept_language(h),
        }
    }

    /// English when the browser's first preference is English.
    fn from_accept_language(h: &HeaderMap) -> Self {
        let english = h
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("en"));
        if english { Lang::En } else { Lang::Zh }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn english(self) -> bool {
        self == Lang::En
    }

    /// The words for `key` in this language. A key the catalogue lacks shows as `⟦key⟧`, which the
    /// catalogue's tests and the page walk catch.
    pub fn t(self, key: &'static str) -> &'static str {
        match words(key) {
            Some((zh, en)) => self.pick(zh, en),
            None => missing(key),
        }
    }

    /// The words for a key only known at run time (e.g. a measure's name from a request); the key
    /// itself when the catalogue has none, as that key is then the caller's own text.
    pub fn word(self, key: &str) -> String {
        match words(key) {
            Some((zh, en)) => self.pick(zh, en).to_string(),
            None => key.to_string(),
        }
    }

    /// The words for `key` with each `{name}` replaced by its argument: use [`tr!`].
    pub fn format(self, key: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let Some((zh, en)) = words(key) else { return missing(key).to_string() };
        fill(self.pick(zh, en), args)
    }

    /// The words of a field error: why its input was refused.
    pub fn invalid(self, e: &xiaobao_core::FieldError) -> String {
        let values: Vec<String> = e
            .args
            .iter()
            .map(|(_, v)| match v {
                xiaobao_core::Arg::Text(s) => s.clone(),
                xiaobao_core::Arg::Word(key) => self.word(key),
            })
            .collect();
        let args: Vec<(&str, &dyn std::fmt::Display)> =
            e.args.iter().zip(&values).map(|((k, _), v)| (*k, v as &dyn std::fmt::Display)).collect();
        match words(e.reason) {
            Some((zh, en)) => fill(self.pick(zh, en), &args),
            None => missing(e.reason).to_string(),
        }
    }

    /// Of a thing the data names in both languages (a category's `name_zh` and `name_en`), the name
    /// in this language.
    pub fn choose<'a, T: ?Sized>(self, zh: &'a T, en: &'a T) -> &'a T {
        if self.english() { en } else { zh }
    }

    fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        self.choose(zh, en)
    }
}

/// `tr!(lang, "key", name = value, ...)`: the catalogue's words for `key` in `lang` with each
/// `{name}` filled in.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.format($key, &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),*])
    };
}

/// A template's `{name}` placeholders replaced by the arguments of the same name.
fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if args.iter().any(|(n, _)| *n == name) => {
                if let Some((_, v)) = args.iter().find(|(n, _)| *n == name) {
                    let _ = write!(out, "{v}");
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a key the catalogue lacks is shown: `⟦key⟧`, made once per key.
fn missing(key: &'static str) -> &'static str {
    static SHOWN: std::sync::Mutex<Vec<(&'static str, &'static str)>> = std::sync::Mutex::new(Vec::new());
    tracing::error!(key, "the text catalogue has no words for this key");
    let mut shown = SHOWN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, s)) = shown.iter().find(|(k, _)| *k == key) {
        return s;
    }
    let s: &'static str = Box::leak(format!("⟦{key}⟧").into_boxed_str());
    shown.push((key, s));
    s
}

/// Words in both languages, for an answer worded before it is known which language will read it
/// (a problem document is re-worded for an English caller on the way out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }

    /// The catalogue's words for `key`.
    pub fn of(key: &'static str) -> Self {
        Self::new(Lang::Zh.t(key), Lang::En.t(key))
    }

    /// The catalogue's words for `key` with its placeholders filled in.
    pub fn format(key: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> Self {
        Self::new(Lang::Zh.format(key, args), Lang::En.format(key, args))
    }

    /// The words of a field error in both languages.
    pub fn invalid(e: &xiaobao_core::FieldError) -> Self {
        Self::new(Lang::Zh.invalid(e), Lang::En.invalid(e))
    }

    /// The words in the caller's language.
    pub fn in_lang(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// The catalogue's own key equal to `text`, if `text` is a field error's reason (`field.…`): how a
/// reason comes back through serde, which carries errors as text.
pub fn reason_key(text: &str) -> Option<&'static str> {
    words::TABLE.get_key_value(text).map(|(k, _)| *k).filter(|k| k.starts_with("field."))
}

/// (Chinese, English) for a key, if the catalogue has it.
fn words(key: &str) -> Option<(&'static str, &'static str)> {
    words::TABLE.get(key).copied()
}

#[cfg(test)]
mod tests;
