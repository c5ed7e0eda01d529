package dev.shoal.mining.service;

import dev.shoal.algorithms.knn.KnnGraph;

import java.util.List;

/**
 * The L2-normalised vectors of one embedding model over one dataset, as of one vector-set fingerprint, and the
 * k-NN graph over them once some analysis asked for it. Row {@code r} is frame {@code frameIds.get(r)}. Shared
 * between analyses through {@link VectorSetCache}: nothing here is modified after construction except the graph,
 * which only ever grows in k.
 */
public final class VectorSet {

    /** What the vectors and graph are a function of. */
    public record Key(String datasetId, String modelId, String modelVersion, String fingerprint) {
    }

    /** A graph handed to an analysis, and how it was obtained. */
    public record GraphUse(KnnGraph graph, boolean built, double seconds) {
    }

    public final Key key;
    public final List<String> frameIds;
    public final float[][] vectors;
    private KnnGraph graph;

    public VectorSet(Key key, List<String> frameIds, float[][] vectors) {
        if (frameIds.size() != vectors.length) {
            throw new IllegalArgumentException(frameIds.size() + " frame ids for " + vectors.length + " vectors");
        }
        this.key = key;
        this.frameIds = List.copyOf(frameIds);
        this.vectors = vectors;
    }

    public int size() {
        return vectors.length;
    }

    /** Rough heap held: the vectors, their array headers, the graph (ids and distances). */
    public long estimatedBytes() {
        long b = 0;
        for (float[] v : vectors) {
            b += 16 + 4L * v.length;
        }
        b += 8L * vectors.length + 64L * frameIds.size();
        KnnGraph g = graph;
        if (g != null) {
            b += 8L * g.size() * g.k();
        }
        return b;
    }

    /** The k of the graph held now, 0 when none has been built. */
    public synchronized int graphK() {
        return graph == null ? 0 : graph.k();
    }

    /**
     * A graph with exactly {@code k} neighbours per row: the held one when its k is {@code k}, its first {@code k}
     * columns when it holds more (each row is sorted by distance, so they are the {@code k} nearest found), else a new
     * one built by {@code builder} (which then replaces the held one). Concurrent callers wait for one build.
     */
    public synchronized GraphUse graph(int k, GraphBuilder builder) {
        long t = System.nanoTime();
        if (graph != null && graph.k() >= k) {
            KnnGraph g = graph.k() == k ? graph : firstColumns(graph, k);
            return new GraphUse(g, false, (System.nanoTime() - t) / 1e9);
        }
        graph = builder.build(vectors, k);
        return new GraphUse(graph, true, (System.nanoTime() - t) / 1e9);
    }

    /** Builds a k-NN graph over the vectors. */
    @FunctionalInterface
    public interface GraphBuilder {
        KnnGraph build(float[][] vectors, int k);
    }

    static KnnGraph firstColumns(KnnGraph g, int k) {
        int n = g.size();
        int[] nb = new int[n * k];
        float[] d = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                nb[i * k + j] = g.neighbor(i, j);
                d[i * k + j] = g.distance(i, j);
            }
        }
        return KnnGraph.of(n, k, nb, d);
    }

    /** Scales each vector to unit length in place (zero vectors stay zero): every method downstream is cosine. */
    static void normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        if (n > 0) {
            float inv = (float) (1.0 / Math.sqrt(n));
            for (int d = 0; d < v.length; d++) {
                v[d] *= inv;
            }
        }
    }
}
