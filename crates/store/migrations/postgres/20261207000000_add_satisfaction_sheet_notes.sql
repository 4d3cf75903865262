-- The agreed improvement (改进措施) on the monthly counter satisfaction sheet (网点柜员服务客户满意度
-- 评价表): one note per outlet, month (YYYYMM) and teller, with who last wrote it and when.
CREATE TABLE satisfaction_sheet_notes (
    unit_id    BIGINT  NOT NULL REFERENCES org_units(id),
    month      INTEGER NOT NULL,
    teller_id  BIGINT  NOT NULL REFERENCES users(id),
    note       TEXT    NOT NULL,
    written_by BIGINT  NOT NULL REFERENCES users(id),
    written_at BIGINT  NOT NULL,
    PRIMARY KEY (unit_id, month, teller_id)
);
