-- Inspections and rectifications (DESIGN §3): checklist templates kept in versions, inspections
-- scored on one version, rectifications with their history, and the files attached to either.
CREATE TABLE inspection_templates (
    id              INTEGER PRIMARY KEY,
    code            TEXT   NOT NULL UNIQUE,
    current_version INTEGER NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      INTEGER NOT NULL
);

-- A version is never changed once written: an edit writes the next one.
CREATE TABLE inspection_template_versions (
    template_id INTEGER NOT NULL REFERENCES inspection_templates(id),
    version     INTEGER NOT NULL,
    name        TEXT   NOT NULL,
    items       TEXT   NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (template_id, version)
);

CREATE TABLE inspections (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES org_units(id),
    kind             TEXT   NOT NULL,
    template_id      INTEGER NOT NULL,
    template_version INTEGER NOT NULL,
    inspector_id     INTEGER NOT NULL REFERENCES users(id),
    inspected_on     INTEGER NOT NULL,
    earned           INTEGER NOT NULL,
    possible         INTEGER NOT NULL,
    score_bp         INTEGER NOT NULL,
    summary          TEXT   NOT NULL,
    created_at       INTEGER NOT NULL,
    FOREIGN KEY (template_id, template_version) REFERENCES inspection_template_versions(template_id, version)
);
CREATE INDEX inspections_unit_day ON inspections(unit_id, inspected_on);
CREATE INDEX inspections_day ON inspections(inspected_on);

CREATE TABLE inspection_scores (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    position      INTEGER NOT NULL,
    item_code     TEXT   NOT NULL,
    score         INTEGER NOT NULL,
    finding       TEXT,
    rectify       INTEGER NOT NULL,
    PRIMARY KEY (inspection_id, position)
);

CREATE TABLE rectifications (
    id             INTEGER PRIMARY KEY,
    source         TEXT   NOT NULL,
    source_id      INTEGER,
    unit_id        INTEGER NOT NULL REFERENCES org_units(id),
    owner_id       INTEGER NOT NULL REFERENCES users(id),
    title          TEXT   NOT NULL,
    detail         TEXT   NOT NULL,
    due_on         INTEGER NOT NULL,
    state          TEXT   NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    last_seq       INTEGER NOT NULL,
    escalated_level INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rectifications_unit ON rectifications(unit_id, state);
CREATE INDEX rectifications_owner ON rectifications(owner_id, state);
CREATE INDEX rectifications_source ON rectifications(source, source_id);

-- What happened to a rectification, in order: made, submitted, verified, sent back, escalated.
CREATE TABLE rectification_events (
    rectification_id INTEGER NOT NULL REFERENCES rectifications(id),
    seq              INTEGER NOT NULL,
    action           TEXT   NOT NULL,
    by_user          INTEGER REFERENCES users(id),
    at               INTEGER NOT NULL,
    note             TEXT,
    PRIMARY KEY (rectification_id, seq)
);

-- Photos of an inspection, evidence of a rectification.
CREATE TABLE service_files (
    id           INTEGER PRIMARY KEY,
    owner_kind   TEXT   NOT NULL,
    owner_id     INTEGER NOT NULL,
    name         TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT   NOT NULL,
    data         BLOB   NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX service_files_owner ON service_files(owner_kind, owner_id, id);
