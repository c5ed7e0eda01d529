package dev.shoal.labeling.messaging;

import dev.shoal.proto.CloudEventHeaders;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** Sends the outbox's Kafka entries: binary protobuf, keyed by aggregate id, with CloudEvents headers. */
@ApplicationScoped
public class EventPublisher {

    public static final String PRODUCER = "labeling-bridge";
    public static final String LABELS_ACCEPTED = "labels-accepted";
    public static final String INGEST_REQUESTS = "ingest-requests";
    public static final String RETRAIN_REQUESTED = "retrain-requested";

    @Inject
    @Channel(LABELS_ACCEPTED)
    Emitter<byte[]> labelsAccepted;

    @Inject
    @Channel(INGEST_REQUESTS)
    Emitter<byte[]> ingestRequests;

    @Inject
    @Channel(RETRAIN_REQUESTED)
    Emitter<byte[]> retrainRequested;

    /** Completes when the broker acknowledged the record. */
    public CompletableFuture<Void> send(String channel, String key, String ceType, String eventId, byte[] payload) {
        Emitter<byte[]> emitter = switch (channel) {
            case LABELS_ACCEPTED -> labelsAccepted;
            case INGEST_REQUESTS -> ingestRequests;
            case RETRAIN_REQUESTED -> retrainRequested;
            default -> throw new IllegalArgumentException("unknown channel " + channel);
        };
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(eventId, ceType, PRODUCER, Instant.now()).forEach((name, value) -> header(headers, name, value));
        OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key).withHeaders(headers).build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Message<byte[]> message = Message.of(payload, Metadata.of(meta))
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(reason -> {
                    done.completeExceptionally(reason);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        return done;
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
