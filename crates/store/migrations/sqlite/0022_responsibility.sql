-- Responsibility made visible (issue 7): the enterprise register, the officials and
-- leaders with their posts, the responsible persons listed for each enterprise (dated,
-- never overwritten), duty records counted against the plan's quotas, risk
-- assessments, warnings each addressee must answer, circuit breakers, and special
-- periods with daily reports.

-- The register's facts of an enterprise unit (kind 'enterprise').
CREATE TABLE enterprises (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    credit_code TEXT NOT NULL UNIQUE,
    township_id BIGINT NOT NULL REFERENCES units(id),
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    staff BIGINT NOT NULL,
    risk_level TEXT NOT NULL,
    major_hazards BIGINT NOT NULL,
    supervisor_id BIGINT REFERENCES units(id),
    listed BIGINT NOT NULL,
    address TEXT,
    risk_card_json TEXT,
    risk_card_updated_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enterprises_township ON enterprises (township_id, listed, sector_id, unit_id);
CREATE INDEX enterprises_sector ON enterprises (sector_id, unit_id);
CREATE INDEX enterprises_supervisor ON enterprises (supervisor_id, unit_id);
CREATE INDEX enterprises_listed ON enterprises (listed, unit_id);

-- Officials and leaders: a name, a title (职务) in a unit, and the post whose quotas
-- they carry (district_head, township_head, other_leader; none for the rest).
CREATE TABLE officials (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    post TEXT,
    phone TEXT,
    user_id BIGINT REFERENCES users(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX officials_unit ON officials (unit_id, id);
CREATE INDEX officials_post ON officials (post, id);
CREATE INDEX officials_user ON officials (user_id);

-- Who answers for an enterprise, from a day until a day (a change closes the old row).
CREATE TABLE responsible_persons (
    id INTEGER PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    risk TEXT,
    official_id BIGINT REFERENCES officials(id),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    phone TEXT,
    from_on TEXT NOT NULL,
    until_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX responsible_enterprise ON responsible_persons (enterprise_id, until_on, role);
CREATE INDEX responsible_official ON responsible_persons (official_id, until_on, enterprise_id);

-- The quotas per post, from the plan and as the office sets them.
CREATE TABLE duty_quotas (
    post TEXT NOT NULL,
    activity TEXT NOT NULL,
    period TEXT NOT NULL,
    minimum BIGINT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (post, activity)
);

-- A logged duty activity (which may be an enforcement record or a supervision visit);
-- 'pending' when back-dated beyond the window until the
-- office approves ('counted') or refuses ('refused').
CREATE TABLE duty_records (
    id INTEGER PRIMARY KEY,
    official_id BIGINT NOT NULL REFERENCES officials(id),
    activity TEXT NOT NULL,
    on_day TEXT NOT NULL,
    place TEXT NOT NULL,
    participants TEXT,
    topic TEXT NOT NULL,
    enterprise_id BIGINT REFERENCES units(id),
    enforcement_id BIGINT REFERENCES enforcements(id),
    visit_id BIGINT REFERENCES visits(id),
    evidence_sha256 TEXT,
    state TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX duty_records_official ON duty_records (official_id, on_day, activity);
CREATE INDEX duty_records_day ON duty_records (on_day, state, official_id, activity);
CREATE INDEX duty_records_state ON duty_records (state, id);

CREATE TABLE risk_assessments (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    conclusion TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX risk_assessments_day ON risk_assessments (held_on, id);

-- A warning and its addressees, each answering (叫应) by `answer_by`.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    answer_by BIGINT NOT NULL,
    issued_by BIGINT REFERENCES users(id)
);
CREATE INDEX warnings_issued ON warnings (issued_at, id);
CREATE TABLE warning_recipients (
    warning_id BIGINT NOT NULL REFERENCES warnings(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    acked_at BIGINT,
    acked_by BIGINT REFERENCES users(id),
    reply TEXT,
    PRIMARY KEY (warning_id, unit_id)
);
CREATE INDEX warning_recipients_unit ON warning_recipients (unit_id, warning_id);
ALTER TABLE obligations ADD COLUMN warning_id BIGINT REFERENCES warnings(id);
CREATE INDEX obligations_warning ON obligations (warning_id, unit_id);

-- A circuit breaker (熔断): activities suspended in areas and sectors between two
-- instants, until lifted.
CREATE TABLE circuit_breakers (
    id INTEGER PRIMARY KEY,
    activities TEXT NOT NULL,
    reason TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    until_at BIGINT NOT NULL,
    lifted_at BIGINT,
    lift_reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX circuit_breakers_until ON circuit_breakers (until_at, id);
CREATE TABLE circuit_breaker_areas (
    breaker_id BIGINT NOT NULL REFERENCES circuit_breakers(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (breaker_id, unit_id)
);
CREATE TABLE circuit_breaker_sectors (
    breaker_id BIGINT NOT NULL REFERENCES circuit_breakers(id),
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    PRIMARY KEY (breaker_id, sector_id)
);

-- A special period (特殊时段) and the daily reports it makes every township and
-- supervising department owe.
CREATE TABLE special_periods (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE daily_reports (
    id INTEGER PRIMARY KEY,
    period_id BIGINT NOT NULL REFERENCES special_periods(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    situation TEXT NOT NULL,
    incidents TEXT,
    on_duty_leader TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_by BIGINT REFERENCES users(id),
    UNIQUE (period_id, unit_id, day)
);
ALTER TABLE obligations ADD COLUMN special_period_id BIGINT REFERENCES special_periods(id);
CREATE INDEX obligations_special_period ON obligations (special_period_id, unit_id, due_on);
