-- A user whose password an administrator has reset must set their own before anything else works.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
