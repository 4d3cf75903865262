-- The same counters by month (yyyymm): a year of a large subtree is a few thousand rows here instead
-- of hundreds of thousands by day. Ranges read whole months here and the partial months at their
-- ends from rollup_days.
CREATE TABLE rollup_months (
    unit_id  INTEGER NOT NULL,
    month    INTEGER NOT NULL,
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
    PRIMARY KEY (unit_id, month, channel, category, cause)
);
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
