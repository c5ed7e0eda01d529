package dev.shoal.embedding.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the vector store answers a count; reports its kind and row total. */
@Readiness
@ApplicationScoped
public class VectorStoreHealthCheck implements HealthCheck {

    @Inject
    VectorStore store;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("vector-store");
        try {
            return b.up().withData("kind", store.kind()).withData("rows", store.count(null, null)).build();
        } catch (RuntimeException e) {
            return b.down().withData("kind", store.kind()).withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
