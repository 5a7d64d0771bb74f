-- `cross_sector_units` (migration 0062) must hold every unit with a hazard outside its
-- sectors. Under READ COMMITTED, a hazard recorded for an enterprise while another
-- transaction changed that enterprise's sectors could each judge the unit without the
-- other's work: the hazard against the old sectors, the recount without the
-- uncommitted hazard, and the unit was left out. They now take one transaction-scoped
-- advisory lock (key 2022062064) before judging, in a statement of their own that sees
-- what the other committed meanwhile: a hazard's insert or move takes it shared
-- (hazards never wait for each other), a change to units' sectors takes it exclusive
-- (a directory edit of sectors waits for the hazards being written, and they for it,
-- until the other transaction ends). SQLite takes its one write lock for the whole
-- transaction and needs nothing.
CREATE OR REPLACE FUNCTION cross_sector_units_recount(units BIGINT[]) RETURNS void AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(2022062064);
    DELETE FROM cross_sector_units WHERE unit_id = ANY(units);
    INSERT INTO cross_sector_units (unit_id)
    SELECT DISTINCT t.u FROM unnest(units) AS t(u)
    WHERE (SELECT COUNT(*) FROM unit_sectors s WHERE s.unit_id = t.u) >= 2
       OR (EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = t.u)
           AND EXISTS (SELECT 1 FROM hazards h WHERE h.unit_id = t.u
                       AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = t.u AND s.sector_id = h.sector_id)))
    ON CONFLICT (unit_id) DO NOTHING;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION cross_sector_units_hazards_new() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(2022062064);
    INSERT INTO cross_sector_units (unit_id)
    SELECT DISTINCT n.unit_id FROM new_rows n
    WHERE EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = n.unit_id)
      AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = n.unit_id AND s.sector_id = n.sector_id)
    ON CONFLICT (unit_id) DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION cross_sector_units_hazard_moved() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(2022062064);
    INSERT INTO cross_sector_units (unit_id)
    SELECT NEW.unit_id
    WHERE EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id)
      AND NOT EXISTS (SELECT 1 FROM unit_sectors s WHERE s.unit_id = NEW.unit_id AND s.sector_id = NEW.sector_id)
    ON CONFLICT (unit_id) DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
