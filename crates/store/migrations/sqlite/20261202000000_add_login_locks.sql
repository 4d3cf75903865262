-- Accounts locked after a sustained password-guessing attack: when, until when, from where. Every
-- server refuses a locked account; administrators read this list.
CREATE TABLE login_locks (
    id           INTEGER PRIMARY KEY,
    username     TEXT    NOT NULL,
    user_id      INTEGER REFERENCES users(id),
    locked_at    INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    failures     INTEGER NOT NULL,
    addresses    TEXT    NOT NULL,
    unlocked_by  INTEGER REFERENCES users(id),
    unlocked_at  INTEGER
);
CREATE INDEX login_locks_username ON login_locks(username, locked_until);
CREATE INDEX login_locks_at ON login_locks(locked_at);
