package dev.shoal.embedding.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicroBatcherTest {

    @Test
    void items_submitted_together_are_batched_up_to_the_max_size_and_each_gets_its_own_result() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 8, Duration.ofMillis(200), in -> {
            sizes.add(in.size());
            return in.stream().map(x -> x * 10).toList();
        })) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                futures.add(b.submit(i));
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(i * 10, futures.get(i).get(5, TimeUnit.SECONDS));
            }
            assertTrue(sizes.stream().allMatch(s -> s <= 8), sizes.toString());
            assertTrue(sizes.size() <= 4, "20 items at once should fill batches of 8: " + sizes);
            assertEquals(20, b.items());
        }
    }

    @Test
    void a_lone_item_is_processed_after_the_max_wait_not_held_forever() throws Exception {
        try (MicroBatcher<String, String> b = new MicroBatcher<>("t", 64, Duration.ofMillis(30), in -> in)) {
            long t0 = System.nanoTime();
            assertEquals("x", b.submit("x").get(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            // the batch waited its 30 ms for a second item: counted as waiting for items, not as work
            assertTrue(b.waitNanos() >= TimeUnit.MILLISECONDS.toNanos(25), "waited " + b.waitNanos() + " ns");
            assertTrue(b.busyNanos() < TimeUnit.MILLISECONDS.toNanos(25), "busy " + b.busyNanos() + " ns");
        }
    }

    @Test
    void a_failing_batch_fails_its_items_and_the_next_batch_still_runs() throws Exception {
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ofMillis(1), in -> {
            if (in.contains(-1)) {
                throw new IllegalStateException("boom");
            }
            return in;
        })) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> b.submit(-1).get(5, TimeUnit.SECONDS));
            assertEquals("boom", e.getCause().getMessage());
            assertEquals(7, b.submit(7).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void with_two_threads_two_batches_run_at_once_and_every_item_still_gets_its_own_result() throws Exception {
        CountDownLatch bothInside = new CountDownLatch(2);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ofMillis(1), 2, in -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            bothInside.countDown();
            try {
                // the first two batches meet here: only possible when two threads run work at the same time
                bothInside.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
            return in.stream().map(x -> -x).toList();
        })) {
            assertEquals(2, b.threads());
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(b.submit(i));
            }
            for (int i = 0; i < 40; i++) {
                assertEquals(-i, futures.get(i).get(10, TimeUnit.SECONDS));
            }
            assertEquals(0, bothInside.getCount(), "two batches never ran at the same time");
            assertEquals(2, maxConcurrent.get());
            assertEquals(40, b.items());
        }
    }

    @Test
    void zero_threads_are_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MicroBatcher<Integer, Integer>("t", 4, Duration.ofMillis(1), 0, in -> in));
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
    }
}
