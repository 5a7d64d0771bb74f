-- The directory lists a unit's children by kind, then name, a page at a time
-- (`units::children`): the next page starts after the last row shown, compared as
-- (kind, name, id). This index reads each page in that order from where the previous
-- one ended, however many enterprises a township holds; it also serves every lookup
-- by parent, so it replaces `units_parent` (parent_id, name).
CREATE INDEX units_children ON units (parent_id, kind, name, id);
DROP INDEX units_parent;
