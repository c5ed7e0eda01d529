package dev.shoal.mining.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.shoal.mining.store.DeadLetterRepository;
import dev.shoal.mining.store.ReadModelRepository;
import dev.shoal.mining.store.ReadModelRepository.Applied;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.function.Function;

/**
 * Keeps the read model: frames (split, metadata), labels, inferences and embeddings. Payloads are binary
 * protobuf; a record that does not parse or lacks a key field is recorded as a dead letter of its dataset
 * ({@link DeadLetterRepository}) and throws, and the channel's dead-letter-queue strategy sends it to
 * {@code <topic>.dlq} with the reason. Idempotent: see {@link ReadModelRepository}.
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

    @Inject
    DeadLetterRepository deadLetters;

    @Incoming(FRAMES)
    @Blocking
    public void onFrame(ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        apply(r, FrameUpserted.parser(), FrameUpserted::getEnvelope, e -> repository.applyFrame(ReadModelMapper.eventId(e.getEnvelope()),
                Topics.FRAME_UPSERTED, ReadModelMapper.frame(e)));
    }

    @Incoming(LABELS)
    @Blocking
    public void onLabel(ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        apply(r, LabelUpserted.parser(), LabelUpserted::getEnvelope, e -> repository.applyLabel(ReadModelMapper.eventId(e.getEnvelope()),
                Topics.LABEL_UPSERTED, ReadModelMapper.label(e)));
    }

    @Incoming(INFERENCES)
    @Blocking
    public void onInference(ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        apply(r, InferenceUpserted.parser(), InferenceUpserted::getEnvelope, e -> repository.applyInference(
                ReadModelMapper.eventId(e.getEnvelope()), Topics.INFERENCE_UPSERTED, ReadModelMapper.inference(e)));
    }

    @Incoming(EMBEDDINGS_SUPPLIED)
    @Blocking
    public void onEmbeddingSupplied(ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        apply(r, EmbeddingSupplied.parser(), EmbeddingSupplied::getEnvelope, e -> repository.applyEmbedding(
                ReadModelMapper.eventId(e.getEnvelope()), Topics.EMBEDDING_SUPPLIED, ReadModelMapper.supplied(e)));
    }

    @Incoming(EMBEDDINGS_COMPUTED)
    @Blocking
    public void onEmbeddingComputed(ConsumerRecord<String, byte[]> r) throws InvalidProtocolBufferException {
        apply(r, EmbeddingComputed.parser(), EmbeddingComputed::getEnvelope, e -> repository.applyEmbedding(
                ReadModelMapper.eventId(e.getEnvelope()), Topics.EMBEDDING_COMPUTED, ReadModelMapper.computed(e)));
    }

    /**
     * Parses and applies one record. What cannot be applied is recorded as a dead letter of its dataset (when the
     * payload names one) and rethrown, so the channel's strategy sends it to {@code <topic>.dlq} with the reason.
     */
    private <E> void apply(ConsumerRecord<String, byte[]> r, Parser<E> parser, Function<E, EventEnvelope> envelope,
                           Function<E, Applied> work) throws InvalidProtocolBufferException {
        E event = null;
        try {
            event = parser.parseFrom(nonNull(r.value()));
            log(r.topic(), work.apply(event));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String dataset = event == null ? null : envelope.apply(event).getDatasetId();
            try {
                deadLetters.record(new DeadLetterRepository.DeadLetter(r.topic(), r.partition(), r.offset(),
                        dataset == null || dataset.isEmpty() ? null : dataset, r.key(), String.valueOf(e.getMessage())));
            } catch (RuntimeException notRecorded) {
                e.addSuppressed(notRecorded);
            }
            throw e;
        }
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
