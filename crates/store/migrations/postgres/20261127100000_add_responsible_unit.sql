-- The unit a complaint is counted against (责任单位): where it was registered, or where a transfer sent
-- it; escalation moves the handling up but not the responsibility. Orders stored before this column
-- take the registering unit unless they were transferred; the rollups are rebuilt from the events.
ALTER TABLE complaints ADD COLUMN responsible_unit_id BIGINT;
UPDATE complaints SET responsible_unit_id = CASE WHEN transfer_count = 0 THEN registered_unit_id ELSE org_unit_id END;
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
