-- Enforcement inspections (执法检查): the enforcing unit, the inspected enterprise, the
-- on-site record, the two must-checks, the order to rectify by a deadline and the
-- penalty decision; `step` is where it stands in the three steps (inspection,
-- penalty, recheck). At least two certified inspectors each (checked in core).
CREATE TABLE enforcements (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    enterprise_id BIGINT NOT NULL REFERENCES units(id),
    inspected_on TEXT NOT NULL,
    place TEXT NOT NULL,
    checked TEXT NOT NULL,
    problems TEXT NOT NULL,
    problem_count BIGINT NOT NULL,
    handling TEXT,
    signed BIGINT NOT NULL,
    principal_checked BIGINT NOT NULL,
    heads_checked BIGINT NOT NULL,
    order_deadline TEXT,
    step TEXT NOT NULL,
    penalty_kind TEXT,
    penalty_amount_fen BIGINT,
    penalty_legal_basis TEXT,
    penalty_decided_on TEXT,
    rectified_on TEXT,
    refused_rectification BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enforcements_unit ON enforcements (unit_id, inspected_on, id);
CREATE INDEX enforcements_enterprise ON enforcements (enterprise_id, id);
CREATE INDEX enforcements_month ON enforcements (inspected_on, unit_id);
CREATE TABLE enforcement_inspectors (
    enforcement_id BIGINT NOT NULL REFERENCES enforcements(id),
    certificate TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (enforcement_id, certificate)
);
-- A problem found by an inspection can go into the enterprise's hazard ledger.
ALTER TABLE hazards ADD COLUMN enforcement_id BIGINT REFERENCES enforcements(id);
CREATE INDEX hazards_enforcement ON hazards (enforcement_id, id);
