-- Daily duties counted, not reported (plan item (14) "每日在区级以上主流媒体…发布1条以上
-- 工作动态或通过应急广播进行常态化宣传"): each unit assigned to the item logs each
-- publication or broadcast against its assignment; the days without one are counted.
CREATE TABLE daily_entries (
    id INTEGER PRIMARY KEY,
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    on_day TEXT NOT NULL,
    channel TEXT NOT NULL,
    outlet TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX daily_entries_assignment ON daily_entries (assignment_id, on_day);
