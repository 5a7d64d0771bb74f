-- Accidents read as the plan and Decree 493 mean them: when the unit's head learned of
-- the accident (lateness counts from it to the server's receipt, article 9), and the
-- department of the accident's sector, which takes part in the investigation that the
-- emergency bureau leads (key task 16: "区应急局依法牵头组织对…各类生产安全事故开展调查").
ALTER TABLE accidents ADD COLUMN learned_at BIGINT;
ALTER TABLE accidents ADD COLUMN sector_unit_id BIGINT REFERENCES units(id);
UPDATE accidents SET learned_at = occurred_at WHERE learned_at IS NULL;
CREATE INDEX accidents_sector_unit ON accidents (sector_unit_id, occurred_at);
