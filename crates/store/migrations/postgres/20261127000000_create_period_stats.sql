-- Customers and transactions of a unit over a statistical period ('2024', '2024-Q1' or '2024-03'), as
-- entered or imported. A unit without a row counts as the sum of its children's.
CREATE TABLE period_stats (
    unit_id       BIGINT NOT NULL REFERENCES org_units(id),
    period        TEXT    NOT NULL,
    customers     BIGINT NOT NULL,
    transactions  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    updated_by    BIGINT,
    PRIMARY KEY (unit_id, period)
);
CREATE INDEX period_stats_period ON period_stats(period);
