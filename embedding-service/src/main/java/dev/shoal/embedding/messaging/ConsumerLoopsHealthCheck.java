package dev.shoal.embedding.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Live and ready while every {@link ConsumerLoop} runs and can commit: DOWN when a loop stopped, a record's dead letter
 * could not be sent, whole or as a reference, or the store failed to make writes durable (its offsets are no longer committed; a restart
 * delivers the records again). Reports each loop's partitions, queue, records in flight and counters.
 */
@Liveness
@Readiness
@ApplicationScoped
public class ConsumerLoopsHealthCheck implements HealthCheck {

    @Inject
    ConsumerLoops loops;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kafka-consumer-loops");
        boolean up = true;
        for (ConsumerLoop loop : loops.loops()) {
            ConsumerLoop.Status s = loop.status();
            String prefix = s.name() + ".";
            b.withData(prefix + "running", s.running())
                    .withData(prefix + "polls", s.polls())
                    .withData(prefix + "partitions", s.assignedPartitions())
                    .withData(prefix + "queued", s.queued())
                    .withData(prefix + "in-flight", s.inFlight())
                    .withData(prefix + "handled", s.handled())
                    .withData(prefix + "dead-lettered", s.deadLettered())
                    .withData(prefix + "commits", s.commits());
            if (s.problem() != null) {
                b.withData(prefix + "problem", s.problem());
            }
            up &= s.running() && s.problem() == null;
        }
        return b.status(up).build();
    }
}
