package dev.shoal.mining.messaging;

import dev.shoal.mining.domain.Issue;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.common.v1.EventEnvelope;
import dev.shoal.proto.mining.v1.IssueFound;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Publishes IssueFound to shoal.mining.issue-found.v1, keyed by issue id. */
@ApplicationScoped
public class IssueFoundProducer {

    public static final String CHANNEL = "issues-found";

    @Inject
    @Channel(CHANNEL)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192)
    Emitter<byte[]> emitter;

    /** Sends every issue and waits until the broker has them all (in windows, so the buffer never overflows). */
    public void publish(List<Issue> issues) {
        List<CompletableFuture<Void>> window = new ArrayList<>();
        for (Issue issue : issues) {
            EventEnvelope env = Envelopes.create(EventRecords.PRODUCER, issue.datasetId(), issue.id(), issue.analysisId());
            IssueFound event = IssueFound.newBuilder().setEnvelope(env).setIssue(IssueMapper.toProto(issue)).build();
            CompletableFuture<Void> acked = new CompletableFuture<>();
            emitter.send(EventRecords.message(issue.id(), event.toByteArray(), env, IssueFound.getDescriptor().getFullName(), acked));
            window.add(acked);
            if (window.size() >= 4096) {
                await(window);
            }
        }
        await(window);
    }

    private static void await(List<CompletableFuture<Void>> window) {
        try {
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publishing IssueFound failed: " + e.getMessage(), e);
        } finally {
            window.clear();
        }
    }
}
