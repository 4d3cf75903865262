-- Each unit above one with figures holds their sum (entered = 0), kept current as figures are entered,
-- so the measures read one row per unit and period instead of summing a subtree.
ALTER TABLE period_stats ADD COLUMN entered BIGINT NOT NULL DEFAULT 1;
