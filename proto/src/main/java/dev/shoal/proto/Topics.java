package dev.shoal.proto;

/**
 * Every Kafka topic of the Shoal contract: {@code shoal.<context>.<event>.v<N>} (STYLE.md #8).
 * Services map their short channel names to these with an explicit {@code topic=}; tests reuse the constants.
 * Each incoming topic has a dead-letter topic {@code <topic>.dlq} carrying the reason in headers.
 */
public final class Topics {
    private Topics() {
    }

    // ingest-service: what training systems publish to (IngestRequest, proto3-JSON or binary)
    public static final String INGEST_REQUESTS = "shoal.ingest.requests.v1";
    // ingest-service events
    public static final String DATASET_CREATED = "shoal.ingest.dataset-created.v1";
    public static final String FRAME_UPSERTED = "shoal.ingest.frame-upserted.v1";
    public static final String LABEL_UPSERTED = "shoal.ingest.label-upserted.v1";
    public static final String INFERENCE_UPSERTED = "shoal.ingest.inference-upserted.v1";
    public static final String EMBEDDING_SUPPLIED = "shoal.ingest.embedding-supplied.v1";
    public static final String MODEL_VERSION_REGISTERED = "shoal.ingest.model-version-registered.v1";

    // embedding-service events
    public static final String EMBEDDING_COMPUTED = "shoal.embedding.embedding-computed.v1";
    public static final String EMBEDDING_FAILED = "shoal.embedding.embedding-failed.v1";

    // mining-service events
    public static final String MINING_ISSUE_FOUND = "shoal.mining.issue-found.v1";

    // labeling: mining asks for labels, the bridge answers with labels and retraining requests
    public static final String LABELING_REQUESTED = "shoal.labeling.requested.v1";
    public static final String LABELS_ACCEPTED = "shoal.labels.accepted.v1";
    public static final String RETRAIN_REQUESTED = "shoal.training.retrain-requested.v1";

    public static String dlq(String topic) {
        return topic + ".dlq";
    }
}
