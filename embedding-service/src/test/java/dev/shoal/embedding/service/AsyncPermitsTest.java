package dev.shoal.embedding.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncPermitsTest {

    @Test
    void grants_up_to_the_limit_at_once_then_makes_callers_wait_in_arrival_order() {
        AsyncPermits permits = new AsyncPermits(2);
        assertTrue(permits.acquire().isDone());
        assertTrue(permits.acquire().isDone());
        CompletableFuture<Void> third = permits.acquire();
        CompletableFuture<Void> fourth = permits.acquire();
        assertFalse(third.isDone());
        assertEquals(2, permits.waiting());

        permits.release();
        assertTrue(third.isDone(), "the oldest waiter gets the released permit");
        assertFalse(fourth.isDone());
        assertEquals(2, permits.inUse(), "the permit passed on, not freed");

        permits.release();
        assertTrue(fourth.isDone());
        permits.release();
        permits.release();
        assertEquals(0, permits.inUse());
    }

    @Test
    void a_newcomer_does_not_overtake_a_waiter() {
        AsyncPermits permits = new AsyncPermits(1);
        permits.acquire();
        CompletableFuture<Void> waiting = permits.acquire();
        permits.release(); // goes to the waiter
        CompletableFuture<Void> newcomer = permits.acquire();
        assertTrue(waiting.isDone());
        assertFalse(newcomer.isDone());
    }

    @Test
    void never_more_than_the_limit_hold_a_permit_under_concurrent_use() throws Exception {
        AsyncPermits permits = new AsyncPermits(3);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        int tasks = 2_000;
        CountDownLatch finished = new CountDownLatch(tasks);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                all.add(permits.acquire().thenRunAsync(() -> {
                    most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                    Thread.onSpinWait();
                    holding.decrementAndGet();
                    permits.release();
                    finished.countDown();
                }, pool));
            }
            assertTrue(finished.await(30, TimeUnit.SECONDS), "every task got a permit");
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
        assertTrue(most.get() <= 3, "at most 3 at once, saw " + most.get());
        assertEquals(0, permits.inUse());
        assertEquals(0, permits.waiting());
    }

    @Test
    void refuses_a_release_without_a_permit_and_a_limit_below_one() {
        assertThrows(IllegalStateException.class, () -> new AsyncPermits(1).release());
        assertThrows(IllegalArgumentException.class, () -> new AsyncPermits(0));
    }
}
