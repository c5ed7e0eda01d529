-- The top predicted class of each model's latest inference on a frame: the prediction field vectors carry
-- (the most recently updated row of a frame wins, like frame_label).
create table frame_prediction (
    dataset_id    text        not null,
    frame_id      text        not null,
    model_id      text        not null,
    model_version text        not null,
    class_name    text        not null,
    updated_at    timestamptz not null default now(),
    primary key (dataset_id, frame_id, model_id, model_version)
);
