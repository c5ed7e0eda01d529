package dev.shoal.mining.service;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which vector sets the cache keeps and which it evicts (entry limit, superseded fingerprints, heap room). */
class VectorSetCacheTest {

    /** A heap-fraction limit the heap in use can never exceed: {@link VectorSetCache#makeRoom} keeps everything. */
    private static final double NEVER_TIGHT = 1.0;

    private static VectorSet set(String dataset, String fingerprint) {
        return new VectorSet(new VectorSet.Key(dataset, "m", "1", fingerprint), List.of("a"), new float[][]{{1f, 0f}});
    }

    /** A cache of {@code maxEntries} that never finds the heap tight, given {@code sets} in this order. */
    private static VectorSetCache filled(int maxEntries, VectorSet... sets) {
        VectorSetCache cache = new VectorSetCache(maxEntries, NEVER_TIGHT);
        for (VectorSet v : sets) {
            cache.put(v);
        }
        return cache;
    }

    @Test
    void aCachedSetIsReturnedAndCountedAsAHit() {
        VectorSetCache cache = new VectorSetCache(2, NEVER_TIGHT);
        VectorSet a = set("ds-a", "f1");
        assertTrue(cache.get(a.key).isEmpty());
        cache.put(a);
        assertSame(a, cache.get(a.key).orElseThrow());
        assertEquals(1, cache.hits());
        assertEquals(1, cache.misses());
    }

    @Test
    void beyondTheEntryLimitTheLeastRecentlyUsedSetIsEvicted() {
        VectorSet a = set("ds-a", "f1");
        VectorSet b = set("ds-b", "f1");
        VectorSet c = set("ds-c", "f1");
        VectorSetCache cache = filled(2, a, b);
        cache.get(a.key); // a is now more recently used than b
        cache.put(c);
        assertEquals(2, cache.size());
        assertTrue(cache.get(b.key).isEmpty());
        assertTrue(cache.get(a.key).isPresent());
        assertTrue(cache.get(c.key).isPresent());
    }

    @Test
    void aNewFingerprintOfTheSameDatasetAndModelEvictsTheOlderOneOnly() {
        VectorSet old = set("ds-a", "f1");
        VectorSet other = set("ds-b", "f1");
        VectorSet newer = set("ds-a", "f2");
        VectorSetCache cache = filled(3, old, other, newer);
        assertEquals(2, cache.size());
        assertTrue(cache.get(old.key).isEmpty());
        assertSame(newer, cache.get(newer.key).orElseThrow());
        assertSame(other, cache.get(other.key).orElseThrow());
    }

    @Test
    void makeRoomDropsEverySetOnlyWhenTheHeapIsAboveTheLimit() {
        VectorSetCache roomy = filled(2, set("ds-a", "f1"));
        roomy.makeRoom();
        assertEquals(1, roomy.size());

        VectorSetCache tight = new VectorSetCache(2, 0.0); // any heap in use is above 0%
        tight.put(set("ds-a", "f1"));
        tight.put(set("ds-b", "f1"));
        tight.makeRoom();
        assertEquals(0, tight.size());
    }

    @Test
    void aLimitOfZeroTurnsTheCacheOff() {
        VectorSetCache off = new VectorSetCache(0, NEVER_TIGHT);
        VectorSet a = set("ds-a", "f1");
        off.put(a);
        assertEquals(0, off.size());
        assertFalse(off.get(a.key).isPresent());
    }
}
