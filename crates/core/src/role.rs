//! Roles and what each may do. Every endpoint asks `role.can(permission)`; the org scope is checked
//! separately against the user's unit.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Teller,
    LobbyManager,
    RelationshipManager,
    OutletHead,
    OperationsSupervisor,
    VicePresident,
    President,
    CpCentre,
    ServiceDept,
    Auditor,
    Admin,
    /// The product itself, acting on deadlines (automatic escalation). No user holds it: it is not
    /// in [`Role::ALL`], cannot be parsed or deserialised from input, and is not in the API's schema.
    #[serde(skip)]
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Register a complaint (every front-line and managing role).
    RegisterComplaint,
    /// Read complaints in scope.
    ReadComplaints,
    /// Accept, decline, respond, transfer, escalate, extend, pause, resume, decide.
    HandleComplaint,
    /// Record what the complainant asks or answers: close with feedback, reopen, request review, withdraw.
    RecordComplainantRequest,
    /// See phone and ID numbers unmasked (each read is audit-logged).
    ViewPersonalData,
    /// Create and edit users.
    ManageUsers,
    /// Create and edit org units.
    ManageOrg,
    /// Edit the rules: classification tables, deadline policy, working-day calendar.
    ManageRules,
    /// Read the audit log and verify the event chain.
    ReadAudit,
    /// Read the complaint measures, league tables and reports of the subtree.
    ReadMeasures,
    /// Enter or import customers and transactions per unit and period.
    EnterStatistics,
    /// Set how the measures rank and group: the league tables' minimum volume, the hot-issue window.
    ConfigureMeasures,
    /// Approve or reject a unit's appeal to exclude a complaint from its figures (at head office).
    DecideAppeals,
    /// Create and revoke the tokens devices and other systems send with.
    ManageIntegrations,
    /// Set the service rules (burst interval, overtime thresholds and target) and exclude ratings
    /// found to be pressed by staff.
    ManageService,
    /// Work on a rectification one owns or manages: submit it, add its evidence (everyone but the
    /// auditor, who changes nothing).
    WorkOnRectification,
    /// Inspect outlets, open rectifications and verify or send back what their owners submit.
    Inspect,
    /// Read the workbook's registers in scope (fraud interceptions, education events, ...).
    ReadWorkbook,
    /// Enter records in the workbook's registers of one's subtree and correct them.
    RecordWorkbook,
    /// Submit material for a consumer-protection review and answer its opinions (departments and
    /// managers, not the counter).
    SubmitReviews,
    /// Write an outlet's weekly lobby report (its lobby manager, or its head).
    WriteWeeklyReports,
    /// Sign off or send back an outlet's weekly report (its head).
    SignWeeklyReports,
    /// Draw the monthly sample of concluded consumer-protection reviews and check what it drew.
    SampleReviews,
    /// Escalate an order whose deadline the policy says has been breached long enough (the system's
    /// only permission).
    EscalateOverdue,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Self::Teller,
        Self::LobbyManager,
        Self::RelationshipManager,
        Self::OutletHead,
        Self::OperationsSupervisor,
        Self::VicePresident,
        Self::President,
        Self::CpCentre,
        Self::ServiceDept,
        Self::Auditor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Teller => "teller",
            Self::LobbyManager => "lobby_manager",
            Self::RelationshipManager => "relationship_manager",
            Self::OutletHead => "outlet_head",
            Self::OperationsSupervisor => "operations_supervisor",
            Self::VicePresident => "vice_president",
            Self::President => "president",
            Self::CpCentre => "cp_centre",
            Self::ServiceDept => "service_dept",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
            Self::System => "system",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
            FieldError::because(field, "field.unknown_role").with("value", s).with("choices", all.join(", "))
        })
    }

    /// The permission matrix (DESIGN §1, §9).
    pub fn can(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        if self == System {
            return p == EscalateOverdue;
        }
        let managing = matches!(self, OutletHead | OperationsSupervisor | VicePresident | President | CpCentre);
        let front_line = matches!(self, Teller | LobbyManager | RelationshipManager);
        match p {
            RegisterComplaint => front_line || managing,
            ReadComplaints => true,
            HandleComplaint => managing,
            RecordComplainantRequest => front_line || managing,
            ViewPersonalData => managing || matches!(self, Auditor),
            ManageUsers | ManageOrg | ManageRules | ManageIntegrations => matches!(self, Admin),
            ReadAudit => matches!(self, Auditor | Admin),
            ReadMeasures => managing || matches!(self, ServiceDept | Auditor),
            EnterStatistics => matches!(self, CpCentre | ServiceDept | Admin),
            DecideAppeals => matches!(self, CpCentre),
            EscalateOverdue => false,
            ConfigureMeasures => matches!(self, CpCentre | Admin),
            ManageService => matches!(self, ServiceDept | Admin),
            Inspect => matches!(self, ServiceDept | OperationsSupervisor),
            WorkOnRectification => !matches!(self, Auditor),
            ReadWorkbook => true,
            RecordWorkbook => front_line || managing || matches!(self, ServiceDept),
            SubmitReviews => managing || matches!(self, ServiceDept),
            SampleReviews => matches!(self, CpCentre),
            WriteWeeklyReports => matches!(self, LobbyManager | OutletHead),
            SignWeeklyReports => matches!(self, OutletHead),
        }
    }
}

impl Role {
    /// Warned on every page of what all deadlines rest on (a year without its holiday arrangement):
    /// the admins who load it and the consumer-protection centre, which answers for the deadlines.
    pub fn watches_the_calendar(self) -> bool {
        self.can(Permission::ManageRules) || self == Role::CpCentre
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn front_line_sees_masked_data_managers_do_not() {
        assert!(!Role::Teller.can(Permission::ViewPersonalData));
        assert!(!Role::LobbyManager.can(Permission::ViewPersonalData));
        assert!(!Role::RelationshipManager.can(Permission::ViewPersonalData));
        assert!(Role::OutletHead.can(Permission::ViewPersonalData));
        assert!(Role::CpCentre.can(Permission::ViewPersonalData));
        assert!(Role::Auditor.can(Permission::ViewPersonalData));
    }

    #[test]
    fn auditor_reads_but_never_writes() {
        assert!(Role::Auditor.can(Permission::ReadComplaints));
        assert!(!Role::Auditor.can(Permission::RegisterComplaint));
        assert!(!Role::Auditor.can(Permission::HandleComplaint));
        assert!(!Role::Auditor.can(Permission::RecordComplainantRequest));
    }

    #[test]
    fn tellers_register_but_do_not_decide() {
        assert!(Role::OutletHead.can(Permission::ReadMeasures));
        assert!(!Role::Teller.can(Permission::ReadMeasures));
        assert!(Role::CpCentre.can(Permission::EnterStatistics));
        assert!(!Role::OutletHead.can(Permission::EnterStatistics));
        assert!(
            Role::CpCentre.can(Permission::ConfigureMeasures)
                && !Role::VicePresident.can(Permission::ConfigureMeasures)
        );
        assert!(Role::Teller.can(Permission::RegisterComplaint));
        assert!(!Role::Teller.can(Permission::HandleComplaint));
    }

    #[test]
    fn admins_and_the_centre_watch_the_calendar() {
        let watching: Vec<Role> = Role::ALL.into_iter().filter(|r| r.watches_the_calendar()).collect();
        assert_eq!(watching, [Role::CpCentre, Role::Admin]);
    }

    #[test]
    fn every_role_round_trips_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse("role", r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("role", "superuser").is_err());
    }
}
