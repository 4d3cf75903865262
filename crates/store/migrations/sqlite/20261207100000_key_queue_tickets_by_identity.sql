-- A queue ticket is keyed by its identity (outlet, local day, number) alone: one B-tree per ticket
-- instead of a rowid table and a unique index beside it, which halves what each ticket taken in writes.
CREATE TABLE queue_tickets_keyed (
    outlet_id      INTEGER NOT NULL,
    branch_id      INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    number         TEXT    NOT NULL,
    business       TEXT,
    taken_at       INTEGER NOT NULL,
    called_at      INTEGER,
    finished_at    INTEGER,
    counter_window TEXT,
    teller_id      INTEGER,
    integration_id INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, day, number)
) WITHOUT ROWID;
INSERT INTO queue_tickets_keyed
    SELECT outlet_id, branch_id, day, number, business, taken_at, called_at, finished_at, counter_window,
           teller_id, integration_id, updated_at
    FROM queue_tickets;
DROP TABLE queue_tickets;
ALTER TABLE queue_tickets_keyed RENAME TO queue_tickets;
