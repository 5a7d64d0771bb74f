-- A city above its districts (issue 21 part 3): a listing for supervision (挂牌督办) is
-- the district's own or the city's, which lists a district's major hazard from above.
ALTER TABLE hazard_listings ADD COLUMN level TEXT NOT NULL DEFAULT 'district';
