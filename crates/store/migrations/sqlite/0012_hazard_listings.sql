-- Listed supervision (挂牌督办): a major hazard listed by the office with a supervision
-- deadline and a responsible leader; only the listing unit closes it, after verifying
-- on site. The listing history is kept (a listed-hazards board).
CREATE TABLE hazard_listings (
    id INTEGER PRIMARY KEY,
    hazard_id BIGINT NOT NULL REFERENCES hazards(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    leader TEXT NOT NULL,
    deadline TEXT NOT NULL,
    note TEXT NOT NULL,
    listed_by BIGINT REFERENCES users(id),
    listed_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX hazard_listings_hazard ON hazard_listings (hazard_id, id);
CREATE INDEX hazard_listings_listed ON hazard_listings (listed_at, id);
CREATE INDEX hazards_listed ON hazards (listed, id);
