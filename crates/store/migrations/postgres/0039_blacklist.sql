-- The blacklist (黑名单) of enterprises under joint discipline (联合惩戒, issue 19), one
-- table for every way in: a unit's recorded decision (concealed accident, illegal
-- production, refusal to rectify: why, the facts, the day, the term, the deciding
-- unit), and the listing an accident brings (`accident_id`, once per enterprise and
-- accident); an entry leaves by a recorded decision (`lifted_*`) or at the end of its
-- term. The accidents' earlier list (0024) moves in: decided by the committee office
-- on the day it was listed, for the default term of three years.
CREATE TABLE blacklist_new (
    id BIGINT PRIMARY KEY,
    enterprise_id BIGINT NOT NULL REFERENCES units(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    reason_kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    until_on TEXT NOT NULL,
    accident_id BIGINT REFERENCES accidents(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    lifted_on TEXT,
    lift_reason TEXT,
    lifted_by BIGINT REFERENCES users(id),
    lifted_at BIGINT
);
INSERT INTO blacklist_new (id, enterprise_id, unit_id, reason_kind, reason, decided_on, until_on, accident_id, created_at)
SELECT (o.created_at - 1577836800000) * 1024 + ROW_NUMBER() OVER (ORDER BY o.created_at, o.unit_id, o.accident_id),
       o.unit_id,
       COALESCE((SELECT u.id FROM units u WHERE u.kind = 'committee_office' ORDER BY u.depth DESC, u.id LIMIT 1), a.unit_id),
       'concealed_accident', o.reason, o.listed_on, to_char(to_date(o.listed_on, 'YYYY-MM-DD') + interval '3 years', 'YYYY-MM-DD'), o.accident_id, o.created_at
FROM blacklist o JOIN accidents a ON a.id = o.accident_id;
DROP TABLE blacklist;
ALTER TABLE blacklist_new RENAME TO blacklist;
CREATE INDEX blacklist_enterprise ON blacklist (enterprise_id, id);
-- Null accident ids are distinct on both engines: a decision never conflicts.
CREATE UNIQUE INDEX blacklist_accident ON blacklist (enterprise_id, accident_id);
