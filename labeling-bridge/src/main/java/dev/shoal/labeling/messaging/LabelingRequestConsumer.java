package dev.shoal.labeling.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.labeling.service.CampaignService;
import dev.shoal.proto.Topics;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code shoal.labeling.requested.v1} (binary protobuf). A record that cannot be parsed or validated
 * fails and goes to {@code shoal.labeling.requested.v1.dlq} with the reason.
 */
@ApplicationScoped
public class LabelingRequestConsumer {

    public static final String CHANNEL = "labeling-requested";

    @Inject
    CampaignService campaigns;

    @Incoming(CHANNEL)
    @Blocking
    public void consume(byte[] payload) {
        LabelingRequested request = EventCodec.parse(LabelingRequested.getDefaultInstance(), payload);
        campaigns.accept(request, Topics.LABELING_REQUESTED);
    }
}
