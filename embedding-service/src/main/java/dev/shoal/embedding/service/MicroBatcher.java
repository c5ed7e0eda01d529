package dev.shoal.embedding.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Collects items submitted from many threads into batches of at most {@code maxSize}, waiting at most
 * {@code maxWait} after the first item of a batch for more, and runs {@code work} on each batch on a
 * dedicated thread (the model's {@code batchPredict}, or a store upsert). With more than one thread, each collects
 * and runs its own batches from the one queue, so that many batches run at once ({@code work} must then be
 * thread-safe). Each submitter gets a future for its own result; a failing batch fails every future of that batch
 * and the batcher goes on.
 */
public final class MicroBatcher<I, O> implements AutoCloseable {

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }

    private final int maxSize;
    private final long maxWaitNanos;
    private final Function<List<I>, List<O>> work;
    private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final String name;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private final LongAdder batches = new LongAdder();
    private final LongAdder items = new LongAdder();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();

    public MicroBatcher(String name, int maxSize, Duration maxWait, Function<List<I>, List<O>> work) {
        this(name, maxSize, maxWait, 1, work);
    }

    /** @param threads batches run at once, each collected and run by its own thread */
    public MicroBatcher(String name, int maxSize, Duration maxWait, int threads, Function<List<I>, List<O>> work) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("max batch size must be >= 1, was " + maxSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("batcher threads must be >= 1, was " + threads);
        }
        this.name = name;
        this.maxSize = maxSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.work = work;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::loop, threads == 1 ? name : name + "-" + (i + 1));
            t.setDaemon(true);
            this.threads.add(t);
        }
        this.threads.forEach(Thread::start);
    }

    public CompletableFuture<O> submit(I item) {
        CompletableFuture<O> f = new CompletableFuture<>();
        if (!running) {
            f.completeExceptionally(new IllegalStateException(name + " is closed"));
            return f;
        }
        queue.add(new Pending<>(item, f));
        return f;
    }

    /** Batches run so far and items in them (for logs and benchmarks). */
    public long batches() {
        return batches.sum();
    }

    public long items() {
        return items.sum();
    }

    /** Time spent inside {@code work} so far, in nanoseconds, summed over the threads (how busy the model was). */
    public long busyNanos() {
        return busyNanos.sum();
    }

    /**
     * Time the threads waited for items so far (an empty queue, or a batch not yet full within {@code maxWait}), in
     * nanoseconds, summed over the threads, not counting waits that ended with no item at all (an idle batcher).
     */
    public long waitNanos() {
        return waitNanos.sum();
    }

    /** Batches that run at once. */
    public int threads() {
        return threads.size();
    }

    private void loop() {
        List<Pending<I, O>> batch = new ArrayList<>(maxSize);
        while (running || !queue.isEmpty()) {
            try {
                long w0 = System.nanoTime();
                Pending<I, O> first = queue.poll();
                if (first == null) {
                    first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    waitNanos.add(System.nanoTime() - w0);
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxSize) {
                    if (queue.drainTo(batch, maxSize - batch.size()) > 0) {
                        continue;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    long w1 = System.nanoTime();
                    Pending<I, O> next = queue.poll(left, TimeUnit.NANOSECONDS);
                    waitNanos.add(System.nanoTime() - w1);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                batch.clear();
            }
        }
        Pending<I, O> p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new IllegalStateException(name + " is closed"));
        }
    }

    private void run(List<Pending<I, O>> batch) {
        List<I> inputs = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            inputs.add(p.item());
        }
        long t0 = System.nanoTime();
        try {
            List<O> outputs = work.apply(inputs);
            busyNanos.add(System.nanoTime() - t0);
            if (outputs.size() != batch.size()) {
                throw new IllegalStateException("batch of " + batch.size() + " gave " + outputs.size() + " results");
            }
            batches.increment();
            items.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(outputs.get(i));
            }
        } catch (RuntimeException | Error e) {
            for (Pending<I, O> p : batch) {
                p.result().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            for (Thread t : threads) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
