-- Notification channels and the outbox (issue 18). A channel is where a unit's
-- messages go (a group robot or a signed webhook); its URL and secret are sealed with
-- the field cipher. A delivery is one message to one channel, written in the
-- transaction of the change that causes it and sent by the dispatcher of any server
-- process: claimed by a lease (`claimed_until`), retried with backoff, failed after
-- the last attempt; `idempotency_key` is unique so that nothing is queued twice.
CREATE TABLE channels (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    vendor TEXT NOT NULL,
    host TEXT NOT NULL,
    url_sealed TEXT NOT NULL,
    secret_sealed TEXT,
    phones_json TEXT NOT NULL,
    emails_json TEXT NOT NULL DEFAULT '[]',
    sms_json TEXT,
    events_json TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX channels_unit ON channels (unit_id, active);

CREATE TABLE deliveries (
    id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    last_answer TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (state, next_at, id);
CREATE INDEX deliveries_unit ON deliveries (unit_id, id);
CREATE INDEX deliveries_channel ON deliveries (channel_id, id);
CREATE INDEX deliveries_subject ON deliveries (subject, unit_id, id);

-- 叫应 escalation: when an addressee that had not answered was told again, and when
-- the office was told who had not answered.
ALTER TABLE warning_recipients ADD COLUMN escalated_at BIGINT;
ALTER TABLE warnings ADD COLUMN office_told_at BIGINT;
