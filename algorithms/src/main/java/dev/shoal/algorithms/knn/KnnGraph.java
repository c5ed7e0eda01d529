package dev.shoal.algorithms.knn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.util.VectorUtil;

/**
 * Approximate k-nearest-neighbour graph of {@code n} vectors under cosine distance, built by NN-Descent
 * (Dong, Moses &amp; Li, "Efficient k-nearest neighbor graph construction for generic similarity measures",
 * WWW 2011) started from a forest of random-projection trees (Dasgupta &amp; Freund, "Random projection trees
 * and low dimensional manifolds", STOC 2008), the construction of the reference UMAP implementation's
 * PyNNDescent (McInnes). Every node's neighbour list starts with the other points of its leaves in
 * {@code trees} angular RP trees; then each round joins every node's sampled "new" neighbours with each
 * other and with its "old" ones (forward and reverse lists, at most {@code maxCandidates} each), keeping the
 * k closest seen per node, until fewer than {@code delta * n * k} list entries changed in a round. Work is at most
 * O(n c^2) distance evaluations per round (c = maxCandidates), memory O(n (k + c)): never all pairs. Up to
 * {@value #EXACT_LIMIT} points the graph is computed exactly by brute force instead.
 *
 * <p>Why not an HNSW index searched once per node: on strongly clustered data (well-separated classes, as
 * embeddings of a trained model are) a greedy HNSW search from the entry point can stay in the wrong cluster,
 * leaving some nodes with neighbours at twice their true distance; those nodes then looked like outliers. The
 * RP-tree start puts cluster mates in the same leaves, and the local joins only ever improve a list.
 *
 * <p>The graph is the shared substrate of the mining algorithms: k-NN class probabilities, HDBSCAN's
 * mutual reachability, LOF, near-duplicate groups and the UMAP fuzzy simplicial set all read it.
 *
 * <p>A point far from every other (an outlier) may keep neighbours somewhat farther than its true ones: its
 * neighbours' neighbours lead back into their clusters, not to it. That over-estimates its outlier score, never
 * hides it; cluster members get (nearly) their exact lists.
 *
 * <p>Distances are cosine distances {@code 1 - cos(a, b)} in [0, 2]; each node's neighbours are sorted
 * by increasing distance and never include the node itself. A zero vector has distance 1 to everything.
 * With {@code threads = 1} the result is a deterministic function of the input and the seed; with more threads
 * the order of concurrent list updates can change which of two equally good candidates is kept.
 */
public final class KnnGraph {

    /** Up to this many points the graph is exact (brute force: n^2 / 2 distances). */
    static final int EXACT_LIMIT = 2_048;

    /** NN-Descent parameters. */
    public record Params(int k, int trees, int leafSize, int maxCandidates, int maxIterations, double delta,
                         int threads, long seed) {
        public Params {
            if (k < 1) throw new IllegalArgumentException("k must be >= 1, was " + k);
            if (trees < 0) throw new IllegalArgumentException("trees must be >= 0, was " + trees);
            if (leafSize < 2) throw new IllegalArgumentException("leafSize must be >= 2, was " + leafSize);
            if (maxCandidates < 1) throw new IllegalArgumentException("maxCandidates must be >= 1, was " + maxCandidates);
            if (maxIterations < 0) throw new IllegalArgumentException("maxIterations must be >= 0, was " + maxIterations);
            if (!(delta >= 0)) throw new IllegalArgumentException("delta must be >= 0, was " + delta);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }

        /**
         * 8 RP trees with leaves of at most max(2k, 32) points, at most max(k, 30) candidates per list,
         * up to 12 rounds, stop below 0.1% changed entries, all available processors.
         */
        public static Params defaults(int k) {
            return new Params(k, 8, Math.max(2 * k, 32), Math.max(k, 30), 12, 0.001,
                    Runtime.getRuntime().availableProcessors(), 42L);
        }

        public Params withThreads(int t) {
            return new Params(k, trees, leafSize, maxCandidates, maxIterations, delta, t, seed);
        }

        public Params withTrees(int t) {
            return new Params(k, t, leafSize, maxCandidates, maxIterations, delta, threads, seed);
        }

        public Params withMaxCandidates(int c) {
            return new Params(k, trees, leafSize, c, maxIterations, delta, threads, seed);
        }

        public Params withMaxIterations(int it) {
            return new Params(k, trees, leafSize, maxCandidates, it, delta, threads, seed);
        }

        public Params withSeed(long s) {
            return new Params(k, trees, leafSize, maxCandidates, maxIterations, delta, threads, s);
        }
    }

    private final int n;
    private final int k;
    private final int[] neighbors;
    private final float[] distances;

    private KnnGraph(int n, int k, int[] neighbors, float[] distances) {
        this.n = n;
        this.k = k;
        this.neighbors = neighbors;
        this.distances = distances;
    }

    /** Builds the graph with {@link Params#defaults(int)}. */
    public static KnnGraph build(float[][] vectors, int k) {
        return build(vectors, Params.defaults(k));
    }

    /**
     * Builds the approximate k-NN graph of {@code vectors} (all of one dimension; not modified).
     * {@code k} is capped at {@code n - 1}.
     */
    public static KnnGraph build(float[][] vectors, Params params) {
        int n = vectors.length;
        if (n == 0) return new KnnGraph(0, 0, new int[0], new float[0]);
        int dim = vectors[0] == null ? -1 : vectors[0].length;
        float[] invNorm = new float[n];
        for (int i = 0; i < n; i++) {
            if (vectors[i] == null || vectors[i].length != dim) {
                throw new IllegalArgumentException("vector " + i + " has dimension "
                        + (vectors[i] == null ? "null" : vectors[i].length) + ", expected " + dim);
            }
            double s = VectorUtil.dotProduct(vectors[i], vectors[i]);
            if (!Double.isFinite(s)) throw new IllegalArgumentException("vector " + i + " has a non-finite value");
            invNorm[i] = s > 0 ? (float) (1.0 / Math.sqrt(s)) : 0f;
        }
        int k = Math.min(params.k(), n - 1);
        if (k == 0) return new KnnGraph(n, 0, new int[0], new float[0]);
        Space space = new Space(vectors, invNorm);
        Lists lists = new Lists(n, k);
        ExecutorService pool = Executors.newFixedThreadPool(params.threads());
        try {
            if (n <= EXACT_LIMIT) {
                exact(space, lists, params.threads(), pool);
            } else {
                randomProjectionForest(space, lists, params, pool);
                fillEmptySlots(space, lists, params.seed());
                nnDescent(space, lists, params, pool);
            }
        } finally {
            pool.shutdownNow();
        }
        return lists.sorted();
    }

    // ------------------------------------------------------------------ construction

    /** Cosine distances over the caller's arrays. */
    private record Space(float[][] x, float[] invNorm) {
        float distance(int a, int b) {
            float cos = Dot.dot(x[a], x[b]) * invNorm[a] * invNorm[b];
            return Math.max(0f, 1f - cos);
        }
    }

    /**
     * Per node, a bounded max-heap of its k best candidates (root = farthest), each with a "new" flag, in flat
     * arrays. Updates take a striped lock; the unlocked pre-check against the root is only a shortcut.
     */
    private static final class Lists {
        final int n;
        final int k;
        final int[] idx;
        final float[] dist;
        final boolean[] fresh;
        private final Object[] locks = new Object[4096];

        Lists(int n, int k) {
            this.n = n;
            this.k = k;
            idx = new int[n * k];
            dist = new float[n * k];
            fresh = new boolean[n * k];
            java.util.Arrays.fill(idx, -1);
            java.util.Arrays.fill(dist, Float.POSITIVE_INFINITY);
            for (int i = 0; i < locks.length; i++) locks[i] = new Object();
        }

        float worst(int i) {
            return dist[i * k];
        }

        /** Offers {@code j} at distance {@code d} to node {@code i}'s list; true when the list changed. */
        boolean push(int i, int j, float d) {
            if (i == j || !(d < dist[i * k])) return false;
            synchronized (locks[i & (locks.length - 1)]) {
                int base = i * k;
                if (!(d < dist[base])) return false;
                for (int s = 0; s < k; s++) if (idx[base + s] == j) return false;
                // replace the root and sift it down
                int pos = 0;
                while (true) {
                    int left = 2 * pos + 1;
                    if (left >= k) break;
                    int right = left + 1;
                    int child = right < k && dist[base + right] > dist[base + left] ? right : left;
                    if (dist[base + child] <= d) break;
                    idx[base + pos] = idx[base + child];
                    dist[base + pos] = dist[base + child];
                    fresh[base + pos] = fresh[base + child];
                    pos = child;
                }
                idx[base + pos] = j;
                dist[base + pos] = d;
                fresh[base + pos] = true;
                return true;
            }
        }

        KnnGraph sorted() {
            int[] nb = new int[n * k];
            float[] ds = new float[n * k];
            Integer[] order = new Integer[k];
            for (int i = 0; i < n; i++) {
                int base = i * k;
                for (int s = 0; s < k; s++) order[s] = s;
                java.util.Arrays.sort(order, (a, b) -> {
                    int c = Float.compare(dist[base + a], dist[base + b]);
                    return c != 0 ? c : Integer.compare(idx[base + a], idx[base + b]);
                });
                for (int s = 0; s < k; s++) {
                    nb[base + s] = idx[base + order[s]];
                    ds[base + s] = dist[base + order[s]];
                }
            }
            return new KnnGraph(n, k, nb, ds);
        }
    }

    /** Runs {@code body(i)} for i in [0, count) on the pool, in chunks. */
    private static void parallelFor(ExecutorService pool, int threads, int count, int chunk, IntBody body) {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int from;
                while ((from = next.getAndAdd(chunk)) < count) {
                    int to = Math.min(count, from + chunk);
                    for (int i = from; i < to; i++) body.run(i);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("k-NN graph construction failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("k-NN graph construction interrupted", e);
            }
        }
    }

    @FunctionalInterface
    private interface IntBody {
        void run(int i);
    }

    private static void exact(Space space, Lists lists, int threads, ExecutorService pool) {
        int n = lists.n;
        parallelFor(pool, threads, n, 16, i -> {
            for (int j = 0; j < n; j++) {
                if (j != i) lists.push(i, j, space.distance(i, j));
            }
        });
    }

    /** Dimensions of the sketch the RP trees split on. */
    static final int SKETCH_DIMS = 32;

    /**
     * Angular RP trees: each split is the hyperplane through the origin halfway between two random points. The
     * splits are computed on a {@value #SKETCH_DIMS}-d Gaussian random projection of the normalised vectors
     * (Johnson-Lindenstrauss: angles are kept approximately), so a tree reads 128 bytes per point and level
     * instead of the full vector; the leaves' distances are exact.
     */
    private static void randomProjectionForest(Space space, Lists lists, Params p, ExecutorService pool) {
        int n = lists.n;
        float[][] sketch = sketch(space, p, pool);
        parallelFor(pool, p.threads(), p.trees(), 1, tree -> {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            split(space, sketch, lists, order, 0, n, p.leafSize(), new SplittableRandom(p.seed() * 31 + tree));
        });
    }

    private static float[][] sketch(Space space, Params p, ExecutorService pool) {
        float[][] x = space.x();
        int dim = x[0].length;
        if (dim <= SKETCH_DIMS) {
            float[][] out = new float[x.length][];
            parallelFor(pool, p.threads(), x.length, 1024, i -> {
                out[i] = new float[dim];
                for (int d = 0; d < dim; d++) out[i][d] = x[i][d] * space.invNorm()[i];
            });
            return out;
        }
        SplittableRandom r = new SplittableRandom(p.seed() ^ 0x9E3779B97F4A7C15L);
        float[][] axes = new float[SKETCH_DIMS][dim];
        for (float[] axis : axes) for (int d = 0; d < dim; d++) axis[d] = (float) gaussian(r);
        float[][] out = new float[x.length][SKETCH_DIMS];
        parallelFor(pool, p.threads(), x.length, 1024, i -> {
            for (int q = 0; q < SKETCH_DIMS; q++) out[i][q] = Dot.dot(x[i], axes[q]) * space.invNorm()[i];
        });
        return out;
    }

    private static double gaussian(SplittableRandom r) { // Box-Muller
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static void split(Space space, float[][] sketch, Lists lists, int[] order, int from, int to, int leafSize,
                              SplittableRandom r) {
        while (to - from > leafSize) {
            int size = to - from;
            float[] xa = sketch[order[from + r.nextInt(size)]];
            float[] xb = sketch[order[from + r.nextInt(size)]];
            float[] normal = new float[xa.length];
            for (int d = 0; d < normal.length; d++) normal[d] = xa[d] - xb[d];
            int lo = from;
            int hi = to - 1;
            while (lo <= hi) { // partition: margin > 0 (or a coin flip at 0) to the left
                int i = order[lo];
                float m = Dot.dot(normal, sketch[i]);
                boolean left = m > 0 || (m == 0 && r.nextBoolean());
                if (left) {
                    lo++;
                } else {
                    order[lo] = order[hi];
                    order[hi] = i;
                    hi--;
                }
            }
            int mid = lo;
            if (mid == from || mid == to) { // degenerate (identical points): halve at random
                for (int q = to - 1; q > from; q--) {
                    int w = from + r.nextInt(q - from + 1);
                    int t = order[q]; order[q] = order[w]; order[w] = t;
                }
                mid = from + size / 2;
            }
            // recurse into the smaller side, loop on the larger: stack depth O(log n)
            if (mid - from < to - mid) {
                split(space, sketch, lists, order, from, mid, leafSize, r);
                from = mid;
            } else {
                split(space, sketch, lists, order, mid, to, leafSize, r);
                to = mid;
            }
        }
        for (int u = from; u < to; u++) {
            for (int v = u + 1; v < to; v++) {
                int i = order[u];
                int j = order[v];
                float d = space.distance(i, j);
                lists.push(i, j, d);
                lists.push(j, i, d);
            }
        }
    }

    /** Lists the forest left short get random members, so that every node takes part in the joins. */
    private static void fillEmptySlots(Space space, Lists lists, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int n = lists.n;
        for (int i = 0; i < n; i++) {
            int guard = 0;
            while (lists.idx[i * lists.k] < 0 && guard++ < 4 * lists.k) {
                int j = r.nextInt(n);
                if (j != i) lists.push(i, j, space.distance(i, j));
            }
        }
    }

    private static void nnDescent(Space space, Lists lists, Params p, ExecutorService pool) {
        int n = lists.n;
        int k = lists.k;
        int c = p.maxCandidates();
        int[] newCand = new int[n * c];
        int[] oldCand = new int[n * c];
        int[] newSeen = new int[n];
        int[] oldSeen = new int[n];
        for (int iter = 0; iter < p.maxIterations(); iter++) {
            java.util.Arrays.fill(newSeen, 0);
            java.util.Arrays.fill(oldSeen, 0);
            SplittableRandom r = new SplittableRandom(p.seed() + 1_000_003L * (iter + 1));
            // candidates: each list entry goes to the node's own list and, reversed, to the neighbour's
            for (int i = 0; i < n; i++) {
                int base = i * k;
                for (int s = 0; s < k; s++) {
                    int j = lists.idx[base + s];
                    if (j < 0) continue;
                    if (lists.fresh[base + s]) {
                        sample(newCand, newSeen, c, i, j, r);
                        sample(newCand, newSeen, c, j, i, r);
                    } else {
                        sample(oldCand, oldSeen, c, i, j, r);
                        sample(oldCand, oldSeen, c, j, i, r);
                    }
                }
            }
            // entries that went into a node's own new-candidate sample are old from now on
            for (int i = 0; i < n; i++) {
                int base = i * k;
                int count = Math.min(newSeen[i], c);
                for (int s = 0; s < k; s++) {
                    if (!lists.fresh[base + s]) continue;
                    int j = lists.idx[base + s];
                    for (int q = 0; q < count; q++) {
                        if (newCand[i * c + q] == j) {
                            lists.fresh[base + s] = false;
                            break;
                        }
                    }
                }
            }
            AtomicLong changed = new AtomicLong();
            parallelFor(pool, p.threads(), n, 64, v -> {
                int nc = Math.min(newSeen[v], c);
                int oc = Math.min(oldSeen[v], c);
                int nb = v * c;
                long local = 0;
                for (int a = 0; a < nc; a++) {
                    int x = newCand[nb + a];
                    for (int b = a + 1; b < nc; b++) {
                        local += join(space, lists, x, newCand[nb + b]);
                    }
                    for (int b = 0; b < oc; b++) {
                        local += join(space, lists, x, oldCand[nb + b]);
                    }
                }
                if (local > 0) changed.addAndGet(local);
            });
            if (changed.get() <= p.delta() * n * k) break;
        }
    }

    private static int join(Space space, Lists lists, int a, int b) {
        if (a == b) return 0;
        float d = space.distance(a, b);
        if (!(d < lists.worst(a)) && !(d < lists.worst(b))) return 0;
        int changed = 0;
        if (lists.push(a, b, d)) changed++;
        if (lists.push(b, a, d)) changed++;
        return changed;
    }

    /** Reservoir sampling of at most {@code c} distinct candidates per node. */
    private static void sample(int[] cand, int[] seen, int c, int node, int value, SplittableRandom r) {
        int base = node * c;
        int have = Math.min(seen[node], c);
        for (int q = 0; q < have; q++) if (cand[base + q] == value) return;
        int s = seen[node]++;
        if (s < c) {
            cand[base + s] = value;
        } else {
            int w = r.nextInt(s + 1);
            if (w < c) cand[base + w] = value;
        }
    }

    // ------------------------------------------------------------------ access

    /** Builds a graph from neighbour lists computed elsewhere (row-major n×k, each row sorted by distance). */
    public static KnnGraph of(int n, int k, int[] neighbors, float[] distances) {
        if (neighbors.length != n * k || distances.length != n * k) {
            throw new IllegalArgumentException("neighbors/distances must have n*k = " + (n * k) + " entries");
        }
        return new KnnGraph(n, k, neighbors.clone(), distances.clone());
    }

    /** Number of nodes. */
    public int size() {
        return n;
    }

    /** Neighbours per node. */
    public int k() {
        return k;
    }

    /** The {@code j}-th nearest neighbour of node {@code i} (0 = nearest). */
    public int neighbor(int i, int j) {
        return neighbors[i * k + j];
    }

    /** Cosine distance from node {@code i} to its {@code j}-th nearest neighbour. */
    public float distance(int i, int j) {
        return distances[i * k + j];
    }

    /** A copy of node {@code i}'s neighbours, nearest first. */
    public int[] neighbors(int i) {
        int[] out = new int[k];
        System.arraycopy(neighbors, i * k, out, 0, k);
        return out;
    }

    /** A copy of node {@code i}'s neighbour distances, increasing. */
    public float[] distances(int i) {
        float[] out = new float[k];
        System.arraycopy(distances, i * k, out, 0, k);
        return out;
    }

    /** Fraction of true neighbours found, against an exact row-major n×k' neighbour table (k' ≥ k). */
    public double recallAgainst(int[][] exact) {
        long hit = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            java.util.Set<Integer> truth = new java.util.HashSet<>();
            for (int j = 0; j < k && j < exact[i].length; j++) truth.add(exact[i][j]);
            for (int j = 0; j < k; j++) if (truth.contains(neighbors[i * k + j])) hit++;
            total += truth.size();
        }
        return total == 0 ? 1.0 : (double) hit / total;
    }

    /** Cosine distance between two vectors (1 - cos; 1 when either is zero). */
    public static float cosineDistance(float[] a, float[] b) {
        double ab = VectorUtil.dotProduct(a, b);
        double aa = VectorUtil.dotProduct(a, a);
        double bb = VectorUtil.dotProduct(b, b);
        if (aa == 0 || bb == 0) return 1f;
        return (float) Math.max(0.0, 1.0 - ab / Math.sqrt(aa * bb));
    }

}
