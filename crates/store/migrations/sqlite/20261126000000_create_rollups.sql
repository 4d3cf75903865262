-- Complaint counters per unit, kept current in the transaction of every event (crate core, measure.rs).
-- Each order counts in its unit and in every unit above it, under the day it was received, its intake
-- channel, and the large classes of its category and decided cause ('' when none): a subtree's figures
-- are the rows of its top unit, never a scan of complaints.
CREATE TABLE rollup_days (
    unit_id  INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    channel  TEXT    NOT NULL,
    category TEXT    NOT NULL,
    cause    TEXT    NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    repeat INTEGER NOT NULL DEFAULT 0,
    over_level INTEGER NOT NULL DEFAULT 0,
    escalated INTEGER NOT NULL DEFAULT 0,
    transferred INTEGER NOT NULL DEFAULT 0,
    response_ended INTEGER NOT NULL DEFAULT 0,
    response_timely INTEGER NOT NULL DEFAULT 0,
    decided INTEGER NOT NULL DEFAULT 0,
    decided_on_time INTEGER NOT NULL DEFAULT 0,
    liable INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    closed_at_outlet INTEGER NOT NULL DEFAULT 0,
    satisfied INTEGER NOT NULL DEFAULT 0,
    dissatisfied INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0,
    declined INTEGER NOT NULL DEFAULT 0,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day, channel, category, cause)
);

-- What is open now in each unit's subtree.
CREATE TABLE unit_live (
    unit_id         INTEGER PRIMARY KEY,
    open            INTEGER NOT NULL DEFAULT 0,
    escalated_open  INTEGER NOT NULL DEFAULT 0
);

-- Rebuilt from the events at the next start (complaints stored before the rollups existed).
INSERT INTO settings (name, value, updated_at) VALUES ('rollups_built', 'false', 0);

-- Overdue orders by due time with their unit, so the board counts them from the index alone.
DROP INDEX complaints_next_due;
CREATE INDEX complaints_overdue ON complaints(next_due_at, org_path) WHERE next_due_at IS NOT NULL;
