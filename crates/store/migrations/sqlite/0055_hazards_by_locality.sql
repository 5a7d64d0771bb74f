-- A township's (a locality's) ledger is read as the hazards of its locality, newest
-- first (`Scope::hazards`): one index range in id order.
CREATE INDEX IF NOT EXISTS hazards_locality ON hazards (locality_id, id);
