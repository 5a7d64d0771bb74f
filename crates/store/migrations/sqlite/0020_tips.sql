-- Public tips (举报). The reporter's identity is sealed (field encryption, key outside
-- the database) and only ever opened for the tip custodian; the receipt code is kept
-- only as a slow hash, found by its random locator. No address, browser or time of day
-- of the reporter is stored beyond the day received.
CREATE TABLE tips (
    id INTEGER PRIMARY KEY,
    locator TEXT NOT NULL UNIQUE,
    receipt_hash TEXT NOT NULL,
    category TEXT NOT NULL,
    sector_id BIGINT NOT NULL REFERENCES sectors(id),
    place TEXT NOT NULL,
    reported_unit TEXT,
    description TEXT NOT NULL,
    anonymous BIGINT NOT NULL,
    identity_sealed TEXT,
    status TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    merged_into BIGINT REFERENCES tips(id),
    outcome_note TEXT,
    reject_reason TEXT,
    accident_id BIGINT REFERENCES accidents(id),
    received_on TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tips_status ON tips (status, id);
CREATE INDEX tips_unit ON tips (unit_id, id);
CREATE INDEX tips_received ON tips (received_on, status);
-- Questions from the handler and answers from the reporter, by receipt.
CREATE TABLE tip_messages (
    id INTEGER PRIMARY KEY,
    tip_id BIGINT NOT NULL REFERENCES tips(id),
    from_reporter BIGINT NOT NULL,
    text TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);
-- Material the reporter sends: the original bytes, and the copy handlers open (without
-- metadata such as EXIF and GPS).
CREATE TABLE tip_files (
    id INTEGER PRIMARY KEY,
    tip_id BIGINT NOT NULL REFERENCES tips(id),
    sha256 TEXT NOT NULL,
    clean_sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    mime TEXT NOT NULL
);
CREATE INDEX tip_files_tip ON tip_files (tip_id, id);
-- Wrong receipt codes per locator: after five in a row the locator is locked a while.
CREATE TABLE tip_receipt_failures (
    locator TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
-- The reward of a substantiated tip: computed, approved, paid.
CREATE TABLE tip_rewards (
    tip_id BIGINT PRIMARY KEY REFERENCES tips(id),
    amount_fen BIGINT NOT NULL,
    basis TEXT NOT NULL,
    state TEXT NOT NULL,
    approved_on TEXT,
    paid_on TEXT,
    paid_method TEXT,
    updated_at BIGINT NOT NULL
);
ALTER TABLE obligations ADD COLUMN tip_id BIGINT REFERENCES tips(id);
CREATE INDEX obligations_tip ON obligations (tip_id);
