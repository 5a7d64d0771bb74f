-- Plans (templates) and campaigns (a plan run in a year). Calendar dates are TEXT
-- 'YYYY-MM-DD' in Asia/Shanghai; lists of names and schedules are JSON text.

CREATE TABLE plans (
    id BIGINT PRIMARY KEY,
    title TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    issuers TEXT NOT NULL,
    issued_on TEXT,
    year BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE plan_phases (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    no BIGINT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    text TEXT NOT NULL
);
CREATE UNIQUE INDEX plan_phases_no ON plan_phases (plan_id, no);

CREATE TABLE plan_duties (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    no BIGINT NOT NULL,
    text TEXT NOT NULL,
    responsibility_text TEXT NOT NULL,
    schedule_json TEXT NOT NULL
);
CREATE UNIQUE INDEX plan_duties_no ON plan_duties (plan_id, no);

CREATE TABLE measures (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    no BIGINT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE UNIQUE INDEX measures_no ON measures (plan_id, no);

CREATE TABLE key_tasks (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    measure_id BIGINT NOT NULL REFERENCES measures(id),
    no BIGINT NOT NULL,
    text TEXT NOT NULL
);
CREATE UNIQUE INDEX key_tasks_no ON key_tasks (plan_id, no);
CREATE INDEX key_tasks_measure ON key_tasks (measure_id, no);

CREATE TABLE work_items (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    key_task_id BIGINT NOT NULL REFERENCES key_tasks(id),
    no BIGINT NOT NULL,
    text TEXT NOT NULL,
    responsibility_text TEXT NOT NULL,
    lead_json TEXT NOT NULL,
    co_json TEXT NOT NULL,
    invited_json TEXT NOT NULL,
    schedule_json TEXT NOT NULL
);
CREATE UNIQUE INDEX work_items_no ON work_items (plan_id, no);
CREATE INDEX work_items_key_task ON work_items (key_task_id, no);

CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    title TEXT NOT NULL,
    year BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX campaigns_plan ON campaigns (plan_id, year);
