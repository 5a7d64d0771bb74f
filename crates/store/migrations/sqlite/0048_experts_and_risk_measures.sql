-- Experts (issue 20 part 5, item (94) "常态化组织开展“专家服务”，大型活动必须进行安全检测
-- 评价"): the pool (the phone sealed with the field cipher), each engagement by the office
-- or a department (an inspection, a visit or a large event's safety evaluation) with its
-- experts and report, and the hazards its findings became.
CREATE TABLE experts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    qualification TEXT NOT NULL,
    employer TEXT NOT NULL,
    phone_sealed TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX experts_field ON experts (field, id);
CREATE TABLE expert_engagements (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    enterprise_id BIGINT REFERENCES units(id),
    on_day TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    report_sha256 TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX expert_engagements_unit ON expert_engagements (unit_id, id);
CREATE TABLE expert_engagement_members (
    engagement_id BIGINT NOT NULL REFERENCES expert_engagements(id),
    expert_id BIGINT NOT NULL REFERENCES experts(id),
    PRIMARY KEY (engagement_id, expert_id)
);
CREATE INDEX expert_members_expert ON expert_engagement_members (expert_id, engagement_id);
ALTER TABLE hazards ADD COLUMN engagement_id BIGINT REFERENCES expert_engagements(id);
CREATE INDEX hazards_engagement ON hazards (engagement_id) WHERE engagement_id IS NOT NULL;
-- Risk assessments lead to action (part 6, item (29)): each assessment names its risks,
-- their level and control measures; each measure is an obligation of the unit named.
CREATE TABLE risk_measures (
    id INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    risk TEXT NOT NULL,
    level TEXT NOT NULL,
    measure TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX risk_measures_assessment ON risk_measures (assessment_id, id);
ALTER TABLE obligations ADD COLUMN risk_measure_id BIGINT REFERENCES risk_measures(id);
CREATE INDEX obligations_risk_measure ON obligations (risk_measure_id) WHERE risk_measure_id IS NOT NULL;
