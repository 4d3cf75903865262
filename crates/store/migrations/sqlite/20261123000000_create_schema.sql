-- Xiaobao schema (SQLite). Instants are UTC milliseconds; flags are 0/1; money is whole fen.
CREATE TABLE org_units (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    parent_id   INTEGER REFERENCES org_units(id),
    path        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    org_unit_id   INTEGER NOT NULL REFERENCES org_units(id),
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL
);
CREATE INDEX users_org_unit ON users(org_unit_id);

CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE classes (
    dimension   TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    parent_code TEXT,
    name_zh     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (dimension, code)
);

CREATE TABLE complainants (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    phone       TEXT,
    id_number   TEXT,
    tags        TEXT    NOT NULL DEFAULT '',
    watchlist   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX complainants_phone ON complainants(phone);
CREATE UNIQUE INDEX complainants_id_number ON complainants(id_number) WHERE id_number IS NOT NULL;
CREATE INDEX complainants_watchlist ON complainants(watchlist) WHERE watchlist = 1;

CREATE TABLE complaints (
    id                  INTEGER PRIMARY KEY,
    number              TEXT    NOT NULL UNIQUE,
    channel             TEXT    NOT NULL,
    org_unit_id         INTEGER NOT NULL REFERENCES org_units(id),
    org_path            TEXT    NOT NULL,
    tier1_id            INTEGER NOT NULL,
    registered_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    complainant_id      INTEGER NOT NULL REFERENCES complainants(id),
    first_responder_id  INTEGER NOT NULL REFERENCES users(id),
    received_at         INTEGER NOT NULL,
    registered_at       INTEGER NOT NULL,
    category            TEXT,
    service_channel     TEXT,
    cause               TEXT,
    summary             TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    amount_fen          INTEGER,
    over_level          INTEGER NOT NULL,
    repeat              INTEGER NOT NULL,
    repeat_of           INTEGER,
    state               TEXT    NOT NULL,
    paused              INTEGER NOT NULL DEFAULT 0,
    extension_tier      INTEGER NOT NULL DEFAULT 0,
    escalation_count    INTEGER NOT NULL DEFAULT 0,
    transfer_count      INTEGER NOT NULL DEFAULT 0,
    reopen_count        INTEGER NOT NULL DEFAULT 0,
    merge_count         INTEGER NOT NULL DEFAULT 0,
    responded_at        INTEGER,
    decided_at          INTEGER,
    closed_at           INTEGER,
    decision            TEXT,
    liable              INTEGER,
    feedback            TEXT,
    last_seq            INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX complaints_org_received ON complaints(org_path, received_at);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_state_received ON complaints(state, received_at);
CREATE INDEX complaints_complainant ON complaints(complainant_id, received_at);
CREATE INDEX complaints_first_responder ON complaints(first_responder_id, received_at);
CREATE INDEX complaints_repeat ON complaints(repeat, received_at) WHERE repeat = 1;

CREATE TABLE complaint_clocks (
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind         TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    met_at       INTEGER,
    breached_at  INTEGER,
    paused_at    INTEGER,
    stopped_at   INTEGER,
    PRIMARY KEY (complaint_id, kind)
);
-- The running clocks by due time: the overdue filter and the deadline scheduler read this.
CREATE INDEX complaint_clocks_running_due ON complaint_clocks(due_at) WHERE met_at IS NULL AND stopped_at IS NULL;

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    actor_id     INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    from_state   TEXT    NOT NULL,
    to_state     TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX events_complaint ON events(complaint_id, seq);

-- The head of the hash chain; every complaint write locks this row first.
CREATE TABLE chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);

CREATE TABLE access_log (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    subject      TEXT    NOT NULL,
    subject_id   INTEGER NOT NULL,
    fields       TEXT    NOT NULL
);
CREATE INDEX access_log_subject ON access_log(subject, subject_id);
CREATE INDEX access_log_user ON access_log(user_id, at);
