-- Production-safety accidents reported directly (Decree 493): the unit whose locality it
-- happened in, the enterprise, when it happened and when it was reported (epoch ms; the
-- Shanghai day for the month's figures), the casualties and loss as they stand after
-- any supplement, the grade they reach, whether the report was late, whether a tip
-- showed it concealed, and the investigation's state.
CREATE TABLE accidents (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    enterprise_id BIGINT REFERENCES units(id),
    lead_unit_id BIGINT REFERENCES units(id),
    sector TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    occurred_on TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    place TEXT NOT NULL,
    account TEXT NOT NULL,
    deaths BIGINT NOT NULL,
    missing BIGINT NOT NULL,
    serious_injuries BIGINT NOT NULL,
    direct_loss_fen BIGINT NOT NULL,
    measures_taken TEXT,
    grade TEXT NOT NULL,
    late BIGINT NOT NULL,
    concealed BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    closed_on TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accidents_unit ON accidents (unit_id, occurred_on, id);
CREATE INDEX accidents_month ON accidents (occurred_on, unit_id, grade);
-- Casualty changes reported after the first report (续报), each with the grade before
-- and after.
CREATE TABLE accident_supplements (
    id INTEGER PRIMARY KEY,
    accident_id BIGINT NOT NULL REFERENCES accidents(id),
    at BIGINT NOT NULL,
    deaths BIGINT NOT NULL,
    missing BIGINT NOT NULL,
    serious_injuries BIGINT NOT NULL,
    direct_loss_fen BIGINT NOT NULL,
    grade_before TEXT NOT NULL,
    grade_after TEXT NOT NULL,
    note TEXT,
    created_by BIGINT REFERENCES users(id)
);
CREATE INDEX accident_supplements_accident ON accident_supplements (accident_id, id);
-- The investigation's deadlines are obligations linked to the accident.
ALTER TABLE obligations ADD COLUMN accident_id BIGINT REFERENCES accidents(id);
CREATE INDEX obligations_accident ON obligations (accident_id);
