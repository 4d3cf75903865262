-- Service quality (DESIGN §3): the integration tokens devices and systems send with, counter
-- ratings, queue tickets, and their rollups by unit and local day or month, one dimension at a time.
CREATE TABLE integrations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    org_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    token_hash  TEXT   NOT NULL UNIQUE,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    revoked_by  INTEGER REFERENCES users(id),
    revoked_at  INTEGER
);
CREATE INDEX integrations_unit ON integrations(org_unit_id);

-- Append-only, keyed by what identifies a rating: its device and the device's sequence number.
-- Outlet and teller are checked when a rating is taken in; the measures read the rollups.
CREATE TABLE ratings (
    device         TEXT     NOT NULL,
    seq            INTEGER   NOT NULL,
    outlet_id      INTEGER   NOT NULL,
    branch_id      INTEGER   NOT NULL,
    teller_id      INTEGER   NOT NULL,
    counter_window TEXT,
    rated_at       INTEGER   NOT NULL,
    day            INTEGER  NOT NULL,
    score          INTEGER NOT NULL,
    reason         TEXT,
    flagged        INTEGER NOT NULL DEFAULT 0,
    excluded       INTEGER NOT NULL DEFAULT 0,
    excluded_by    INTEGER,
    excluded_at    INTEGER,
    exclude_reason TEXT,
    integration_id INTEGER,
    received_at    INTEGER   NOT NULL,
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;
CREATE INDEX ratings_flagged ON ratings(outlet_id, rated_at) WHERE flagged = 1;

-- The latest rating and highest sequence number of each device: the burst rule, and which
-- sequence numbers may be re-sends.
CREATE TABLE rating_devices (
    device        TEXT   PRIMARY KEY,
    outlet_id     INTEGER NOT NULL,
    last_rated_at INTEGER NOT NULL,
    max_seq       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE queue_tickets (
    id             INTEGER PRIMARY KEY,
    outlet_id      INTEGER  NOT NULL,
    branch_id      INTEGER  NOT NULL,
    day            INTEGER NOT NULL,
    number         TEXT    NOT NULL,
    business       TEXT,
    taken_at       INTEGER  NOT NULL,
    called_at      INTEGER,
    finished_at    INTEGER,
    counter_window TEXT,
    teller_id      INTEGER,
    integration_id INTEGER,
    updated_at     INTEGER  NOT NULL,
    UNIQUE (outlet_id, day, number)
);

CREATE TABLE service_days (
    unit_id        INTEGER  NOT NULL,
    day            INTEGER NOT NULL,
    dim            TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    ratings        INTEGER  NOT NULL DEFAULT 0,
    s1             INTEGER  NOT NULL DEFAULT 0,
    s2             INTEGER  NOT NULL DEFAULT 0,
    s3             INTEGER  NOT NULL DEFAULT 0,
    s4             INTEGER  NOT NULL DEFAULT 0,
    s5             INTEGER  NOT NULL DEFAULT 0,
    flagged        INTEGER  NOT NULL DEFAULT 0,
    tickets_taken  INTEGER  NOT NULL DEFAULT 0,
    tickets_called INTEGER  NOT NULL DEFAULT 0,
    wait_seconds   INTEGER  NOT NULL DEFAULT 0,
    overtime       INTEGER  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, dim, day, value)
) WITHOUT ROWID;
CREATE TABLE service_months (
    unit_id        INTEGER  NOT NULL,
    month          INTEGER NOT NULL,
    dim            TEXT    NOT NULL,
    value          TEXT    NOT NULL,
    ratings        INTEGER  NOT NULL DEFAULT 0,
    s1             INTEGER  NOT NULL DEFAULT 0,
    s2             INTEGER  NOT NULL DEFAULT 0,
    s3             INTEGER  NOT NULL DEFAULT 0,
    s4             INTEGER  NOT NULL DEFAULT 0,
    s5             INTEGER  NOT NULL DEFAULT 0,
    flagged        INTEGER  NOT NULL DEFAULT 0,
    tickets_taken  INTEGER  NOT NULL DEFAULT 0,
    tickets_called INTEGER  NOT NULL DEFAULT 0,
    wait_seconds   INTEGER  NOT NULL DEFAULT 0,
    overtime       INTEGER  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, dim, month, value)
) WITHOUT ROWID;
