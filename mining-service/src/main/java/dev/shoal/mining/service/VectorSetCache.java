package dev.shoal.mining.service;

import dev.shoal.mining.config.MiningConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.lang.ref.SoftReference;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The last few {@link VectorSet}s (normalised vectors + k-NN graph) of the service, so that a clusters job followed
 * by a map job over the same vectors loads them and builds the graph once. Keyed by dataset, embedding model id and
 * version, and the fingerprint of the vector set in the read model: any new, changed or removed vector changes the
 * fingerprint, so the next job misses and rebuilds, and the stale entry of that dataset and model is dropped.
 *
 * <p>Bounded three ways: at most {@code shoal.mining.graph-cache.max-entries} entries (least recently used goes
 * first; 0 turns the cache off), entries are held through {@link SoftReference}s (the JVM clears them before it
 * would throw OutOfMemoryError), and before a job loads a new vector set every idle entry is dropped when the
 * heap in use is above {@code shoal.mining.graph-cache.max-heap-fraction} of the maximum.
 *
 * <p>Every entry leaves through {@link #evict}: cleared by the garbage collector, superseded by a newer fingerprint,
 * beyond the entry limit, or dropped for heap room.
 */
@ApplicationScoped
public class VectorSetCache {

    private static final Logger LOG = Logger.getLogger(VectorSetCache.class);

    private final int maxEntries;
    private final double maxHeapFraction;

    /** Least recently used first (access order). */
    private final LinkedHashMap<VectorSet.Key, SoftReference<VectorSet>> entries = new LinkedHashMap<>(8, 0.75f, true);
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    @Inject
    public VectorSetCache(MiningConfig config) {
        this(config.graphCache().maxEntries(), config.graphCache().maxHeapFraction());
    }

    /**
     * @param maxEntries      vector sets kept at most; 0 = no cache
     * @param maxHeapFraction share of the maximum heap in use above which {@link #makeRoom} drops every entry
     */
    VectorSetCache(int maxEntries, double maxHeapFraction) {
        this.maxEntries = maxEntries;
        this.maxHeapFraction = maxHeapFraction;
    }

    public synchronized Optional<VectorSet> get(VectorSet.Key key) {
        SoftReference<VectorSet> ref = entries.get(key);
        VectorSet v = ref == null ? null : ref.get();
        if (ref != null && v == null) {
            evict(k -> false, maxEntries);   // cleared by the garbage collector under memory pressure
        }
        (v == null ? misses : hits).incrementAndGet();
        return Optional.ofNullable(v);
    }

    public synchronized void put(VectorSet v) {
        if (maxEntries <= 0) {
            return;
        }
        entries.put(v.key, new SoftReference<>(v));
        // an older fingerprint of the same dataset and model can never be asked for again; v is the most recently
        // used entry, so the trim to maxEntries drops older ones first
        evict(k -> k.datasetId().equals(v.key.datasetId()) && k.modelId().equals(v.key.modelId())
                && k.modelVersion().equals(v.key.modelVersion()) && !k.fingerprint().equals(v.key.fingerprint()),
                maxEntries);
    }

    /** Called before a job loads a vector set that is not cached: drops every entry when the heap is tight. */
    public synchronized void makeRoom() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        double fraction = used / (double) rt.maxMemory();
        if (!entries.isEmpty() && fraction > maxHeapFraction) {
            LOG.infof("heap %.0f%% in use (above %.0f%%): dropping %d cached vector set(s) before loading another",
                    100 * fraction, 100 * maxHeapFraction, entries.size());
            evict(k -> true, maxEntries);
        }
    }

    /**
     * The one place entries leave the cache: first every entry the garbage collector cleared and every entry whose
     * key {@code drop} accepts, then the least recently used ones until at most {@code keepAtMost} remain.
     */
    private void evict(Predicate<VectorSet.Key> drop, int keepAtMost) {
        entries.entrySet().removeIf(e -> e.getValue().get() == null || drop.test(e.getKey()));
        Iterator<Map.Entry<VectorSet.Key, SoftReference<VectorSet>>> leastRecentFirst = entries.entrySet().iterator();
        while (entries.size() > keepAtMost && leastRecentFirst.hasNext()) {
            leastRecentFirst.next();
            leastRecentFirst.remove();
        }
    }

    public synchronized int size() {
        return entries.size();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }
}
