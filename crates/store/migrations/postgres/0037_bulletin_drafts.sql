-- A bulletin is drafted before it is issued (issue 17 part 6): the office reads and
-- edits each section's text; issuing numbers it, freezes it into `bulletins` and
-- deletes the draft. `named_json` lists the units its demand names; `version` makes
-- every save and the issue a conditional update.
CREATE TABLE bulletin_drafts (
    id BIGINT PRIMARY KEY,
    month TEXT NOT NULL UNIQUE,
    content_json TEXT NOT NULL,
    named_json TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

-- The bulletin's demand "于下月5日前将整改情况报区安委办" owed by each unit it names.
ALTER TABLE obligations ADD COLUMN bulletin_id BIGINT REFERENCES bulletins(id);
CREATE INDEX obligations_bulletin ON obligations (bulletin_id);
