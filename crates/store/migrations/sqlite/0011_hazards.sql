-- Hazard ledgers on the case workflow. A case is one closed loop (交办 → 整改 → 反馈 →
-- 核查 → 销号) between an assigning unit and a responsible unit; its steps are its
-- history. Hazards are the first kind of case; findings and tips will follow.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    assigner_unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    deadline TEXT,
    extension_until TEXT,
    extension_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX cases_unit ON cases (unit_id, status, deadline);
CREATE INDEX cases_assigner ON cases (assigner_unit_id, status);

CREATE TABLE case_steps (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    step TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    unit_id BIGINT REFERENCES units(id),
    note TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps (case_id, id);

CREATE TABLE case_files (
    id INTEGER PRIMARY KEY,
    step_id BIGINT NOT NULL REFERENCES case_steps(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    file_name TEXT NOT NULL
);
CREATE INDEX case_files_step ON case_files (step_id);

-- The ledger row; status and deadline repeat the case's so that filtered ledger pages
-- read one table in id order.
CREATE TABLE hazards (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    enterprise_id BIGINT REFERENCES units(id),
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    source TEXT NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    discovered_on TEXT NOT NULL,
    discovered_by BIGINT REFERENCES users(id),
    measures TEXT,
    responsible_person TEXT,
    funds_fen BIGINT,
    deadline TEXT,
    contingency_plan TEXT,
    governance_plan_json TEXT,
    status TEXT NOT NULL,
    listed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX hazards_case ON hazards (case_id);
CREATE INDEX hazards_unit ON hazards (unit_id, id);
CREATE INDEX hazards_sector ON hazards (sector_id, id);
CREATE INDEX hazards_status ON hazards (status, id);
CREATE INDEX hazards_level ON hazards (level, id);
