package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code FrameUpserted} (binary protobuf). Records are handled concurrently ({@code ordered = false}) so
 * the models see micro-batches; the throttled commit strategy commits offsets only below the oldest record still in
 * flight. A frame that fails throws, which sends the record to {@code <topic>.dlq} with the reason in the
 * {@code dead-letter-reason} header (after the pipeline published {@code EmbeddingFailed}).
 */
@ApplicationScoped
public class FrameUpsertedConsumer {

    public static final String CHANNEL = "frame-upserted";

    @Inject
    EmbeddingPipeline pipeline;

    @Incoming(CHANNEL)
    @Blocking(ordered = false)
    public void consume(ConsumerRecord<String, byte[]> record) {
        FrameUpserted event = EventCodec.parse(FrameUpserted.getDefaultInstance(), record.value());
        if (!event.hasFrame() || event.getFrame().getId().isBlank()) {
            throw new IllegalArgumentException("FrameUpserted without frame.id");
        }
        pipeline.embedFrame(event.getFrame(), event.getEnvelope().getCorrelationId());
    }
}
