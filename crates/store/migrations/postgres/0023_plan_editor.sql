-- The plan editor: the office corrects and extends a running campaign. A campaign's own
-- version of a work item (its text, units and schedule as edited, or retired with a
-- reason) overrides the plan's for that campaign only; a work item added after a new
-- directive is a work_items row owned by the campaign that added it.
ALTER TABLE work_items ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id);

CREATE TABLE campaign_work_items (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    work_item_id BIGINT NOT NULL REFERENCES work_items(id),
    text TEXT NOT NULL,
    lead_json TEXT NOT NULL,
    co_json TEXT NOT NULL,
    invited_json TEXT NOT NULL,
    schedule_json TEXT NOT NULL,
    retired_reason TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, work_item_id)
);

-- Each edit of a work item, with what it changed for whom (the item's history).
CREATE TABLE work_item_history (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    work_item_id BIGINT NOT NULL REFERENCES work_items(id),
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX work_item_history_item ON work_item_history (campaign_id, work_item_id, at);

-- An assignment the editor took away (the unit no longer owes the item); what the unit
-- reported stays with it.
ALTER TABLE assignments ADD COLUMN ended_at BIGINT;

-- A work item whose text states no time limit is a standing duty of the campaign.
UPDATE work_items SET schedule_json = '[{"kind":"standing"}]' WHERE schedule_json = '[]';

-- The progress lines a unit types for its standing duties in a monthly report's draft
-- (JSON: obligation id → text); submitted with the report.
ALTER TABLE monthly_reports ADD COLUMN progress_json TEXT;
