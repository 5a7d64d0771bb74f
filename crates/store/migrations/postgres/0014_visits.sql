-- Supervision and unannounced visits (督查检查、四不两直): planned by the office or a
-- department with a team, targets and dates. An unannounced visit stays invisible to its
-- targets until it is recorded. Findings are hazards of the visited unit, linked here;
-- a finding may be marked for exposure (曝光) in bulletins.
CREATE TABLE visits (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    team TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    report TEXT,
    recorded_at BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX visits_unit ON visits (unit_id, id);
CREATE TABLE visit_targets (
    visit_id BIGINT NOT NULL REFERENCES visits(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (visit_id, unit_id)
);
CREATE INDEX visit_targets_unit ON visit_targets (unit_id, visit_id);
ALTER TABLE hazards ADD COLUMN visit_id BIGINT REFERENCES visits(id);
ALTER TABLE hazards ADD COLUMN exposed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX hazards_visit ON hazards (visit_id, id);
