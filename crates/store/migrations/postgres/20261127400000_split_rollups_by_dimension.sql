-- Rollups keyed by one dimension at a time instead of every combination: each order counts in four
-- rows of its unit and period — ('all', ''), ('channel', its channel), ('category', its large class),
-- ('cause', its decided cause's large class) — so a year of the whole bank is a few hundred rows and
-- the tables grow with units × days, not with channels × categories × causes.
DROP TABLE rollup_days;
DROP TABLE rollup_months;
CREATE TABLE rollup_days (
    unit_id  BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    dim      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    repeat BIGINT NOT NULL DEFAULT 0,
    over_level BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    transferred BIGINT NOT NULL DEFAULT 0,
    response_ended BIGINT NOT NULL DEFAULT 0,
    response_timely BIGINT NOT NULL DEFAULT 0,
    decided BIGINT NOT NULL DEFAULT 0,
    decided_on_time BIGINT NOT NULL DEFAULT 0,
    liable BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    closed_at_outlet BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    unreachable BIGINT NOT NULL DEFAULT 0,
    declined BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    open BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day, dim, value)
);
CREATE TABLE rollup_months (
    unit_id  BIGINT NOT NULL,
    month    BIGINT NOT NULL,
    dim      TEXT    NOT NULL,
    value    TEXT    NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    repeat BIGINT NOT NULL DEFAULT 0,
    over_level BIGINT NOT NULL DEFAULT 0,
    escalated BIGINT NOT NULL DEFAULT 0,
    transferred BIGINT NOT NULL DEFAULT 0,
    response_ended BIGINT NOT NULL DEFAULT 0,
    response_timely BIGINT NOT NULL DEFAULT 0,
    decided BIGINT NOT NULL DEFAULT 0,
    decided_on_time BIGINT NOT NULL DEFAULT 0,
    liable BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    closed_at_outlet BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    unreachable BIGINT NOT NULL DEFAULT 0,
    declined BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    open BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, month, dim, value)
);
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
