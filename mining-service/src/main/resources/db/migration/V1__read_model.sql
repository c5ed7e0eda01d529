-- Read model of ingest/embedding events. Natural keys, idempotent upserts; every change bumps the
-- dataset's watermark so analyses can tell whether their inputs changed.

create sequence change_seq;

create table processed_event (
    event_id     text primary key,
    topic        text not null,
    processed_at timestamptz not null default now()
);

create table dataset_watermark (
    dataset_id text primary key,
    seq        bigint not null
);

create table frame (
    dataset_id text not null,
    frame_id   text not null,
    split      text not null,
    uris       text not null default '[]',
    metadata   text not null default '{}',
    seq        bigint not null,
    primary key (dataset_id, frame_id)
);

-- kind: classification | boxes | polygons; class_name for classification; shapes as JSON for the others
create table label (
    dataset_id text not null,
    frame_id   text not null,
    label_set  text not null,
    labeler_id text not null,
    kind       text not null,
    class_name text,
    shapes     text,
    seq        bigint not null,
    primary key (dataset_id, frame_id, label_set, labeler_id)
);
create index label_by_set on label (dataset_id, label_set, frame_id);

-- kind: classification (class_names/probs as JSON arrays) | boxes (shapes JSON: [{cls,x,y,w,h,score}])
create table inference (
    dataset_id    text not null,
    frame_id      text not null,
    model_id      text not null,
    model_version text not null,
    kind          text not null,
    class_names   text,
    probs         bytea,
    shapes        text,
    seq           bigint not null,
    primary key (dataset_id, frame_id, model_id, model_version)
);
create index inference_by_model on inference (dataset_id, model_id, model_version, frame_id);

-- source: user (vector held here, little-endian float32) | computed (vector held by embedding-service)
create table embedding (
    dataset_id    text not null,
    frame_id      text not null,
    model_id      text not null,
    model_version text not null,
    source        text not null,
    dimension     int not null,
    vector        bytea,
    seq           bigint not null,
    primary key (dataset_id, frame_id, model_id, model_version)
);
create index embedding_by_model on embedding (dataset_id, model_id, model_version, frame_id);
