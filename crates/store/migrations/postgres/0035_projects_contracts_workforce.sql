-- Measures 七, 八 and 九 (issue 23): investment and construction projects with their
-- dated approval steps, 三同时 checklist and 回头看 review; the contracting chain with
-- its qualifications and flags; the roster of dispatched and flexible workers; the
-- parties of an accident; recorded notices to units.

-- A project: its owner enterprise, its township, its industry (a sector), whether it is
-- high-risk or a crowded place, whether it needs the 安全评价 reports, its approving
-- department, its state (active, eliminated as 落后产能) and its flags (comma list).
CREATE TABLE projects (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES units(id),
    township_id BIGINT NOT NULL REFERENCES units(id),
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    works TEXT NOT NULL,
    crowded BIGINT NOT NULL,
    high_risk BIGINT NOT NULL,
    evaluated BIGINT NOT NULL,
    approver_id BIGINT NOT NULL REFERENCES units(id),
    batch_approval BIGINT NOT NULL,
    state TEXT NOT NULL,
    flags TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_owner ON projects (owner_id, id);
CREATE INDEX projects_approver ON projects (approver_id, id);
CREATE INDEX projects_township ON projects (township_id, id);
CREATE INDEX projects_sector ON projects (sector_id, id);

-- A project's dated steps, one of each; an evaluation names its body and report.
CREATE TABLE project_steps (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    body TEXT,
    document TEXT,
    flag TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, step)
);

-- The 三同时 checklist: each item done or open, with its evidence (a note, and a file
-- in the file store).
CREATE TABLE project_checks (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    item TEXT NOT NULL,
    done BIGINT NOT NULL,
    evidence TEXT,
    file_sha256 TEXT,
    file_name TEXT,
    file_mime TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, item)
);

-- The (70) 回头看 review: opened by a unit over the approved projects, each with its
-- result once decided.
CREATE TABLE project_reviews (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    due_on TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE TABLE project_review_items (
    review_id BIGINT NOT NULL REFERENCES project_reviews(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    result TEXT,
    reason TEXT,
    decided_on TEXT,
    PRIMARY KEY (review_id, project_id)
);
CREATE INDEX project_review_items_project ON project_review_items (project_id);
ALTER TABLE obligations ADD COLUMN project_id BIGINT REFERENCES projects(id);
CREATE INDEX obligations_project ON obligations (project_id);

-- The contracting chain: a client lets works to a contractor, who shows a
-- qualification (its holder may be another unit: 挂靠); flags as a comma list.
CREATE TABLE contracts (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    client_id BIGINT NOT NULL REFERENCES units(id),
    contractor_id BIGINT NOT NULL REFERENCES units(id),
    work TEXT NOT NULL,
    whole BIGINT NOT NULL,
    main_structure BIGINT NOT NULL,
    signed_on TEXT NOT NULL,
    q_category TEXT,
    q_grade TEXT,
    q_number TEXT,
    q_holder_id BIGINT REFERENCES units(id),
    q_valid_until TEXT,
    flags TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX contracts_project ON contracts (project_id, id);
CREATE INDEX contracts_contractor ON contracts (contractor_id, id);
-- An enterprise's group company (上级公司), to which a finding is reported (item (77)).
ALTER TABLE enterprises ADD COLUMN parent_company_id BIGINT REFERENCES units(id);

-- An inspection's kind (special campaigns: 分包转包专项 (74), 持证上岗和安全培训 (80)) and
-- the contracts it found at fault.
ALTER TABLE enforcements ADD COLUMN kind TEXT;
CREATE TABLE enforcement_findings (
    enforcement_id BIGINT NOT NULL REFERENCES enforcements(id),
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    flags TEXT NOT NULL,
    PRIMARY KEY (enforcement_id, contract_id)
);
CREATE INDEX enforcement_findings_contract ON enforcement_findings (contract_id);

-- Recorded notices to a unit about an object (a flagged project, a finding).
CREATE TABLE notices (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notices_unit ON notices (unit_id, id);
CREATE INDEX notices_subject ON notices (subject, subject_id);

-- An enterprise's roster of dispatched, flexible, contracted, temporary and intern
-- workers: the ID number sealed with the field cipher and kept masked for display.
CREATE TABLE workers (
    id BIGINT PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    id_sealed TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    arrangement TEXT NOT NULL,
    post TEXT NOT NULL,
    hazardous BIGINT NOT NULL,
    special_operation BIGINT NOT NULL,
    agency_id BIGINT REFERENCES units(id),
    trained_on TEXT,
    training_hours BIGINT,
    exam_passed BIGINT NOT NULL,
    untrained BIGINT NOT NULL,
    certificate TEXT,
    certificate_valid_until TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX workers_enterprise ON workers (enterprise_id, id);
CREATE INDEX workers_agency ON workers (agency_id, id);
-- Each enterprise's roster in figures, kept with every roster write, for the sector
-- departments' list (many dispatched or flexible workers first).
CREATE TABLE workforce (
    enterprise_id BIGINT PRIMARY KEY REFERENCES units(id),
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    total BIGINT NOT NULL,
    dispatched_flexible BIGINT NOT NULL,
    hazardous BIGINT NOT NULL,
    hazardous_dispatched BIGINT NOT NULL,
    untrained BIGINT NOT NULL,
    special_operation BIGINT NOT NULL,
    cert_earliest TEXT,
    uncertified BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX workforce_sector ON workforce (sector_id, dispatched_flexible, enterprise_id);

-- An accident's parties, each with its role and the responsibility found.
CREATE TABLE accident_parties (
    accident_id BIGINT NOT NULL REFERENCES accidents(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    responsibility TEXT,
    PRIMARY KEY (accident_id, unit_id, role)
);
CREATE INDEX accident_parties_unit ON accident_parties (unit_id);
-- The accident's project, whose approval history its page shows (item (71) 终身追责).
ALTER TABLE accidents ADD COLUMN project_id BIGINT REFERENCES projects(id);
-- The office's flag list: every roster, most dispatched or flexible workers first.
CREATE INDEX workforce_rank ON workforce (dispatched_flexible, enterprise_id);
