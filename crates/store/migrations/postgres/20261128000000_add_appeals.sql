-- Appeals (申诉): a unit asks head office to exclude a complaint from its figures. The order keeps
-- the appeal's status; an approved one counts only as excluded in the rollups.
ALTER TABLE complaints ADD COLUMN appeal TEXT;
CREATE INDEX complaints_appeal ON complaints(appeal, received_at) WHERE appeal IS NOT NULL;
ALTER TABLE rollup_days ADD COLUMN excluded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollup_months ADD COLUMN excluded BIGINT NOT NULL DEFAULT 0;
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
