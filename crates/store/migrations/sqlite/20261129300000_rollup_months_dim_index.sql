-- A month's rows of one dimension, found without stepping over the other dimensions of the same unit
-- and month (the responder and category × cause × channel rows outnumber the totals many times).
CREATE INDEX rollup_months_dim ON rollup_months(unit_id, dim, month);
