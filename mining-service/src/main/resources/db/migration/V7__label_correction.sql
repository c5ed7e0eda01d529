-- A label_wrong triage writes the corrected class back to ingest (IngestRequest on shoal.ingest.requests.v1). The
-- issue shows the class; the ledger holds what was published per issue, written after the broker acknowledged, so
-- an identical second triage publishes nothing (a crash in between publishes again: at least once).
alter table issue add column corrected_label text;
create table label_correction (
    issue_id     text primary key,
    dataset_id   text not null,
    frame_id     text not null,
    label_set    text not null,
    labeler_id   text not null,
    class_name   text not null,
    request_id   text not null,
    published_at timestamptz not null default now()
);
