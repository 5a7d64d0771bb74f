-- The discretion standard's clause and grade a penalty applied (自由裁量基准, item (88)
-- of the plan; issue 19 part 2). Records made before it have none.
ALTER TABLE enforcements ADD COLUMN penalty_discretion TEXT;
