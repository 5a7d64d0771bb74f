-- A case's rectification deadline is an obligation of its responsible unit: obligations
-- now come from an assignment (a campaign's work item or duty) or from a case (a
-- hazard's 整改时限), so campaign_id and assignment_id may be empty and case_id names
-- the case. SQLite cannot drop NOT NULL in place: the table is rebuilt (the runner
-- turns foreign keys off for the rebuild and checks them all before committing).
CREATE TABLE obligations_rebuilt (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT REFERENCES campaigns(id),
    assignment_id BIGINT REFERENCES assignments(id),
    case_id BIGINT REFERENCES cases(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    due_on TEXT NOT NULL,
    label TEXT NOT NULL,
    min_count BIGINT NOT NULL,
    state TEXT NOT NULL,
    submitted_at BIGINT,
    closed_at BIGINT,
    waived_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO obligations_rebuilt (id, campaign_id, assignment_id, unit_id, due_on, label, min_count, state, submitted_at, closed_at, waived_reason, created_at, updated_at)
SELECT id, campaign_id, assignment_id, unit_id, due_on, label, min_count, state, submitted_at, closed_at, waived_reason, created_at, updated_at FROM obligations;
DROP TABLE obligations;
ALTER TABLE obligations_rebuilt RENAME TO obligations;
CREATE INDEX obligations_unit ON obligations (unit_id, due_on, id);
CREATE INDEX obligations_campaign ON obligations (campaign_id, due_on, id);
CREATE INDEX obligations_state ON obligations (state, due_on, id);
CREATE INDEX obligations_assignment ON obligations (assignment_id, due_on);
CREATE INDEX obligations_open ON obligations (due_on, id) WHERE state IN ('pending', 'returned');
CREATE INDEX obligations_unit_tally ON obligations (campaign_id, unit_id, state, due_on);
CREATE INDEX obligations_assignment_tally ON obligations (campaign_id, assignment_id, state, due_on);
CREATE UNIQUE INDEX obligations_case ON obligations (case_id);

-- The plan's monthly self-inspection report (每月28日前将自查情况和问题清单报区安委办):
-- the duty whose obligations the monthly hazard report fulfils.
ALTER TABLE plan_duties ADD COLUMN monthly_report BIGINT NOT NULL DEFAULT 0;
UPDATE plan_duties SET monthly_report = 1 WHERE schedule_json LIKE '%"month"%' AND text LIKE '%问题清单%';

-- The monthly report (每月28日前报送): a unit's figures for the month, read from its
-- ledger when it submits, with its narrative and problem list; frozen once submitted.
CREATE TABLE monthly_reports (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    obligation_id BIGINT REFERENCES obligations(id),
    narrative TEXT NOT NULL,
    problems TEXT NOT NULL,
    figures_json TEXT,
    author_id BIGINT REFERENCES users(id),
    submitted_at BIGINT,
    submitted_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX monthly_reports_unit ON monthly_reports (unit_id, month);
CREATE INDEX monthly_reports_month ON monthly_reports (month, unit_id);
