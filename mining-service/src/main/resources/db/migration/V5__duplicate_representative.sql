-- Near-duplicate groups are bounded by a representative frame: every member is within the threshold of it.
alter table duplicate_group add column representative text;
