-- Benjamini-Hochberg q-values and the significance verdict of failure slices (clusters and metadata values).
alter table cluster add column q_value double precision;
alter table cluster add column significant boolean not null default false;
alter table cluster add column errors int;
alter table metadata_slice add column q_value double precision;
alter table metadata_slice add column significant boolean not null default false;
alter table metadata_slice add column errors int not null default 0;
alter table metadata_slice add column rank int not null default 0;
-- slices too small to test have no p-value; an error-free set has no finite lift
alter table metadata_slice alter column lift drop not null;
alter table metadata_slice alter column p_value drop not null;
