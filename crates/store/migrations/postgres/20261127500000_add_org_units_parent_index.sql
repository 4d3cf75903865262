-- A unit's children are read by every drill-down and every re-sum of period figures.
CREATE INDEX org_units_parent ON org_units(parent_id);
