-- Audit links keyed with HMAC-SHA-256 under a key kept outside the database (derived
-- from the secret key file). Entries written before carry a plain SHA-256 and stay
-- marked 0; once a keyed entry appears every later one must be keyed.
ALTER TABLE audit_log ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0;
