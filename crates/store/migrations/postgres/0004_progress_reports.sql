-- Progress reports on obligations, their review, and their evidence files (stored
-- content-addressed in the data directory; rows here hold the digest).

CREATE TABLE progress_reports (
    id BIGINT PRIMARY KEY,
    obligation_id BIGINT NOT NULL REFERENCES obligations(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    author_id BIGINT REFERENCES users(id),
    text TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_on TEXT NOT NULL,
    decision TEXT,
    reason TEXT,
    reviewer_id BIGINT REFERENCES users(id),
    reviewed_at BIGINT
);
CREATE INDEX progress_reports_obligation ON progress_reports (obligation_id, id);

CREATE TABLE evidence (
    id BIGINT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES progress_reports(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL,
    file_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX evidence_report ON evidence (report_id, id);
CREATE INDEX evidence_sha ON evidence (sha256);
