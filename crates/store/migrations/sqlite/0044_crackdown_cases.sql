-- 打非治违 cases (issue 19 part 3): a case of illegal production or operation found in
-- a township (where, who, what, how found), recorded by a unit, acted on together with
-- other units (crackdown_units), its measures and closing as steps (crackdown_steps);
-- the office exposes the illegal unit publicly (exposed_on).
CREATE TABLE crackdown_cases (
    id BIGINT PRIMARY KEY,
    locality_id BIGINT NOT NULL REFERENCES units(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    enterprise_id BIGINT REFERENCES units(id),
    place TEXT NOT NULL,
    subject TEXT NOT NULL,
    facts TEXT NOT NULL,
    found_by TEXT NOT NULL,
    found_on TEXT NOT NULL,
    state TEXT NOT NULL,
    measures TEXT NOT NULL DEFAULT '',
    closed_on TEXT,
    exposed_on TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX crackdown_cases_locality ON crackdown_cases (locality_id, id);
CREATE INDEX crackdown_cases_unit ON crackdown_cases (unit_id, found_on);
CREATE INDEX crackdown_cases_enterprise ON crackdown_cases (enterprise_id, id);
CREATE INDEX crackdown_cases_exposed ON crackdown_cases (exposed_on, id);
CREATE TABLE crackdown_units (
    case_id BIGINT NOT NULL REFERENCES crackdown_cases(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (case_id, unit_id)
);
CREATE INDEX crackdown_units_unit ON crackdown_units (unit_id, case_id);
CREATE TABLE crackdown_steps (
    id BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES crackdown_cases(id),
    step TEXT NOT NULL,
    measure TEXT,
    note TEXT,
    taken_on TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    actor_id BIGINT REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX crackdown_steps_case ON crackdown_steps (case_id, id);
