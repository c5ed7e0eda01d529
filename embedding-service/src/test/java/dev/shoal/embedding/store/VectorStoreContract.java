package dev.shoal.embedding.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link VectorStore} must have. Each implementation runs it through a subclass that says how
 * to open a store. Each test works in its own dataset (and model versions), so one store serves the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class VectorStoreContract {

    protected VectorStore store;

    /** Opens the store under test (called once per test class). */
    protected abstract VectorStore openStore() throws Exception;

    @BeforeAll
    void open() throws Exception {
        store = openStore();
    }

    @AfterAll
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static VectorRecord row(String dataset, String frame, String mv, float... v) {
        return new VectorRecord(frame, mv, dataset, "train", null, null, false, null, v);
    }

    private static float[] randomUnit(Random rnd, int dim) {
        float[] v = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    private List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(h -> h.record().frameId()).toList();
    }

    @Test
    void upsertingTheSameKeyTwiceLeavesOneRowWithTheLastValue() {
        String ds = unique("ds");
        String mv = unique("mv");
        store.upsert(List.of(row(ds, "f1", mv, 1, 0, 0)));
        store.upsert(List.of(new VectorRecord("f1", mv, ds, "validation", "cat", "dog", true, "ann", new float[]{0, 1, 0})));

        assertEquals(1, store.count(ds, mv));
        VectorRecord got = store.get("f1", mv).orElseThrow();
        assertArrayEquals(new float[]{0, 1, 0}, got.vector());
        assertEquals("validation", got.split());
        assertEquals("cat", got.label());
        assertEquals("dog", got.prediction());
        assertTrue(got.labeled());
        assertEquals("ann", got.labelerId());
        assertEquals(List.of("f1"), ids(store.search(new SearchQuery(new float[]{0, 1, 0}, 10, VectorFilter.of(ds, mv)))));
    }

    @Test
    void aReplayedBatchDoesNotDuplicateRows() {
        String ds = unique("ds");
        String mv = unique("mv");
        Random rnd = new Random(3);
        List<VectorRecord> batch = IntStream.range(0, 20)
                .mapToObj(i -> row(ds, "f" + i, mv, randomUnit(rnd, 8))).toList();
        store.upsert(batch);
        store.upsert(batch);
        store.upsert(batch.subList(5, 10));
        assertEquals(20, store.count(ds, mv));
        assertEquals(20, store.search(new SearchQuery(randomUnit(rnd, 8), 100, VectorFilter.of(ds, mv))).size());
    }

    @Test
    void nearestNeighboursOnSmallDataAreTheExactCosineRanking() {
        String ds = unique("ds");
        String mv = unique("mv");
        Random rnd = new Random(42);
        int dim = 16;
        List<VectorRecord> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // not normalised: the store must rank by cosine, not by dot product
            float[] v = randomUnit(rnd, dim);
            float scale = 0.5f + rnd.nextFloat() * 3;
            for (int j = 0; j < dim; j++) {
                v[j] *= scale;
            }
            rows.add(row(ds, "f" + i, mv, v));
        }
        store.upsert(rows);
        for (int q = 0; q < 5; q++) {
            float[] query = randomUnit(rnd, dim);
            List<VectorRecord> exact = rows.stream()
                    .sorted(Comparator.comparingDouble((VectorRecord r) -> -cosine(query, r.vector())))
                    .limit(7).toList();
            List<SearchHit> hits = store.search(new SearchQuery(query, 7, VectorFilter.of(ds, mv)));
            assertEquals(exact.stream().map(VectorRecord::frameId).toList(), ids(hits));
            for (int i = 0; i < hits.size(); i++) {
                assertEquals(cosine(query, exact.get(i).vector()), hits.get(i).score(), 1e-4);
                assertArrayEquals(exact.get(i).vector(), hits.get(i).record().vector());
            }
        }
    }

    @Test
    void kLargerThanTheDataReturnsEveryRowMostSimilarFirst() {
        String ds = unique("ds");
        String mv = unique("mv");
        store.upsert(List.of(row(ds, "a", mv, 1, 0), row(ds, "b", mv, 0, 1), row(ds, "c", mv, 1, 1)));
        List<SearchHit> hits = store.search(new SearchQuery(new float[]{1, 0.1f}, 50, VectorFilter.of(ds, mv)));
        assertEquals(List.of("a", "c", "b"), ids(hits));
        assertTrue(hits.get(0).score() > hits.get(1).score());
        assertEquals(1.0 / Math.sqrt(1.01), hits.get(0).score(), 1e-5);
    }

    /** Twelve frames f0..f11: datasets by parity, splits train/validation/unlabeled by i % 3, two model versions. */
    private record Fixture(String ds1, String ds2, String mv1, String mv2) {
    }

    private static final String[] SPLITS = {"train", "validation", "unlabeled"};
    private static final String[] CLASSES = {"cat", "dog", "bird"};

    private static String labelOf(int i) {
        return i % 3 == 2 ? null : CLASSES[(i / 3) % 3];
    }

    private static String predictionOf(int i) {
        return CLASSES[(i + 1) % 3];
    }

    private Fixture fixture() {
        Fixture f = new Fixture(unique("ds1"), unique("ds2"), unique("mv1"), unique("mv2"));
        List<VectorRecord> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String ds = i % 2 == 0 ? f.ds1 : f.ds2;
            boolean labeled = labelOf(i) != null;
            float[] v = {1, i / 12f, 0.5f};
            rows.add(new VectorRecord("f" + i, f.mv1, ds, SPLITS[i % 3], labelOf(i), predictionOf(i), labeled,
                    labeled ? "labeler" + (i % 2) : null, v));
            rows.add(new VectorRecord("f" + i, f.mv2, ds, SPLITS[i % 3], labelOf(i), predictionOf(i), labeled,
                    labeled ? "labeler" + (i % 2) : null, new float[]{v[2], v[1], v[0]}));
        }
        store.upsert(rows);
        return f;
    }

    private Set<String> matching(VectorFilter filter) {
        return new HashSet<>(ids(store.search(new SearchQuery(new float[]{1, 0.5f, 0.5f}, 100, filter))));
    }

    private static Set<String> frames(java.util.function.IntPredicate p) {
        return IntStream.range(0, 12).filter(p).mapToObj(i -> "f" + i).collect(Collectors.toSet());
    }

    @Test
    void filtersByDataset() {
        Fixture f = fixture();
        assertEquals(frames(i -> i % 2 == 0), matching(VectorFilter.of(f.ds1, f.mv1)));
        assertEquals(frames(i -> i % 2 == 1), matching(VectorFilter.of(f.ds2, f.mv1)));
    }

    @Test
    void filtersBySplit() {
        Fixture f = fixture();
        assertEquals(frames(i -> i % 2 == 0 && i % 3 == 1), matching(VectorFilter.of(f.ds1, f.mv1).split("validation")));
    }

    @Test
    void filtersLabeledAndUnlabeled() {
        Fixture f = fixture();
        assertEquals(frames(i -> i % 2 == 1 && i % 3 != 2), matching(VectorFilter.of(f.ds2, f.mv1).labeled(true)));
        assertEquals(frames(i -> i % 2 == 1 && i % 3 == 2), matching(VectorFilter.of(f.ds2, f.mv1).labeled(false)));
    }

    @Test
    void filtersByClassAndByPrediction() {
        Fixture f = fixture();
        Set<String> cats = frames(i -> i % 2 == 0 && "cat".equals(labelOf(i)));
        assertFalse(cats.isEmpty());
        assertEquals(cats, matching(VectorFilter.of(f.ds1, f.mv1).label("cat")));
        Set<String> predictedDogs = frames(i -> i % 2 == 0 && "dog".equals(predictionOf(i)));
        assertFalse(predictedDogs.isEmpty());
        assertEquals(predictedDogs, matching(VectorFilter.of(f.ds1, f.mv1).prediction("dog")));
    }

    @Test
    void filtersByModelVersion() {
        Fixture f = fixture();
        List<SearchHit> hits = store.search(new SearchQuery(new float[]{0.5f, 0.2f, 1}, 100, VectorFilter.of(f.ds1, f.mv2)));
        assertEquals(6, hits.size());
        assertTrue(hits.stream().allMatch(h -> h.record().modelVersion().equals(f.mv2)));
        assertEquals(1f, hits.get(0).record().vector()[2]); // mv2 holds the vectors reversed
        assertEquals(frames(i -> true), matching(VectorFilter.none().dataset(null).modelVersion(f.mv1)));
    }

    @Test
    void combinesFiltersAndExcludesFrames() {
        Fixture f = fixture();
        VectorFilter filter = VectorFilter.of(f.ds1, f.mv1).labeled(true).split("train");
        assertEquals(Set.of("f0", "f6"), matching(filter));
        assertEquals(Set.of("f6"), matching(filter.excluding(Set.of("f0"))));
        assertEquals(frames(i -> i % 2 == 0 && i != 0 && i != 2),
                matching(VectorFilter.of(f.ds1, f.mv1).excluding(Set.of("f0", "f2"))));
    }

    @Test
    void searchReturnsNothingWhenTheFilterMatchesNothing() {
        Fixture f = fixture();
        assertTrue(matching(VectorFilter.of(f.ds1, f.mv1).label("zebra")).isEmpty());
        assertTrue(matching(VectorFilter.of(unique("nope"), f.mv1)).isEmpty());
    }

    @Test
    void exportStreamsEveryRowOfADatasetAndModelVersionWithItsVector() {
        String ds = unique("ds");
        String other = unique("ds");
        String mv = unique("mv");
        Random rnd = new Random(7);
        int n = 1500; // several upsert batches, several segments
        List<VectorRecord> rows = IntStream.range(0, n)
                .mapToObj(i -> new VectorRecord("f" + i, mv, ds, "train", "c" + (i % 4), null, true, "l", randomUnit(rnd, 12)))
                .toList();
        for (int from = 0; from < n; from += 500) {
            store.upsert(rows.subList(from, from + 500));
        }
        store.upsert(rows.subList(0, 10)); // replays leave deleted documents behind in the embedded index
        store.upsert(List.of(row(other, "x", mv, randomUnit(rnd, 12))));

        List<VectorRecord> exported;
        try (Stream<VectorRecord> s = store.export(ds, mv)) {
            exported = s.toList();
        }
        assertEquals(n, exported.size());
        assertEquals(rows.stream().map(VectorRecord::frameId).collect(Collectors.toSet()),
                exported.stream().map(VectorRecord::frameId).collect(Collectors.toSet()));
        for (int i : new int[]{3, 17, 1499}) {
            VectorRecord got = exported.stream().filter(r -> r.frameId().equals("f" + i)).findFirst().orElseThrow();
            assertArrayEquals(rows.get(i).vector(), got.vector());
            assertEquals("c" + (i % 4), got.label());
        }

        List<VectorRecord> viaSink = new ArrayList<>();
        store.export(other, mv, viaSink::add);
        assertEquals(List.of("x"), viaSink.stream().map(VectorRecord::frameId).toList());
    }

    @Test
    void countsRowsPerDatasetAndModelVersion() {
        Fixture f = fixture();
        assertEquals(6, store.count(f.ds1, f.mv1));
        assertEquals(6, store.count(f.ds2, f.mv2));
        assertEquals(12, store.count(null, f.mv1));
        assertEquals(0, store.count(unique("none"), f.mv1));
    }

    @Test
    void getReturnsTheStoredRowOrNothing() {
        Fixture f = fixture();
        VectorRecord f3 = store.get("f3", f.mv1).orElseThrow();
        assertEquals(f.ds2, f3.datasetId());
        assertEquals(f.mv1, f3.modelVersion());
        assertEquals("train", f3.split());
        assertEquals("dog", f3.label());
        assertArrayEquals(new float[]{1, 3 / 12f, 0.5f}, f3.vector());
        VectorRecord f5 = store.get("f5", f.mv1).orElseThrow();
        assertFalse(f5.labeled());
        assertEquals(null, f5.label());
        assertTrue(store.get("f3", unique("mv")).isEmpty());
        assertTrue(store.get("no-such-frame", f.mv1).isEmpty());
        assertEquals(3, store.dimension(f.mv2).orElseThrow());
        assertTrue(store.dimension(unique("mv")).isEmpty());
    }

    @Test
    void holdsModelVersionsOfDifferentDimensionsSideBySide() {
        String ds = unique("ds");
        String small = unique("mv");
        String large = unique("mv");
        Random rnd = new Random(11);
        store.upsert(List.of(row(ds, "f1", small, randomUnit(rnd, 4)), row(ds, "f1", large, randomUnit(rnd, 384))));
        store.upsert(List.of(row(ds, "f2", small, randomUnit(rnd, 4)), row(ds, "f2", large, randomUnit(rnd, 384))));
        assertEquals(4, store.dimension(small).orElseThrow());
        assertEquals(384, store.dimension(large).orElseThrow());
        List<SearchHit> big = store.search(new SearchQuery(randomUnit(rnd, 384), 5, VectorFilter.of(ds, large)));
        assertEquals(2, big.size());
        assertTrue(big.stream().allMatch(h -> h.record().vector().length == 384));
        List<SearchHit> tiny = store.search(new SearchQuery(randomUnit(rnd, 4), 5, VectorFilter.of(ds, small)));
        assertEquals(2, tiny.size());
        assertTrue(tiny.stream().allMatch(h -> h.record().modelVersion().equals(small)));
        assertEquals(384, store.get("f2", large).orElseThrow().vector().length);
        assertEquals(2, store.count(ds, large));
    }

    @Test
    void rejectsABadBatchNamingTheRowAndWritesNothing() {
        String ds = unique("ds");
        String mv = unique("mv");
        List<VectorRecord> batch = List.of(row(ds, "good", mv, 1, 2), row(ds, "zero", mv, 0, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.upsert(batch));
        assertMessage(e, "row 1", "zero:" + mv, "vector");
        assertEquals(0, store.count(ds, mv));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> store.upsert(List.of(row(ds, " ", mv, 1, 2)))),
                "frameId");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> store.upsert(List.of(row(ds, "f", mv, 1, Float.NaN)))),
                "vector[1]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> store.upsert(List.of(row(ds, "f", null, 1)))),
                "modelVersion");
    }

    @Test
    void rejectsAVectorWhoseDimensionDiffersFromItsModelVersion() {
        String ds = unique("ds");
        String mv = unique("mv");
        store.upsert(List.of(row(ds, "a", mv, 1, 2, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.upsert(List.of(row(ds, "b", mv, 1, 2))));
        assertMessage(e, "2 dimensions", mv, "has 3");
        String fresh = unique("mv");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> store.upsert(List.of(row(ds, "c", fresh, 1, 2), row(ds, "d", fresh, 1)))), "row 1");
        assertDoesNotThrow(() -> store.upsert(List.of(row(ds, "c", fresh, 1, 2))));
    }

    @Test
    void keepsTheContentFingerprintAndLooksUpScalarsInABatchWithoutVectors() {
        String ds = unique("ds");
        String mv = unique("mv");
        store.upsert(List.of(
                new VectorRecord("a", mv, ds, "train", "cat", null, true, "ann", new float[]{1, 0}, "sha256:aaa"),
                new VectorRecord("b", mv, ds, "test", null, null, false, null, new float[]{0, 1}, null)));
        assertEquals("sha256:aaa", store.get("a", mv).orElseThrow().contentHash());
        assertEquals(null, store.get("b", mv).orElseThrow().contentHash());

        Map<String, VectorRecord> found = store.scalars(mv, List.of("a", "b", "missing"));
        assertEquals(Set.of("a", "b"), found.keySet());
        assertEquals("sha256:aaa", found.get("a").contentHash());
        assertEquals("cat", found.get("a").label());
        assertEquals("test", found.get("b").split());
        assertEquals(null, found.get("a").vector(), "scalars() leaves the vectors out");
        assertTrue(store.scalars(unique("mv"), List.of("a")).isEmpty());
        assertTrue(store.scalars(mv, List.of()).isEmpty());

        store.upsert(List.of(new VectorRecord("a", mv, ds, "train", "cat", null, true, "ann", new float[]{1, 1}, "sha256:bbb")));
        assertEquals("sha256:bbb", store.scalars(mv, List.of("a")).get("a").contentHash(), "an upsert replaces the fingerprint");
    }

    @Test
    void updateFieldsChangesTheScalarsOfEveryModelVersionOfAFrameAndKeepsItsVectors() {
        String ds = unique("ds");
        String mv1 = unique("mv");
        String mv2 = unique("mv");
        store.upsert(List.of(new VectorRecord("f", mv1, ds, "unlabeled", null, null, false, null, new float[]{1, 0, 0}, "h1"),
                new VectorRecord("f", mv2, ds, "unlabeled", null, null, false, null, new float[]{0, 1}, null),
                row(ds, "other", mv1, 0, 0, 1)));
        assertTrue(matching(VectorFilter.of(ds, mv1).labeled(true)).isEmpty());

        assertEquals(2, store.updateFields(ds, "f", FieldUpdate.label("cat", "ann-7")));
        for (String mv : List.of(mv1, mv2)) {
            VectorRecord r = store.get("f", mv).orElseThrow();
            assertEquals("cat", r.label());
            assertTrue(r.labeled());
            assertEquals("ann-7", r.labelerId());
            assertEquals("unlabeled", r.split(), "fields the update does not name stay");
        }
        assertArrayEquals(new float[]{1, 0, 0}, store.get("f", mv1).orElseThrow().vector());
        assertEquals("h1", store.get("f", mv1).orElseThrow().contentHash());
        assertEquals(Set.of("f"), matching(VectorFilter.of(ds, mv1).labeled(true)));
        assertEquals(Set.of("f"), matching(VectorFilter.of(ds, mv1).label("cat")));
        assertEquals(Set.of("other"), matching(VectorFilter.of(ds, mv1).labeled(false)));
        assertEquals(2, store.count(ds, mv1), "an update never adds rows");
        assertEquals(1, store.count(ds, mv2));

        assertEquals(2, store.updateFields(ds, "f", FieldUpdate.prediction("dog")), "both model versions' rows");
        assertEquals(Set.of("f"), matching(VectorFilter.of(ds, mv1).prediction("dog")));
        assertEquals("cat", store.get("f", mv1).orElseThrow().label(), "a prediction leaves the label");

        assertEquals(0, store.updateFields(ds, "f", FieldUpdate.prediction("dog")), "nothing to change");
        assertEquals(0, store.updateFields(ds, "not-stored-yet", FieldUpdate.label("cat", "ann")));
        assertEquals(0, store.updateFields(unique("ds"), "f", FieldUpdate.label("bird", "ann")), "another dataset's frame");
        assertEquals("cat", store.get("f", mv1).orElseThrow().label());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> store.updateFields(ds, " ", FieldUpdate.split("x"))),
                "frameId");
    }
}
