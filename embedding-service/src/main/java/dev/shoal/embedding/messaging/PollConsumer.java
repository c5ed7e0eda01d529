package dev.shoal.embedding.messaging;

import dev.shoal.embedding.config.EmbeddingConfig;
import dev.shoal.embedding.service.AsyncPermits;
import dev.shoal.embedding.service.EmbeddingPipeline;
import dev.shoal.embedding.store.VectorStore;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A consumer of a {@code batch=true} channel that runs each Kafka poll through an asynchronous {@link #handle} without
 * blocking a thread per record: the base of the {@code FrameUpserted} and {@code EmbeddingSupplied} consumers, whose
 * {@code @Incoming} method calls {@link #process}. At most {@code shoal.embedding.max-in-flight} records are handled at
 * once.
 *
 * <ul>
 *   <li><b>Admission.</b> The stage {@link #process} returns completes when the whole poll has been admitted, so
 *       SmallRye delivers the next poll only then. Known cost: while the model is the bottleneck, SmallRye's polling
 *       thread still polled about every 4 ms (the consumer's {@code time-between-poll-avg}) and took 0.26–0.42 ms
 *       of CPU per frame in the throughput benchmark, with only 19–36 fetches per 3,000 frames. The cause is its
 *       paused state, which polls with a zero timeout (SmallRye 4.33): with {@code pause-if-no-requests=false} the
 *       same benchmark measured polls 901 ms apart and 0.06 ms/frame (run T). That setting alone leaves SmallRye's
 *       queue unbounded, and pausing the partitions from here instead stalled the channel under a 40,000-frame
 *       burst (throttled commit: records unacknowledged for 60 s), so it was reverted. A poll loop of our own that
 *       stops polling while the pipeline is full would avoid the cost; not done.</li>
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

    private AsyncPermits permits;

    @PostConstruct
    void init() {
        permits = new AsyncPermits(config.maxInFlight());
    }

    /** The records' kind, for logs ("FrameUpserted"). */
    abstract String what();

    /** Handles one record; the future completes when it is done, or fails with the reason it is dead-lettered for. */
    abstract CompletableFuture<Void> handle(KafkaRecord<String, byte[]> record);

    CompletionStage<Void> process(KafkaRecordBatch<String, byte[]> batch) {
        CompletableFuture<?>[] outcomes = new CompletableFuture<?>[batch.getRecords().size()];
        CompletableFuture<Void> admitted = CompletableFuture.completedFuture(null);
        int i = 0;
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            CompletableFuture<Void> outcome = new CompletableFuture<>();
            outcomes[i++] = outcome;
            admitted = admitted.thenCompose(x -> permits.acquire()).thenRun(() -> start(record, outcome));
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
        return admitted;
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
