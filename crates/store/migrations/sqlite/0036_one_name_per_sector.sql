-- One name per sector (issue 17 part 8): the directory spelled four sectors two ways.
-- Each alias's references move to the name kept (anjian_core::sector::ALIASES), then the
-- alias goes. An alias whose kept name does not exist yet is renamed in place.
CREATE TABLE sector_aliases (alias TEXT PRIMARY KEY, kept TEXT NOT NULL);
INSERT INTO sector_aliases (alias, kept) VALUES
    ('危险化学品', '危化品'),
    ('建设施工', '建筑施工'),
    ('城镇燃气', '燃气'),
    ('水利工程', '水利');

UPDATE sectors SET name = (SELECT kept FROM sector_aliases WHERE alias = sectors.name)
WHERE name IN (SELECT alias FROM sector_aliases)
  AND NOT EXISTS (SELECT 1 FROM sectors k JOIN sector_aliases a ON a.kept = k.name WHERE a.alias = sectors.name);

-- (alias sector id, kept sector id) for each alias that still has a row.
CREATE TABLE sector_moves AS
SELECT s.id AS from_id, k.id AS to_id, s.name AS alias, k.name AS kept
FROM sectors s JOIN sector_aliases a ON a.alias = s.name JOIN sectors k ON k.name = a.kept;

UPDATE hazards SET sector_id = (SELECT to_id FROM sector_moves WHERE from_id = hazards.sector_id)
WHERE sector_id IN (SELECT from_id FROM sector_moves);
UPDATE tips SET sector_id = (SELECT to_id FROM sector_moves WHERE from_id = tips.sector_id)
WHERE sector_id IN (SELECT from_id FROM sector_moves);
UPDATE enterprises SET sector_id = (SELECT to_id FROM sector_moves WHERE from_id = enterprises.sector_id)
WHERE sector_id IN (SELECT from_id FROM sector_moves);
UPDATE projects SET sector_id = (SELECT to_id FROM sector_moves WHERE from_id = projects.sector_id)
WHERE sector_id IN (SELECT from_id FROM sector_moves);
UPDATE workforce SET sector_id = (SELECT to_id FROM sector_moves WHERE from_id = workforce.sector_id)
WHERE sector_id IN (SELECT from_id FROM sector_moves);
UPDATE accidents SET sector = (SELECT kept FROM sector_aliases WHERE alias = accidents.sector)
WHERE sector IN (SELECT alias FROM sector_aliases);

INSERT INTO unit_sectors (unit_id, sector_id)
SELECT DISTINCT us.unit_id, m.to_id FROM unit_sectors us JOIN sector_moves m ON m.from_id = us.sector_id
WHERE NOT EXISTS (SELECT 1 FROM unit_sectors x WHERE x.unit_id = us.unit_id AND x.sector_id = m.to_id);
DELETE FROM unit_sectors WHERE sector_id IN (SELECT from_id FROM sector_moves);

INSERT INTO circuit_breaker_sectors (breaker_id, sector_id)
SELECT DISTINCT b.breaker_id, m.to_id FROM circuit_breaker_sectors b JOIN sector_moves m ON m.from_id = b.sector_id
WHERE NOT EXISTS (SELECT 1 FROM circuit_breaker_sectors x WHERE x.breaker_id = b.breaker_id AND x.sector_id = m.to_id);
DELETE FROM circuit_breaker_sectors WHERE sector_id IN (SELECT from_id FROM sector_moves);

DELETE FROM sectors WHERE id IN (SELECT from_id FROM sector_moves);
DROP TABLE sector_moves;
DROP TABLE sector_aliases;
