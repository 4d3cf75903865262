-- The earliest due time among an order's ticking clocks (running, not paused): the work queue sorts
-- by it and the overdue filter compares it with now, without visiting the clocks of every order.
ALTER TABLE complaints ADD COLUMN next_due_at BIGINT;
UPDATE complaints SET next_due_at = (
    SELECT MIN(t.due_at) FROM complaint_clocks t
    WHERE t.complaint_id = complaints.id AND t.met_at IS NULL AND t.stopped_at IS NULL AND t.paused_at IS NULL
);
CREATE INDEX complaints_org_next_due ON complaints(org_path, next_due_at);
CREATE INDEX complaints_next_due ON complaints(next_due_at) WHERE next_due_at IS NOT NULL;
