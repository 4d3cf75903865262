-- One weekly lobby report per outlet and week (the week is the record's code).
CREATE UNIQUE INDEX workbook_weekly_once ON workbook_entries(org_unit_id, code) WHERE register = 'weekly_report';
