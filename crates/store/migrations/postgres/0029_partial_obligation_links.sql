-- An obligation born of a plan links to no case, enforcement record, accident, tip,
-- warning or special period; only the few born of those workflows do. Indexing only the
-- linked rows keeps a launch's tens of thousands of inserts out of six indexes
-- (docs/PERFORMANCE.md, "The campaign whole"). Every query on these links compares the
-- column with a value, which implies it is not null, so the partial indexes serve them.
DROP INDEX obligations_case;
CREATE UNIQUE INDEX obligations_case ON obligations (case_id) WHERE case_id IS NOT NULL;
DROP INDEX obligations_enforcement;
CREATE INDEX obligations_enforcement ON obligations (enforcement_id) WHERE enforcement_id IS NOT NULL;
DROP INDEX obligations_accident;
CREATE INDEX obligations_accident ON obligations (accident_id) WHERE accident_id IS NOT NULL;
DROP INDEX obligations_tip;
CREATE INDEX obligations_tip ON obligations (tip_id) WHERE tip_id IS NOT NULL;
DROP INDEX obligations_warning;
CREATE INDEX obligations_warning ON obligations (warning_id, unit_id) WHERE warning_id IS NOT NULL;
DROP INDEX obligations_special_period;
CREATE INDEX obligations_special_period ON obligations (special_period_id, unit_id, due_on) WHERE special_period_id IS NOT NULL;
