-- The obligations of a work item's assignment (a lead unit's reports to review, an
-- item's progress): only those a campaign gave have one. A hazard's, a case's or a
-- tip's obligation has none, and at city scale they are nearly all of them. Indexed
-- with its NULLs, SQLite's statistics counted the million obligations without an
-- assignment as one value, priced a lookup by assignment at a million rows, and read
-- a township's reports to review over all 66,000 submitted obligations instead (the
-- township's home page: 207 ms p50). Only the obligations that have an assignment
-- are indexed now.
DROP INDEX IF EXISTS obligations_assignment;
CREATE INDEX obligations_assignment ON obligations (assignment_id, due_on) WHERE assignment_id IS NOT NULL;
