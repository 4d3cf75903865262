-- The consumer-protection workbook: one table of records for every register, each with its unit,
-- time, main code and amount as columns (for scope, filters and figures) and its typed content as
-- JSON; the versions an edit replaced; the staff a record names; the monthly counters per unit
-- (every unit above the record's, like the service rollups).
CREATE TABLE workbook_entries (
    id           INTEGER PRIMARY KEY,
    register     TEXT    NOT NULL,
    org_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    org_path     TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    amount_fen   INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL DEFAULT 'recorded',
    data         TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL REFERENCES users(id),
    updated_at   INTEGER NOT NULL
);
CREATE INDEX workbook_entries_scope ON workbook_entries(register, org_path, occurred_at, id);
CREATE INDEX workbook_entries_time ON workbook_entries(register, occurred_at, id);

CREATE TABLE workbook_versions (
    entry_id     INTEGER NOT NULL REFERENCES workbook_entries(id),
    version      INTEGER NOT NULL,
    org_unit_id  INTEGER NOT NULL,
    occurred_at  INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    amount_fen   INTEGER NOT NULL,
    data         TEXT    NOT NULL,
    made_by      INTEGER NOT NULL REFERENCES users(id),
    made_at      INTEGER NOT NULL,
    replaced_by  INTEGER NOT NULL REFERENCES users(id),
    replaced_at  INTEGER NOT NULL,
    reason       TEXT,
    PRIMARY KEY (entry_id, version)
);

CREATE TABLE workbook_people (
    entry_id     INTEGER NOT NULL REFERENCES workbook_entries(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (entry_id, user_id)
);
CREATE INDEX workbook_people_user ON workbook_people(user_id, entry_id);

CREATE TABLE workbook_months (
    unit_id      INTEGER NOT NULL,
    register     TEXT    NOT NULL,
    month        INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    records      INTEGER NOT NULL DEFAULT 0,
    amount_fen   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, register, month, code)
);
