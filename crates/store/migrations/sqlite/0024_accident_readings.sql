-- Accidents read as the plan and Decree 493 mean them: when the unit's head learned of
-- the accident (lateness counts from it to the server's receipt, article 9), and the
-- department of the accident's sector, which takes part in the investigation that the
-- emergency bureau leads (key task 16: "区应急局依法牵头组织对…各类生产安全事故开展调查").
ALTER TABLE accidents ADD COLUMN learned_at BIGINT;
ALTER TABLE accidents ADD COLUMN sector_unit_id BIGINT REFERENCES units(id);
UPDATE accidents SET learned_at = occurred_at WHERE learned_at IS NULL;
CREATE INDEX accidents_sector_unit ON accidents (sector_unit_id, occurred_at);

-- Concealment (key task 61): who concealed a concealed accident ('enterprise' or
-- 'unit'; the one-vote veto falls on a township or department only where it concealed
-- it), and the day the 区安委会 listed it for supervision (挂牌督办: "对初步认定的瞒报事故，
-- 一律由区安委会挂牌督办").
ALTER TABLE accidents ADD COLUMN concealed_by TEXT;
ALTER TABLE accidents ADD COLUMN listed_on TEXT;
UPDATE accidents SET concealed_by = 'unit' WHERE concealed = 1;

-- The blacklist (黑名单) of enterprises that concealed an accident, with 联合惩戒:
-- "对瞒报事故的企业，一律从重处罚并纳入“黑名单”，实施联合惩戒".
CREATE TABLE blacklist (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    accident_id BIGINT NOT NULL REFERENCES accidents(id),
    listed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (unit_id, accident_id)
);
