package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code FrameUpserted} (binary protobuf) a poll at a time ({@code batch=true}) and hands every frame to the
 * pipeline without blocking a thread per frame: the pipeline's stages batch frames for the catalog, the model and the
 * store, so the consumer's per-frame work is parsing and admission. A frame that fails goes alone to
 * {@code <topic>.dlq} with the reason (after the pipeline published {@code EmbeddingFailed}); a poll is acknowledged
 * once all its frames are done and their vectors durable ({@link PollConsumer}).
 */
@ApplicationScoped
public class FrameUpsertedConsumer extends PollConsumer {

    public static final String CHANNEL = "frame-upserted";

    @Incoming(CHANNEL)
    public CompletionStage<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return process(batch);
    }

    @Override
    String what() {
        return "FrameUpserted";
    }

    @Override
    CompletableFuture<Void> handle(KafkaRecord<String, byte[]> record) {
        FrameUpserted event = EventCodec.parse(FrameUpserted.getDefaultInstance(), record.getPayload());
        if (!event.hasFrame() || event.getFrame().getId().isBlank()) {
            throw new IllegalArgumentException("FrameUpserted without frame.id");
        }
        return pipeline.embedFrameAsync(event.getFrame(), event.getEnvelope().getCorrelationId());
    }
}
