package dev.shoal.ingest.messaging;

import com.google.protobuf.Message;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes catalog events: binary protobuf, keyed by aggregate id, with CloudEvents headers. {@link #await}
 * blocks until the broker acknowledged every event of a batch, so a batch call returns only once its events
 * are durable.
 */
@ApplicationScoped
public class EventPublisher {

    public static final String PRODUCER = "ingest-service";

    public static final String DATASET_EVENTS = "dataset-events";
    public static final String FRAME_EVENTS = "frame-events";
    public static final String LABEL_EVENTS = "label-events";
    public static final String INFERENCE_EVENTS = "inference-events";
    public static final String EMBEDDING_EVENTS = "embedding-events";
    public static final String MODEL_EVENTS = "model-events";

    @Inject
    @Channel(DATASET_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> datasetEvents;

    @Inject
    @Channel(FRAME_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> frameEvents;

    @Inject
    @Channel(LABEL_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> labelEvents;

    @Inject
    @Channel(INFERENCE_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> inferenceEvents;

    @Inject
    @Channel(EMBEDDING_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> embeddingEvents;

    @Inject
    @Channel(MODEL_EVENTS)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> modelEvents;

    public EventEnvelope envelope(String datasetId, String aggregateId, String correlationId) {
        return Envelopes.create(PRODUCER, datasetId, aggregateId, correlationId);
    }

    /** Sends one event; the future completes when the broker acknowledged it. */
    public CompletableFuture<Void> send(String channel, EventEnvelope envelope, Message event) {
        Emitter<byte[]> emitter = switch (channel) {
            case DATASET_EVENTS -> datasetEvents;
            case FRAME_EVENTS -> frameEvents;
            case LABEL_EVENTS -> labelEvents;
            case INFERENCE_EVENTS -> inferenceEvents;
            case EMBEDDING_EVENTS -> embeddingEvents;
            case MODEL_EVENTS -> modelEvents;
            default -> throw new IllegalArgumentException("unknown channel " + channel);
        };
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(envelope, event).forEach((name, value) -> headers.add(name, utf8(value)));
        headers.add(CloudEventHeaders.SUBJECT, utf8(envelope.getAggregateId()));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(envelope.getAggregateId())
                .withHeaders(headers)
                .build();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(org.eclipse.microprofile.reactive.messaging.Message.of(event.toByteArray())
                .addMetadata(metadata)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    acked.completeExceptionally(t);
                    return CompletableFuture.completedFuture(null);
                }));
        return acked;
    }

    /** Waits until all sends were acknowledged; throws {@link PublishException} otherwise. */
    public void await(List<CompletableFuture<Void>> sends, Duration timeout) {
        if (sends.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing events", e);
        } catch (ExecutionException e) {
            throw new PublishException("the broker refused events: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException("the broker did not acknowledge " + sends.size() + " events within " + timeout, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Events could not be published; the batch was rolled back and may be retried as it is. */
    public static class PublishException extends RuntimeException {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
