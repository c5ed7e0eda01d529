package dev.shoal.embedding.messaging;

import com.google.protobuf.Message;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Publishes EmbeddingComputed / EmbeddingFailed: binary protobuf, keyed by frame id, CloudEvents headers. */
@ApplicationScoped
public class EmbeddingEventProducer {

    public static final String PRODUCER = "embedding-service";
    public static final String COMPUTED_CHANNEL = "embedding-computed";
    public static final String FAILED_CHANNEL = "embedding-failed";

    @Inject
    @Channel(COMPUTED_CHANNEL)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> computed;

    @Inject
    @Channel(FAILED_CHANNEL)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> failed;

    public CompletableFuture<Void> computed(String datasetId, String frameId, String modelId, String modelVersion,
                                            int dimension, String correlationId) {
        EmbeddingComputed event = EmbeddingComputed.newBuilder()
                .setEnvelope(Envelopes.create(PRODUCER, datasetId, frameId, correlationId))
                .setFrameId(frameId)
                .setModelId(modelId)
                .setModelVersion(modelVersion)
                .setDimension(dimension)
                .build();
        return send(computed, event.getEnvelope(), event, Topics.EMBEDDING_COMPUTED);
    }

    public CompletableFuture<Void> failed(String datasetId, String frameId, String modelId, String modelVersion,
                                          String uri, String reason, String correlationId) {
        EmbeddingFailed event = EmbeddingFailed.newBuilder()
                .setEnvelope(Envelopes.create(PRODUCER, datasetId, frameId, correlationId))
                .setFrameId(nz(frameId))
                .setModelId(nz(modelId))
                .setModelVersion(nz(modelVersion))
                .setUri(nz(uri))
                .setReason(nz(reason))
                .build();
        return send(failed, event.getEnvelope(), event, Topics.EMBEDDING_FAILED);
    }

    private static CompletableFuture<Void> send(Emitter<byte[]> emitter, EventEnvelope env, Message event, String topic) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(env, event).forEach((name, value) -> header(headers, name, value));
        OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(env.getAggregateId())
                .withTopic(topic)
                .withHeaders(headers)
                .build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        emitter.send(org.eclipse.microprofile.reactive.messaging.Message.of(event.toByteArray())
                .addMetadata(meta)
                .withAck(() -> {
                    done.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    done.completeExceptionally(t);
                    return CompletableFuture.completedFuture(null);
                }));
        return done;
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
