-- Counts counted: a report on an obligation that asks for a minimum ("逐月听取10个安全
-- 专项办公室…汇报", "组织开展2次督查检查") keeps how many it covers — stated by the unit,
-- or, for supervision rounds, the visits the unit recorded.
ALTER TABLE progress_reports ADD COLUMN counted BIGINT;
