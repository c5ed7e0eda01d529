package dev.shoal.embedding.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.embedding.service.FrameFieldsService;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Keeps the frame catalog's classification labels (what the training job learns from) and the label fields of the
 * frame's stored vectors (label, labeled, labeler; every model version), through {@link FrameFieldsService}. The
 * vector gets the frame's CURRENT label, the most recently updated one, read back from the catalog. A label that
 * arrives before the vector is still applied: the pipeline reads the catalog when it writes the vector. Box and
 * polygon labels carry no frame class and are skipped.
 */
@ApplicationScoped
public class LabelUpsertedConsumer {

    public static final String CHANNEL = "label-upserted";

    @Inject
    FrameFieldsService fields;

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        LabelUpserted event = EventCodec.parse(LabelUpserted.getDefaultInstance(), record.value());
        var label = event.getLabel();
        if (!label.hasClassification()) {
            return;
        }
        if (label.getFrameId().isBlank() || label.getClassification().getClassName().isBlank()) {
            throw new IllegalArgumentException("LabelUpserted needs label.frame_id and label.classification.class_name");
        }
        fields.recordLabel(label.getDatasetId(), label.getFrameId(), label.getLabelSet(), label.getLabelerId(),
                label.getClassification().getClassName());
    }
}
