-- The same counters by month (yyyymm): a year of a large subtree is a few thousand rows here instead
-- of hundreds of thousands by day. Ranges read whole months here and the partial months at their
-- ends from rollup_days.
CREATE TABLE rollup_months (
    unit_id  BIGINT NOT NULL,
    month    BIGINT NOT NULL,
    channel  TEXT    NOT NULL,
    category TEXT    NOT NULL,
    cause    TEXT    NOT NULL,
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
    PRIMARY KEY (unit_id, month, channel, category, cause)
);
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
