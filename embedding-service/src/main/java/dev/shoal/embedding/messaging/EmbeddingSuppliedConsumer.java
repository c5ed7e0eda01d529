package dev.shoal.embedding.messaging;

import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.proto.EventCodec;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.CompletableFuture;

/**
 * Handles {@code EmbeddingSupplied} for its {@link ConsumerLoop}: user vectors go straight into the store, no model
 * runs. A record that fails (does not parse, misses a field, a vector the store refuses) goes alone to
 * {@code <topic>.dlq} with the reason.
 */
@ApplicationScoped
public class EmbeddingSuppliedConsumer implements ConsumerLoop.Handler {

    public static final String NAME = "embedding-supplied";
    public static final String TOPIC = Topics.EMBEDDING_SUPPLIED;

    @Inject
    EmbeddingPipeline pipeline;

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
        EmbeddingSupplied event = EventCodec.parse(EmbeddingSupplied.getDefaultInstance(), record.value());
        var e = event.getEmbedding();
        if (e.getFrameId().isBlank() || e.getModelId().isBlank() || e.getModelVersion().isBlank() || e.getVectorCount() == 0) {
            throw new IllegalArgumentException("EmbeddingSupplied needs embedding.frame_id, model_id, model_version and vector");
        }
        return pipeline.storeSuppliedAsync(e, event.getEnvelope().getCorrelationId());
    }
}
