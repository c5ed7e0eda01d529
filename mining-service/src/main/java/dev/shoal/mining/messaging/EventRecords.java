package dev.shoal.mining.messaging;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Outgoing records: binary protobuf keyed by aggregate id with CloudEvents headers (STYLE.md #7-#9). */
final class EventRecords {
    private EventRecords() {
    }

    static final String PRODUCER = "mining-service";

    /** A message whose future completes when the broker acknowledged it (or fails when it refused it). */
    static Message<byte[]> message(String key, byte[] payload, EventEnvelope envelope, String type, CompletableFuture<Void> acked) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(envelope.getEventId(), type, envelope.getProducer(), Envelopes.instant(envelope.getOccurredAt()))
                .forEach((name, value) -> headers.add(name, utf8(value)));
        return Message.of(payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
