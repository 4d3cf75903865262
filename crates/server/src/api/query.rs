//! Query-string parsing with field-named errors, and paging.

use crate::error::ApiError;
use chrono::{DateTime, NaiveDate};
use std::collections::HashMap;
use xiaobao_core::time::{Instant, start_of_local_day};

pub type Params = HashMap<String, String>;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;

/// `page` (from 1) and `per_page` (1–200, default 50) → (offset, limit, page).
pub fn paging(p: &Params) -> Result<(i64, i64, i64), ApiError> {
    let page = int(p, "page")?.unwrap_or(1);
    let per_page = int(p, "per_page")?.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=1_000_000).contains(&page) {
        return Err(ApiError::invalid("page", "field.page"));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::invalid("per_page", "field.per_page"));
    }
    Ok(((page - 1) * per_page, per_page, page))
}

pub fn int(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    p.get(name)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse::<i64>().map_err(|_| ApiError::invalid(name, "field.integer")))
        .transpose()
}

/// A whole number from `lo` to `hi`, or `default` when the parameter is absent or empty.
pub fn bounded(p: &Params, name: &str, default: i64, lo: i64, hi: i64) -> Result<i64, ApiError> {
    match p.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s.parse::<i64>().ok().filter(|v| (lo..=hi).contains(v)).ok_or_else(|| {
            ApiError::Invalid(
                xiaobao_core::FieldError::because(name, "field.whole_number_range").with("hi", hi).with("lo", lo),
            )
        }),
    }
}

/// A boolean parameter: `true`/`1` or `false`/`0`; an empty value is refused like any other word
/// (forms that send blank fields for "any" drop them first, with `without_blanks`).
pub fn boolean(p: &Params, name: &str) -> Result<Option<bool>, ApiError> {
    match p.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid(name, "field.boolean")),
    }
}

/// The parameters a page's filter form sent, without the fields left blank (blank means "any").
pub fn without_blanks(mut p: Params) -> Params {
    p.retain(|_, v| !v.trim().is_empty());
    p
}

/// An RFC 3339 instant, or a date `YYYY-MM-DD` meaning 00:00 of that day in Shanghai.
pub fn instant(p: &Params, name: &str) -> Result<Option<Instant>, ApiError> {
    let Some(v) = p.get(name).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    parse_instant(name, v).map(Some)
}

pub fn parse_instant(name: &str, v: &str) -> Result<Instant, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.to_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(start_of_local_day(d));
    }
    Err(ApiError::invalid(name, "field.date_time"))
}

/// Percent-encodes everything but ASCII letters, digits and `-._~` (a query value, or an RFC 5987
/// file name).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query key or value decoded: `+` is a space, `%XX` its byte; malformed escapes are kept as they
/// are (the name is then unknown, and said so).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod decode_tests {
    #[test]
    fn query_keys_are_decoded() {
        assert_eq!(super::percent_decode("per_page"), "per_page");
        assert_eq!(super::percent_decode("a%5Fb+c"), "a_b c");
        assert_eq!(super::percent_decode("%E5%BC%A0"), "张");
        assert_eq!(super::percent_decode("bad%zz%"), "bad%zz%");
    }
}
