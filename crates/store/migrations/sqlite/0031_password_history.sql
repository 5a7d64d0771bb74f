-- The passwords an account had before (their hashes), so that a new password may not be
-- one of the last few (等保 level 3; the number is the password policy's). Only the 24
-- most recent are kept.
CREATE TABLE password_history (
    user_id BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    replaced_at BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, replaced_at);
