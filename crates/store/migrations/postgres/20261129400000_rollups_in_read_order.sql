-- Rollup keys in the order they are read: a unit's rows of one dimension lie together, period
-- after period, so a unit's totals (or its split by channel, category, ...) over a range are one run
-- of neighbouring rows however the rows arrived over the years. The monthly index by dimension
-- (20261129300000) is no longer needed: the key itself leads with unit and dimension.
ALTER TABLE rollup_days DROP CONSTRAINT rollup_days_pkey, ADD PRIMARY KEY (unit_id, dim, day, value);
ALTER TABLE rollup_months DROP CONSTRAINT rollup_months_pkey, ADD PRIMARY KEY (unit_id, dim, month, value);
DROP INDEX rollup_months_dim;
