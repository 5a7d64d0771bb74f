-- The office's hazard statistics kept instead of grouped per request (issue 21 part 7:
-- 133–215 ms over 1,000,000 hazards): found, closed, major, major-closed and overdue
-- per (locality, sector, month of discovery), changed by triggers in the same
-- transaction as every insert, update and delete of a hazard, whichever code path
-- writes it. "Overdue" (open, its deadline before the day) is kept as of the day in
-- `hazard_tally_day`; when the day turns, `hazards::roll_tallies` recounts it once.
CREATE TABLE hazard_tally_day (
    id BIGINT PRIMARY KEY,
    day TEXT NOT NULL
);
INSERT INTO hazard_tally_day (id, day) VALUES (1, '0000-00-00');
CREATE TABLE hazard_tallies (
    locality_id BIGINT NOT NULL,
    sector_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    found BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    major BIGINT NOT NULL,
    major_closed BIGINT NOT NULL,
    overdue BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (locality_id, sector_id, month)
);
INSERT INTO hazard_tallies (locality_id, sector_id, month, found, closed, major, major_closed)
SELECT COALESCE(locality_id, 0), sector_id, substr(discovered_on, 1, 7), COUNT(*),
       SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN level = 'major' THEN 1 ELSE 0 END),
       SUM(CASE WHEN level = 'major' AND status = 'closed' THEN 1 ELSE 0 END)
FROM hazards GROUP BY COALESCE(locality_id, 0), sector_id, substr(discovered_on, 1, 7);
CREATE TRIGGER hazard_tallies_insert AFTER INSERT ON hazards
BEGIN
    INSERT INTO hazard_tallies (locality_id, sector_id, month, found, closed, major, major_closed, overdue)
    VALUES (COALESCE(NEW.locality_id, 0), NEW.sector_id, substr(NEW.discovered_on, 1, 7), 1,
            NEW.status = 'closed', NEW.level = 'major', NEW.level = 'major' AND NEW.status = 'closed',
            COALESCE(NEW.status <> 'closed' AND NEW.deadline < (SELECT day FROM hazard_tally_day WHERE id = 1), 0))
    ON CONFLICT (locality_id, sector_id, month) DO UPDATE SET
        found = found + 1,
        closed = closed + excluded.closed,
        major = major + excluded.major,
        major_closed = major_closed + excluded.major_closed,
        overdue = overdue + excluded.overdue;
END;
CREATE TRIGGER hazard_tallies_delete AFTER DELETE ON hazards
BEGIN
    UPDATE hazard_tallies SET
        found = found - 1,
        closed = closed - (OLD.status = 'closed'),
        major = major - (OLD.level = 'major'),
        major_closed = major_closed - (OLD.level = 'major' AND OLD.status = 'closed'),
        overdue = overdue - COALESCE(OLD.status <> 'closed' AND OLD.deadline < (SELECT day FROM hazard_tally_day WHERE id = 1), 0)
    WHERE locality_id = COALESCE(OLD.locality_id, 0) AND sector_id = OLD.sector_id
      AND month = substr(OLD.discovered_on, 1, 7);
END;
CREATE TRIGGER hazard_tallies_update AFTER UPDATE OF locality_id, sector_id, discovered_on, status, level, deadline ON hazards
WHEN COALESCE(OLD.locality_id, 0) <> COALESCE(NEW.locality_id, 0) OR OLD.sector_id <> NEW.sector_id
  OR substr(OLD.discovered_on, 1, 7) <> substr(NEW.discovered_on, 1, 7)
  OR (OLD.status = 'closed') <> (NEW.status = 'closed') OR (OLD.level = 'major') <> (NEW.level = 'major')
  OR OLD.deadline IS NOT NEW.deadline
BEGIN
    UPDATE hazard_tallies SET
        found = found - 1,
        closed = closed - (OLD.status = 'closed'),
        major = major - (OLD.level = 'major'),
        major_closed = major_closed - (OLD.level = 'major' AND OLD.status = 'closed'),
        overdue = overdue - COALESCE(OLD.status <> 'closed' AND OLD.deadline < (SELECT day FROM hazard_tally_day WHERE id = 1), 0)
    WHERE locality_id = COALESCE(OLD.locality_id, 0) AND sector_id = OLD.sector_id
      AND month = substr(OLD.discovered_on, 1, 7);
    INSERT INTO hazard_tallies (locality_id, sector_id, month, found, closed, major, major_closed, overdue)
    VALUES (COALESCE(NEW.locality_id, 0), NEW.sector_id, substr(NEW.discovered_on, 1, 7), 1,
            NEW.status = 'closed', NEW.level = 'major', NEW.level = 'major' AND NEW.status = 'closed',
            COALESCE(NEW.status <> 'closed' AND NEW.deadline < (SELECT day FROM hazard_tally_day WHERE id = 1), 0))
    ON CONFLICT (locality_id, sector_id, month) DO UPDATE SET
        found = found + 1,
        closed = closed + excluded.closed,
        major = major + excluded.major,
        major_closed = major_closed + excluded.major_closed,
        overdue = overdue + excluded.overdue;
END;
