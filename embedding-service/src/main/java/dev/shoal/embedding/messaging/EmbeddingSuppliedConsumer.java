package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes {@code EmbeddingSupplied}: user vectors go straight into the store, no model runs. */
@ApplicationScoped
public class EmbeddingSuppliedConsumer {

    public static final String CHANNEL = "embedding-supplied";

    @Inject
    EmbeddingPipeline pipeline;

    @Incoming(CHANNEL)
    @Blocking(ordered = false)
    public void consume(ConsumerRecord<String, byte[]> record) {
        EmbeddingSupplied event = EventCodec.parse(EmbeddingSupplied.getDefaultInstance(), record.value());
        var e = event.getEmbedding();
        if (e.getFrameId().isBlank() || e.getModelId().isBlank() || e.getModelVersion().isBlank() || e.getVectorCount() == 0) {
            throw new IllegalArgumentException("EmbeddingSupplied needs embedding.frame_id, model_id, model_version and vector");
        }
        pipeline.storeSupplied(e, event.getEnvelope().getCorrelationId());
    }
}
