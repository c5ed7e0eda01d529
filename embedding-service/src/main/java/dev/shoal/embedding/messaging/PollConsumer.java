package dev.shoal.embedding.messaging;

import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.service.AsyncPermits;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.embedding.store.VectorStore;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer of a {@code batch=true} channel that runs each Kafka poll through an asynchronous {@link #handle} without
 * blocking a thread per record: the base of the {@code FrameUpserted} and {@code EmbeddingSupplied} consumers, whose
 * {@code @Incoming} method calls {@link #process}. At most {@code shoal.embedding.max-in-flight} records are handled at
 * once.
 *
 * <ul>
 *   <li><b>Admission and backpressure.</b> {@link #process} returns at once; the poll's records queue for a permit,
 *       in arrival order across polls (a newer version of a frame is never admitted before an older one). The
 *       channel runs with SmallRye's own pausing off ({@code pause-if-no-requests=false}): while the model is the
 *       bottleneck, SmallRye's paused state polled every 3–9 ms with a zero timeout and cost 0.25–0.42 ms of CPU per
 *       frame in the throughput benchmark. Instead, once twice {@code max-in-flight} records are received and not
 *       finished, this class pauses the partitions on the Kafka consumer itself, behind SmallRye's back, so
 *       SmallRye's polls (every {@code poll-timeout}, 200 ms) just wait; it resumes them when the unfinished
 *       records fall to {@code max-in-flight}. Memory stays bounded by about twice {@code max-in-flight} records
 *       plus one poll.</li>
 *   <li><b>Failures.</b> A record whose handling fails (a parse error included) is sent alone to
 *       {@code <topic>.dlq} with the reason; nacking it would dead-letter its whole poll.</li>
 *   <li><b>Acknowledgement.</b> Once every record of the poll is done (handled or dead-lettered), the poll is
 *       acknowledged when the vector store says the writes are durable ({@link VectorStore#whenDurable}), so the
 *       throttled commit strategy never commits an offset ahead of a vector a crash could still lose. It commits a
 *       poll's offsets only when every earlier poll is acknowledged too, so polls may finish out of order. A record
 *       whose dead letter cannot be sent, or a failed store commit, leaves its poll unacknowledged: its offsets are not
 *       committed, the channel turns unhealthy, and a restart delivers the records again (frames already embedded are
 *       recognised by their content fingerprint and skipped).</li>
 * </ul>
 */
abstract class PollConsumer {

    private static final Logger LOG = Logger.getLogger(PollConsumer.class);

    @Inject
    EmbeddingPipeline pipeline;

    @Inject
    EmbeddingEventProducer events;

    @Inject
    EmbeddingConfig config;

    /** Resolved lazily: the store's producer lives in {@code dev.shoal.embedding.store} (chosen by configuration). */
    @Inject
    Instance<VectorStore> stores;

    @Inject
    KafkaClientService kafka;

    private AsyncPermits permits;
    /** Received and not finished (waiting for a permit, or in the pipeline). */
    private final AtomicInteger unfinished = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicLong pauses = new AtomicLong();
    private int pauseAt;
    private int resumeAt;
    /** The end of the admission queue: every record is admitted after the one received before it. */
    private CompletableFuture<Void> admissionTail = CompletableFuture.completedFuture(null);

    @PostConstruct
    void init() {
        permits = new AsyncPermits(config.maxInFlight());
        resumeAt = config.maxInFlight();
        pauseAt = 2 * config.maxInFlight();
    }

    /** The records' kind, for logs ("FrameUpserted"). */
    abstract String what();

    /** The channel this consumer is attached to. */
    abstract String channel();

    /** Whether fetching is paused now because too many records are unfinished (for tests and logs). */
    public boolean fetchingPaused() {
        return paused.get();
    }

    /** How many times fetching was paused so far (for tests and logs). */
    public long pauses() {
        return pauses.get();
    }

    /** Handles one record; the future completes when it is done, or fails with the reason it is dead-lettered for. */
    abstract CompletableFuture<Void> handle(KafkaRecord<String, byte[]> record);

    /** Records admitted and not finished yet (for tests and logs). */
    public int inFlight() {
        return permits.inUse();
    }

    CompletionStage<Void> process(KafkaRecordBatch<String, byte[]> batch) {
        CompletableFuture<?>[] outcomes = new CompletableFuture<?>[batch.getRecords().size()];
        if (unfinished.addAndGet(outcomes.length) >= pauseAt) {
            pauseFetching(); // again on every poll past the mark: partitions assigned since are not paused yet
        }
        int i = 0;
        synchronized (this) {
            for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
                CompletableFuture<Void> outcome = new CompletableFuture<>();
                outcomes[i++] = outcome;
                admissionTail = admissionTail.thenCompose(x -> permits.acquire()).thenRun(() -> start(record, outcome));
            }
        }
        CompletableFuture.allOf(outcomes)
                .thenCompose(x -> stores.get().whenDurable())
                .whenComplete((x, e) -> {
                    if (e == null) {
                        batch.ack();
                    } else {
                        LOG.errorf(e, "a poll of %d %s records is left unacknowledged; its offsets will not be committed "
                                + "and the records are delivered again after a restart", outcomes.length, what());
                    }
                });
        return CompletableFuture.completedFuture(null);
    }

    private void pauseFetching() {
        if (!paused.getAndSet(true)) {
            pauses.incrementAndGet();
        }
        kafka.<String, byte[]>getConsumer(channel()).runOnPollingThread(c -> {
            c.pause(c.assignment());
        }).subscribe().with(x -> { }, e -> LOG.warnf(e, "pausing %s failed", channel()));
    }

    private void finished() {
        if (unfinished.decrementAndGet() <= resumeAt && paused.compareAndSet(true, false)) {
            kafka.<String, byte[]>getConsumer(channel()).runOnPollingThread(c -> {
                c.resume(c.paused());
            }).subscribe().with(x -> { }, e -> LOG.warnf(e, "resuming %s failed", channel()));
        }
    }

    private void start(KafkaRecord<String, byte[]> record, CompletableFuture<Void> outcome) {
        CompletableFuture<Void> done;
        try {
            done = handle(record);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.handle((x, e) -> e)
                .thenCompose(e -> e == null ? CompletableFuture.<Void>completedFuture(null)
                        : events.deadLetter(record, EmbeddingPipeline.unwrap(e)))
                .whenComplete((x, e) -> {
                    permits.release();
                    finished();
                    if (e == null) {
                        outcome.complete(null);
                    } else {
                        LOG.errorf(e, "%s %s-%d@%d (key %s) could not be sent to the dead-letter topic", what(),
                                record.getTopic(), record.getPartition(), EmbeddingEventProducer.offset(record), record.getKey());
                        outcome.completeExceptionally(e);
                    }
                });
    }
}
