-- The directory's list of a unit's children showed each child's own number of
-- children, counted per request: the office's list of a city's 1,000 townships counted
-- their 200,000 enterprises through `units_parent` on every view (130 ms on
-- PostgreSQL). Each unit now keeps the number of its children, changed in the same
-- statement as the units that come, go or move: inserts and deletes once per
-- statement from its transition table (an import of 1,000 enterprises under one
-- township changes the township's row once), a move by a row trigger.
ALTER TABLE units ADD COLUMN child_count BIGINT NOT NULL DEFAULT 0;
UPDATE units SET child_count = c.n
FROM (SELECT parent_id, COUNT(*) AS n FROM units WHERE parent_id IS NOT NULL GROUP BY parent_id) c
WHERE units.id = c.parent_id;
CREATE FUNCTION units_child_count_insert() RETURNS trigger AS $$
BEGIN
    UPDATE units SET child_count = units.child_count + c.n
    FROM (SELECT parent_id, COUNT(*) AS n FROM new_rows WHERE parent_id IS NOT NULL GROUP BY parent_id) c
    WHERE units.id = c.parent_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION units_child_count_delete() RETURNS trigger AS $$
BEGIN
    UPDATE units SET child_count = units.child_count - c.n
    FROM (SELECT parent_id, COUNT(*) AS n FROM old_rows WHERE parent_id IS NOT NULL GROUP BY parent_id) c
    WHERE units.id = c.parent_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION units_child_count_move() RETURNS trigger AS $$
BEGIN
    UPDATE units SET child_count = child_count - 1 WHERE id = OLD.parent_id;
    UPDATE units SET child_count = child_count + 1 WHERE id = NEW.parent_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER units_child_count_insert AFTER INSERT ON units
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_child_count_insert();
CREATE TRIGGER units_child_count_delete AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_child_count_delete();
CREATE TRIGGER units_child_count_move AFTER UPDATE OF parent_id ON units
    FOR EACH ROW
    WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
    EXECUTE FUNCTION units_child_count_move();
