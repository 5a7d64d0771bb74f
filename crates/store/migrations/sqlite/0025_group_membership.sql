-- Whether a unit counts in the groups that select members by rule (各镇街, 相关区级部门,
-- 区级负有安全生产监管职责的部门 …). Internal offices under a department (区委办督查室),
-- the procuratorate and the discipline commission are named by the plan where it means
-- them ("必要时邀请区纪委监委机关、区检察院"); a group such as "区级有关部门党委（组）" or
-- "相关成员单位" does not mean them.
ALTER TABLE units ADD COLUMN in_groups BIGINT NOT NULL DEFAULT 1;
UPDATE units SET in_groups = 0 WHERE parent_id IN (SELECT p.id FROM units p WHERE p.kind = 'department');

-- One special-period mechanism: a campaign's special periods (党的二十大召开期间) are
-- declared special periods of that campaign, with the one daily report form (带班领导)
-- owed by the one set of units.
ALTER TABLE special_periods ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id);
