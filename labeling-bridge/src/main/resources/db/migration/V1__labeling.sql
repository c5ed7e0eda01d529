-- labeling-bridge's own store (database "labeling"). Every table is keyed by a natural key so that
-- replayed Kafka records and repeated vendor callbacks change nothing.

CREATE TABLE processed_event (
    event_id     TEXT PRIMARY KEY,
    topic        TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE campaign (
    campaign_id          TEXT PRIMARY KEY,
    dataset_id           TEXT NOT NULL,
    vendor               TEXT NOT NULL,
    annotation_type      TEXT NOT NULL,
    label_schema         TEXT[] NOT NULL,
    annotators_per_frame INT NOT NULL,
    instructions         TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL DEFAULT '',
    target_label_set     TEXT NOT NULL,
    deadline             TIMESTAMPTZ,
    status               TEXT NOT NULL,          -- open, completed, failed
    request_event_id     TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at          TIMESTAMPTZ
);

CREATE TABLE task (
    task_id         TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES campaign (campaign_id),
    group_no        INT NOT NULL,
    vendor          TEXT NOT NULL,
    state           TEXT NOT NULL,               -- created, dispatched, in_progress, completed, failed, expired
    version         INT NOT NULL DEFAULT 1,      -- bumped when a task is sent again on purpose
    vendor_task_ref TEXT,
    reason          TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, group_no)
);
CREATE INDEX task_by_state ON task (state);

CREATE TABLE campaign_frame (
    campaign_id TEXT NOT NULL REFERENCES campaign (campaign_id),
    frame_id    TEXT NOT NULL,
    position    INT NOT NULL,
    group_no    INT NOT NULL,
    task_id     TEXT NOT NULL REFERENCES task (task_id),
    uris        TEXT[] NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    score       DOUBLE PRECISION NOT NULL DEFAULT 0,
    gold_class  TEXT,
    PRIMARY KEY (campaign_id, frame_id)
);
CREATE INDEX campaign_frame_by_task ON campaign_frame (task_id);

CREATE TABLE task_history (
    id         BIGSERIAL PRIMARY KEY,
    task_id    TEXT NOT NULL REFERENCES task (task_id),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX task_history_by_task ON task_history (task_id, id);

-- Everything the bridge must send (vendor calls, webhooks, Kafka events): written in the same transaction
-- as the state change that caused it, sent by the dispatcher, retried with backoff until sent or failed.
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,        -- e.g. dispatch:<task>:<version>; a second insert is a no-op
    kind            TEXT NOT NULL,               -- http, kafka
    purpose         TEXT NOT NULL,               -- dispatch, retrain_webhook, event
    task_id         TEXT,
    task_version    INT,
    vendor          TEXT,
    auth            TEXT NOT NULL DEFAULT 'none',
    url             TEXT,
    channel         TEXT,
    record_key      TEXT,
    ce_type         TEXT,
    event_id        TEXT,
    body            BYTEA NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending, sent, failed, cancelled
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- Inbound callbacks already taken (vendor + a key from the signature or the vendor's own ids).
CREATE TABLE inbound_receipt (
    vendor      TEXT NOT NULL,
    receipt_key TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (vendor, receipt_key)
);

-- One answer of one vendor annotator on one frame; an update from the vendor replaces it.
CREATE TABLE annotation (
    campaign_id  TEXT NOT NULL,
    frame_id     TEXT NOT NULL,
    annotator_id TEXT NOT NULL,
    task_id      TEXT NOT NULL REFERENCES task (task_id),
    answer       JSONB NOT NULL,
    vendor_ref   TEXT,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, frame_id, annotator_id)
);
CREATE INDEX annotation_by_task ON annotation (task_id);

CREATE TABLE accepted_label (
    campaign_id TEXT NOT NULL REFERENCES campaign (campaign_id),
    frame_id    TEXT NOT NULL,
    answer      JSONB NOT NULL,
    method      TEXT NOT NULL,
    confidence  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (campaign_id, frame_id)
);

CREATE TABLE annotator_score (
    campaign_id        TEXT NOT NULL REFERENCES campaign (campaign_id),
    annotator_id       TEXT NOT NULL,
    labels             INT NOT NULL,
    agreement          DOUBLE PRECISION,
    gold_total         INT NOT NULL,
    gold_correct       INT NOT NULL,
    estimated_accuracy DOUBLE PRECISION,
    accepted           BOOLEAN NOT NULL,
    PRIMARY KEY (campaign_id, annotator_id)
);

-- Retraining policy state: accepted labels counted since the dataset's last retrain request.
CREATE TABLE dataset_counter (
    dataset_id       TEXT PRIMARY KEY,
    corrected_labels INT NOT NULL DEFAULT 0
);

CREATE TABLE retrain_request (
    request_id         TEXT PRIMARY KEY,
    dataset_id         TEXT NOT NULL,
    label_set          TEXT NOT NULL,
    reason             TEXT NOT NULL,
    campaign_id        TEXT,
    corrected_labels   INT NOT NULL,
    base_model_id      TEXT,
    base_model_version TEXT,
    webhook_status     TEXT NOT NULL DEFAULT 'none',   -- none, pending, sent, failed
    webhook_error      TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX retrain_request_once_per_campaign ON retrain_request (campaign_id) WHERE campaign_id IS NOT NULL;

-- Model versions seen on shoal.ingest.model-version-registered.v1 (base model of a request; answers to it).
CREATE TABLE model_version (
    dataset_id         TEXT NOT NULL,
    model_id           TEXT NOT NULL,
    version            TEXT NOT NULL,
    parent_version     TEXT,
    retrain_request_id TEXT,
    registered_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, model_id, version)
);
CREATE INDEX model_version_by_request ON model_version (retrain_request_id);
