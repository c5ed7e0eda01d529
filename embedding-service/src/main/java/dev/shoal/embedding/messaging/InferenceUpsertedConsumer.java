package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.embedding.service.FrameFieldsService;
import dev.shoal.proto.ingest.v1.ClassProbability;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Keeps the prediction field of a frame's stored vectors, through {@link FrameFieldsService}: the top class (arg-max
 * probability) of the frame's most recently updated classification inference, whichever model made it. Recorded in
 * the catalog first, so an inference that arrives before the vector is applied when the vector is written. Box
 * inferences carry no frame class and are skipped.
 */
@ApplicationScoped
public class InferenceUpsertedConsumer {

    public static final String CHANNEL = "inference-upserted";

    @Inject
    FrameFieldsService fields;

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        InferenceUpserted event = EventCodec.parse(InferenceUpserted.getDefaultInstance(), record.value());
        var inference = event.getInference();
        if (!inference.hasClassification()) {
            return;
        }
        String top = topClass(inference.getClassification().getScoresList());
        if (inference.getFrameId().isBlank() || top == null) {
            throw new IllegalArgumentException("InferenceUpserted needs inference.frame_id and at least one "
                    + "inference.classification.scores entry with a class_name");
        }
        fields.recordPrediction(inference.getDatasetId(), inference.getFrameId(), inference.getModelId(),
                inference.getModelVersion(), top);
    }

    /** The class with the highest probability (the first of equals), or null when none has a name. */
    static String topClass(java.util.List<ClassProbability> scores) {
        String best = null;
        float bestP = Float.NEGATIVE_INFINITY;
        for (ClassProbability p : scores) {
            if (!p.getClassName().isBlank() && p.getProbability() > bestP) {
                best = p.getClassName();
                bestP = p.getProbability();
            }
        }
        return best;
    }
}
