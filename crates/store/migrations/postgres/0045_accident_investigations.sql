-- An accident's investigation (issue 19 part 5): the team, the report file, its approval
-- (批复), the accountability decided (三责同追) and the rectification measures, each
-- owed by its unit as an obligation of its own source (`obligations.accident_measure_id`,
-- so that closing the investigation does not discharge them); the office's listing of a
-- typical accident for supervision (挂牌督办) with its leader and deadline.
CREATE TABLE accident_investigations (
    accident_id BIGINT PRIMARY KEY REFERENCES accidents(id),
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    members TEXT NOT NULL,
    report_sha256 TEXT,
    report_name TEXT,
    approval_no TEXT,
    approved_on TEXT,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
CREATE TABLE accident_accountability (
    id BIGINT PRIMARY KEY,
    accident_id BIGINT NOT NULL REFERENCES accidents(id),
    person TEXT NOT NULL,
    post TEXT,
    unit_id BIGINT REFERENCES units(id),
    form TEXT NOT NULL
);
CREATE INDEX accident_accountability_accident ON accident_accountability (accident_id, id);
CREATE TABLE accident_measures (
    id BIGINT PRIMARY KEY,
    accident_id BIGINT NOT NULL REFERENCES accidents(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    measure TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX accident_measures_accident ON accident_measures (accident_id, id);
ALTER TABLE obligations ADD COLUMN accident_measure_id BIGINT REFERENCES accident_measures(id);
CREATE INDEX obligations_accident_measure ON obligations (accident_measure_id) WHERE accident_measure_id IS NOT NULL;
ALTER TABLE accidents ADD COLUMN listed_leader TEXT;
ALTER TABLE accidents ADD COLUMN listed_until TEXT;
