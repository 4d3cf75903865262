-- Consumer-protection reviews: the marks a record adds to the monthly counters besides its main
-- code (a review's concluded, on_time, sampled, wanting), and the centre's monthly draws — the
-- seed, the share and the reviews drawn, so a draw can be made again from what it recorded.
ALTER TABLE workbook_entries ADD COLUMN marks TEXT NOT NULL DEFAULT '';

CREATE TABLE cp_review_samples (
    id           INTEGER PRIMARY KEY,
    month        INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES org_units(id),
    seed         TEXT    NOT NULL,
    percent      INTEGER NOT NULL,
    candidates   TEXT    NOT NULL,
    drawn        TEXT    NOT NULL,
    drawn_by     INTEGER NOT NULL REFERENCES users(id),
    drawn_at     INTEGER NOT NULL,
    UNIQUE (month, unit_id)
);
