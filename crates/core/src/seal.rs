//! The key that seals the history: every event, every unmasked read and every checkpoint carries an
//! HMAC-SHA256 made with it. The key is kept outside the database (a file in the data dir or a
//! secret in the environment), so whoever can write the database file can still delete or edit rows
//! but cannot make the seals match again.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// 32 secret bytes. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey([u8; 32]);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChainKey({})", self.id())
    }
}

impl ChainKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// 64 hex digits, surrounding whitespace ignored.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = hex::decode(text).map_err(|_| "a chain key is 64 hexadecimal digits".to_string())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| "a chain key is 64 hexadecimal digits".to_string())?;
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A public name for the key (16 hex digits): the database records it so that a server started
    /// with another key is refused instead of sealing with the wrong one.
    pub fn id(&self) -> String {
        self.mac("key-id", &[])[..16].to_string()
    }

    /// HMAC-SHA256 over a label (what is sealed) and the parts, each preceded by its length, so no
    /// two different lists of parts seal alike. Hex-encoded.
    pub fn mac(&self, label: &str, parts: &[&[u8]]) -> String {
        #[allow(clippy::expect_used)] // HMAC takes a key of any length
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC accepts any key length");
        for part in std::iter::once(label.as_bytes()).chain(parts.iter().copied()) {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part);
        }
        hex::encode(m.finalize().into_bytes())
    }

    /// Compares a stored seal with the one this key makes, in constant time.
    pub fn verify(&self, label: &str, parts: &[&[u8]], stored: &str) -> bool {
        let expected = self.mac(label, parts);
        expected.len() == stored.len()
            && expected.bytes().zip(stored.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The seal a registration puts on its complainant's record as it leaves it (identity and tags as
/// stored, tags comma-joined): `audit verify` compares each record with the seal of the last
/// registration that wrote it.
pub fn complainant_seal(
    key: &ChainKey,
    id: i64,
    name: &str,
    phone: Option<&str>,
    id_number: Option<&str>,
    tags: &str,
) -> String {
    let opt = |v: Option<&str>| v.map_or_else(|| b"-".to_vec(), |v| format!("+{v}").into_bytes());
    key.mac("complainant", &[id.to_string().as_bytes(), name.as_bytes(), &opt(phone), &opt(id_number), tags.as_bytes()])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seals_depend_on_the_key_the_label_and_every_part() {
        let a = ChainKey::from_bytes([1; 32]);
        let b = ChainKey::from_bytes([2; 32]);
        let base = a.mac("event", &[b"x", b"y"]);
        assert_eq!(base.len(), 64);
        assert_eq!(base, a.mac("event", &[b"x", b"y"]));
        assert_ne!(base, b.mac("event", &[b"x", b"y"]));
        assert_ne!(base, a.mac("access", &[b"x", b"y"]));
        assert_ne!(base, a.mac("event", &[b"xy"]));
        assert_ne!(base, a.mac("event", &[b"x", b"z"]));
        assert!(a.verify("event", &[b"x", b"y"], &base));
        assert!(!b.verify("event", &[b"x", b"y"], &base));
        assert!(!a.verify("event", &[b"x", b"y"], &base[..63]));
    }

    #[test]
    fn a_complainant_seal_covers_each_field_and_tells_none_from_empty() {
        let k = ChainKey::from_bytes([5; 32]);
        let base = complainant_seal(&k, 1, "张三", Some("13800000000"), None, "");
        assert_ne!(base, complainant_seal(&k, 2, "张三", Some("13800000000"), None, ""));
        assert_ne!(base, complainant_seal(&k, 1, "张三", Some("13800000001"), None, ""));
        assert_ne!(base, complainant_seal(&k, 1, "张三", Some("13800000000"), Some(""), ""));
        assert_ne!(base, complainant_seal(&k, 1, "张三", Some("13800000000"), None, "vip"));
        assert_ne!(complainant_seal(&k, 1, "a", None, Some(""), ""), complainant_seal(&k, 1, "a", Some(""), None, ""));
    }

    #[test]
    fn keys_read_back_from_hex_and_are_never_printed() {
        let k = ChainKey::from_bytes([0xab; 32]);
        assert_eq!(ChainKey::from_hex(&format!(" {}\n", k.to_hex())).unwrap(), k);
        assert!(ChainKey::from_hex("abcd").is_err());
        assert!(ChainKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()[..16]));
        assert_eq!(k.id().len(), 16);
        assert_ne!(k.id(), ChainKey::from_bytes([0xac; 32]).id());
    }
}
