-- Frames the pipeline could not embed, one row per frame (its latest failure), deleted when the frame gets a vector.
-- no_model: no model for its content was loaded (no image model yet); such frames are embedded once a model appears.
create table embedding_failure (
    dataset_id    text        not null,
    frame_id      text        not null,
    modality      text        not null,   -- of the content when no model was there for it, else as the frame declared
    model_version text,                   -- modelId@version of the model that failed, null when none was there
    no_model      boolean     not null,
    reason        text        not null,
    failed_at     timestamptz not null default now(),
    primary key (dataset_id, frame_id)
);

-- The training jobs the service started by itself (auto-training), one row per dataset and label set: the latest.
create table auto_training (
    dataset_id     text        not null,
    label_set      text        not null,
    labeled_frames integer     not null,
    classes        integer     not null,
    job_id         text        not null,
    state          text        not null,
    model_version  text,
    message        text,
    started_at     timestamptz not null default now(),
    finished_at    timestamptz,
    primary key (dataset_id, label_set)
);
