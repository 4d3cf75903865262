-- Hot issues (热点问题): similar complaints across units linked as one issue. Each linked order has
-- a `hot_issue` event on its timeline; `complaints.hot_issue_id` is where it now belongs.
CREATE TABLE hot_issues (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    keywords    TEXT    NOT NULL,
    org_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX hot_issues_created ON hot_issues(created_at);
ALTER TABLE complaints ADD COLUMN hot_issue_id INTEGER REFERENCES hot_issues(id);
CREATE INDEX complaints_hot_issue ON complaints(hot_issue_id) WHERE hot_issue_id IS NOT NULL;
