//! Who may see what. One rule per resource, used by every read and write path: the order's page and
//! its list, its attachments and events, the writer before it acts, hot issues, complainants,
//! exports. The store turns [`OrderScope`] into its SQL condition in one place (`store::scope`), and
//! a property test there proves the SQL admits exactly the orders [`may_see_order`] admits.
//!
//! The role's permission is checked first (`role.can`); these rules are the org scope that follows.
//! Outside it a resource reads as not found.

use crate::org::{in_subtree, path_ids};

/// Who is looking: a user and the path of their unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer<'a> {
    pub user_id: i64,
    pub unit_path: &'a str,
}

/// What the scope rule needs of a work order: the path of the unit handling it now (承办机构) and
/// who registered it (its first responder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderPlace<'a> {
    pub handling_path: &'a str,
    pub first_responder_id: i64,
}

/// May the viewer see this order: it is handled inside their subtree, or they registered it (a
/// teller keeps sight of what they took in, wherever it was transferred or escalated).
pub fn may_see_order(viewer: Viewer<'_>, order: OrderPlace<'_>) -> bool {
    in_subtree(viewer.unit_path, order.handling_path) || order.first_responder_id == viewer.user_id
}

/// May the viewer act on this order (its actions, attachments, hot-issue links): exactly the orders
/// they may see; what they may do there is the role's permission and the state machine's.
pub fn may_act_on_order(viewer: Viewer<'_>, order: OrderPlace<'_>) -> bool {
    may_see_order(viewer, order)
}

/// May the viewer see this complainant: through any of their complaints the viewer may see.
pub fn may_see_complainant<'a>(viewer: Viewer<'_>, complaints: impl IntoIterator<Item = OrderPlace<'a>>) -> bool {
    complaints.into_iter().any(|k| may_see_order(viewer, k))
}

/// May the viewer see a hot issue made at the unit at `made_at`: made inside their subtree, or above
/// their unit (head office's hot issue concerns every outlet).
pub fn may_see_hot_issue(viewer: Viewer<'_>, made_at: &str) -> bool {
    in_subtree(viewer.unit_path, made_at) || in_subtree(made_at, viewer.unit_path)
}

/// What the scope rules need of a rectification: the unit that must put it right, and its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectPlace<'a> {
    pub unit_path: &'a str,
    pub owner_id: i64,
}

/// May the viewer see a rectification: its owner, or anyone whose subtree holds its unit.
pub fn may_see_rectification(viewer: Viewer<'_>, r: RectPlace<'_>) -> bool {
    viewer.user_id == r.owner_id || in_subtree(viewer.unit_path, r.unit_path)
}

/// May the viewer submit a rectification as put right: its owner, or a manager of its unit (who
/// may read the subtree's measures) submitting for them.
pub fn may_submit_rectification(viewer: Viewer<'_>, role: crate::role::Role, r: RectPlace<'_>) -> bool {
    viewer.user_id == r.owner_id
        || (role.can(crate::role::Permission::ReadMeasures) && in_subtree(viewer.unit_path, r.unit_path))
}

/// May the viewer read a workbook record of the unit at `unit_path`: one of its subtree's staff.
pub fn may_see_workbook_entry(viewer: Viewer<'_>, unit_path: &str) -> bool {
    in_subtree(viewer.unit_path, unit_path)
}

/// May the viewer correct a workbook record: who made it, or a manager whose subtree holds its unit;
/// in either case a role that records in the workbook (an auditor changes nothing).
pub fn may_edit_workbook_entry(viewer: Viewer<'_>, role: crate::role::Role, unit_path: &str, made_by: i64) -> bool {
    use crate::role::Permission;
    role.can(Permission::RecordWorkbook)
        && in_subtree(viewer.unit_path, unit_path)
        && (viewer.user_id == made_by || role.can(Permission::ReadMeasures))
}

/// May the viewer verify or send back a rectification: an inspector whose subtree holds its unit,
/// never its owner (nobody checks their own work).
pub fn may_verify_rectification(viewer: Viewer<'_>, role: crate::role::Role, r: RectPlace<'_>) -> bool {
    viewer.user_id != r.owner_id
        && role.can(crate::role::Permission::Inspect)
        && in_subtree(viewer.unit_path, r.unit_path)
}

/// The orders a viewer may see, as a condition the store can write in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderScope {
    /// Head office: every order.
    All,
    /// Orders handled inside the subtree at `unit_path`, and those registered by `registered_by`.
    Within { unit_path: String, registered_by: i64 },
}

impl OrderScope {
    pub fn of(viewer: Viewer<'_>) -> Self {
        if path_ids(viewer.unit_path).len() <= 1 {
            Self::All
        } else {
            Self::Within { unit_path: viewer.unit_path.to_string(), registered_by: viewer.user_id }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_record_is_its_subtrees_and_corrected_by_its_maker_or_a_manager() {
        use crate::role::Role;
        let outlet = "/1/2/3/4/";
        let teller = Viewer { user_id: 7, unit_path: outlet };
        let colleague = Viewer { user_id: 8, unit_path: outlet };
        let other_outlet = Viewer { user_id: 9, unit_path: "/1/2/3/5/" };
        let branch = Viewer { user_id: 10, unit_path: "/1/2/" };
        assert!(may_see_workbook_entry(teller, outlet) && may_see_workbook_entry(branch, outlet));
        assert!(!may_see_workbook_entry(other_outlet, outlet));
        assert!(may_edit_workbook_entry(teller, Role::Teller, outlet, 7));
        assert!(!may_edit_workbook_entry(colleague, Role::Teller, outlet, 7));
        assert!(may_edit_workbook_entry(colleague, Role::OutletHead, outlet, 7));
        assert!(!may_edit_workbook_entry(other_outlet, Role::OutletHead, outlet, 7));
        assert!(!may_edit_workbook_entry(branch, Role::Auditor, outlet, 7));
    }

    #[test]
    fn a_rectification_is_its_owners_and_its_units_managers_and_verified_by_another_inspector() {
        use crate::role::Role;
        let r = RectPlace { unit_path: "/1/2/3/4/", owner_id: 7 };
        let owner = Viewer { user_id: 7, unit_path: "/1/2/3/4/" };
        let head = Viewer { user_id: 8, unit_path: "/1/2/3/4/" };
        let other_outlet = Viewer { user_id: 9, unit_path: "/1/2/3/5/" };
        let supervisor = Viewer { user_id: 10, unit_path: "/1/2/" };
        assert!(may_see_rectification(owner, r) && may_see_rectification(head, r));
        assert!(!may_see_rectification(other_outlet, r));
        assert!(may_submit_rectification(owner, Role::Teller, r));
        assert!(may_submit_rectification(head, Role::OutletHead, r));
        assert!(!may_submit_rectification(head, Role::Teller, r));
        assert!(!may_submit_rectification(other_outlet, Role::OutletHead, r));
        assert!(may_verify_rectification(supervisor, Role::ServiceDept, r));
        assert!(!may_verify_rectification(supervisor, Role::OutletHead, r));
        assert!(!may_verify_rectification(Viewer { user_id: 7, unit_path: "/1/" }, Role::ServiceDept, r));
        assert!(!may_verify_rectification(Viewer { user_id: 11, unit_path: "/1/2/3/5/" }, Role::ServiceDept, r));
    }

    fn place(handling_path: &str, first_responder_id: i64) -> OrderPlace<'_> {
        OrderPlace { handling_path, first_responder_id }
    }

    #[test]
    fn the_subtree_and_the_first_responder_see_an_order() {
        let teller = Viewer { user_id: 7, unit_path: "/1/4/9/" };
        assert!(may_see_order(teller, place("/1/4/9/", 8)), "handled at their outlet");
        assert!(may_see_order(teller, place("/1/", 7)), "escalated to head office, registered by them");
        assert!(!may_see_order(teller, place("/1/4/19/", 8)), "a sibling outlet's");
        assert!(!may_see_order(teller, place("/1/4/", 8)), "escalated above them, registered by another");
        let branch = Viewer { user_id: 3, unit_path: "/1/4/" };
        assert!(may_see_order(branch, place("/1/4/19/", 8)));
        assert!(!may_see_order(branch, place("/1/40/", 8)), "a branch whose id starts alike");
    }

    #[test]
    fn a_complainant_is_seen_through_a_complaint_in_scope() {
        let teller = Viewer { user_id: 7, unit_path: "/1/4/9/" };
        assert!(!may_see_complainant(teller, []));
        assert!(!may_see_complainant(teller, [place("/1/5/", 2)]));
        assert!(may_see_complainant(teller, [place("/1/5/", 2), place("/1/4/9/", 2)]));
    }

    #[test]
    fn hot_issues_are_seen_below_and_above() {
        let outlet = Viewer { user_id: 7, unit_path: "/1/4/9/" };
        assert!(may_see_hot_issue(outlet, "/1/"));
        assert!(may_see_hot_issue(outlet, "/1/4/"));
        assert!(may_see_hot_issue(outlet, "/1/4/9/"));
        assert!(!may_see_hot_issue(outlet, "/1/4/19/"));
        assert!(!may_see_hot_issue(outlet, "/1/5/"));
    }
}
