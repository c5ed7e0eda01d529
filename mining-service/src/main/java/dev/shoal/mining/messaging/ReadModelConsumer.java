package dev.shoal.mining.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.mining.store.ReadModelRepository;
import dev.shoal.mining.store.ReadModelRepository.Applied;
import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the read model: frames (split, metadata), labels, inferences and embeddings. Payloads are binary
 * protobuf; a record that does not parse or lacks a key field throws, and the channel's dead-letter-queue
 * strategy sends it to {@code <topic>.dlq} with the reason. Idempotent: see {@link ReadModelRepository}.
 */
@ApplicationScoped
public class ReadModelConsumer {

    public static final String FRAMES = "frames";
    public static final String LABELS = "labels";
    public static final String INFERENCES = "inferences";
    public static final String EMBEDDINGS_SUPPLIED = "embeddings-supplied";
    public static final String EMBEDDINGS_COMPUTED = "embeddings-computed";

    private static final Logger LOG = Logger.getLogger(ReadModelConsumer.class);

    @Inject
    ReadModelRepository repository;

    @Incoming(FRAMES)
    @Blocking
    public void onFrame(byte[] payload) throws InvalidProtocolBufferException {
        FrameUpserted e = FrameUpserted.parseFrom(nonNull(payload));
        log(Topics.FRAME_UPSERTED, repository.applyFrame(ReadModelMapper.eventId(e.getEnvelope()), Topics.FRAME_UPSERTED,
                ReadModelMapper.frame(e)));
    }

    @Incoming(LABELS)
    @Blocking
    public void onLabel(byte[] payload) throws InvalidProtocolBufferException {
        LabelUpserted e = LabelUpserted.parseFrom(nonNull(payload));
        log(Topics.LABEL_UPSERTED, repository.applyLabel(ReadModelMapper.eventId(e.getEnvelope()), Topics.LABEL_UPSERTED,
                ReadModelMapper.label(e)));
    }

    @Incoming(INFERENCES)
    @Blocking
    public void onInference(byte[] payload) throws InvalidProtocolBufferException {
        InferenceUpserted e = InferenceUpserted.parseFrom(nonNull(payload));
        log(Topics.INFERENCE_UPSERTED, repository.applyInference(ReadModelMapper.eventId(e.getEnvelope()),
                Topics.INFERENCE_UPSERTED, ReadModelMapper.inference(e)));
    }

    @Incoming(EMBEDDINGS_SUPPLIED)
    @Blocking
    public void onEmbeddingSupplied(byte[] payload) throws InvalidProtocolBufferException {
        EmbeddingSupplied e = EmbeddingSupplied.parseFrom(nonNull(payload));
        log(Topics.EMBEDDING_SUPPLIED, repository.applyEmbedding(ReadModelMapper.eventId(e.getEnvelope()),
                Topics.EMBEDDING_SUPPLIED, ReadModelMapper.supplied(e)));
    }

    @Incoming(EMBEDDINGS_COMPUTED)
    @Blocking
    public void onEmbeddingComputed(byte[] payload) throws InvalidProtocolBufferException {
        EmbeddingComputed e = EmbeddingComputed.parseFrom(nonNull(payload));
        log(Topics.EMBEDDING_COMPUTED, repository.applyEmbedding(ReadModelMapper.eventId(e.getEnvelope()),
                Topics.EMBEDDING_COMPUTED, ReadModelMapper.computed(e)));
    }

    private static byte[] nonNull(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new ReadModelMapper.InvalidEvent("empty payload (expected binary protobuf)");
        }
        return payload;
    }

    private static void log(String topic, Applied applied) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s: %s", topic, applied);
        }
    }
}
