-- The second factor (双因素认证, 等保 level 3 for administrators): the TOTP secret sealed
-- with the field cipher (the pending one while the user enrols), when it was enabled,
-- and the last step used so that no code is accepted twice; one-time recovery codes,
-- stored as their SHA-256; when a session last stepped up (typed a code again before
-- opening a reporter's identity or exporting a whole ledger).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE sessions ADD COLUMN stepped_up_at BIGINT NOT NULL DEFAULT 0;
