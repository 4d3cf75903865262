-- Editable rules: the deadline policy (a JSON document) and the working-day calendar.
CREATE TABLE settings (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  BIGINT
);

-- Rest days of statutory holiday periods and adjusted working weekend days, per year as published.
CREATE TABLE calendar_days (
    day         TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    holiday_en  TEXT    NOT NULL,
    holiday_zh  TEXT    NOT NULL
);
