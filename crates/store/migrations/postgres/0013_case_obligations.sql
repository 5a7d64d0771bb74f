-- A case's rectification deadline is an obligation of its responsible unit: obligations
-- now come from an assignment (a campaign's work item or duty) or from a case (a
-- hazard's 整改时限), so campaign_id and assignment_id may be empty and case_id names
-- the case.
ALTER TABLE obligations ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE obligations ALTER COLUMN assignment_id DROP NOT NULL;
ALTER TABLE obligations ADD COLUMN case_id BIGINT REFERENCES cases(id);
CREATE UNIQUE INDEX obligations_case ON obligations (case_id);

-- The plan's monthly self-inspection report (每月28日前将自查情况和问题清单报区安委办):
-- the duty whose obligations the monthly hazard report fulfils.
ALTER TABLE plan_duties ADD COLUMN monthly_report BIGINT NOT NULL DEFAULT 0;
UPDATE plan_duties SET monthly_report = 1 WHERE schedule_json LIKE '%"month"%' AND text LIKE '%问题清单%';

-- The monthly report (每月28日前报送): a unit's figures for the month, read from its
-- ledger when it submits, with its narrative and problem list; frozen once submitted.
CREATE TABLE monthly_reports (
    id BIGINT PRIMARY KEY,
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
