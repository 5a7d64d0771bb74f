-- Body duties owed several times per instance (2 督查检查 rounds), or only in the special
-- periods the office names for a campaign (daily reports during the Party Congress).
ALTER TABLE plan_duties ADD COLUMN min_count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plan_duties ADD COLUMN special_periods BIGINT NOT NULL DEFAULT 0;

CREATE TABLE campaign_periods (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX campaign_periods_campaign ON campaign_periods (campaign_id, starts_on);
