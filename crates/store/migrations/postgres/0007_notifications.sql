-- Reminders: one notification per obligation and kind ('due_soon', 'overdue'). The
-- unique index makes the reminder job idempotent and safe with several processes: a
-- second insert of the same reminder does nothing.
CREATE TABLE notifications (
    id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    obligation_id BIGINT NOT NULL REFERENCES obligations(id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE UNIQUE INDEX notifications_once ON notifications (obligation_id, kind);
CREATE INDEX notifications_unit ON notifications (unit_id, read_at, id);
