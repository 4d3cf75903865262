//! Finding an order by what the staff have in hand: its number, the complainant's name, or a phone
//! number — whole, or as the masked form those who see phones masked read it ("139****5678").

/// What a search box's text means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A complaint number, upper-cased ("ts2026…" is "TS2026…").
    Number(String),
    /// A phone number, digits only.
    Phone(String),
    /// A phone as it reads masked: its first digits, how many are hidden, its last digits.
    MaskedPhone { head: String, hidden: usize, tail: String },
    /// The complainant's name, exactly.
    Name(String),
}

/// The longest text a search box takes.
pub const MAX_QUERY: usize = 50;

impl Search {
    /// What `q` asks for; None for a blank one.
    pub fn parse(q: &str) -> Option<Self> {
        let q = q.trim();
        if q.is_empty() {
            return None;
        }
        let compact: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let upper = compact.to_ascii_uppercase();
        if upper.len() > 2 && upper.starts_with("TS") && upper[2..].bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::Number(upper));
        }
        if compact.len() >= 7 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Self::Phone(compact));
        }
        if let Some(masked) = masked_phone(&compact) {
            return Some(masked);
        }
        Some(Self::Name(q.to_string()))
    }
}

/// "139****5678": digits, a run of stars, digits.
fn masked_phone(s: &str) -> Option<Search> {
    let head: String = s.chars().take_while(char::is_ascii_digit).collect();
    let rest = &s[head.len()..];
    let hidden = rest.chars().take_while(|c| *c == '*').count();
    let tail = &rest[hidden..];
    (!head.is_empty() && hidden > 0 && !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()))
        .then(|| Search::MaskedPhone { head, hidden, tail: tail.to_string() })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn what_is_typed_is_read_as_a_number_a_phone_or_a_name() {
        assert_eq!(Search::parse("  "), None);
        assert_eq!(Search::parse("ts2026120300000001"), Some(Search::Number("TS2026120300000001".into())));
        assert_eq!(Search::parse("139 1234 5678"), Some(Search::Phone("13912345678".into())));
        assert_eq!(Search::parse("010-6512-3456"), Some(Search::Phone("01065123456".into())));
        assert_eq!(
            Search::parse("139****5678"),
            Some(Search::MaskedPhone { head: "139".into(), hidden: 4, tail: "5678".into() })
        );
        assert_eq!(Search::parse("王建国"), Some(Search::Name("王建国".into())));
        assert_eq!(Search::parse("TS"), Some(Search::Name("TS".into())));
        assert_eq!(Search::parse("123"), Some(Search::Name("123".into())), "too short to be a phone");
        assert_eq!(Search::parse("***5678"), Some(Search::Name("***5678".into())));
    }

    /// A phone masked for a reader is found by its masked form.
    #[test]
    fn a_masked_phone_is_found_by_what_the_reader_sees() {
        let phone = "13912345678";
        let Some(Search::MaskedPhone { head, hidden, tail }) = Search::parse(&crate::mask::mask(phone)) else {
            panic!("a masked phone reads as one");
        };
        assert!(phone.starts_with(&head) && phone.ends_with(&tail));
        assert_eq!(head.len() + hidden + tail.len(), phone.len());
    }
}
