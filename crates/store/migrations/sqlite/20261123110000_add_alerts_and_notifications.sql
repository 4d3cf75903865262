-- Deadline alerts: how many of a clock's alerts have fired and when the next one falls due.
ALTER TABLE complaint_clocks ADD COLUMN alerts_fired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaint_clocks ADD COLUMN next_alert_at INTEGER;
CREATE INDEX complaint_clocks_next_alert ON complaint_clocks(next_alert_at) WHERE next_alert_at IS NOT NULL;

ALTER TABLE users ADD COLUMN email TEXT;

-- The in-app inbox: one row per recipient of an alert event (never twice for the same event).
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    complaint_id INTEGER NOT NULL,
    event_seq    INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    clock        TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    read_at      INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications(user_id, event_seq);

-- E-mail waiting to be sent, written in the same transaction as its notification.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    to_addr         TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    send_after      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX email_outbox_unsent ON email_outbox(send_after) WHERE sent_at IS NULL;
