-- The audit chain's head follows each appended entry in the same statement (one round
-- trip less while an append holds the head; `store::audit::append`). On PostgreSQL
-- this migration also moves the hazard tallies' changes to the commit; SQLite takes
-- its one write lock for the whole transaction, so its tallies stay as they are.
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET hash = NEW.hash WHERE id = 1;
END;
