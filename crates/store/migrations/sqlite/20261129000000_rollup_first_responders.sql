-- The monthly rollups also count each order under its first responder (dimension 'responder', value
-- the user's id), for the employees' league table. Rebuilt from the events at the next start.
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
