-- Files attached to a work order. Each upload is also an `attach` event on the order's timeline,
-- carrying the file's SHA-256, so the hash chain vouches for the content kept here.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    event_seq    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX attachments_complaint ON attachments(complaint_id, id);
