//! The password rule every password a person chooses or is given must meet: at least
//! [`MIN_CHARS`] characters (at most [`MAX_CHARS`]), letters and digits both, no control characters,
//! not the username, not the password it replaces. Every rule broken is reported, at once.

use crate::FieldError;

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

/// What the rule needs to know besides the password itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub username: &'a str,
    /// Is the password the one the user has now (checked by the caller against the stored hash)?
    pub is_current: bool,
}

/// Every way `password` breaks the rule, each a `FieldError` on `field`; empty when it is good.
pub fn violations(field: &str, password: &str, cx: Context<'_>) -> Vec<FieldError> {
    let mut out = Vec::new();
    let n = password.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
        out.push(FieldError::because(field, "field.password_length").with("min", MIN_CHARS).with("max", MAX_CHARS));
    }
    if !password.chars().any(char::is_alphabetic) {
        out.push(FieldError::because(field, "field.password_letter"));
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        out.push(FieldError::because(field, "field.password_digit"));
    }
    if password.chars().any(char::is_control) {
        out.push(FieldError::because(field, "field.password_control_chars"));
    }
    let user = cx.username.trim().to_lowercase();
    if !user.is_empty() && password.to_lowercase().contains(&user) {
        out.push(FieldError::because(field, "field.password_username"));
    }
    if cx.is_current {
        out.push(FieldError::because(field, "field.password_same"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(pw: &str, username: &str, is_current: bool) -> Vec<&'static str> {
        violations("password", pw, Context { username, is_current }).iter().map(|e| e.reason).collect()
    }

    #[test]
    fn a_long_password_of_letters_and_digits_passes() {
        assert!(reasons("river-stone-42", "teller1", false).is_empty());
        assert!(reasons("密码很长很长的口令9", "teller1", false).is_empty());
    }

    #[test]
    fn every_broken_rule_is_named_at_once() {
        assert_eq!(
            reasons("abc", "teller1", true),
            ["field.password_length", "field.password_digit", "field.password_same"]
        );
        assert_eq!(reasons("1234567890", "x", false), ["field.password_letter"]);
        assert_eq!(reasons("Teller1-is-me", "teller1", false), ["field.password_username"]);
        assert_eq!(reasons("tab\there-123", "u", false), ["field.password_control_chars"]);
        assert_eq!(reasons(&"a1".repeat(65), "u", false), ["field.password_length"]);
    }
}
