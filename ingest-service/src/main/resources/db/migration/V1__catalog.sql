-- The ingest catalog. Every row keeps its proto payload (deterministic serialization): an upsert whose payload
-- is byte-identical to the stored one changes nothing and publishes nothing (idempotent replays).

CREATE TABLE datasets (
    id           TEXT PRIMARY KEY,
    payload      BYTEA NOT NULL,
    modality     SMALLINT NOT NULL,
    class_names  TEXT[] NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE frames (
    dataset_id   TEXT NOT NULL REFERENCES datasets(id),
    id           TEXT NOT NULL,
    split        SMALLINT NOT NULL,
    width        INT NOT NULL,
    height       INT NOT NULL,
    payload      BYTEA NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, id)
);

CREATE TABLE labels (
    dataset_id   TEXT NOT NULL,
    frame_id     TEXT NOT NULL,
    label_set    TEXT NOT NULL,
    labeler_id   TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, frame_id, label_set, labeler_id),
    FOREIGN KEY (dataset_id, frame_id) REFERENCES frames(dataset_id, id)
);

CREATE TABLE inferences (
    dataset_id    TEXT NOT NULL,
    frame_id      TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    model_version TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, frame_id, model_id, model_version),
    FOREIGN KEY (dataset_id, frame_id) REFERENCES frames(dataset_id, id)
);

CREATE TABLE user_embeddings (
    dataset_id    TEXT NOT NULL,
    frame_id      TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    model_version TEXT NOT NULL,
    dimension     INT NOT NULL,
    payload       BYTEA NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, frame_id, model_id, model_version),
    FOREIGN KEY (dataset_id, frame_id) REFERENCES frames(dataset_id, id)
);

CREATE TABLE model_versions (
    dataset_id          TEXT NOT NULL REFERENCES datasets(id),
    model_id            TEXT NOT NULL,
    version             TEXT NOT NULL,
    embedding_dimension INT NOT NULL,
    payload             BYTEA NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, model_id, version)
);

CREATE INDEX user_embeddings_model ON user_embeddings (dataset_id, model_id, model_version);
