package dev.shoal.embedding.store.embedded;

import dev.shoal.algorithms.knn.Dot;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lucene's flat-vector scorer for float vectors, computed on SIMD lanes. Lucene 9.12 only uses its own Panama
 * vector code on Java 20 and later; on our Java 17 every HNSW insert, merge and search scores with the scalar
 * {@code DefaultVectorUtilSupport}, whose float reductions the JIT cannot vectorise. This scorer gives the same
 * scores as {@link VectorSimilarityFunction#compare} (up to float rounding: the sums are added in a different
 * order) using {@link Dot}, the project's jdk.incubator.vector dot product:
 * <ul>
 *   <li>COSINE: {@code max((1 + cos) / 2, 0)} with {@code cos = a.b / sqrt(|a|^2 |b|^2)} in double, as Lucene;
 *       the fixed side's squared norm (the query, or the node a graph builder inserts) is computed once per
 *       scorer, and a.b and |b|^2 are summed in one pass over the stored vector ({@link Dot#cosine}); a zero vector gives NaN like Lucene's arithmetic (Lucene additionally asserts, and the store
 *       rejects all-zero vectors before they reach the index);</li>
 *   <li>DOT_PRODUCT: {@code max((1 + a.b) / 2, 0)};</li>
 *   <li>MAXIMUM_INNER_PRODUCT: {@link VectorUtil#scaleMaxInnerProductScore}.</li>
 * </ul>
 * EUCLIDEAN (a difference is needed, not a dot product), byte vectors, and everything when the vector module is
 * absent ({@link Dot#SIMD} false: the JVM was started without {@code --add-modules jdk.incubator.vector}, or
 * {@code -Dshoal.simd.disabled=true}) go to Lucene's own scorer, so the scalar path stays what it was.
 * The scorer only changes arithmetic: the bytes on disk are Lucene99's.
 */
final class SimdVectorScorer implements FlatVectorsScorer {

    /** The scorer the store uses: this one when SIMD is available, else Lucene's. */
    static final FlatVectorsScorer INSTANCE = Dot.SIMD
            ? new SimdVectorScorer(FlatVectorScorerUtil.getLucene99FlatVectorsScorer())
            : FlatVectorScorerUtil.getLucene99FlatVectorsScorer();

    private final FlatVectorsScorer fallback;

    SimdVectorScorer(FlatVectorsScorer fallback) {
        this.fallback = fallback;
    }

    static boolean handles(VectorSimilarityFunction similarity) {
        return similarity == VectorSimilarityFunction.COSINE
                || similarity == VectorSimilarityFunction.DOT_PRODUCT
                || similarity == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    }

    @Override
    public RandomVectorScorerSupplier getRandomVectorScorerSupplier(VectorSimilarityFunction similarity,
                                                                    RandomAccessVectorValues values) throws IOException {
        if (handles(similarity) && values instanceof RandomAccessVectorValues.Floats floats) {
            float[] packed = packOffHeap(floats, MERGE_HEAP);
            return packed == null ? new Supplier(similarity, floats) : new PackedSupplier(similarity, floats, packed);
        }
        return fallback.getRandomVectorScorerSupplier(similarity, values);
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity, RandomAccessVectorValues values,
                                                    float[] target) throws IOException {
        if (handles(similarity) && values instanceof RandomAccessVectorValues.Floats floats) {
            if (target.length != values.dimension()) {
                throw new IllegalArgumentException("vector query dimension: " + target.length
                        + " differs from field dimension: " + values.dimension());
            }
            return new Scorer(similarity, floats, target);
        }
        return fallback.getRandomVectorScorer(similarity, values, target);
    }

    @Override
    public RandomVectorScorer getRandomVectorScorer(VectorSimilarityFunction similarity, RandomAccessVectorValues values,
                                                    byte[] target) throws IOException {
        return fallback.getRandomVectorScorer(similarity, values, target);
    }

    @Override
    public String toString() {
        return "SimdVectorScorer(fallback=" + fallback + ")";
    }

    /** The score of {@code a} against {@code b}; {@code aa} is a.a, needed only by COSINE. */
    static float score(VectorSimilarityFunction similarity, float[] a, float aa, float[] b) {
        return score(similarity, a, aa, b, 0);
    }

    /** {@link #score(VectorSimilarityFunction, float[], float, float[])} against the vector at {@code bOffset} in {@code b}. */
    static float score(VectorSimilarityFunction similarity, float[] a, float aa, float[] b, int bOffset) {
        return switch (similarity) {
            case COSINE -> {
                float cos = (float) Dot.cosine(a, aa, b, bOffset); // one pass over b for a.b and b.b
                yield Math.max((1 + cos) / 2, 0);
            }
            case DOT_PRODUCT -> Math.max((1 + Dot.dot(a, b, bOffset)) / 2, 0);
            case MAXIMUM_INNER_PRODUCT -> VectorUtil.scaleMaxInnerProductScore(Dot.dot(a, b, bOffset));
            default -> throw new IllegalArgumentException("not a dot-product similarity: " + similarity);
        };
    }

    /**
     * The heap that packed merge copies may hold together: a quarter of the maximum heap (192 MB of the 768 MB that
     * {@code ./shoal up} gives a service, 125,000 vectors of 384 floats; 768 MB of the k8s deployment's 3 GB, 500,000).
     * Concurrent merges share it; a merge that finds too little of it left scores from the file as before.
     */
    static final HeapBudget MERGE_HEAP = new HeapBudget(Runtime.getRuntime().maxMemory() / 4);

    private static final boolean PACK_MERGES = !Boolean.getBoolean("shoal.vector-store.merge-on-heap.disabled");

    /**
     * Bytes of heap handed out to packed copies, given back when a copy is garbage collected (a merge's scorers
     * hold its copy only while the merge builds the graph; Lucene gives the supplier no close).
     */
    static final class HeapBudget {
        private static final Cleaner CLEANER = Cleaner.create();
        private final long limit;
        private final AtomicLong used = new AtomicLong();

        HeapBudget(long limit) {
            this.limit = limit;
        }

        /** A new array of {@code length} floats charged to the budget, or null when it does not fit what is left. */
        float[] allocate(int length) {
            long bytes = (long) length * Float.BYTES;
            long before;
            do {
                before = used.get();
                if (before + bytes > limit) {
                    return null;
                }
            } while (!used.compareAndSet(before, before + bytes));
            float[] array = new float[length];
            CLEANER.register(array, () -> used.addAndGet(-bytes));
            return array;
        }

        long used() {
            return used.get();
        }
    }

    /**
     * The vectors of {@code values} packed one after another in one heap array, when they are read from a file (a
     * merge: Lucene writes the merged segment's vectors, then builds its graph over them through an
     * {@link org.apache.lucene.store.IndexInput}) and fit in what {@code budget} has left; else null. Building a graph
     * scores every node against hundreds of others picked at random: from the file each score first copies the
     * vector out of the mapped file into a buffer, from the packed array the dot product reads it in place
     * (docs/benchmarks/embedding-throughput.md, "Merges score from the heap"). One sequential pass over the file
     * makes the copy. {@code -Dshoal.vector-store.merge-on-heap.disabled=true} turns it off (for comparisons).
     */
    static float[] packOffHeap(RandomAccessVectorValues.Floats values, HeapBudget budget) throws IOException {
        if (!PACK_MERGES || values.getSlice() == null) {
            return null; // already on the heap (a flushed segment's graph is built while indexing)
        }
        int n = values.size();
        int dim = values.dimension();
        long floats = (long) n * dim;
        if (floats > Integer.MAX_VALUE - 16) {
            return null;
        }
        float[] packed = budget.allocate((int) floats);
        if (packed == null) {
            return null;
        }
        RandomAccessVectorValues.Floats reader = values.copy();
        for (int ord = 0; ord < n; ord++) {
            System.arraycopy(reader.vectorValue(ord), 0, packed, ord * dim, dim);
        }
        return packed;
    }

    /**
     * Scores the stored vectors against one fixed vector (a query, or the node being inserted): read through
     * {@code values}, or, for a merge, from their packed copy ({@link #packOffHeap}; then {@code values} only answers
     * ordinal-to-document questions).
     */
    static final class Scorer extends RandomVectorScorer.AbstractRandomVectorScorer {
        private final VectorSimilarityFunction similarity;
        private final RandomAccessVectorValues.Floats values;
        private final float[] packed;
        private final float[] target;
        private final float targetNorm2;

        Scorer(VectorSimilarityFunction similarity, RandomAccessVectorValues.Floats values, float[] target) {
            this(similarity, values, null, target);
        }

        Scorer(VectorSimilarityFunction similarity, RandomAccessVectorValues.Floats values, float[] packed, float[] target) {
            super(values);
            this.similarity = similarity;
            this.values = values;
            this.packed = packed;
            this.target = target;
            this.targetNorm2 = similarity == VectorSimilarityFunction.COSINE ? Dot.dot(target, target) : 0f;
        }

        @Override
        public float score(int node) throws IOException {
            return packed != null
                    ? SimdVectorScorer.score(similarity, target, targetNorm2, packed, node * target.length)
                    : SimdVectorScorer.score(similarity, target, targetNorm2, values.vectorValue(node));
        }
    }

    /**
     * Scorers for graph building: {@link #scorer(int)} fixes one stored vector and scores the others. Like Lucene's
     * supplier it reads the fixed vector and the scored ones through two separate copies of the values (an
     * off-heap reader reuses one buffer per copy), and the fixed vector is copied out of its buffer, so a scorer
     * stays valid after the next {@code scorer} call. A {@link #copy()} gets fresh copies for another thread.
     */
    static final class Supplier implements RandomVectorScorerSupplier {
        private final VectorSimilarityFunction similarity;
        private final RandomAccessVectorValues.Floats values;
        private final RandomAccessVectorValues.Floats fixed;
        private final RandomAccessVectorValues.Floats scored;

        Supplier(VectorSimilarityFunction similarity, RandomAccessVectorValues.Floats values) throws IOException {
            this.similarity = similarity;
            this.values = values;
            this.fixed = values.copy();
            this.scored = values.copy();
        }

        @Override
        public RandomVectorScorer scorer(int ord) throws IOException {
            return new Scorer(similarity, scored, fixed.vectorValue(ord).clone());
        }

        @Override
        public RandomVectorScorerSupplier copy() throws IOException {
            return new Supplier(similarity, values.copy());
        }

        @Override
        public String toString() {
            return "SimdVectorScorer.Supplier(similarity=" + similarity + ")";
        }
    }

    /**
     * {@link Supplier} over a packed copy of the values: the copy is read-only, so {@link #copy()} shares it between
     * the threads of a merge; {@code values} only answers ordinal-to-document questions.
     */
    static final class PackedSupplier implements RandomVectorScorerSupplier {
        private final VectorSimilarityFunction similarity;
        private final RandomAccessVectorValues.Floats values;
        private final float[] packed;
        private final int dim;

        PackedSupplier(VectorSimilarityFunction similarity, RandomAccessVectorValues.Floats values, float[] packed) {
            this.similarity = similarity;
            this.values = values;
            this.packed = packed;
            this.dim = values.dimension();
        }

        @Override
        public RandomVectorScorer scorer(int ord) {
            float[] target = java.util.Arrays.copyOfRange(packed, ord * dim, ord * dim + dim);
            return new Scorer(similarity, values, packed, target);
        }

        @Override
        public RandomVectorScorerSupplier copy() throws IOException {
            return new PackedSupplier(similarity, values.copy(), packed);
        }

        @Override
        public String toString() {
            return "SimdVectorScorer.PackedSupplier(similarity=" + similarity + ", vectors=" + packed.length / dim + ")";
        }
    }
}
