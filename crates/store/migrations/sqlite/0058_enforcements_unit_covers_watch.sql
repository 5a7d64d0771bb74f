-- One index for a recording unit's records instead of two with the same prefix.
-- `enforcements_unit (unit_id, inspected_on, id)` served a unit's list and the
-- scope's lookups; `enforcements_watched (unit_id, inspected_on, enterprise_id, …)`
-- (0057) covered the month's watch of 零执法 and 零处罚 units. Every new record
-- updated both. This index serves both: a unit's records of a period in date order,
-- with every column the watch reads, so the watch still reads the index alone.
DROP INDEX IF EXISTS enforcements_watched;
DROP INDEX IF EXISTS enforcements_unit;
CREATE INDEX enforcements_unit ON enforcements (unit_id, inspected_on, id, enterprise_id, problem_count, penalty_kind, penalty_amount_fen, principal_checked, heads_checked);
