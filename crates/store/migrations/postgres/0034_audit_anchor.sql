-- Where the audit chain starts once entries older than the retention period have been
-- purged (after their signed export): the last purged entry's sequence number and link,
-- from which `audit verify` picks the chain up. No row: the chain starts at its genesis.
CREATE TABLE audit_anchor (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    purged_at BIGINT NOT NULL
);
