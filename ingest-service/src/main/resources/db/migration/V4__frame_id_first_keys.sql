-- The primary keys of the high-volume tables lead with the frame id instead of the dataset id.
--
-- A perf profile of PostgreSQL during the Kafka ingest benchmark (docs/benchmarks/ingest.md) put about a quarter
-- of its CPU in B-tree key comparisons: every upsert probes and inserts into its primary key, and the validator
-- probes frames for every label and inference. With (dataset_id, ...) first, the first column is equal for nearly
-- every pair of keys compared (a batch, often a whole table, belongs to one dataset), so every comparison went on
-- to the second column, which PostgreSQL has to locate by walking the preceding variable-length column
-- (nocache_index_getattr). Leading with the frame id decides almost every comparison on the first column.
--
-- Uniqueness is the same set of columns, so every ON CONFLICT target and every lookup by (dataset_id, frame_id
-- [, ...]) is served as before. What changes: a query by dataset_id alone (GET /v1/datasets/{id}/counts) can no
-- longer range-scan the key and reads the table instead.

ALTER TABLE frames DROP CONSTRAINT frames_pkey, ADD PRIMARY KEY (id, dataset_id);
ALTER TABLE labels DROP CONSTRAINT labels_pkey, ADD PRIMARY KEY (frame_id, dataset_id, label_set, labeler_id);
ALTER TABLE inferences DROP CONSTRAINT inferences_pkey, ADD PRIMARY KEY (frame_id, dataset_id, model_id, model_version);
ALTER TABLE user_embeddings DROP CONSTRAINT user_embeddings_pkey, ADD PRIMARY KEY (frame_id, dataset_id, model_id, model_version);
