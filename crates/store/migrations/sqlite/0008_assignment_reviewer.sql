-- The unit that reviews a co-responsible unit's reports: the work item's lead unit when
-- it has exactly one; NULL (the office reviews) when several units lead jointly, as
-- when 各镇街 lead an item, so that townships never review one another or a department.
ALTER TABLE assignments ADD COLUMN reviewer_unit_id BIGINT REFERENCES units(id);
UPDATE assignments SET reviewer_unit_id = (
    SELECT MIN(la.unit_id) FROM assignments la
    WHERE la.campaign_id = assignments.campaign_id
      AND la.work_item_id = assignments.work_item_id AND la.role = 'lead')
WHERE role = 'co' AND work_item_id IS NOT NULL AND (
    SELECT COUNT(*) FROM assignments la
    WHERE la.campaign_id = assignments.campaign_id
      AND la.work_item_id = assignments.work_item_id AND la.role = 'lead') = 1;
CREATE INDEX assignments_reviewer ON assignments (reviewer_unit_id);
