package dev.shoal.embedding.service;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A counting semaphore whose {@link #acquire()} returns a future instead of blocking a thread: it bounds how many
 * frames are in flight in the pipeline while the Kafka consumer's thread only ever registers a continuation. Waiters
 * are served first come, first served; a released permit completes the oldest waiter on the releasing thread.
 */
public final class AsyncPermits {

    private final int limit;
    private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
    private int inUse;

    public AsyncPermits(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("permits must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /** A future completed once a permit is held (already completed when one is free now). */
    public CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (inUse < limit && waiters.isEmpty()) {
                inUse++;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            waiters.addLast(waiter);
            return waiter;
        }
    }

    /** Gives one permit back: to the oldest waiter when there is one. */
    public void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiters.pollFirst();
            if (next == null) {
                if (inUse == 0) {
                    throw new IllegalStateException("release() without a permit held");
                }
                inUse--;
                return;
            }
        }
        next.complete(null); // the permit passes to it; outside the lock, since completing runs its continuations
    }

    /** Permits held now. */
    public synchronized int inUse() {
        return inUse;
    }

    /** Callers waiting for a permit now. */
    public synchronized int waiting() {
        return waiters.size();
    }
}
