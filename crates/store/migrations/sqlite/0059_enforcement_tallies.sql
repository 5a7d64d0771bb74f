-- The month's watch of 零执法 and 零处罚 units (`enforcements::tally`, on the enforcement
-- page and in every ranking) read every record of the month for the office: 58,815
-- records of the synthetic city, 25 ms on SQLite and 55 ms on PostgreSQL at one
-- client, even from a covering index. Each recording unit's month is now kept, changed
-- by triggers in the same transaction as every insert, update and delete of a record,
-- whichever code path writes it; the watch reads one row per watched unit.
--
-- `enforcement_tally_enterprises` counts a unit's records of the month per inspected
-- enterprise, so that `enterprises` (how many different enterprises) can be kept: it
-- goes up when an enterprise's first record of the month arrives and down when its
-- last one leaves.
CREATE TABLE enforcement_tally_enterprises (
    unit_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (unit_id, month, enterprise_id)
);
CREATE TABLE enforcement_tallies (
    unit_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    inspections BIGINT NOT NULL,
    enterprises BIGINT NOT NULL,
    problems BIGINT NOT NULL,
    penalties BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    must_checked BIGINT NOT NULL,
    PRIMARY KEY (unit_id, month)
);
INSERT INTO enforcement_tally_enterprises (unit_id, month, enterprise_id, records)
SELECT unit_id, substr(inspected_on, 1, 7), enterprise_id, COUNT(*)
FROM enforcements GROUP BY unit_id, substr(inspected_on, 1, 7), enterprise_id;
INSERT INTO enforcement_tallies (unit_id, month, inspections, enterprises, problems, penalties, amount_fen, must_checked)
SELECT unit_id, substr(inspected_on, 1, 7), COUNT(*), COUNT(DISTINCT enterprise_id), SUM(problem_count),
       COUNT(penalty_kind), COALESCE(SUM(penalty_amount_fen), 0),
       SUM(CASE WHEN principal_checked = 1 AND heads_checked = 1 THEN 1 ELSE 0 END)
FROM enforcements GROUP BY unit_id, substr(inspected_on, 1, 7);
-- SQLite has no functions of SQL: a record's part is written to
-- `enforcement_tally_changes` (n = 1 adds it, n = -1 takes it away), whose trigger
-- applies it to both tallies and removes it, as PostgreSQL's `enforcement_tally_add`
-- does.
CREATE TABLE enforcement_tally_changes (
    unit_id BIGINT NOT NULL,
    inspected_on TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    penalty_kind TEXT,
    penalty_amount_fen BIGINT,
    principal_checked BIGINT NOT NULL,
    heads_checked BIGINT NOT NULL,
    n BIGINT NOT NULL
);
CREATE TRIGGER enforcement_tally_apply AFTER INSERT ON enforcement_tally_changes
BEGIN
    INSERT INTO enforcement_tally_enterprises (unit_id, month, enterprise_id, records)
    VALUES (NEW.unit_id, substr(NEW.inspected_on, 1, 7), NEW.enterprise_id, NEW.n)
    ON CONFLICT (unit_id, month, enterprise_id) DO UPDATE SET records = records + excluded.records;
    INSERT INTO enforcement_tallies (unit_id, month, inspections, enterprises, problems, penalties, amount_fen, must_checked)
    VALUES (NEW.unit_id, substr(NEW.inspected_on, 1, 7), NEW.n,
            (SELECT CASE WHEN (NEW.n = 1 AND records = 1) OR (NEW.n = -1 AND records = 0) THEN NEW.n ELSE 0 END
               FROM enforcement_tally_enterprises
              WHERE unit_id = NEW.unit_id AND month = substr(NEW.inspected_on, 1, 7) AND enterprise_id = NEW.enterprise_id),
            NEW.n * NEW.problem_count,
            CASE WHEN NEW.penalty_kind IS NULL THEN 0 ELSE NEW.n END,
            NEW.n * COALESCE(NEW.penalty_amount_fen, 0),
            CASE WHEN NEW.principal_checked = 1 AND NEW.heads_checked = 1 THEN NEW.n ELSE 0 END)
    ON CONFLICT (unit_id, month) DO UPDATE SET
        inspections = inspections + excluded.inspections,
        enterprises = enterprises + excluded.enterprises,
        problems = problems + excluded.problems,
        penalties = penalties + excluded.penalties,
        amount_fen = amount_fen + excluded.amount_fen,
        must_checked = must_checked + excluded.must_checked;
    DELETE FROM enforcement_tally_enterprises
    WHERE unit_id = NEW.unit_id AND month = substr(NEW.inspected_on, 1, 7) AND enterprise_id = NEW.enterprise_id AND records = 0;
    DELETE FROM enforcement_tally_changes WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER enforcement_tallies_insert AFTER INSERT ON enforcements
BEGIN
    INSERT INTO enforcement_tally_changes VALUES (NEW.unit_id, NEW.inspected_on, NEW.enterprise_id, NEW.problem_count, NEW.penalty_kind, NEW.penalty_amount_fen, NEW.principal_checked, NEW.heads_checked, 1);
END;
CREATE TRIGGER enforcement_tallies_delete AFTER DELETE ON enforcements
BEGIN
    INSERT INTO enforcement_tally_changes VALUES (OLD.unit_id, OLD.inspected_on, OLD.enterprise_id, OLD.problem_count, OLD.penalty_kind, OLD.penalty_amount_fen, OLD.principal_checked, OLD.heads_checked, -1);
END;
-- An update takes the old row's part away and adds the new row's; one that changes
-- none of the kept parts (a recheck, a signature) does nothing.
CREATE TRIGGER enforcement_tallies_update AFTER UPDATE OF unit_id, enterprise_id, inspected_on, problem_count, penalty_kind, penalty_amount_fen, principal_checked, heads_checked ON enforcements
WHEN OLD.unit_id <> NEW.unit_id OR OLD.enterprise_id <> NEW.enterprise_id
  OR substr(OLD.inspected_on, 1, 7) <> substr(NEW.inspected_on, 1, 7)
  OR OLD.problem_count <> NEW.problem_count
  OR (OLD.penalty_kind IS NULL) <> (NEW.penalty_kind IS NULL)
  OR OLD.penalty_amount_fen IS NOT NEW.penalty_amount_fen
  OR OLD.principal_checked <> NEW.principal_checked OR OLD.heads_checked <> NEW.heads_checked
BEGIN
    INSERT INTO enforcement_tally_changes VALUES (OLD.unit_id, OLD.inspected_on, OLD.enterprise_id, OLD.problem_count, OLD.penalty_kind, OLD.penalty_amount_fen, OLD.principal_checked, OLD.heads_checked, -1);
    INSERT INTO enforcement_tally_changes VALUES (NEW.unit_id, NEW.inspected_on, NEW.enterprise_id, NEW.problem_count, NEW.penalty_kind, NEW.penalty_amount_fen, NEW.principal_checked, NEW.heads_checked, 1);
END;
-- The watch no longer reads the records, so `enforcements_unit` goes back to the
-- columns a unit's list and the scope's lookups read (those of migration 0017): the
-- covering columns 0058 gave it would only make every record's entry larger.
DROP INDEX IF EXISTS enforcements_unit;
CREATE INDEX enforcements_unit ON enforcements (unit_id, inspected_on, id);
