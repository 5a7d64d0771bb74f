-- People and the year (issue 20).
-- Posts are data (part 1): the plan's posts to start with; the office adds others, each
-- held by the officials of the kinds of unit named (comma-separated). Quotas name a
-- post by its code.
CREATE TABLE duty_posts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    unit_kind TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO duty_posts (code, name, unit_kind, source, created_at) VALUES
    ('district_head', '区委主要负责人', 'committee_office', '（7）', 0),
    ('government_head', '区政府主要负责人', 'committee_office', '（22）', 0),
    ('township_head', '镇街主要负责人', 'township,zone_committee', '（8）', 0),
    ('other_leader', '其他负责人', 'committee_office,township,zone_committee,department', '（23）', 0),
    ('department_head', '部门主要负责人', 'department', '（33）', 0),
    ('department_deputy', '部门分管负责人', 'department', '（33）（34）', 0),
    ('responsible_official', '挂牌企业行政、行业监管负责人', 'enterprise', '（53）', 0);
-- Tips from every channel (part 4): where a tip came in, when, and the handler who
-- recorded it (none for the web form).
ALTER TABLE tips ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE tips ADD COLUMN received_at BIGINT;
ALTER TABLE tips ADD COLUMN recorded_by BIGINT REFERENCES users(id);
CREATE INDEX tips_channel ON tips (received_on, channel);
-- The reward budget of a year, fiscal and enterprises' (item (103)).
CREATE TABLE tip_budgets (
    year BIGINT PRIMARY KEY,
    fiscal_fen BIGINT NOT NULL,
    enterprise_fen BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tip_rewards_paid ON tip_rewards (paid_on);
-- The annual assessment (part 3): the year's scheme (parts and weights, JSON) and the
-- office's adjustments of a unit's score with their reasons.
CREATE TABLE assessment_schemes (
    year BIGINT PRIMARY KEY,
    parts TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE assessment_adjustments (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    points_tenths BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX assessment_adjustments_year ON assessment_adjustments (year, unit_id);
