package dev.shoal.embedding.messaging;

import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.proto.EventCodec;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.concurrent.CompletableFuture;

/**
 * Handles {@code FrameUpserted} (binary protobuf) for its {@link ConsumerLoop}: parses the event and hands the frame to
 * the pipeline without blocking (the pipeline's stages batch frames for the catalog, the model and the store). A frame
 * that fails goes alone to {@code <topic>.dlq} with the reason, after the pipeline published {@code EmbeddingFailed}.
 */
@ApplicationScoped
public class FrameUpsertedConsumer implements ConsumerLoop.Handler {

    /** The loop's name: its thread, the health check, the Kafka client id. */
    public static final String NAME = "frame-upserted";
    public static final String TOPIC = Topics.FRAME_UPSERTED;

    @Inject
    EmbeddingPipeline pipeline;

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
        FrameUpserted event = EventCodec.parse(FrameUpserted.getDefaultInstance(), record.value());
        if (!event.hasFrame() || event.getFrame().getId().isBlank()) {
            throw new IllegalArgumentException("FrameUpserted without frame.id");
        }
        return pipeline.embedFrameAsync(event.getFrame(), event.getEnvelope().getCorrelationId());
    }
}
