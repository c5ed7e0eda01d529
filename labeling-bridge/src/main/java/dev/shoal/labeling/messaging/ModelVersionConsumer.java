package dev.shoal.labeling.messaging;

import dev.shoal.proto.EventCodec;
import dev.shoal.labeling.service.RetrainService;
import dev.shoal.proto.ingest.v1.ModelVersionRegistered;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes {@code shoal.ingest.model-version-registered.v1} to link new models to retrain requests. */
@ApplicationScoped
public class ModelVersionConsumer {

    public static final String CHANNEL = "model-versions";

    @Inject
    RetrainService retrain;

    @Incoming(CHANNEL)
    @Blocking
    public void consume(byte[] payload) {
        retrain.onModelVersion(EventCodec.parse(ModelVersionRegistered.getDefaultInstance(), payload));
    }
}
