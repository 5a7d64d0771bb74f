-- A township's (a locality's) ledger is read as the hazards of its locality, newest
-- first (`Scope::hazards`): one index range in id order, and with the ledger's
-- status tab (整改中, 待验收 …) one range of that status.
CREATE INDEX IF NOT EXISTS hazards_locality ON hazards (locality_id, id);
CREATE INDEX IF NOT EXISTS hazards_locality_status ON hazards (locality_id, status, id);
