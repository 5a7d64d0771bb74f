-- The units that are not enterprises (the committee offices, townships, departments,
-- zones): about 1,000 of a city's 201,000 units. A department's scope holds the
-- enterprises of the sectors it supervises, read from `unit_sectors`, where the
-- departments supervising the same sector sit beside them: this index tells them apart
-- without reading every unit (`scope::wide_units`).
CREATE INDEX units_not_enterprise ON units (id) WHERE kind <> 'enterprise';
