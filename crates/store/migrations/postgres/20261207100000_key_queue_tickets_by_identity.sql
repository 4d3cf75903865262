-- A queue ticket is keyed by its identity (outlet, local day, number) alone, as on SQLite: the
-- surrogate id goes and the identity's unique constraint becomes the primary key.
ALTER TABLE queue_tickets DROP COLUMN id;
ALTER TABLE queue_tickets DROP CONSTRAINT queue_tickets_outlet_id_day_number_key;
ALTER TABLE queue_tickets ADD PRIMARY KEY (outlet_id, day, number);
