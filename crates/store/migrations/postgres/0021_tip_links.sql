-- The hazards and enforcement records a tip's verification produced, named by the
-- routed unit with its outcome (each in that unit's scope).
CREATE TABLE tip_links (
    tip_id BIGINT NOT NULL REFERENCES tips(id),
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (tip_id, kind, target_id)
);
