package dev.shoal.proto;

/**
 * CloudEvents-style Kafka header names (binary content mode) that every Shoal event carries, plus the
 * dead-letter headers. Values are UTF-8 strings.
 */
public final class CloudEventHeaders {
    private CloudEventHeaders() {
    }

    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String TIME = "ce_time";
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String SUBJECT = "ce_subject";
    /** "application/protobuf" or "application/json" (proto3-JSON). */
    public static final String CONTENT_TYPE = "content-type";

    public static final String PROTOBUF = "application/protobuf";
    public static final String JSON = "application/json";

    /** Set on records sent to {@code <topic>.dlq}: why the record was refused. */
    public static final String DLQ_REASON = "dead-letter-reason";
    public static final String DLQ_TOPIC = "dead-letter-topic";
}
