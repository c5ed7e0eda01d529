package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code EmbeddingSupplied} a poll at a time: user vectors go straight into the store, no model runs. A record
 * that fails (does not parse, misses a field, a vector the store refuses) goes alone to {@code <topic>.dlq} with the
 * reason; a poll is acknowledged once its vectors are durable ({@link PollConsumer}).
 */
@ApplicationScoped
public class EmbeddingSuppliedConsumer extends PollConsumer {

    public static final String CHANNEL = "embedding-supplied";

    @Incoming(CHANNEL)
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return process(batch);
    }

    @Override
    String what() {
        return "EmbeddingSupplied";
    }

    @Override
    CompletableFuture<Void> handle(KafkaRecord<String, byte[]> record) {
        EmbeddingSupplied event = EventCodec.parse(EmbeddingSupplied.getDefaultInstance(), record.getPayload());
        var e = event.getEmbedding();
        if (e.getFrameId().isBlank() || e.getModelId().isBlank() || e.getModelVersion().isBlank() || e.getVectorCount() == 0) {
            throw new IllegalArgumentException("EmbeddingSupplied needs embedding.frame_id, model_id, model_version and vector");
        }
        return pipeline.storeSuppliedAsync(e, event.getEnvelope().getCorrelationId());
    }
}
