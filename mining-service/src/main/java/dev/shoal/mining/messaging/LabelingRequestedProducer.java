package dev.shoal.mining.messaging;

import com.google.protobuf.Timestamp;
import dev.shoal.mining.domain.Campaign;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.CampaignFrame;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes a campaign to shoal.labeling.requested.v1, keyed by campaign id. The event id is derived from
 * campaign id + version, so the labeling bridge can dedupe even a send that was retried after a crash.
 */
@ApplicationScoped
public class LabelingRequestedProducer {

    public static final String CHANNEL = "labeling-requested";

    @Inject
    @Channel(CHANNEL)
    Emitter<byte[]> emitter;

    public LabelingRequested publish(Campaign c, Map<String, List<String>> uris) {
        String eventId = UUID.nameUUIDFromBytes(("campaign:" + c.id() + ":" + c.version()).getBytes(StandardCharsets.UTF_8)).toString();
        EventEnvelope env = Envelopes.create(EventRecords.PRODUCER, c.datasetId(), c.id(), c.id()).toBuilder()
                .setEventId(eventId).build();
        LabelingRequested.Builder b = LabelingRequested.newBuilder()
                .setEnvelope(env)
                .setCampaignId(c.id())
                .setDatasetId(c.datasetId())
                .setInstructions(c.instructions())
                .addAllLabelSchema(c.labelSchema())
                .setAnnotationType(annotationType(c.annotationType()))
                .setAnnotatorsPerFrame(1)
                .setVendor(c.vendor())
                .setSource(c.source())
                .setTargetLabelSet(c.targetLabelSet());
        for (Campaign.CampaignFrame f : c.frames()) {
            b.addFrames(CampaignFrame.newBuilder().setFrameId(f.frameId()).addAllUris(uris.getOrDefault(f.frameId(), List.of()))
                    .setReason(f.reason()).setScore(f.score()));
        }
        LabelingRequested event = b.build();
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(EventRecords.message(c.id(), event.toByteArray(), env, LabelingRequested.getDescriptor().getFullName(), acked));
        try {
            acked.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing LabelingRequested for campaign " + c.id() + " failed: " + e.getMessage(), e);
        }
        return event;
    }

    static AnnotationType annotationType(String s) {
        return switch (s) {
            case "boxes" -> AnnotationType.ANNOTATION_TYPE_BOXES;
            case "polygons" -> AnnotationType.ANNOTATION_TYPE_POLYGONS;
            default -> AnnotationType.ANNOTATION_TYPE_CLASSIFICATION;
        };
    }

    static Timestamp now() {
        return Envelopes.timestamp(Instant.now());
    }
}
