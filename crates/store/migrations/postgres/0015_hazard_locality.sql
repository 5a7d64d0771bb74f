-- 属地: the first-level unit (township, street or department, directly under the
-- committee) a hazard's responsible unit belongs to. Statistics roll up to it and read
-- it from the ledger alone, without joining every hazard to its unit (measured: the
-- office's statistics over 1,000,000 hazards took 1.3–2.1 s with the join). A unit's
-- move updates it in the same transaction.
ALTER TABLE hazards ADD COLUMN locality_id BIGINT REFERENCES units(id);
UPDATE hazards SET locality_id = (
    SELECT a.id FROM units u JOIN units a
      ON a.depth = 1 AND u.path >= a.path AND u.path < SUBSTR(a.path, 1, LENGTH(a.path) - 1) || '0'
    WHERE u.id = hazards.unit_id);
UPDATE hazards SET locality_id = unit_id WHERE locality_id IS NULL;
-- The statistics read one of these indexes alone, in the order they group by: by
-- locality (and sector), or by day of discovery (summed into months).
CREATE INDEX hazards_tally ON hazards (locality_id, sector_id, discovered_on, level, status, deadline, unit_id);
CREATE INDEX hazards_found ON hazards (discovered_on, level, status, deadline, sector_id, locality_id, unit_id);
