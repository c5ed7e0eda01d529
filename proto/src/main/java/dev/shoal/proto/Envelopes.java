package dev.shoal.proto;

import com.google.protobuf.Timestamp;
import dev.shoal.proto.common.v1.EventEnvelope;

import java.time.Instant;
import java.util.UUID;

/** Builds the envelope of STYLE.md #7. */
public final class Envelopes {
    private Envelopes() {
    }

    public static EventEnvelope create(String producer, String datasetId, String aggregateId, String correlationId) {
        return EventEnvelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setOccurredAt(timestamp(Instant.now()))
                .setProducer(producer)
                .setDatasetId(nullToEmpty(datasetId))
                .setAggregateId(nullToEmpty(aggregateId))
                .setCorrelationId(nullToEmpty(correlationId))
                .build();
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
