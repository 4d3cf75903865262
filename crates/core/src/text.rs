//! Bounded free text: every text a user types has a field name, a minimum and a maximum length.

use crate::FieldError;

/// Trims `value` and checks its length in characters (not bytes: Chinese text is counted per 字).
pub fn bounded(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min <= 1 {
            FieldError::new(field, "不能为空", "must not be empty")
        } else {
            FieldError::new(field, format!("至少需要 {min} 个字符"), format!("must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(FieldError::new(
            field,
            format!("不能超过 {max} 个字符（当前 {len} 个）"),
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "包含不可见的控制字符", "contains control characters"));
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
        assert!(err.msg.en.contains("at most 7"));
    }

    #[test]
    fn blank_is_empty() {
        assert_eq!(bounded("reason", "   ", 1, 10).unwrap_err().msg.en, "must not be empty");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(bounded("summary", "a\u{0}b", 1, 10).is_err());
        assert!(bounded("description", "line1\nline2", 1, 20).is_ok());
    }
}
