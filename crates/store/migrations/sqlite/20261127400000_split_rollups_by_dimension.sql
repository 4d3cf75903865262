-- Rollups keyed by one dimension at a time instead of every combination: each order counts in four
-- rows of its unit and period — ('all', ''), ('channel', its channel), ('category', its large class),
-- ('cause', its decided cause's large class) — so a year of the whole bank is a few hundred rows and
-- the tables grow with units × days, not with channels × categories × causes.
DROP TABLE rollup_days;
DROP TABLE rollup_months;
CREATE TABLE rollup_days (
    unit_id  INTEGER NOT NULL,
    day      INTEGER NOT NULL,
    dim      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
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
    PRIMARY KEY (unit_id, day, dim, value)
);
CREATE TABLE rollup_months (
    unit_id  INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    dim      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
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
    PRIMARY KEY (unit_id, month, dim, value)
);
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
