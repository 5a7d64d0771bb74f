-- Every major hazard listed at once (issue 19 part 1): recording one lists it for the
-- committee office's supervision, unconfirmed (`confirmed_at` null) until the office
-- sets or confirms the leader and deadline, which it owes as an obligation of its own
-- source (`obligations.hazard_id`). Listings made before were made by the office itself.
ALTER TABLE hazard_listings ADD COLUMN confirmed_at BIGINT;
UPDATE hazard_listings SET confirmed_at = listed_at;
ALTER TABLE obligations ADD COLUMN hazard_id BIGINT REFERENCES hazards(id);
CREATE INDEX obligations_hazard ON obligations (hazard_id) WHERE hazard_id IS NOT NULL;
