-- Rollup rows kept in the order they are read: a unit's rows of one dimension lie together, period
-- after period, so a unit's totals (or its split by channel, category, ...) over a range are one run
-- of neighbouring rows however the rows arrived over the years. The monthly index by dimension
-- (20261129300000) is no longer needed: the key itself leads with unit and dimension.

CREATE TABLE rollup_days_keyed (
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
    excluded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, dim, day, value)
) WITHOUT ROWID;
INSERT INTO rollup_days_keyed (unit_id, day, dim, value, received, repeat, over_level, escalated, transferred, response_ended, response_timely, decided, decided_on_time, liable, closed, closed_at_outlet, satisfied, dissatisfied, unreachable, declined, withdrawn, open, excluded)
    SELECT unit_id, day, dim, value, received, repeat, over_level, escalated, transferred, response_ended, response_timely, decided, decided_on_time, liable, closed, closed_at_outlet, satisfied, dissatisfied, unreachable, declined, withdrawn, open, excluded FROM rollup_days;
DROP TABLE rollup_days;
ALTER TABLE rollup_days_keyed RENAME TO rollup_days;

CREATE TABLE rollup_months_keyed (
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
    excluded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, dim, month, value)
) WITHOUT ROWID;
INSERT INTO rollup_months_keyed (unit_id, month, dim, value, received, repeat, over_level, escalated, transferred, response_ended, response_timely, decided, decided_on_time, liable, closed, closed_at_outlet, satisfied, dissatisfied, unreachable, declined, withdrawn, open, excluded)
    SELECT unit_id, month, dim, value, received, repeat, over_level, escalated, transferred, response_ended, response_timely, decided, decided_on_time, liable, closed, closed_at_outlet, satisfied, dissatisfied, unreachable, declined, withdrawn, open, excluded FROM rollup_months;
DROP TABLE rollup_months;
ALTER TABLE rollup_months_keyed RENAME TO rollup_months;
