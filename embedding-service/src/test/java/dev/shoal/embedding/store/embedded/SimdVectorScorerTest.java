package dev.shoal.embedding.store.embedded;

import dev.shoal.algorithms.knn.Dot;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SimdVectorScorerTest {

    private static final int[] DIMENSIONS = {1, 3, 7, 8, 16, 33, 64, 127, 384, 385, 768, 1000};

    private final SimdVectorScorer scorer = new SimdVectorScorer(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

    /** Unit vectors for DOT_PRODUCT (its definition), norm 2 for MAXIMUM_INNER_PRODUCT (dots of both signs, up to 4). */
    private static float[] vector(Random rnd, int dim, VectorSimilarityFunction sim) {
        float[] v = gaussian(rnd, dim, sim == VectorSimilarityFunction.DOT_PRODUCT
                || sim == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);
        if (sim == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT) {
            for (int i = 0; i < dim; i++) v[i] *= 2;
        }
        return v;
    }

    private static float[] gaussian(Random rnd, int dim, boolean unit) {
        float[] v = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
            n += (double) v[i] * v[i];
        }
        if (unit) {
            for (int i = 0; i < dim; i++) v[i] = (float) (v[i] / Math.sqrt(n));
        }
        return v;
    }

    private static List<float[]> vectors(Random rnd, int count, int dim, VectorSimilarityFunction sim) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(vector(rnd, dim, sim));
        return out;
    }

    private static void assertScore(float expected, float actual, String where) {
        assertEquals(expected, actual, 1e-5, where);
    }

    @Test
    void theStoreUsesTheSimdScorerWhenTheVectorModuleIsPresent() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without --add-modules jdk.incubator.vector: the store falls back to Lucene's scorer");
        assertTrue(Dot.SIMD);
        assertInstanceOf(SimdVectorScorer.class, SimdVectorScorer.INSTANCE);
    }

    @Test
    void queryScoresEqualLucenesCompareForEverySimilarityAndDimension() throws IOException {
        Random rnd = new Random(42);
        for (VectorSimilarityFunction sim : VectorSimilarityFunction.values()) {
            for (int dim : DIMENSIONS) {
                List<float[]> docs = vectors(rnd, 50, dim, sim);
                RandomAccessVectorValues.Floats values = RandomAccessVectorValues.fromFloats(docs, dim);
                for (int q = 0; q < 5; q++) {
                    float[] query = vector(rnd, dim, sim);
                    RandomVectorScorer s = scorer.getRandomVectorScorer(sim, values, query);
                    assertEquals(docs.size(), s.maxOrd());
                    for (int i = 0; i < docs.size(); i++) {
                        assertScore(sim.compare(query, docs.get(i)), s.score(i), sim + " dim " + dim + " doc " + i);
                    }
                }
            }
        }
    }

    @Test
    void graphBuildingScoresEqualLucenesCompareBetweenStoredVectors() throws IOException {
        Random rnd = new Random(7);
        for (VectorSimilarityFunction sim : VectorSimilarityFunction.values()) {
            for (int dim : new int[]{7, 384, 385}) {
                List<float[]> docs = vectors(rnd, 30, dim, sim);
                RandomVectorScorerSupplier supplier =
                        scorer.getRandomVectorScorerSupplier(sim, RandomAccessVectorValues.fromFloats(docs, dim));
                for (int a = 0; a < docs.size(); a++) {
                    RandomVectorScorer s = supplier.scorer(a);
                    for (int b = 0; b < docs.size(); b++) {
                        assertScore(sim.compare(docs.get(a), docs.get(b)), s.score(b), sim + " dim " + dim);
                    }
                }
            }
        }
    }

    @Test
    void cosineOfAVectorWithItselfIsTheTopScoreAndOppositeVectorsScoreZero() throws IOException {
        float[] v = {3, -1, 2, 0.5f, 7, 1, -2};
        float[] minus = new float[v.length];
        for (int i = 0; i < v.length; i++) minus[i] = -v[i];
        RandomVectorScorer s = scorer.getRandomVectorScorer(VectorSimilarityFunction.COSINE,
                RandomAccessVectorValues.fromFloats(List.of(v, minus), v.length), v);
        assertEquals(1f, s.score(0), 1e-6);
        assertEquals(0f, s.score(1), 1e-6);
    }

    /**
     * Lucene's cosine of a zero vector is 0/0 = NaN (its VectorUtil also asserts, so with -ea Lucene throws); the
     * SIMD scorer gives the same NaN without the assertion. The store never lets a zero vector in (VectorValidation).
     */
    @Test
    void aZeroVectorScoresNanUnderCosineLikeLucenesArithmetic() throws IOException {
        float[] zero = new float[385];
        float[] other = gaussian(new Random(1), 385, false);
        RandomVectorScorer s = scorer.getRandomVectorScorer(VectorSimilarityFunction.COSINE,
                RandomAccessVectorValues.fromFloats(List.of(other, zero), 385), zero);
        assertTrue(Float.isNaN(s.score(0)));
        assertTrue(Float.isNaN(s.score(1)));
        // dot product based similarities are defined for zero vectors and equal Lucene's
        RandomVectorScorer dot = scorer.getRandomVectorScorer(VectorSimilarityFunction.DOT_PRODUCT,
                RandomAccessVectorValues.fromFloats(List.of(other), 385), zero);
        assertEquals(VectorSimilarityFunction.DOT_PRODUCT.compare(zero, other), dot.score(0));
    }

    @Test
    void aQueryOfTheWrongDimensionIsRejected() {
        RandomAccessVectorValues.Floats values = RandomAccessVectorValues.fromFloats(List.of(new float[]{1, 0, 0}), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.getRandomVectorScorer(VectorSimilarityFunction.COSINE, values, new float[]{1, 0}));
        assertTrue(e.getMessage().contains("differs from field dimension"), e.getMessage());
    }

    @Test
    void byteVectorsGoToLucenesScorer() throws IOException {
        byte[] a = {1, 2, 3, -4};
        byte[] b = {4, -3, 2, 1};
        RandomVectorScorer s = scorer.getRandomVectorScorer(VectorSimilarityFunction.COSINE,
                RandomAccessVectorValues.fromBytes(List.of(a, b), 4), a);
        assertEquals(VectorSimilarityFunction.COSINE.compare(a, a), s.score(0));
        assertEquals(VectorSimilarityFunction.COSINE.compare(a, b), s.score(1));
    }

    /**
     * Values that hand out one reused buffer per copy, like Lucene's off-heap reader: a supplier's scorer must
     * keep its fixed vector after the next {@code scorer} call, and a copy must score the same from its own buffers.
     */
    @Test
    void supplierScorersOutliveTheNextScorerCallAndCopiesScoreTheSame() throws IOException {
        Random rnd = new Random(3);
        int dim = 385;
        List<float[]> docs = vectors(rnd, 20, dim, VectorSimilarityFunction.COSINE);
        RandomVectorScorerSupplier supplier =
                scorer.getRandomVectorScorerSupplier(VectorSimilarityFunction.COSINE, new ReusedBuffer(docs, dim));
        RandomVectorScorer first = supplier.scorer(0);
        RandomVectorScorer second = supplier.scorer(1);
        RandomVectorScorerSupplier copy = supplier.copy();
        RandomVectorScorer copied = copy.scorer(0);
        for (int b = 0; b < docs.size(); b++) {
            float expected = VectorSimilarityFunction.COSINE.compare(docs.get(0), docs.get(b));
            assertEquals(expected, first.score(b), 1e-5, "doc " + b);
            assertEquals(expected, copied.score(b), 1e-5, "copy, doc " + b);
            assertEquals(VectorSimilarityFunction.COSINE.compare(docs.get(1), docs.get(b)), second.score(b), 1e-5);
        }
        assertEquals(docs.size(), copied.maxOrd());
    }

    /**
     * A merge's vectors come from a file (values with a slice): graph building then scores from one packed heap copy,
     * with the same scores as Lucene's compare, scorers that outlive the next call, and copies that share the packing.
     */
    @Test
    void mergeValuesReadFromAFileArePackedOnTheHeapAndScoreAsLucene() throws IOException {
        Random rnd = new Random(17);
        for (VectorSimilarityFunction sim : List.of(VectorSimilarityFunction.COSINE, VectorSimilarityFunction.DOT_PRODUCT,
                VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT)) {
            for (int dim : new int[]{7, 384, 385}) {
                List<float[]> docs = vectors(rnd, 25, dim, sim);
                RandomVectorScorerSupplier supplier = scorer.getRandomVectorScorerSupplier(sim, new OnFile(docs, dim));
                assertInstanceOf(SimdVectorScorer.PackedSupplier.class, supplier, sim + " dim " + dim);
                RandomVectorScorer first = supplier.scorer(0);
                RandomVectorScorerSupplier copy = supplier.copy();
                for (int a = 0; a < docs.size(); a++) {
                    RandomVectorScorer s = (a % 2 == 0 ? supplier : copy).scorer(a);
                    assertEquals(docs.size(), s.maxOrd());
                    for (int b = 0; b < docs.size(); b++) {
                        assertScore(sim.compare(docs.get(a), docs.get(b)), s.score(b), sim + " dim " + dim + " " + a + "/" + b);
                    }
                }
                for (int b = 0; b < docs.size(); b++) {
                    assertScore(sim.compare(docs.get(0), docs.get(b)), first.score(b), "first scorer after the others");
                }
            }
        }
    }

    @Test
    void valuesAlreadyOnTheHeapOrLargerThanWhatTheBudgetHasLeftAreNotPacked() throws IOException {
        List<float[]> docs = vectors(new Random(19), 10, 16, VectorSimilarityFunction.COSINE);
        assertInstanceOf(SimdVectorScorer.Supplier.class,
                scorer.getRandomVectorScorerSupplier(VectorSimilarityFunction.COSINE, new ReusedBuffer(docs, 16)),
                "a flushed segment's vectors are on the heap already");
        long bytes = 10L * 16 * Float.BYTES;
        assertEquals(null, SimdVectorScorer.packOffHeap(new OnFile(docs, 16), new SimdVectorScorer.HeapBudget(bytes - 1)),
                "one byte over");
        SimdVectorScorer.HeapBudget budget = new SimdVectorScorer.HeapBudget(3 * bytes / 2);
        float[] packed = SimdVectorScorer.packOffHeap(new OnFile(docs, 16), budget);
        assertEquals(10 * 16, packed.length);
        assertEquals(docs.get(9)[15], packed[9 * 16 + 15]);
        assertEquals(bytes, budget.used());
        assertEquals(null, SimdVectorScorer.packOffHeap(new OnFile(docs, 16), budget),
                "a second merge while the first still holds its copy: what is left of the budget is too little");
        assertEquals(bytes, budget.used());
        assertEquals(docs.get(1)[0], packed[16]); // the first copy is still in use up to here
    }

    /** A copy gives its bytes back to the budget once it is garbage collected (Lucene gives the supplier no close). */
    @Test
    void aCollectedCopyGivesItsBytesBack() throws Exception {
        List<float[]> docs = vectors(new Random(23), 10, 16, VectorSimilarityFunction.COSINE);
        SimdVectorScorer.HeapBudget budget = new SimdVectorScorer.HeapBudget(10L * 16 * Float.BYTES);
        assertEquals(160, packAndDrop(docs, budget));
        for (int i = 0; i < 100 && budget.used() > 0; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, budget.used(), "after the copy was collected");
        assertInstanceOf(float[].class, SimdVectorScorer.packOffHeap(new OnFile(docs, 16), budget), "the budget is free again");
    }

    private static int packAndDrop(List<float[]> docs, SimdVectorScorer.HeapBudget budget) throws IOException {
        return SimdVectorScorer.packOffHeap(new OnFile(docs, 16), budget).length;
    }

    /** Values read from a file, as a merge's are: one reused buffer, and a slice. */
    private static final class OnFile extends ReusedBuffer {
        OnFile(List<float[]> docs, int dim) {
            super(docs, dim);
        }

        @Override
        public IndexInput getSlice() {
            return new ByteBuffersIndexInput(new ByteBuffersDataInput(List.of(ByteBuffer.allocate(0))), "vectors");
        }

        @Override
        public OnFile copy() {
            return new OnFile(docs, dim);
        }
    }

    private static class ReusedBuffer implements RandomAccessVectorValues.Floats {
        final List<float[]> docs;
        final int dim;
        private final float[] buffer;

        ReusedBuffer(List<float[]> docs, int dim) {
            this.docs = docs;
            this.dim = dim;
            this.buffer = new float[dim];
        }

        @Override
        public int size() {
            return docs.size();
        }

        @Override
        public int dimension() {
            return dim;
        }

        @Override
        public float[] vectorValue(int ord) {
            System.arraycopy(docs.get(ord), 0, buffer, 0, dim);
            return buffer;
        }

        @Override
        public ReusedBuffer copy() {
            return new ReusedBuffer(docs, dim);
        }
    }
}
