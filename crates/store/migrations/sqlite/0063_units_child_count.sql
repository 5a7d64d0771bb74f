-- The directory's list of a unit's children showed each child's own number of
-- children, counted per request: the office's list of a city's 1,000 townships counted
-- their 200,000 enterprises through `units_parent` on every view (130 ms on
-- PostgreSQL). Each unit now keeps the number of its children, changed by triggers in
-- the same transaction as the units that come, go or move.
ALTER TABLE units ADD COLUMN child_count BIGINT NOT NULL DEFAULT 0;
UPDATE units SET child_count = (SELECT COUNT(*) FROM units c WHERE c.parent_id = units.id);
CREATE TRIGGER units_child_count_insert AFTER INSERT ON units
WHEN NEW.parent_id IS NOT NULL
BEGIN
    UPDATE units SET child_count = child_count + 1 WHERE id = NEW.parent_id;
END;
CREATE TRIGGER units_child_count_delete AFTER DELETE ON units
WHEN OLD.parent_id IS NOT NULL
BEGIN
    UPDATE units SET child_count = child_count - 1 WHERE id = OLD.parent_id;
END;
CREATE TRIGGER units_child_count_move AFTER UPDATE OF parent_id ON units
WHEN OLD.parent_id IS NOT NEW.parent_id
BEGIN
    UPDATE units SET child_count = child_count - 1 WHERE id = OLD.parent_id;
    UPDATE units SET child_count = child_count + 1 WHERE id = NEW.parent_id;
END;
