-- Measures after an inspection (issue 19 part 2): an order to suspend production or
-- work (停产停工, item (64)) and a referral to the judicial organs (移送, item (90)),
-- each with its day, what it covers, the organ a case goes to, and its document.
CREATE TABLE enforcement_measures (
    id BIGINT PRIMARY KEY,
    enforcement_id BIGINT NOT NULL REFERENCES enforcements(id),
    kind TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    organ TEXT,
    note TEXT NOT NULL,
    until_on TEXT,
    document_sha256 TEXT,
    document_name TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX enforcement_measures_record ON enforcement_measures (enforcement_id, id);
