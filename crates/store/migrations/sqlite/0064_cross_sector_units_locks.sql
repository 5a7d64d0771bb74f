-- On PostgreSQL this migration makes a hazard's insert and a change to its unit's
-- sectors lock the unit's row before judging it for `cross_sector_units` (two
-- concurrent transactions each judged it without the other's work). SQLite takes its
-- one write lock for the whole transaction, so its triggers stay as they are.
SELECT 1;
