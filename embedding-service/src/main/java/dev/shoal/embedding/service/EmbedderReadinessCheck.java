package dev.shoal.embedding.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when every configured model loaded; names each model with its engine, device and dimension. */
@Readiness
@ApplicationScoped
public class EmbedderReadinessCheck implements HealthCheck {

    @Inject
    EmbedderRegistry models;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("embedding-models");
        models.describe().forEach(b::withData);
        boolean up = models.failures().isEmpty() && !models.describe().isEmpty();
        return b.status(up).build();
    }
}
