-- The day a campaign's deadlines before its start fall due (its start plus the office's
-- grace, fixed at launch), so that a unit joining later owes them on the same day as the
-- units given the work at launch, whatever the calendar or the setting has become.
ALTER TABLE campaigns ADD COLUMN grace_on TEXT;
