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
    /** Set on dead letters (as SmallRye's dead-letter strategy names them): the failure's cause, partition, offset. */
    public static final String DLQ_CAUSE = "dead-letter-cause";
    public static final String DLQ_PARTITION = "dead-letter-partition";
    public static final String DLQ_OFFSET = "dead-letter-offset";
    /**
     * Set to {@code true} on a dead letter that stands for a record that could not be dead-lettered whole (too large
     * for the dead-letter topic, or refused by it): it carries no value, and the key only when small; the original is
     * still at {@link #DLQ_TOPIC} / {@link #DLQ_PARTITION} / {@link #DLQ_OFFSET} while the topic retains it.
     */
    public static final String DLQ_REFERENCE = "dead-letter-reference";
    /** On a reference: the original record's serialized size in bytes (key, value and headers). */
    public static final String DLQ_ORIGINAL_SIZE = "dead-letter-original-size";

    /**
     * The header values every Shoal event carries, in a fixed order: id, spec version, type, source, time and
     * content type (binary protobuf). Each service adds them to its outgoing Kafka record as UTF-8 bytes.
     */
    public static java.util.Map<String, String> of(String eventId, String type, String source, java.time.Instant time) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put(ID, eventId);
        headers.put(SPEC_VERSION, "1.0");
        headers.put(TYPE, type);
        headers.put(SOURCE, source);
        headers.put(TIME, java.time.format.DateTimeFormatter.ISO_INSTANT.format(time));
        headers.put(CONTENT_TYPE, PROTOBUF);
        return headers;
    }

    /** {@link #of} for an event whose envelope says who sent it and when. */
    public static java.util.Map<String, String> of(dev.shoal.proto.common.v1.EventEnvelope envelope, com.google.protobuf.Message event) {
        return of(envelope.getEventId(), event.getDescriptorForType().getFullName(), envelope.getProducer(),
                Envelopes.instant(envelope.getOccurredAt()));
    }
}
