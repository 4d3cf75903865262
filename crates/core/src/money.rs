//! Money: a decimal string in yuan at the edges, whole fen (0.01 yuan) inside.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Money(i64);

/// One trillion yuan: anything above is a typing error.
const MAX_FEN: i64 = 100_000_000_000_000;

impl Money {
    pub fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::because(field, "field.amount");
        let s = s.trim();
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        if whole.is_empty()
            || whole.len() > 13
            || frac.len() > 2
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (s.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            let f: i64 = frac.parse().map_err(|_| bad())?;
            if frac.len() == 1 { f * 10 } else { f }
        };
        let fen = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        if fen > MAX_FEN {
            return Err(bad());
        }
        Ok(Self(fen))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl TryFrom<String> for Money {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Money::parse("amount", &s).map_err(|e| e.reason.to_string())
    }
}

impl From<Money> for String {
    fn from(m: Money) -> String {
        m.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_with_up_to_two_decimals() {
        assert_eq!(Money::parse("amount", "1234.5").unwrap().fen(), 123_450);
        assert_eq!(Money::parse("amount", "0.07").unwrap().fen(), 7);
        assert_eq!(Money::parse("amount", "12").unwrap().to_string(), "12.00");
    }

    #[test]
    fn refuses_negative_too_precise_and_junk() {
        for bad in ["-1", "1.234", "abc", "", "1.", ".5", "1e5", "99999999999999"] {
            assert!(Money::parse("amount", bad).is_err(), "{bad}");
        }
    }
}
