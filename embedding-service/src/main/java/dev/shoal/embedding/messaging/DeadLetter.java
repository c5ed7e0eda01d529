package dev.shoal.embedding.messaging;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * What a {@link ConsumerLoop} record that could not be handled becomes on {@code <topic>.dlq}: the record
 * {@linkplain #whole whole} (key, value, headers, plus the {@code dead-letter-*} headers with the reason), or, when the
 * whole record cannot be sent (too large for the producer or the topic, or another failure that sending again would
 * not cure), a {@linkplain #reference reference}: no value, the original's topic, partition, offset and size, the key
 * only when small, its small headers, the reason and why it is not whole. So one oversized record cannot stop its
 * partition's offsets. Reasons and causes are cut to {@value #MAX_TEXT} characters.
 */
public record DeadLetter(String topic, String key, RecordHeaders headers, byte[] value) {

    /** Longest reason or cause kept in a header, in characters. */
    static final int MAX_TEXT = 4096;
    /** Longest key (UTF-8 bytes) a reference keeps; a longer one is left out. */
    static final int MAX_REFERENCE_KEY = 1024;
    /** Largest single original header (name + value) a reference keeps, and the most it keeps in all. */
    static final int MAX_REFERENCE_HEADER = 1024;
    static final int MAX_REFERENCE_HEADERS = 16 * 1024;

    /** The record as it came, with the reason. */
    public static DeadLetter whole(ConsumerRecord<String, byte[]> record, Throwable reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        describe(headers, record, reason, causeOf(reason));
        return new DeadLetter(Topics.dlq(record.topic()), record.key(), headers, record.value());
    }

    /** A small record that points at {@code record}, for when {@link #whole} could not be sent ({@code notWhole}). */
    public static DeadLetter reference(ConsumerRecord<String, byte[]> record, Throwable reason, Throwable notWhole) {
        RecordHeaders headers = new RecordHeaders();
        int kept = 0;
        for (Header h : record.headers()) {
            int size = h.key().length() + (h.value() == null ? 0 : h.value().length);
            if (size <= MAX_REFERENCE_HEADER && kept + size <= MAX_REFERENCE_HEADERS && !h.key().startsWith("dead-letter-")) {
                headers.add(h);
                kept += size;
            }
        }
        String cause = causeOf(reason);
        describe(headers, record, reason, "not dead-lettered whole: " + notWhole + (cause == null ? "" : "; cause: " + cause));
        header(headers, CloudEventHeaders.DLQ_REFERENCE, "true");
        header(headers, CloudEventHeaders.DLQ_ORIGINAL_SIZE, Long.toString(size(record)));
        String key = record.key() != null && record.key().getBytes(StandardCharsets.UTF_8).length <= MAX_REFERENCE_KEY
                ? record.key() : null;
        return new DeadLetter(Topics.dlq(record.topic()), key, headers, new byte[0]);
    }

    /**
     * Whether a failure to send {@link #whole} calls for a {@link #reference}: any failure but one Kafka marks as
     * retriable (the producer has retried those until its delivery timeout; the broker is likely away, and a
     * reference would fail the same way).
     */
    public static boolean callsForReference(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException) {
                return false;
            }
        }
        return true;
    }

    /** The record's serialized size: key, value and headers. */
    static long size(ConsumerRecord<String, byte[]> record) {
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (Header h : record.headers()) {
            size += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }

    private static String causeOf(Throwable reason) {
        return reason.getCause() != null && reason.getCause() != reason ? String.valueOf(reason.getCause().getMessage()) : null;
    }

    private static void describe(RecordHeaders headers, ConsumerRecord<String, byte[]> record, Throwable reason,
                                 String cause) {
        header(headers, CloudEventHeaders.DLQ_REASON, reason.getMessage() == null ? reason.getClass().getName() : reason.getMessage());
        if (cause != null) {
            header(headers, CloudEventHeaders.DLQ_CAUSE, cause);
        }
        header(headers, CloudEventHeaders.DLQ_TOPIC, record.topic());
        header(headers, CloudEventHeaders.DLQ_PARTITION, Integer.toString(record.partition()));
        header(headers, CloudEventHeaders.DLQ_OFFSET, Long.toString(record.offset()));
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, cut(value).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code text} cut to {@link #MAX_TEXT} characters, marked when cut. */
    static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "... (" + text.length() + " characters)";
    }
}
