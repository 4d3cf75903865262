//! The org tree: head office → branch → sub-branch → outlet, of any depth. A unit's place in the tree
//! is its materialised path (`/1/4/9/`), so "is this inside that subtree" is a prefix test.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitKind {
    HeadOffice,
    Branch,
    SubBranch,
    Outlet,
}

impl OrgUnitKind {
    pub const ALL: [OrgUnitKind; 4] = [Self::HeadOffice, Self::Branch, Self::SubBranch, Self::Outlet];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HeadOffice => "head_office",
            Self::Branch => "branch",
            Self::SubBranch => "sub_branch",
            Self::Outlet => "outlet",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldError::because(field, "field.unknown_unit_kind").with("value", s))
    }

    /// Whether a unit of this kind may sit under a unit of `parent` kind. Branches may nest (tier 1
    /// and tier 2), sub-branches may nest; nothing sits under an outlet; head office has no parent.
    pub fn may_sit_under(self, parent: OrgUnitKind) -> bool {
        use OrgUnitKind::*;
        match self {
            HeadOffice => false,
            Branch => matches!(parent, HeadOffice | Branch),
            SubBranch => matches!(parent, HeadOffice | Branch | SubBranch),
            Outlet => matches!(parent, HeadOffice | Branch | SubBranch),
        }
    }
}

/// An org unit's code: 1–32 characters of letters, digits, `-` and `_`, e.g. `HO`, `BJ01-003`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 32 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(FieldError::because(field, "field.org_code"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code of the head office every fresh database starts with.
pub const HEAD_OFFICE_CODE: &str = "HO";

/// The materialised path of a unit whose parent has `parent_path` (or none for the root).
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    match parent_path {
        Some(p) => format!("{p}{id}/"),
        None => format!("/{id}/"),
    }
}

/// Is the unit at `path` inside the subtree rooted at `scope_path` (itself included)?
pub fn in_subtree(scope_path: &str, path: &str) -> bool {
    path.starts_with(scope_path)
}

/// The ids on a path from the root down, e.g. `/1/4/9/` → [1, 4, 9].
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

/// The tier-1 branch of a unit (the second id on its path), or the head office for itself.
pub fn tier1_of(path: &str) -> Option<i64> {
    let ids = path_ids(path);
    ids.get(1).or(ids.first()).copied()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn subtree_is_a_prefix_and_siblings_are_outside() {
        let branch = child_path(Some("/1/"), 4);
        let outlet_a = child_path(Some(&branch), 9);
        let outlet_b = child_path(Some(&branch), 19);
        assert!(in_subtree(&branch, &outlet_a));
        assert!(in_subtree(&outlet_a, &outlet_a));
        assert!(!in_subtree(&outlet_a, &outlet_b));
        // /1/4/1/ must not be mistaken for being under /1/4/19/ or the reverse
        assert!(!in_subtree("/1/4/1/", "/1/4/19/"));
    }

    #[test]
    fn codes_are_checked() {
        assert!(OrgCode::parse("code", "BJ01-003").is_ok());
        assert!(OrgCode::parse("code", "北京").is_err());
        assert!(OrgCode::parse("code", "").is_err());
    }

    #[test]
    fn tree_shape_rules() {
        assert!(OrgUnitKind::Outlet.may_sit_under(OrgUnitKind::SubBranch));
        assert!(!OrgUnitKind::Branch.may_sit_under(OrgUnitKind::Outlet));
        assert!(!OrgUnitKind::HeadOffice.may_sit_under(OrgUnitKind::Branch));
    }

    #[test]
    fn tier1_is_second_on_the_path() {
        assert_eq!(tier1_of("/1/4/9/"), Some(4));
        assert_eq!(tier1_of("/1/"), Some(1));
    }
}
