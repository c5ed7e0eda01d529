package dev.shoal.labeling.service;

import dev.shoal.labeling.config.LabelingConfig;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.messaging.EventPublisher;
import dev.shoal.labeling.store.CampaignRepository;
import dev.shoal.labeling.store.OutboxRepository;
import dev.shoal.labeling.vendor.Hmac;
import dev.shoal.labeling.vendor.VendorAdapter;
import dev.shoal.labeling.vendor.Vendors;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends what the outbox holds. Keeps no state of its own: each round claims due rows from PostgreSQL with a
 * lease, so after a crash or restart the rows a dead dispatcher held come back once their lease runs out.
 * HTTP deliveries time out, retry with exponential backoff and jitter on 5xx/408/429/timeouts/refused
 * connections, and end in {@code failed} with the reason after {@code labeling.dispatch.max-attempts};
 * a 4xx other than 408/429 fails at once. Kafka events retry at the same pace without a cap (the broker is ours).
 */
@ApplicationScoped
public class OutboxDispatcher {

    private static final Logger LOG = Logger.getLogger(OutboxDispatcher.class);

    @Inject
    LabelingConfig config;

    @Inject
    OutboxRepository outbox;

    @Inject
    CampaignRepository campaigns;

    @Inject
    TaskService tasks;

    @Inject
    RetrainService retrain;

    @Inject
    Vendors vendors;

    @Inject
    EventPublisher publisher;

    private ScheduledExecutorService loop;
    private ExecutorService httpExecutor;
    private HttpClient http;
    private volatile Instant lastSweep = Instant.EPOCH;

    void onStart(@Observes StartupEvent ev) {
        if (config.dispatch().enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    /** Starts a fresh dispatcher: new HTTP client, new loop; everything it will send is read from PostgreSQL. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        httpExecutor = Executors.newFixedThreadPool(2, r -> new Thread(r, "labeling-http"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.dispatch().connectTimeout())
                .executor(httpExecutor).build();
        loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "labeling-outbox"));
        long every = Math.max(50, config.dispatch().pollInterval().toMillis());
        loop.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops the loop and drops the HTTP client (as a process exit would); claimed rows stay leased in the database. */
    public synchronized void stop() {
        if (loop == null) {
            return;
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        httpExecutor.shutdownNow();
        loop = null;
        http = null;
    }

    public synchronized boolean running() {
        return loop != null;
    }

    private void tick() {
        try {
            if (Instant.now().isAfter(lastSweep.plusSeconds(2))) {
                lastSweep = Instant.now();
                int expired = tasks.expireOverdue();
                if (expired > 0) {
                    LOG.infof("%d task(s) expired", expired);
                }
            }
            while (!Thread.currentThread().isInterrupted() && runOnce() == config.dispatch().batchSize()) {
                // a full batch: there may be more due right away
            }
        } catch (Throwable t) {
            LOG.error("outbox round failed; will retry", t);
        }
    }

    /** One round: claim due rows and deliver each. Returns how many were claimed. */
    public int runOnce() {
        List<OutboxRepository.Entry> due = outbox.claimDue(config.dispatch().batchSize(), config.dispatch().lease());
        for (OutboxRepository.Entry e : due) {
            if (Thread.currentThread().isInterrupted()) {
                break;   // stopped mid-round: the rest stay leased and come back after the lease
            }
            deliver(e);
        }
        return due.size();
    }

    private void deliver(OutboxRepository.Entry e) {
        try {
            switch (e.kind()) {
                case "kafka" -> {
                    publisher.send(e.channel(), e.recordKey(), e.ceType(), e.eventId(), e.body()).get(30, TimeUnit.SECONDS);
                    outbox.markSent(e.id());
                }
                case "http" -> deliverHttp(e);
                default -> outbox.markFailed(e.id(), "unknown outbox kind " + e.kind());
            }
        } catch (Permanent p) {
            fail(e, p.getMessage());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception ex) {
            String reason = ex instanceof TimeoutException || ex instanceof java.net.http.HttpTimeoutException
                    ? "timed out" : describe(ex);
            retryOrFail(e, reason);
        }
    }

    private void deliverHttp(OutboxRepository.Entry e) throws IOException, InterruptedException {
        VendorAdapter adapter = null;
        LabelingConfig.Vendor vendor = null;
        if ("dispatch".equals(e.purpose())) {
            Task task = campaigns.task(e.taskId()).orElseThrow(() -> new Permanent("task " + e.taskId() + " is gone"));
            if (task.version() != e.taskVersion() || task.state().terminal()) {
                outbox.cancel(e.id(), "task is " + task.state().db() + " at version " + task.version());
                return;
            }
            vendor = vendors.config(e.vendor()).orElseThrow(() -> new Permanent("vendor " + e.vendor() + " is no longer configured"));
            adapter = vendors.adapter(vendor);
        }
        if (e.url() == null || e.url().isBlank() || !e.url().startsWith("http")) {
            throw new Permanent("no usable URL configured (" + e.url() + ")");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(e.url()))
                .timeout(config.dispatch().requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "shoal-labeling-bridge")
                .header("Idempotency-Key", e.dedupeKey())
                .POST(HttpRequest.BodyPublishers.ofByteArray(e.body()));
        Instant now = Instant.now();
        try {
            if (adapter != null) {
                request.header("X-Shoal-Task-Id", e.taskId()).header("X-Shoal-Task-Version", String.valueOf(e.taskVersion()));
                adapter.authorize(request, vendor, e.body(), now);
            } else if ("retrain-hmac".equals(e.auth())) {
                String secret = retrain.policy(e.vendor()).webhookSecret()
                        .orElseThrow(() -> new IllegalStateException("no webhook-secret configured for dataset " + e.vendor()));
                long ts = now.getEpochSecond();
                request.header(Hmac.TIMESTAMP_HEADER, Long.toString(ts)).header(Hmac.SIGNATURE_HEADER, Hmac.header(secret, ts, e.body()));
            }
        } catch (IllegalStateException missing) {
            throw new Permanent("vendor " + e.vendor() + ": " + missing.getMessage());
        }
        HttpResponse<String> response = http().send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
            if ("dispatch".equals(e.purpose())) {
                tasks.delivered(e, adapter.vendorTaskRef(response.body()));
            } else {
                retrain.webhookOutcome(e.dedupeKey().substring("retrain-webhook:".length()), e.id(), true, null);
            }
            return;
        }
        String reason = "HTTP " + status + " from " + e.url() + ": " + abbreviate(response.body());
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            throw new Retryable(reason);
        }
        throw new Permanent("refused: " + reason);
    }

    private void retryOrFail(OutboxRepository.Entry e, String reason) {
        if ("http".equals(e.kind()) && e.attempts() >= config.dispatch().maxAttempts()) {
            fail(e, "gave up after " + e.attempts() + " attempts; last: " + reason);
            return;
        }
        Duration delay = backoff(e.attempts());
        LOG.debugf("outbox %s attempt %d failed (%s); next in %d ms", e.dedupeKey(), e.attempts(), reason, delay.toMillis());
        outbox.retryAt(e.id(), Instant.now().plus(delay), reason);
    }

    private void fail(OutboxRepository.Entry e, String reason) {
        LOG.warnf("outbox %s failed: %s", e.dedupeKey(), reason);
        if ("dispatch".equals(e.purpose())) {
            tasks.deliveryFailed(e, reason);
        } else if ("retrain_webhook".equals(e.purpose())) {
            retrain.webhookOutcome(e.dedupeKey().substring("retrain-webhook:".length()), e.id(), false, reason);
        } else {
            outbox.markFailed(e.id(), reason);
        }
    }

    /** Exponential backoff with jitter: d = min(max, initial · 2^(attempt-1)), wait uniform in [d/2, d], at least 50 ms. */
    Duration backoff(int attempt) {
        long initial = config.dispatch().initialBackoff().toMillis();
        long cap = config.dispatch().maxBackoff().toMillis();
        long exp = attempt >= 30 ? cap : Math.min(cap, initial * (1L << Math.max(0, attempt - 1)));
        return Duration.ofMillis(Math.max(50, ThreadLocalRandom.current().nextLong(exp / 2, exp + 1)));
    }

    private synchronized HttpClient http() {
        if (http == null) {
            throw new Retryable("dispatcher stopped");
        }
        return http;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static final class Permanent extends RuntimeException {
        Permanent(String message) {
            super(message);
        }
    }

    static final class Retryable extends RuntimeException {
        Retryable(String message) {
            super(message);
        }
    }
}
