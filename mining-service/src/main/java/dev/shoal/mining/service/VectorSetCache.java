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
 */
@ApplicationScoped
public class VectorSetCache {

    private static final Logger LOG = Logger.getLogger(VectorSetCache.class);

    @Inject
    MiningConfig config;

    private final LinkedHashMap<VectorSet.Key, SoftReference<VectorSet>> entries = new LinkedHashMap<>(8, 0.75f, true);
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public synchronized Optional<VectorSet> get(VectorSet.Key key) {
        SoftReference<VectorSet> ref = entries.get(key);
        VectorSet v = ref == null ? null : ref.get();
        if (ref != null && v == null) {
            entries.remove(key);   // cleared by the garbage collector under memory pressure
        }
        (v == null ? misses : hits).incrementAndGet();
        return Optional.ofNullable(v);
    }

    public synchronized void put(VectorSet v) {
        int max = config.graphCache().maxEntries();
        if (max <= 0) {
            return;
        }
        // an older fingerprint of the same dataset and model can never be asked for again
        entries.keySet().removeIf(k -> k.datasetId().equals(v.key.datasetId()) && k.modelId().equals(v.key.modelId())
                && k.modelVersion().equals(v.key.modelVersion()) && !k.fingerprint().equals(v.key.fingerprint()));
        entries.put(v.key, new SoftReference<>(v));
        Iterator<Map.Entry<VectorSet.Key, SoftReference<VectorSet>>> it = entries.entrySet().iterator();
        while (entries.size() > max && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Called before a job loads a vector set that is not cached: drops every entry when the heap is tight. */
    public synchronized void makeRoom() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        double fraction = used / (double) rt.maxMemory();
        if (!entries.isEmpty() && fraction > config.graphCache().maxHeapFraction()) {
            LOG.infof("heap %.0f%% in use (above %.0f%%): dropping %d cached vector set(s) before loading another",
                    100 * fraction, 100 * config.graphCache().maxHeapFraction(), entries.size());
            entries.clear();
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
