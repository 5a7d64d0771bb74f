-- The hazards and enforcement records a tip's verification produced, named by the
-- routed unit with its outcome (each in that unit's scope).
CREATE TABLE tip_links (
    tip_id BIGINT NOT NULL REFERENCES tips(id),
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (tip_id, kind, target_id)
);
-- A single obligation's one extension (a tip's verification by 30 days with the
-- office's approval, an investigation by up to 60): the days added, 0 if none.
ALTER TABLE obligations ADD COLUMN extended_days BIGINT NOT NULL DEFAULT 0;
-- The routed unit's request to extend a tip's verification: its reason and state
-- (requested, approved, refused).
ALTER TABLE tips ADD COLUMN extension_reason TEXT;
ALTER TABLE tips ADD COLUMN extension_state TEXT;
-- Whose reward it is when duplicates were merged: the first real-name reporter of the
-- group (the tip and those merged into it), else the tip itself.
ALTER TABLE tip_rewards ADD COLUMN payee_tip_id BIGINT REFERENCES tips(id);
