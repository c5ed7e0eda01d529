package dev.shoal.embedding.messaging;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterTest {

    static ConsumerRecord<String, byte[]> record(String key, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>(Topics.FRAME_UPSERTED, 2, 41, 0L, TimestampType.CREATE_TIME,
                key.getBytes(StandardCharsets.UTF_8).length, value.length, key, value, headers, Optional.empty());
    }

    static String header(DeadLetter d, String name) {
        var h = d.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void a_whole_dead_letter_keeps_the_record_and_adds_where_it_came_from_and_why() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("ce_type", "t".getBytes(StandardCharsets.UTF_8)));
        byte[] value = {1, 2, 3};
        DeadLetter d = DeadLetter.whole(record("f1", value, headers), new IllegalStateException("bad frame"));
        assertEquals(Topics.dlq(Topics.FRAME_UPSERTED), d.topic());
        assertEquals("f1", d.key());
        assertArrayEquals(value, d.value());
        assertEquals("t", header(d, "ce_type"));
        assertEquals("bad frame", header(d, CloudEventHeaders.DLQ_REASON));
        assertEquals("2", header(d, CloudEventHeaders.DLQ_PARTITION));
        assertEquals("41", header(d, CloudEventHeaders.DLQ_OFFSET));
        assertNull(header(d, CloudEventHeaders.DLQ_REFERENCE));
    }

    @Test
    void a_reference_carries_no_value_no_large_key_or_header_and_a_reason_cut_short() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader("ce_id", "id-1".getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader("huge", new byte[100_000]));
        String bigKey = "k".repeat(5000);
        byte[] value = new byte[2_000_000];
        String longReason = "r".repeat(50_000);
        DeadLetter d = DeadLetter.reference(record(bigKey, value, headers), new IllegalStateException(longReason),
                new RecordTooLargeException("too large"));
        assertEquals(0, d.value().length);
        assertNull(d.key(), "a key over 1 KiB is left out");
        assertEquals("id-1", header(d, "ce_id"));
        assertNull(header(d, "huge"));
        assertEquals("true", header(d, CloudEventHeaders.DLQ_REFERENCE));
        assertEquals(Long.toString(5000 + 2_000_000 + "ce_id".length() + 4 + "huge".length() + 100_000), header(d, CloudEventHeaders.DLQ_ORIGINAL_SIZE));
        assertEquals(Topics.FRAME_UPSERTED, header(d, CloudEventHeaders.DLQ_TOPIC));
        assertEquals("41", header(d, CloudEventHeaders.DLQ_OFFSET));
        assertTrue(header(d, CloudEventHeaders.DLQ_REASON).length() < 4200);
        assertTrue(header(d, CloudEventHeaders.DLQ_CAUSE).contains("RecordTooLargeException"));
        assertEquals("f1", DeadLetter.reference(record("f1", value, new RecordHeaders()), new IllegalStateException("x"),
                new RecordTooLargeException("too large")).key(), "a small key is kept");
    }

    @Test
    void only_failures_kafka_would_not_retry_call_for_a_reference() {
        assertTrue(DeadLetter.callsForReference(new RecordTooLargeException("too large")));
        assertTrue(DeadLetter.callsForReference(new CompletionException(new RecordTooLargeException("too large"))));
        assertFalse(DeadLetter.callsForReference(new TimeoutException("delivery timeout")));
        assertFalse(DeadLetter.callsForReference(new CompletionException(new NetworkException("down"))));
    }
}
