-- Several processes recording hazards at once waited on each other (issue 21 part 7:
-- three processes wrote 1.4–1.6× what one did; PostgreSQL's sampled waits showed the
-- `INSERT INTO hazards` of every other transaction waiting on a row lock). The
-- trigger kept the tallies as each statement ran, so the first statement of a
-- hazard's transaction locked its tally rows (its township's month, its sector's month
-- over the whole city) until the commit, through the case, its step, its obligation and
-- the audit entry. The tallies are now changed at the commit: each statement adds its
-- grouped contribution to a pending list of its own transaction, and a deferred trigger
-- (once per transaction) folds the list into the three tallies as it commits, so the hot rows
-- are held for the fold and the commit only. The kept counts are the same at every
-- commit; within a transaction they are the committed counts.
CREATE UNLOGGED TABLE hazard_tally_pending (
    xid BIGINT NOT NULL,
    loc BIGINT NOT NULL,
    sec BIGINT NOT NULL,
    mon TEXT NOT NULL,
    found BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    major BIGINT NOT NULL,
    major_closed BIGINT NOT NULL,
    overdue BIGINT NOT NULL
);
CREATE INDEX hazard_tally_pending_xid ON hazard_tally_pending (xid);
-- The three tallies in key order (two transactions folding several keys lock them in
-- the same order).
CREATE OR REPLACE FUNCTION hazard_tallies_apply(d hazard_tally_delta[]) RETURNS void AS $$
    WITH moved AS (
        SELECT loc, sec, mon, SUM(found) AS found, SUM(closed) AS closed, SUM(major) AS major,
               SUM(major_closed) AS major_closed, SUM(overdue) AS overdue
        FROM unnest(d) GROUP BY loc, sec, mon
        HAVING SUM(found) <> 0 OR SUM(closed) <> 0 OR SUM(major) <> 0 OR SUM(major_closed) <> 0 OR SUM(overdue) <> 0
    ),
    fine AS (
        INSERT INTO hazard_tallies AS t (locality_id, sector_id, month, found, closed, major, major_closed, overdue)
        SELECT loc, sec, mon, found, closed, major, major_closed, overdue FROM moved ORDER BY loc, sec, mon
        ON CONFLICT (locality_id, sector_id, month) DO UPDATE SET
            found = t.found + excluded.found,
            closed = t.closed + excluded.closed,
            major = t.major + excluded.major,
            major_closed = t.major_closed + excluded.major_closed,
            overdue = t.overdue + excluded.overdue
        RETURNING 1
    ),
    by_locality AS (
        INSERT INTO hazard_tallies_by_locality AS t (locality_id, month, found, closed, major, major_closed, overdue)
        SELECT loc, mon, SUM(found), SUM(closed), SUM(major), SUM(major_closed), SUM(overdue) FROM moved GROUP BY loc, mon ORDER BY loc, mon
        ON CONFLICT (locality_id, month) DO UPDATE SET
            found = t.found + excluded.found,
            closed = t.closed + excluded.closed,
            major = t.major + excluded.major,
            major_closed = t.major_closed + excluded.major_closed,
            overdue = t.overdue + excluded.overdue
        RETURNING 1
    )
    INSERT INTO hazard_tallies_by_sector AS t (sector_id, month, found, closed, major, major_closed, overdue)
    SELECT sec, mon, SUM(found), SUM(closed), SUM(major), SUM(major_closed), SUM(overdue) FROM moved GROUP BY sec, mon ORDER BY sec, mon
    ON CONFLICT (sector_id, month) DO UPDATE SET
        found = t.found + excluded.found,
        closed = t.closed + excluded.closed,
        major = t.major + excluded.major,
        major_closed = t.major_closed + excluded.major_closed,
        overdue = t.overdue + excluded.overdue;
$$ LANGUAGE sql;
-- One row per transaction whose fold is due: its deferred trigger fires once, at the
-- commit (a trigger on the pending rows would fire once per row).
CREATE UNLOGGED TABLE hazard_tally_fold_due (
    xid BIGINT NOT NULL
);
CREATE INDEX hazard_tally_fold_due_xid ON hazard_tally_fold_due (xid);
-- A statement's contribution, grouped, onto its transaction's pending list; the first
-- of a transaction makes its fold due (a transaction-local setting remembers it).
CREATE FUNCTION hazard_tallies_defer(d hazard_tally_delta[]) RETURNS void AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO hazard_tally_pending (xid, loc, sec, mon, found, closed, major, major_closed, overdue)
    SELECT txid_current(), loc, sec, mon, SUM(found), SUM(closed), SUM(major), SUM(major_closed), SUM(overdue)
    FROM unnest(d) GROUP BY loc, sec, mon;
    IF COALESCE(current_setting('anjian.tally_fold_due', true), '') <> 'on' THEN
        PERFORM set_config('anjian.tally_fold_due', 'on', true);
        INSERT INTO hazard_tally_fold_due (xid) VALUES (txid_current());
    END IF;
END;
$$ LANGUAGE plpgsql;
-- At the commit: takes the transaction's pending list and folds it into the tallies.
CREATE FUNCTION hazard_tallies_fold() RETURNS trigger AS $$
#variable_conflict use_column
DECLARE
    ds hazard_tally_delta[];
BEGIN
    PERFORM set_config('anjian.tally_fold_due', '', true);
    DELETE FROM hazard_tally_fold_due WHERE xid = txid_current();
    WITH taken AS (
        DELETE FROM hazard_tally_pending WHERE xid = txid_current()
        RETURNING loc, sec, mon, found, closed, major, major_closed, overdue
    )
    SELECT array_agg(ROW(loc, sec, mon, found, closed, major, major_closed, overdue)::hazard_tally_delta)
    INTO ds FROM taken;
    IF ds IS NOT NULL THEN
        PERFORM hazard_tallies_apply(ds);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER hazard_tallies_fold AFTER INSERT ON hazard_tally_fold_due
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hazard_tallies_fold();
-- The triggers on hazards now defer instead of applying.
CREATE OR REPLACE FUNCTION hazard_tallies_keep_rows() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM hazard_tallies_defer(ARRAY(SELECT hazard_tally_delta_of(h.locality_id, h.sector_id, h.discovered_on, h.status, h.level, h.deadline, 1) FROM new_rows h));
    ELSE
        PERFORM hazard_tallies_defer(ARRAY(SELECT hazard_tally_delta_of(h.locality_id, h.sector_id, h.discovered_on, h.status, h.level, h.deadline, -1) FROM old_rows h));
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION hazard_tallies_keep() RETURNS trigger AS $$
BEGIN
    PERFORM hazard_tallies_defer(ARRAY[
        hazard_tally_delta_of(OLD.locality_id, OLD.sector_id, OLD.discovered_on, OLD.status, OLD.level, OLD.deadline, -1),
        hazard_tally_delta_of(NEW.locality_id, NEW.sector_id, NEW.discovered_on, NEW.status, NEW.level, NEW.deadline, 1)]);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- The audit chain's head follows each appended entry in the same statement (one round
-- trip less while an append holds the head's row lock; `store::audit::append`).
CREATE FUNCTION audit_head_follows() RETURNS trigger AS $$
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows();
