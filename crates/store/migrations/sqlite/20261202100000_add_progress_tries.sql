-- Tries at a complaint's public progress page per local day: each is counted before the phone's
-- last digits are compared, and a right answer is taken back, so the count is the day's wrong
-- tries. Past the day's budget the number answers nothing until tomorrow, and the order shows it.
CREATE TABLE progress_tries (
    complaint_id BIGINT  NOT NULL REFERENCES complaints(id),
    day          TEXT    NOT NULL,
    tries        BIGINT  NOT NULL,
    stopped_at   BIGINT,
    PRIMARY KEY (complaint_id, day)
);
