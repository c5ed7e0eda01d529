-- A cheaper write path for the three high-volume tables (frames, labels, inferences; user embeddings alike).
-- Measured on a scratch PostgreSQL 14 with the service's own batch statements, 2,000-row batches (see
-- docs/benchmarks/ingest.md): the foreign keys cost about 45 of 110 CPU µs per frame, the locale-aware
-- comparison of the text keys about a tenth of the rest.
--
-- 1. Foreign keys to frames and to datasets go. PostgreSQL checks each one row by row (an RI trigger running
--    SELECT 1 ... FOR KEY SHARE per inserted row, which also locks and dirties the referenced row, and turns
--    the one dataset row that every frame of a batch references into a multixact when batches run in
--    parallel). The service already guarantees what they guaranteed:
--    - a frame is stored only if its dataset exists (BatchValidator.requireDataset reads committed datasets);
--    - a label, inference or user embedding is stored only if its frame exists (BatchValidator.requireFrame
--      reads committed frames, in one query per batch);
--    - nothing ever deletes a dataset or a frame (the service has no delete path), so a reference that was
--      valid when the batch was validated stays valid when it is written and afterwards.
--    Writers other than the service are not supported; model_versions and coco_categories (few rows) keep
--    their foreign keys to datasets.
-- 2. The key columns compare bytewise (COLLATE "C"). Ids are opaque; equality is the same under any
--    deterministic collation, so uniqueness and every lookup are unchanged. Only ORDER BY over these columns
--    becomes byte order (the same as code-point order for UTF-8). This rebuilds the indexes once.
--
-- fillfactor stays at 100: the ingest load is inserts; an upsert that changes a payload rewrites no indexed
-- column, so it can be a HOT update whenever the page has room, and replays of unchanged rows write nothing.

ALTER TABLE frames DROP CONSTRAINT IF EXISTS frames_dataset_id_fkey;
ALTER TABLE labels DROP CONSTRAINT IF EXISTS labels_dataset_id_frame_id_fkey;
ALTER TABLE inferences DROP CONSTRAINT IF EXISTS inferences_dataset_id_frame_id_fkey;
ALTER TABLE user_embeddings DROP CONSTRAINT IF EXISTS user_embeddings_dataset_id_frame_id_fkey;

ALTER TABLE frames
    ALTER COLUMN dataset_id TYPE TEXT COLLATE "C",
    ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE labels
    ALTER COLUMN dataset_id TYPE TEXT COLLATE "C",
    ALTER COLUMN frame_id TYPE TEXT COLLATE "C",
    ALTER COLUMN label_set TYPE TEXT COLLATE "C",
    ALTER COLUMN labeler_id TYPE TEXT COLLATE "C";
ALTER TABLE inferences
    ALTER COLUMN dataset_id TYPE TEXT COLLATE "C",
    ALTER COLUMN frame_id TYPE TEXT COLLATE "C",
    ALTER COLUMN model_id TYPE TEXT COLLATE "C",
    ALTER COLUMN model_version TYPE TEXT COLLATE "C";
ALTER TABLE user_embeddings
    ALTER COLUMN dataset_id TYPE TEXT COLLATE "C",
    ALTER COLUMN frame_id TYPE TEXT COLLATE "C",
    ALTER COLUMN model_id TYPE TEXT COLLATE "C",
    ALTER COLUMN model_version TYPE TEXT COLLATE "C";
