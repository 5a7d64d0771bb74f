-- The reports a lead unit reviews: the submitted obligations of the assignments it
-- reviews. Indexed by assignment and due day, each assignment's obligations of every
-- state were read to find its few submitted ones; a lead department reviewing 1,060
-- assignments (12,720 obligations) was read over the state index instead, all 117,000
-- submitted obligations of a city, in 160–200 ms on PostgreSQL. With the state in the
-- key each assignment gives its submitted reports alone: 12.5 ms. A lookup by
-- assignment alone (an item's progress, its next deadline) still reads the key's first
-- column.
DROP INDEX IF EXISTS obligations_assignment;
CREATE INDEX obligations_assignment ON obligations (assignment_id, state, due_on) WHERE assignment_id IS NOT NULL;
