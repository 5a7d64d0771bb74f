-- A department's hazard statistics read the hazards of its sectors from the kept
-- tallies; what remains are the hazards of its sectors' enterprises in other sectors.
-- Probing each of a sector's 25,000 enterprises for them took 140 ms of the page's
-- 180 ms in the city, and found none: an enterprise can have a hazard outside the
-- sectors a department supervises only if it has two sectors or more, or a hazard in
-- a sector that is not its own (it left that sector since). `cross_sector_units` keeps
-- at least those units (`scope::Supervised::others`); units without a sector (the
-- townships, whose hazards carry the enterprise's sector) are never in it.
CREATE TABLE cross_sector_units (
    unit_id BIGINT PRIMARY KEY
);
INSERT INTO cross_sector_units (unit_id)
SELECT unit_id FROM unit_sectors GROUP BY unit_id HAVING COUNT(*) >= 2
UNION
SELECT DISTINCT h.unit_id FROM hazards h
WHERE EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = h.unit_id)
  AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = h.unit_id AND s.sector_id = h.sector_id);
-- Whether a unit's sectors changed: it is counted again, exactly.
CREATE TRIGGER cross_sector_units_sectors_insert AFTER INSERT ON unit_sectors
BEGIN
    DELETE FROM cross_sector_units WHERE unit_id = NEW.unit_id;
    INSERT INTO cross_sector_units (unit_id)
    SELECT NEW.unit_id
    WHERE (SELECT COUNT(*) FROM unit_sectors s WHERE s.unit_id = NEW.unit_id) >= 2
       OR EXISTS (SELECT 1 FROM hazards h WHERE h.unit_id = NEW.unit_id
                  AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id AND s.sector_id = h.sector_id));
END;
CREATE TRIGGER cross_sector_units_sectors_delete AFTER DELETE ON unit_sectors
BEGIN
    DELETE FROM cross_sector_units WHERE unit_id = OLD.unit_id;
    INSERT INTO cross_sector_units (unit_id)
    SELECT OLD.unit_id
    WHERE (SELECT COUNT(*) FROM unit_sectors s WHERE s.unit_id = OLD.unit_id) >= 2
       OR (EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = OLD.unit_id)
           AND EXISTS (SELECT 1 FROM hazards h WHERE h.unit_id = OLD.unit_id
                       AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = OLD.unit_id AND s.sector_id = h.sector_id)));
END;
-- A hazard outside its unit's sectors adds the unit (a hazard that leaves, or is
-- deleted, leaves the unit listed: the list may hold more than it must, never less).
CREATE TRIGGER cross_sector_units_hazard_insert AFTER INSERT ON hazards
WHEN EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id)
 AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id AND s.sector_id = NEW.sector_id)
BEGIN
    INSERT INTO cross_sector_units (unit_id) VALUES (NEW.unit_id)
    ON CONFLICT (unit_id) DO NOTHING;
END;
CREATE TRIGGER cross_sector_units_hazard_update AFTER UPDATE OF unit_id, sector_id ON hazards
WHEN EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id)
 AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id AND s.sector_id = NEW.sector_id)
BEGIN
    INSERT INTO cross_sector_units (unit_id) VALUES (NEW.unit_id)
    ON CONFLICT (unit_id) DO NOTHING;
END;
-- A department's statistics by unit read the fine tallies of its sectors.
CREATE INDEX hazard_tallies_sector ON hazard_tallies (sector_id, locality_id, month);
