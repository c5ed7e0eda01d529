package dev.shoal.embedding.messaging;

import com.google.protobuf.Message;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes EmbeddingComputed / EmbeddingFailed (binary protobuf, keyed by frame id, CloudEvents headers), and the
 * dead letters of the {@code FrameUpserted} and {@code EmbeddingSupplied} consumers.
 */
@ApplicationScoped
public class EmbeddingEventProducer {

    private static final Logger LOG = Logger.getLogger(EmbeddingEventProducer.class);

    public static final String PRODUCER = "embedding-service";
    public static final String COMPUTED_CHANNEL = "embedding-computed";
    public static final String FAILED_CHANNEL = "embedding-failed";
    public static final String DEAD_LETTER_CHANNEL = "dead-letters";

    @Inject
    @Channel(COMPUTED_CHANNEL)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> computed;

    @Inject
    @Channel(FAILED_CHANNEL)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> failed;

    @Inject
    @Channel(DEAD_LETTER_CHANNEL)
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
    Emitter<byte[]> deadLetters;

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
                .setUri(DeadLetter.cut(nz(uri)))
                .setReason(DeadLetter.cut(nz(reason)))
                .build();
        return send(failed, event.getEnvelope(), event, Topics.EMBEDDING_FAILED);
    }

    /**
     * Sends a consumed record that could not be handled to {@code <topic>.dlq} as it came (key, value, headers), with
     * the headers SmallRye's dead-letter strategy sets: {@code dead-letter-reason}, {@code dead-letter-cause},
     * {@code dead-letter-topic}, {@code dead-letter-partition}, {@code dead-letter-offset}. When the whole record
     * cannot be sent (too large, or refused for a reason sending again would not cure), sends a
     * {@linkplain DeadLetter#reference reference} to it instead, so its offset can move on. Used by the
     * {@link ConsumerLoop}s, which are not SmallRye channels.
     */
    public CompletableFuture<Void> deadLetter(ConsumerRecord<String, byte[]> record, Throwable reason) {
        return send(deadLetters, DeadLetter.whole(record, reason)).exceptionallyCompose(failure -> {
            Throwable why = EmbeddingPipeline.unwrap(failure);
            if (!DeadLetter.callsForReference(why)) {
                return CompletableFuture.failedFuture(why);
            }
            LOG.warnf("%s-%d@%d (%d bytes) could not be dead-lettered whole (%s); sending a reference to it instead",
                    record.topic(), record.partition(), record.offset(), DeadLetter.size(record), why.toString());
            return send(deadLetters, DeadLetter.reference(record, reason, why));
        });
    }

    private static CompletableFuture<Void> send(Emitter<byte[]> emitter, DeadLetter letter) {
        return send(emitter, letter.key(), letter.topic(), letter.headers(), letter.value());
    }

    private static CompletableFuture<Void> send(Emitter<byte[]> emitter, EventEnvelope env, Message event, String topic) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(env, event).forEach((name, value) -> header(headers, name, value));
        return send(emitter, env.getAggregateId(), topic, headers, event.toByteArray());
    }

    private static CompletableFuture<Void> send(Emitter<byte[]> emitter, String key, String topic, RecordHeaders headers,
                                                byte[] value) {
        OutgoingKafkaRecordMetadata<String> meta = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withTopic(topic)
                .withHeaders(headers)
                .build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        emitter.send(org.eclipse.microprofile.reactive.messaging.Message.of(value)
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
