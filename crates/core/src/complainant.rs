//! The complainant and their personal data: phone numbers and ID numbers are parsed (a resident ID's
//! check digit is verified), stored whole, and masked for roles that may not see them.

use crate::FieldError;
use crate::text::{bounded, limits};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// A mainland mobile (`13812345678`, optionally `+86`) or a landline with area code
    /// (`010-12345678`, `0571 8765 4321`). Spaces and dashes in mobiles are dropped.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::because(field, "field.phone");
        let compact: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let compact = compact.strip_prefix("+86").unwrap_or(&compact);
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mobile = compact.len() == 11 && compact.starts_with('1') && (b'3'..=b'9').contains(&compact.as_bytes()[1]);
        let landline = compact.starts_with('0') && (10..=12).contains(&compact.len());
        let hotline = (compact.starts_with("400") || compact.starts_with("800")) && compact.len() == 10;
        if mobile || landline || hotline { Ok(Self(compact.to_string())) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

impl IdNumber {
    /// An 18-character resident identity card number (GB 11643) whose check digit is verified, or
    /// another identity document (passport, permit) of 6–20 letters and digits starting with a letter.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        let is_resident_shape = s.len() == 18 && s.bytes().take(17).all(|b| b.is_ascii_digit());
        if is_resident_shape {
            let expected = resident_id_check_char(&s[..17]);
            if s.as_bytes()[17] as char != expected {
                return Err(FieldError::because(field, "field.id_check_digit"));
            }
            return Ok(Self(s));
        }
        let other_document = (6..=20).contains(&s.len())
            && s.as_bytes()[0].is_ascii_alphabetic()
            && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if other_document { Ok(Self(s)) } else { Err(FieldError::because(field, "field.id_number")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check character of a resident ID from its first 17 digits (ISO 7064 MOD 11-2).
pub fn resident_id_check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

/// Tags that change how a complainant is served (green channel, interpreter, home service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplainantTag {
    Elderly,
    Disabled,
    Foreigner,
    Minor,
    Vip,
}

impl ComplainantTag {
    pub const ALL: [ComplainantTag; 5] = [Self::Elderly, Self::Disabled, Self::Foreigner, Self::Minor, Self::Vip];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
            Self::Foreigner => "foreigner",
            Self::Minor => "minor",
            Self::Vip => "vip",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| FieldError::because(field, "field.unknown_tag").with("value", s))
    }
}

/// A complainant as registered: a name and at least one way to recognise them again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComplainant {
    pub name: String,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
    pub tags: Vec<ComplainantTag>,
}

impl NewComplainant {
    /// The complainant from what was typed; the first fault found (see [`Self::parse_all`]).
    pub fn parse(
        name: &str,
        phone: Option<&str>,
        id_number: Option<&str>,
        tags: &[String],
    ) -> Result<Self, FieldError> {
        Self::parse_all(name, phone, id_number, tags).map_err(|mut all| all.swap_remove(0))
    }

    /// The complainant from what was typed, or every field's fault at once (never an empty list).
    pub fn parse_all(
        name: &str,
        phone: Option<&str>,
        id_number: Option<&str>,
        tags: &[String],
    ) -> Result<Self, Vec<FieldError>> {
        let mut faults = Vec::new();
        let name = crate::keep(&mut faults, bounded("name", name, 1, limits::NAME));
        let phone = crate::keep(
            &mut faults,
            phone.filter(|p| !p.trim().is_empty()).map(|p| Phone::parse("phone", p)).transpose(),
        );
        let id_number = crate::keep(
            &mut faults,
            id_number.filter(|p| !p.trim().is_empty()).map(|p| IdNumber::parse("id_number", p)).transpose(),
        );
        let mut parsed = Vec::new();
        if tags.len() > limits::TAGS {
            faults.push(FieldError::because("tags", "field.too_many_tags"));
        } else {
            for (i, t) in tags.iter().enumerate() {
                match ComplainantTag::parse(&format!("tags[{i}]"), t) {
                    Ok(tag) if !parsed.contains(&tag) => parsed.push(tag),
                    Ok(_) => {}
                    Err(e) => faults.push(e),
                }
            }
        }
        if matches!((&phone, &id_number), (Some(None), Some(None))) {
            faults.push(FieldError::because("phone", "field.contact_needed"));
        }
        match (name, phone, id_number) {
            (Some(name), Some(phone), Some(id_number)) if faults.is_empty() => {
                Ok(Self { name, phone, id_number, tags: parsed })
            }
            _ => Err(faults),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every fault of a complainant is named at once, each with its field.
    #[test]
    fn every_fault_is_named_at_once() {
        let faults =
            NewComplainant::parse_all("", Some("12345"), Some("110105194912310021"), &["nobody".into()]).unwrap_err();
        let fields: Vec<&str> = faults.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "phone", "id_number", "tags[0]"]);
        let faults = NewComplainant::parse_all("张三", None, None, &[]).unwrap_err();
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].field, "phone");
        assert!(NewComplainant::parse_all("张三", Some("13912345678"), None, &["elderly".into()]).is_ok());
    }

    #[test]
    fn resident_id_check_digit_is_verified() {
        // 11010519491231002X is the standard's own worked example.
        assert!(IdNumber::parse("id_number", "11010519491231002X").is_ok());
        assert!(IdNumber::parse("id_number", "11010519491231002x").is_ok());
        assert!(IdNumber::parse("id_number", "110105194912310021").is_err());
    }

    #[test]
    fn passports_are_accepted() {
        assert!(IdNumber::parse("id_number", "E12345678").is_ok());
        assert!(IdNumber::parse("id_number", "12345").is_err());
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("phone", "+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert!(Phone::parse("phone", "010-12345678").is_ok());
        assert!(Phone::parse("phone", "12812345678").is_err());
        assert!(Phone::parse("phone", "1381234567a").is_err());
    }

    #[test]
    fn a_complainant_needs_a_way_to_be_recognised() {
        let err = NewComplainant::parse("张三", None, None, &[]).unwrap_err();
        assert_eq!(err.field, "phone");
        let err = NewComplainant::parse("张三", Some("13812345678"), None, &["alien".into()]).unwrap_err();
        assert_eq!(err.field, "tags[0]");
    }
}
