//! Masking of personal data for roles that may not see it: keep the first three and the last four
//! characters, star the rest (`138****5678`, `110***********1234`).

pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    let (head, tail) = if n >= 8 { (3, 4) } else { (1, 2) };
    let mut out = String::with_capacity(n);
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::mask;

    #[test]
    fn masks_mobile_and_resident_id_as_the_bank_prints_them() {
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("110101199003071234"), "110***********1234");
    }

    #[test]
    fn short_values_reveal_little() {
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask("1234567"), "1****67");
    }

    #[test]
    fn mask_keeps_length() {
        for s in ["021-87654321", "E12345678", "13812345678"] {
            assert_eq!(mask(s).chars().count(), s.chars().count());
            assert_ne!(mask(s), s);
        }
    }
}
