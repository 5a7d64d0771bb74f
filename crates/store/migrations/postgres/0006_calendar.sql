-- The working-day calendar's exceptions to Monday–Friday: holidays on weekdays and
-- weekend days worked in exchange. Seeded with the national days; edited by the office.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
