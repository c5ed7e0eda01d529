-- The embedding service's own read model of frames and their classification labels: what the training job
-- trains on, what a new model version re-embeds, and the scalar fields vectors carry (split, label).
create table frame_catalog (
    dataset_id   text        not null,
    frame_id     text        not null,
    uris         text        not null,   -- newline-separated, in the frame's order
    modality     text        not null,
    split        text,
    updated_at   timestamptz not null default now(),
    primary key (dataset_id, frame_id)
);

create table frame_label (
    dataset_id   text        not null,
    frame_id     text        not null,
    label_set    text        not null,
    labeler_id   text        not null,
    class_name   text        not null,
    updated_at   timestamptz not null default now(),
    primary key (dataset_id, frame_id, label_set, labeler_id)
);
