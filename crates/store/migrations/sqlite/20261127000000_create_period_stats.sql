-- Customers and transactions of a unit over a statistical period ('2024', '2024-Q1' or '2024-03'), as
-- entered or imported. A unit without a row counts as the sum of its children's.
CREATE TABLE period_stats (
    unit_id       INTEGER NOT NULL REFERENCES org_units(id),
    period        TEXT    NOT NULL,
    customers     INTEGER NOT NULL,
    transactions  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER,
    PRIMARY KEY (unit_id, period)
);
CREATE INDEX period_stats_period ON period_stats(period);
