-- Each supervising unit's annual supervision-inspection plan (年度监督检查计划, item (88)
-- of the plan; issue 19 part 2): how many inspections it plans in each quarter of a
-- year. The watch sets it against the records of each quarter.
CREATE TABLE inspection_plans (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    q1 BIGINT NOT NULL,
    q2 BIGINT NOT NULL,
    q3 BIGINT NOT NULL,
    q4 BIGINT NOT NULL,
    note TEXT,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year)
);
CREATE INDEX inspection_plans_year ON inspection_plans (year, unit_id);
