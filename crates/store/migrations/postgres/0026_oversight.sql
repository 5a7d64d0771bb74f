-- Whether a unit oversees other units (督查): the discipline commission and the two
-- 督查室 lead plan item (45) "开展明查暗访、追责问责" and may plan visits of every
-- locality and department, not only of the units in their own scope.
ALTER TABLE units ADD COLUMN oversees BIGINT NOT NULL DEFAULT 0;
