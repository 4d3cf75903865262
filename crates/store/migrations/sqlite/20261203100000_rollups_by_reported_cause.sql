-- The rollups count each order under its reported cause — the decision's cause when the decision gave
-- one, else the cause given at registration — where they used to count only the decision's (so an
-- order classified at registration and decided without a cause counted as unclassified). The
-- counters are rebuilt from the event log when the store next opens.
UPDATE settings SET value = 'false' WHERE name = 'rollups_built';
