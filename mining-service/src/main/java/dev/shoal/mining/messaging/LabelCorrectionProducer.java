package dev.shoal.mining.messaging;

import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.ingest.v1.ClassLabel;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.UpsertLabelsRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes a corrected classification label back to ingest: one IngestRequest (upsert_labels with one label) on
 * shoal.ingest.requests.v1, keyed by dataset id (as the labeling bridge publishes accepted labels), with an event id
 * derived from the request id so a resend is recognisable.
 */
@ApplicationScoped
public class LabelCorrectionProducer {

    public static final String CHANNEL = "ingest-requests";

    @Inject
    @Channel(CHANNEL)
    Emitter<byte[]> emitter;

    /** The label a triage writes: {@code className} for the frame under {@code labelSet}, by {@code labelerId}. */
    public static Label label(String datasetId, String frameId, String labelSet, String labelerId, String className) {
        return Label.newBuilder().setDatasetId(datasetId).setFrameId(frameId).setLabelSet(labelSet).setLabelerId(labelerId)
                .setClassification(ClassLabel.newBuilder().setClassName(className)).build();
    }

    /** Publishes the request and waits until the broker has it. */
    public IngestRequest publish(String requestId, Label label) {
        IngestRequest request = IngestRequest.newBuilder().setRequestId(requestId)
                .setUpsertLabels(UpsertLabelsRequest.newBuilder().addLabels(label)).build();
        String eventId = UUID.nameUUIDFromBytes(requestId.getBytes(StandardCharsets.UTF_8)).toString();
        EventEnvelope env = Envelopes.create(EventRecords.PRODUCER, label.getDatasetId(), label.getFrameId(), requestId)
                .toBuilder().setEventId(eventId).build();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(EventRecords.message(label.getDatasetId(), request.toByteArray(), env,
                IngestRequest.getDescriptor().getFullName(), acked));
        try {
            acked.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing the corrected label of frame " + label.getFrameId() + " failed: "
                    + e.getMessage(), e);
        }
        return request;
    }
}
