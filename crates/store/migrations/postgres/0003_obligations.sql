-- Assignments (a work item or duty given to one concrete unit) and obligations (one
-- dated instance of an assignment's schedule). Overdue is computed at read time.

CREATE TABLE assignments (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    work_item_id BIGINT REFERENCES work_items(id),
    duty_id BIGINT REFERENCES plan_duties(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX assignments_unit ON assignments (unit_id, campaign_id);
CREATE INDEX assignments_item ON assignments (campaign_id, work_item_id);

CREATE TABLE obligations (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
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
CREATE INDEX obligations_unit ON obligations (unit_id, due_on, id);
CREATE INDEX obligations_campaign ON obligations (campaign_id, due_on, id);
CREATE INDEX obligations_state ON obligations (state, due_on, id);
CREATE INDEX obligations_assignment ON obligations (assignment_id, due_on);

-- Names in the plan that the directory could not resolve, for the office to map.
CREATE TABLE campaign_unresolved (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    name TEXT NOT NULL,
    items TEXT NOT NULL,
    PRIMARY KEY (campaign_id, name)
);
