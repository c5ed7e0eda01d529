package dev.shoal.proto;

import com.google.protobuf.Timestamp;
import dev.shoal.proto.common.v1.EventEnvelope;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Builds the envelope of STYLE.md #7. */
public final class Envelopes {
    private Envelopes() {
    }

    public static EventEnvelope create(String producer, String datasetId, String aggregateId, String correlationId) {
        return EventEnvelope.newBuilder()
                .setEventId(newEventId())
                .setOccurredAt(timestamp(Instant.now()))
                .setProducer(producer)
                .setDatasetId(nullToEmpty(datasetId))
                .setAggregateId(nullToEmpty(aggregateId))
                .setCorrelationId(nullToEmpty(correlationId))
                .build();
    }

    /**
     * A new event id: a version 7 UUID (RFC 9562, "Universally Unique IDentifiers", 2024, section 5.7), 48 bits of
     * Unix time in milliseconds, then 74 random bits, so ids sort by creation time to the millisecond.
     *
     * <p>Not {@link UUID#randomUUID()}: its random bits come from one {@code SecureRandom} shared by the whole JVM,
     * and with several threads publishing events (ingest's request consumers: one event per stored row) they queued
     * on its lock (JFR, docs/benchmarks/ingest.md). An event id has to be unique, not unguessable: the random bits
     * come from {@link ThreadLocalRandom}, which needs no lock. Two ids of the same millisecond collide with
     * probability 2<sup>-74</sup>.
     */
    public static String newEventId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long unixMillis = System.currentTimeMillis();
        long msb = (unixMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
