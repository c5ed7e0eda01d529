package dev.shoal.mining.messaging;

import dev.shoal.mining.store.DeadLetterRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports how many records each of mining's consumers dead-lettered. Informational: a dead letter is one bad
 * record, already set aside, so the check stays UP (it never makes the service flap or restart).
 */
@Readiness
@ApplicationScoped
public class DeadLetterHealthCheck implements HealthCheck {

    @Inject
    DeadLetterRepository deadLetters;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("mining-dead-letters").up();
        try {
            deadLetters.totalsByTopic().forEach(b::withData);
        } catch (RuntimeException e) {
            b.withData("error", "dead letters could not be counted: " + e.getMessage());
        }
        return b.build();
    }
}
