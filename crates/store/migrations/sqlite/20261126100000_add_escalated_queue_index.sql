-- Escalated orders are few: the supervisors' escalations list reads them from this index alone.
CREATE INDEX complaints_escalated ON complaints(org_path, next_due_at) WHERE escalation_count > 0;
