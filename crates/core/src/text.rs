//! Bounded free text: every text a user types has a field name, a minimum and a maximum length.

use crate::FieldError;

/// Trims `value` and checks its length in characters (not bytes: Chinese text is counted per 字).
pub fn bounded(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min <= 1 {
            FieldError::because(field, "field.empty")
        } else {
            FieldError::because(field, "field.too_short").with("min", min)
        });
    }
    if len > max {
        return Err(FieldError::because(field, "field.too_long").with("max", max).with("len", len));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::because(field, "field.control_chars"));
    }
    Ok(trimmed.to_string())
}

/// Limits shared by the API, the web forms and the importers.
pub mod limits {
    pub const NAME: usize = 50;
    pub const SUMMARY: usize = 200;
    pub const DESCRIPTION: usize = 4000;
    pub const REASON: usize = 500;
    pub const TEXT: usize = 2000;
    pub const ORG_NAME: usize = 100;
    pub const DISPLAY_NAME: usize = 50;
    pub const PASSWORD_MIN: usize = 8;
    pub const PASSWORD_MAX: usize = 128;
    pub const TAGS: usize = 10;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_chinese_characters_not_bytes() {
        assert!(bounded("summary", "柜台服务态度差", 1, 7).is_ok());
        let err = bounded("summary", "柜台服务态度差!", 1, 7).unwrap_err();
        assert_eq!(err.field, "summary");
        assert_eq!((err.reason, err.arg("max")), ("field.too_long", Some("7")));
    }

    #[test]
    fn blank_is_empty() {
        assert_eq!(bounded("reason", "   ", 1, 10).unwrap_err().reason, "field.empty");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(bounded("summary", "a\u{0}b", 1, 10).is_err());
        assert!(bounded("description", "line1\nline2", 1, 20).is_ok());
    }
}
