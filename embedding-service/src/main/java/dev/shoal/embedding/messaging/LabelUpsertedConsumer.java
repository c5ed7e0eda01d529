package dev.shoal.embedding.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Keeps the frame catalog's classification labels (what the training job learns from, and the label field of
 * vectors written afterwards). Box and polygon labels carry no frame class and are skipped.
 */
@ApplicationScoped
public class LabelUpsertedConsumer {

    public static final String CHANNEL = "label-upserted";

    @Inject
    FrameCatalogRepository catalog;

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecord<String, byte[]> record) {
        LabelUpserted event;
        try {
            event = LabelUpserted.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a binary LabelUpserted protobuf: " + e.getMessage(), e);
        }
        var label = event.getLabel();
        if (!label.hasClassification()) {
            return;
        }
        catalog.upsertLabel(label.getDatasetId(), label.getFrameId(), label.getLabelSet(), label.getLabelerId(),
                label.getClassification().getClassName());
    }
}
