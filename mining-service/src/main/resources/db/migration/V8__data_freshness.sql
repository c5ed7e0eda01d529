-- What upstream held when an analysis was requested and what mining had seen of it (DataProgress, as JSON).
alter table analysis add column data text;

-- Records mining's consumers could not apply (each also goes to <topic>.dlq with the reason): counted per dataset
-- in the dataset state and in health. Keyed by the record's position, so a redelivered record is counted once.
create table dead_letter (
    topic       text        not null,
    partition   int         not null,
    record_offset bigint    not null,
    dataset_id  text,
    record_key  text,
    reason      text        not null,
    at          timestamptz not null default now(),
    primary key (topic, partition, record_offset)
);
create index dead_letter_by_dataset on dead_letter (dataset_id);
