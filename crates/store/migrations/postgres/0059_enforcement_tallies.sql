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
-- One function adds (n = 1) or takes away (n = -1) one record's part.
CREATE FUNCTION enforcement_tally_add(p_unit BIGINT, p_inspected_on TEXT, p_enterprise BIGINT, p_problems BIGINT, p_penalty_kind TEXT, p_amount_fen BIGINT, p_principal BIGINT, p_heads BIGINT, n BIGINT) RETURNS void AS $$
DECLARE
    m TEXT := substr(p_inspected_on, 1, 7);
    now_records BIGINT;
BEGIN
    INSERT INTO enforcement_tally_enterprises AS t (unit_id, month, enterprise_id, records)
    VALUES (p_unit, m, p_enterprise, n)
    ON CONFLICT (unit_id, month, enterprise_id) DO UPDATE SET records = t.records + excluded.records
    RETURNING t.records INTO now_records;
    IF now_records = 0 THEN
        DELETE FROM enforcement_tally_enterprises t
        WHERE t.unit_id = p_unit AND t.month = m AND t.enterprise_id = p_enterprise;
    END IF;
    INSERT INTO enforcement_tallies AS t (unit_id, month, inspections, enterprises, problems, penalties, amount_fen, must_checked)
    VALUES (p_unit, m, n,
            CASE WHEN (n = 1 AND now_records = 1) OR (n = -1 AND now_records = 0) THEN n ELSE 0 END,
            n * p_problems,
            CASE WHEN p_penalty_kind IS NULL THEN 0 ELSE n END,
            n * COALESCE(p_amount_fen, 0),
            CASE WHEN p_principal = 1 AND p_heads = 1 THEN n ELSE 0 END)
    ON CONFLICT (unit_id, month) DO UPDATE SET
        inspections = t.inspections + excluded.inspections,
        enterprises = t.enterprises + excluded.enterprises,
        problems = t.problems + excluded.problems,
        penalties = t.penalties + excluded.penalties,
        amount_fen = t.amount_fen + excluded.amount_fen,
        must_checked = t.must_checked + excluded.must_checked;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION enforcement_tallies_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM enforcement_tally_add(OLD.unit_id, OLD.inspected_on, OLD.enterprise_id, OLD.problem_count, OLD.penalty_kind, OLD.penalty_amount_fen, OLD.principal_checked, OLD.heads_checked, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM enforcement_tally_add(NEW.unit_id, NEW.inspected_on, NEW.enterprise_id, NEW.problem_count, NEW.penalty_kind, NEW.penalty_amount_fen, NEW.principal_checked, NEW.heads_checked, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enforcement_tallies_insert_delete AFTER INSERT OR DELETE ON enforcements
    FOR EACH ROW EXECUTE FUNCTION enforcement_tallies_keep();
-- An update that changes none of the kept parts (a recheck, a signature) takes no lock
-- on the tallies.
CREATE TRIGGER enforcement_tallies_update AFTER UPDATE OF unit_id, enterprise_id, inspected_on, problem_count, penalty_kind, penalty_amount_fen, principal_checked, heads_checked ON enforcements
    FOR EACH ROW
    WHEN (OLD.unit_id <> NEW.unit_id OR OLD.enterprise_id <> NEW.enterprise_id
          OR substr(OLD.inspected_on, 1, 7) <> substr(NEW.inspected_on, 1, 7)
          OR OLD.problem_count <> NEW.problem_count
          OR (OLD.penalty_kind IS NULL) <> (NEW.penalty_kind IS NULL)
          OR OLD.penalty_amount_fen IS DISTINCT FROM NEW.penalty_amount_fen
          OR OLD.principal_checked <> NEW.principal_checked OR OLD.heads_checked <> NEW.heads_checked)
    EXECUTE FUNCTION enforcement_tallies_keep();
-- The watch no longer reads the records, so `enforcements_unit` goes back to the
-- columns a unit's list and the scope's lookups read (those of migration 0017): the
-- covering columns 0058 gave it would only make every record's entry larger.
DROP INDEX IF EXISTS enforcements_unit;
CREATE INDEX enforcements_unit ON enforcements (unit_id, inspected_on, id);
