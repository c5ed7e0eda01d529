-- COCO category ids seen in a dataset's ground-truth imports, so that a COCO results file (a bare array of
-- detections that names categories only by id) can be imported later as inferences.
CREATE TABLE coco_categories (
    dataset_id  TEXT NOT NULL REFERENCES datasets(id),
    category_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (dataset_id, category_id)
);
