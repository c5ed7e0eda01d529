package dev.shoal.embedding.messaging;

import dev.shoal.embedding.service.EmbeddingPipeline;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The service's own poll loop over one topic whose records go through the asynchronous embedding pipeline: one
 * thread owns one Kafka consumer, admits at most {@code maxInFlight} records at once into {@link Handler#handle}, and
 * <b>stops fetching while the pipeline is full</b>. It replaced SmallRye's {@code batch=true} channel for
 * {@code FrameUpserted} and {@code EmbeddingSupplied}: SmallRye's paused state polls with a zero timeout every few
 * milliseconds, which cost 0.25–0.42 ms of CPU per frame while the model was the bottleneck (embedding-throughput.md).
 *
 * <ul>
 *   <li><b>Flow control.</b> Records of a poll wait in a local queue (at most one poll, {@code max.poll.records}) and
 *       are admitted in offset order as permits free up. While any wait, every assigned partition is paused and the
 *       loop calls {@code poll} only once per {@code housekeeping} interval (to run rebalance callbacks and commit
 *       callbacks, and to stay inside {@code max.poll.interval.ms}); otherwise it polls with {@code pollTimeout}.
 *       So memory is bounded by {@code maxInFlight + max.poll.records} records.</li>
 *   <li><b>Failures.</b> A record whose handling fails (a parse error included) is sent alone to its dead-letter
 *       topic ({@link DeadLetters}; the service's sends a {@link DeadLetter#reference reference} when the topic
 *       refuses the whole record, e.g. as too large); the stream goes on.</li>
 *   <li><b>Offsets.</b> A partition's offset is committed up to its first record not yet done (handled or
 *       dead-lettered), and only once the vector store says the writes are durable ({@code whenDurable}, asked for the
 *       offsets reached at each housekeeping tick), so a commit is never ahead of a vector a crash could still lose.
 *       Records may finish out of order; the commit waits for the oldest. A record whose dead letter cannot be sent
 *       at all (not even as a reference: the broker away past the producer's delivery timeout), or a failed store
 *       commit, stops its partition's commits: the loop reports itself {@linkplain #problem() stuck}
 *       (the health check turns DOWN) and a restart delivers the records again (frames already embedded are recognised
 *       by their content fingerprint and skipped).</li>
 *   <li><b>Rebalances.</b> On revocation the loop settles as it does at close, bounded by {@code closeTimeout}: it
 *       waits for the records in flight and for the store to make the done ones durable, then commits synchronously
 *       and drops the partitions' queued records (their new owner reads them from the committed offset). So a record
 *       handled before a rebalance is not handled again after it (a replayed failure would be dead-lettered and
 *       announced twice); only what outlasts the bound is. Offsets that became durable under an older assignment are
 *       not committed.</li>
 *   <li><b>Close.</b> Stops admitting, waits up to {@code closeTimeout} for the records in flight and for the store to
 *       make them durable, commits, and closes the consumer.</li>
 * </ul>
 */
public final class ConsumerLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    /** What the loop does with each record. */
    @FunctionalInterface
    public interface Handler {
        /** Handles one record; completes when done, or fails (or throws) with the reason it is dead-lettered for. */
        CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record);
    }

    /** Sends a record that could not be handled to its dead-letter topic; completes once the broker has it. */
    @FunctionalInterface
    public interface DeadLetters {
        CompletableFuture<Void> send(ConsumerRecord<String, byte[]> record, Throwable reason);
    }

    /**
     * @param name         for the thread, logs and the health check ("frame-upserted")
     * @param what         the records' kind, for logs ("FrameUpserted")
     * @param topic        the topic subscribed to
     * @param maxInFlight  records handled at once
     * @param pollTimeout  how long a poll waits for records while the pipeline has room
     * @param housekeeping how often offsets are taken for a commit, and how often a full pipeline still polls
     * @param closeTimeout how long {@link #close()} waits for the records in flight and their durability
     */
    public record Settings(String name, String what, String topic, int maxInFlight, Duration pollTimeout,
                           Duration housekeeping, Duration closeTimeout) {
        public Settings {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
            }
        }
    }

    /** A snapshot for the health check and tests. */
    public record Status(String name, boolean running, long polls, int assignedPartitions, int queued, int inFlight,
                         long handled, long deadLettered, long commits, String problem) {
    }

    /** One admitted record: its offset, and whether it is done. */
    private static final class Slot {
        final long offset;
        volatile boolean done;

        Slot(long offset) {
            this.offset = offset;
        }
    }

    /** A partition's admitted records in offset order; loop thread only. */
    private static final class Track {
        final ArrayDeque<Slot> slots = new ArrayDeque<>();
        /** The offset to commit once durable: after the last record of the done prefix; -1 before any. */
        long next = -1;
        /** The last {@link #next} asked to be made durable. */
        long proposed = -1;
    }

    /** Offsets the store made durable, taken under assignment {@code generation}. */
    private record Durable(long generation, Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    private final Settings settings;
    private final Consumer<String, byte[]> consumer;
    private final Handler handler;
    private final DeadLetters deadLetters;
    private final Supplier<CompletableFuture<Void>> whenDurable;
    private final Semaphore permits;
    private final Thread thread;

    // loop thread only
    private final ArrayDeque<ConsumerRecord<String, byte[]>> queued = new ArrayDeque<>();
    private final Map<TopicPartition, Track> tracks = new HashMap<>();
    private long generation;
    private boolean paused;

    private final ConcurrentLinkedQueue<Durable> durable = new ConcurrentLinkedQueue<>();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    /** Offset proposals the store has not answered yet. */
    private final AtomicInteger awaitingStore = new AtomicInteger();
    private volatile boolean running = true;
    private final AtomicLong polls = new AtomicLong();
    private volatile int assignedPartitions;
    private volatile int queuedNow;
    private volatile String problem;

    /**
     * Subscribes {@code consumer} (which the loop then owns and closes; {@code enable.auto.commit=false}) and starts
     * the loop's thread.
     */
    public ConsumerLoop(Settings settings, Consumer<String, byte[]> consumer, Handler handler, DeadLetters deadLetters,
                        Supplier<CompletableFuture<Void>> whenDurable) {
        this.settings = settings;
        this.consumer = consumer;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.whenDurable = whenDurable;
        this.permits = new Semaphore(settings.maxInFlight());
        this.thread = new Thread(this::run, "shoal-consumer-" + settings.name());
        thread.setDaemon(true);
        thread.start();
    }

    public Status status() {
        return new Status(settings.name(), thread.isAlive(), polls.get(), assignedPartitions, queuedNow,
                settings.maxInFlight() - permits.availablePermits(), handled.get(), deadLettered.get(), commits.get(),
                problem);
    }

    /** Why the loop cannot make progress (a record whose dead letter failed, a failed store commit), or null. */
    public String problem() {
        return problem;
    }

    public String name() {
        return settings.name();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(settings.topic()), new Rebalance());
            long tick = System.nanoTime();
            while (running) {
                admit(tick);
                if (System.nanoTime() - tick >= 0) {
                    propose();
                    commitDurable();
                    tick = System.nanoTime() + settings.housekeeping().toNanos();
                }
                poll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            problem = "the poll loop stopped: " + e;
            LOG.errorf(e, "%s: the poll loop stopped; records are delivered again after a restart", settings.name());
        } finally {
            finish();
        }
    }

    /** Admits queued records while permits are free, waiting for one at most until {@code until} (nanoTime). */
    private void admit(long until) throws InterruptedException {
        while (!queued.isEmpty() && running) {
            long wait = until - System.nanoTime();
            if (!(permits.tryAcquire() || wait > 0 && permits.tryAcquire(wait, TimeUnit.NANOSECONDS))) {
                break;
            }
            start(queued.pollFirst());
        }
        queuedNow = queued.size();
    }

    /** Polls: for records while nothing waits for a permit; otherwise with every partition paused, without waiting. */
    private void poll() {
        if (queued.isEmpty()) {
            if (paused) {
                consumer.resume(consumer.paused());
                paused = false;
            }
        } else if (!paused) {
            consumer.pause(consumer.assignment()); // partitions assigned later are paused in onPartitionsAssigned
            paused = true;
        }
        var records = consumer.poll(queued.isEmpty() ? settings.pollTimeout() : Duration.ZERO);
        polls.incrementAndGet();
        for (ConsumerRecord<String, byte[]> r : records) {
            queued.addLast(r);
        }
        queuedNow = queued.size();
    }

    private void start(ConsumerRecord<String, byte[]> record) {
        Slot slot = new Slot(record.offset());
        tracks.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new Track()).slots.addLast(slot);
        CompletableFuture<Void> outcome;
        try {
            outcome = handler.handle(record);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.handle((x, e) -> e)
                .thenCompose(e -> {
                    if (e == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    deadLettered.incrementAndGet();
                    try {
                        return deadLetters.send(record, EmbeddingPipeline.unwrap(e));
                    } catch (RuntimeException send) {
                        return CompletableFuture.failedFuture(send);
                    }
                })
                .whenComplete((x, e) -> {
                    if (e == null) {
                        handled.incrementAndGet();
                        slot.done = true; // before the permit goes back: close() reads the slots once all are back
                    } else {
                        problem = String.format("%s %s-%d@%d could not be sent to the dead-letter topic: %s",
                                settings.what(), record.topic(), record.partition(), record.offset(),
                                EmbeddingPipeline.unwrap(e));
                        LOG.errorf(e, "%s %s-%d@%d (key %s) could not be sent to the dead-letter topic; its partition's "
                                        + "offsets are no longer committed", settings.what(), record.topic(),
                                record.partition(), record.offset(), record.key());
                    }
                    permits.release();
                });
    }

    /** Takes each partition's done prefix and asks the store to make it durable; the offsets are committed after. */
    private void propose() {
        Map<TopicPartition, OffsetAndMetadata> offsets = null;
        for (Map.Entry<TopicPartition, Track> e : tracks.entrySet()) {
            Track t = e.getValue();
            while (!t.slots.isEmpty() && t.slots.peekFirst().done) {
                t.next = t.slots.pollFirst().offset + 1;
            }
            if (t.next > t.proposed) {
                if (offsets == null) {
                    offsets = new HashMap<>();
                }
                offsets.put(e.getKey(), new OffsetAndMetadata(t.next));
                t.proposed = t.next;
            }
        }
        if (offsets == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> taken = offsets;
        long gen = generation;
        CompletableFuture<Void> stored;
        awaitingStore.incrementAndGet();
        try {
            stored = whenDurable.get();
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((x, e) -> {
            if (e == null) {
                durable.add(new Durable(gen, taken));
            } else {
                problem = "the vector store could not make writes durable: " + EmbeddingPipeline.unwrap(e);
                LOG.errorf(e, "%s: the vector store could not make writes durable; offsets %s are not committed",
                        settings.name(), taken);
            }
            awaitingStore.decrementAndGet(); // after the add: close() reads the durable offsets once this is zero
        });
    }

    /** The offsets made durable since the last call (under the current assignment), newest per partition. */
    private Map<TopicPartition, OffsetAndMetadata> takeDurable() {
        Map<TopicPartition, OffsetAndMetadata> merged = new HashMap<>();
        for (Durable d; (d = durable.poll()) != null; ) {
            if (d.generation() == generation) {
                d.offsets().forEach((tp, o) -> merged.merge(tp, o, (a, b) -> a.offset() >= b.offset() ? a : b));
            }
        }
        return merged;
    }

    private void commitDurable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = takeDurable();
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e == null) {
                    commits.incrementAndGet();
                } else {
                    LOG.warnf("%s: committing %s failed (a later commit covers them): %s", settings.name(), o, e.toString());
                }
            });
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                settle(System.nanoTime() + settings.closeTimeout().toNanos(), "at a rebalance");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = takeDurable();
            offsets.keySet().retainAll(partitions);
            if (!offsets.isEmpty()) {
                try {
                    consumer.commitSync(offsets);
                    commits.incrementAndGet();
                } catch (RuntimeException e) {
                    LOG.warnf("%s: committing %s on revocation failed: %s", settings.name(), offsets, e.toString());
                }
            }
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignedPartitions = consumer.assignment().size();
            LOG.infof("%s: assigned %s", settings.name(), partitions);
            if (!queued.isEmpty()) {
                consumer.pause(partitions); // new partitions start unpaused; records already wait for room
            }
        }

        /** Forgets revoked partitions; offsets proposed for the ones kept are proposed again under the new generation. */
        private void drop(Collection<TopicPartition> partitions) {
            generation++;
            queued.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            queuedNow = queued.size();
            partitions.forEach(tracks::remove);
            tracks.values().forEach(t -> t.proposed = -1);
            assignedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
        }
    }

    /**
     * Waits, until {@code deadline}, for the records in flight to finish, then for the store to make the done ones
     * durable; their offsets are then ready for {@link #takeDurable()}.
     */
    private void settle(long deadline, String when) throws InterruptedException {
        if (permits.tryAcquire(settings.maxInFlight(), deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            permits.release(settings.maxInFlight());
        } else {
            LOG.warnf("%s: %d records still in flight %s; they are delivered again", settings.name(),
                    settings.maxInFlight() - permits.availablePermits(), when);
        }
        propose();
        while (System.nanoTime() < deadline && awaitingStore.get() > 0) {
            Thread.sleep(10);
        }
    }

    /** On the loop thread as it ends: waits for the records in flight and their durability, commits, closes. */
    private void finish() {
        queued.clear();
        queuedNow = 0;
        try {
            settle(System.nanoTime() + settings.closeTimeout().toNanos(), "at close");
            Map<TopicPartition, OffsetAndMetadata> offsets = takeDurable();
            offsets.keySet().retainAll(consumer.assignment());
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                commits.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("%s: the final commit failed (records are delivered again after a restart): %s", settings.name(), e.toString());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("%s: closing the consumer failed: %s", settings.name(), e.toString());
            }
        }
    }

    /** Asks the loop to stop (it notices within one poll timeout) without waiting: to stop several loops at once. */
    public void stop() {
        running = false;
    }

    /** Stops the loop and waits for it to finish; see the class comment. */
    @Override
    public void close() {
        stop();
        try {
            thread.join(settings.closeTimeout().toMillis() + settings.pollTimeout().toMillis()
                    + settings.housekeeping().toMillis() + 20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
