-- Service records (DESIGN §3): each employee's rewards and penalties by year, and the accountability
-- a liable complaint proposes for the employees its decision names, until the service department
-- confirms it (a penalty entry) or dismisses it with a reason.
CREATE TABLE service_records (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    year        INTEGER NOT NULL,
    kind        TEXT   NOT NULL,
    points      INTEGER NOT NULL,
    amount_fen  INTEGER,
    reason      TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    source_id   INTEGER,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX service_records_user ON service_records(user_id, year);
CREATE INDEX service_records_year ON service_records(year);

CREATE TABLE accountability (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    state        TEXT   NOT NULL,
    proposed_at  INTEGER NOT NULL,
    decided_by   INTEGER REFERENCES users(id),
    decided_at   INTEGER,
    reason       TEXT,
    record_id    INTEGER REFERENCES service_records(id),
    UNIQUE (complaint_id, user_id)
);
CREATE INDEX accountability_state ON accountability(state, id);
