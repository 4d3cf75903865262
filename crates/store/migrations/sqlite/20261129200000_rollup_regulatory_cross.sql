-- The monthly rollups also count each order under its category, cause and channel together
-- (dimension 'cross', value 'category|cause|channel' in large classes), for the regulator's
-- statistics table. Rebuilt from the events at the next start.
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
