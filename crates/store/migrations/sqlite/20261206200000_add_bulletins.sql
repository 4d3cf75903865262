-- Published monthly bulletins: what was published is kept whole (the rules and every ranked line),
-- so later data never changes it. One per unit and month.
CREATE TABLE bulletins (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES org_units(id),
    month        INTEGER NOT NULL,
    content      TEXT   NOT NULL,
    published_by INTEGER NOT NULL REFERENCES users(id),
    published_at INTEGER NOT NULL,
    UNIQUE (unit_id, month)
);
