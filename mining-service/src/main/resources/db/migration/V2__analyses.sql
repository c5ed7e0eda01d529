-- Analyses as jobs, and what they found.

create table analysis (
    id                      text primary key,
    fingerprint             text not null,
    dataset_id              text not null,
    label_set               text not null,
    model_id                text not null default '',
    model_version           text not null default '',
    embedding_model_id      text not null default '',
    embedding_model_version text not null default '',
    kinds                   text not null,
    watermark               bigint not null,
    state                   text not null,
    percent_done            int not null default 0,
    error                   text,
    summary                 text,
    created_at              timestamptz not null default now(),
    finished_at             timestamptz
);
-- one live (not failed) analysis per fingerprint: concurrent identical requests share it
create unique index analysis_live_fingerprint on analysis (fingerprint) where state <> 'failed';

create table issue (
    id              text primary key,
    analysis_id     text not null references analysis (id) on delete cascade,
    dataset_id      text not null,
    frame_id        text not null,
    type            text not null,
    given_label     text,
    suggested_label text,
    score           double precision not null,
    scores          text not null default '{}',
    state           text not null default 'open',
    note            text,
    label_set       text,
    model_id        text,
    model_version   text,
    rank            int not null,
    updated_at      timestamptz not null default now()
);
create index issue_by_analysis on issue (analysis_id, rank);

create table cluster (
    analysis_id        text not null references analysis (id) on delete cascade,
    method             text not null,
    cluster_id         int not null,
    size               int not null,
    class_mix          text not null,
    accuracy           double precision,
    error_rate         double precision,
    overall_error_rate double precision,
    lift               double precision,
    p_value            double precision,
    rank               int not null,
    primary key (analysis_id, method, cluster_id)
);

create table cluster_member (
    analysis_id text not null references analysis (id) on delete cascade,
    method      text not null,
    cluster_id  int not null,
    frame_id    text not null,
    primary key (analysis_id, method, cluster_id, frame_id)
);

-- failure rate per metadata value (camera=..., site=...)
create table metadata_slice (
    analysis_id        text not null references analysis (id) on delete cascade,
    meta_key           text not null,
    meta_value         text not null,
    size               int not null,
    error_rate         double precision not null,
    overall_error_rate double precision not null,
    lift               double precision not null,
    p_value            double precision not null,
    primary key (analysis_id, meta_key, meta_value)
);

create table outlier (
    analysis_id text not null references analysis (id) on delete cascade,
    frame_id    text not null,
    knn_score   double precision not null,
    lof_score   double precision,
    rank        int not null,
    primary key (analysis_id, frame_id)
);

create table duplicate_group (
    analysis_id    text not null references analysis (id) on delete cascade,
    group_id       int not null,
    frame_ids      text not null,
    splits         text not null,
    min_similarity double precision not null,
    crosses_splits boolean not null,
    primary key (analysis_id, group_id)
);

create table map_point (
    analysis_id text not null references analysis (id) on delete cascade,
    idx         int not null,
    frame_id    text not null,
    x           real not null,
    y           real not null,
    label       text,
    cluster_id  int,
    primary key (analysis_id, idx)
);

create table labeler_quality (
    analysis_id text not null references analysis (id) on delete cascade,
    labeler_id  text not null,
    accuracy    double precision not null,
    labels      int not null,
    confusion   text not null,
    primary key (analysis_id, labeler_id)
);

create table campaign (
    id               text primary key,
    dataset_id       text not null,
    name             text not null,
    source           text not null,
    instructions     text not null default '',
    label_schema     text not null default '[]',
    annotation_type  text not null,
    target_label_set text not null default '',
    vendor           text not null default '',
    version          int not null default 1,
    sent_version     int not null default 0,
    created_at       timestamptz not null default now()
);

create table campaign_frame (
    campaign_id text not null references campaign (id) on delete cascade,
    rank        int not null,
    frame_id    text not null,
    score       double precision not null,
    reason      text not null,
    primary key (campaign_id, frame_id)
);
