package dev.shoal.algorithms.cluster;

import dev.shoal.algorithms.knn.KnnGraph;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * HDBSCAN* (Campello, Moulavi &amp; Sander, "Density-Based Clustering Based on Hierarchical Density
 * Estimates", PAKDD 2013; McInnes &amp; Healy, "Accelerated Hierarchical Density Based Clustering",
 * ICDMW 2017, whose condensed-tree and excess-of-mass selection this follows) computed on the shared
 * approximate {@link KnnGraph} so that it scales: the core distance of a point is the cosine distance
 * to its {@code minSamples}-th nearest point counting itself (the graph's {@code minSamples - 1}-th
 * neighbour), mutual reachability {@code max(core(a), core(b), d(a, b))} is evaluated on the graph's
 * edges only, and the minimum spanning forest of that sparse graph (Kruskal) replaces the full MST.
 * Any components the k-NN graph leaves apart are joined at infinite distance (λ = 0). The single-linkage
 * tree is condensed with {@code minClusterSize}, cluster stability is Σ (λ_p − λ_birth), and clusters are
 * chosen by excess of mass. O(n k log(n k)) time, O(n k) memory.
 */
public final class Hdbscan {

    /**
     * @param minClusterSize smallest group that counts as a cluster
     * @param minSamples     density smoothing: core distance to the minSamples-th point counting itself
     *                       (must be ≤ graph k + 1)
     */
    public record Options(int minClusterSize, int minSamples) {
        public Options {
            if (minClusterSize < 2) throw new IllegalArgumentException("minClusterSize must be >= 2, was " + minClusterSize);
            if (minSamples < 1) throw new IllegalArgumentException("minSamples must be >= 1, was " + minSamples);
        }
    }

    /**
     * @param labels      cluster per point in [0, numClusters), -1 for noise
     * @param numClusters number of selected clusters
     * @param probability membership strength per point in [0, 1] (0 for noise): λ_p / max λ in its cluster
     * @param stability   excess-of-mass stability per selected cluster
     */
    public record Result(int[] labels, int numClusters, double[] probability, double[] stability) {
    }

    private Hdbscan() {
    }

    public static Result fit(KnnGraph graph, Options o) {
        int n = graph.size();
        int k = graph.k();
        if (o.minSamples() - 1 > k) {
            throw new IllegalArgumentException("minSamples - 1 = " + (o.minSamples() - 1) + " exceeds the graph's k = " + k);
        }
        if (n == 0) return new Result(new int[0], 0, new double[0], new double[0]);
        if (n == 1) return new Result(new int[] {-1}, 0, new double[1], new double[0]);
        double[] core = new double[n];
        for (int i = 0; i < n; i++) core[i] = o.minSamples() <= 1 ? 0 : graph.distance(i, o.minSamples() - 2);

        // Kruskal over mutual-reachability edges, sorted by weight (non-negative floats sort as their bits)
        long[] edges = new long[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                int nb = graph.neighbor(i, j);
                float w = (float) Math.max(Math.max(core[i], core[nb]), graph.distance(i, j));
                edges[i * k + j] = ((long) Float.floatToIntBits(w) << 32) | (i * (long) k + j);
            }
        }
        Arrays.sort(edges);
        int[] uf = new int[2 * n - 1];
        for (int i = 0; i < uf.length; i++) uf[i] = i;
        int[] left = new int[n - 1];
        int[] right = new int[n - 1];
        double[] dist = new double[n - 1];
        int[] size = new int[2 * n - 1];
        Arrays.fill(size, 0, n, 1);
        int merges = 0;
        for (long e : edges) {
            if (merges == n - 1) break;
            int idx = (int) (e & 0xffffffffL);
            int a = idx / k;
            int b = graph.neighbor(a, idx % k);
            int ra = find(uf, a);
            int rb = find(uf, b);
            if (ra == rb) continue;
            int node = n + merges;
            left[merges] = ra;
            right[merges] = rb;
            dist[merges] = Float.intBitsToFloat((int) (e >>> 32));
            size[node] = size[ra] + size[rb];
            uf[ra] = node;
            uf[rb] = node;
            merges++;
        }
        // join whatever the k-NN graph left disconnected, at infinite distance
        if (merges < n - 1) {
            java.util.List<Integer> roots = new java.util.ArrayList<>();
            boolean[] seen = new boolean[2 * n - 1];
            for (int i = 0; i < n; i++) {
                int r = find(uf, i);
                if (!seen[r]) {
                    seen[r] = true;
                    roots.add(r);
                }
            }
            int current = roots.get(0);
            for (int q = 1; q < roots.size(); q++) {
                int r = roots.get(q);
                int node = n + merges;
                left[merges] = current;
                right[merges] = r;
                dist[merges] = Double.POSITIVE_INFINITY;
                size[node] = size[current] + size[r];
                uf[current] = node;
                uf[r] = node;
                current = node;
                merges++;
            }
        }
        return condenseAndSelect(n, left, right, dist, size, o.minClusterSize());
    }

    private static int find(int[] uf, int i) {
        while (uf[i] != i) {
            uf[i] = uf[uf[i]];
            i = uf[i];
        }
        return i;
    }

    private static double lambda(double d) {
        return d == Double.POSITIVE_INFINITY ? 0 : 1.0 / Math.max(d, 1e-10);
    }

    /** Condensed tree, stabilities, excess-of-mass selection and labels, from a single-linkage tree. */
    static Result condenseAndSelect(int n, int[] left, int[] right, double[] dist, int[] size, int mcs) {
        int root = 2 * n - 2;
        // condensed tree rows: parent cluster, child (point < n or cluster ≥ n), lambda, child size
        int cap = 2 * n;
        int[] rowParent = new int[cap];
        int[] rowChild = new int[cap];
        double[] rowLambda = new double[cap];
        int[] rowSize = new int[cap];
        int rows = 0;
        int[] relabel = new int[2 * n - 1];
        relabel[root] = n;
        int nextLabel = n + 1;
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        stack.push(root);
        int[] leafStack = new int[2 * n];
        while (!stack.isEmpty()) {
            int node = stack.pop();
            if (node < n) continue;
            int m = node - n;
            int l = left[m];
            int r = right[m];
            double lam = lambda(dist[m]);
            int ls = size[l];
            int rs = size[r];
            int parent = relabel[node];
            if (ls >= mcs && rs >= mcs) {
                relabel[l] = nextLabel++;
                rowParent[rows] = parent; rowChild[rows] = relabel[l]; rowLambda[rows] = lam; rowSize[rows] = ls; rows++;
                relabel[r] = nextLabel++;
                rowParent[rows] = parent; rowChild[rows] = relabel[r]; rowLambda[rows] = lam; rowSize[rows] = rs; rows++;
                stack.push(l);
                stack.push(r);
            } else {
                for (int side = 0; side < 2; side++) {
                    int child = side == 0 ? l : r;
                    int cs = side == 0 ? ls : rs;
                    if (cs >= mcs) {
                        relabel[child] = parent; // the cluster carries on through the bigger child
                        stack.push(child);
                        continue;
                    }
                    // all points under child fall out of the parent cluster at this lambda
                    int sp = 0;
                    leafStack[sp++] = child;
                    while (sp > 0) {
                        int x = leafStack[--sp];
                        if (x < n) {
                            if (rows == cap) {
                                cap *= 2;
                                rowParent = Arrays.copyOf(rowParent, cap);
                                rowChild = Arrays.copyOf(rowChild, cap);
                                rowLambda = Arrays.copyOf(rowLambda, cap);
                                rowSize = Arrays.copyOf(rowSize, cap);
                            }
                            rowParent[rows] = parent; rowChild[rows] = x; rowLambda[rows] = lam; rowSize[rows] = 1; rows++;
                        } else {
                            leafStack[sp++] = left[x - n];
                            leafStack[sp++] = right[x - n];
                        }
                    }
                }
            }
        }
        int numNodes = nextLabel - n; // clusters, indexed by label - n
        double[] birth = new double[numNodes];
        int[] clusterParent = new int[numNodes];
        Arrays.fill(clusterParent, -1);
        for (int q = 0; q < rows; q++) {
            if (rowChild[q] >= n) {
                birth[rowChild[q] - n] = rowLambda[q];
                clusterParent[rowChild[q] - n] = rowParent[q] - n;
            }
        }
        double[] stability = new double[numNodes];
        for (int q = 0; q < rows; q++) {
            int p = rowParent[q] - n;
            stability[p] += (rowLambda[q] - birth[p]) * rowSize[q];
        }
        // excess of mass, bottom-up (children carry larger labels than their parents); root excluded
        boolean[] selected = new boolean[numNodes];
        double[] childSum = new double[numNodes];
        for (int c = numNodes - 1; c >= 1; c--) {
            if (childSum[c] > stability[c]) {
                stability[c] = childSum[c];
            } else {
                selected[c] = true;
            }
            childSum[clusterParent[c]] += stability[c];
        }
        // top-down: a selected cluster hides all its descendants
        int[] owner = new int[numNodes];
        owner[0] = -1;
        for (int c = 1; c < numNodes; c++) {
            int po = owner[clusterParent[c]];
            if (po >= 0) {
                owner[c] = po;
                selected[c] = false;
            } else {
                owner[c] = selected[c] ? c : -1;
            }
        }
        int[] outLabel = new int[numNodes];
        int numClusters = 0;
        for (int c = 0; c < numNodes; c++) outLabel[c] = selected[c] ? numClusters++ : -1;
        double[] selStability = new double[numClusters];
        for (int c = 0; c < numNodes; c++) if (selected[c]) selStability[outLabel[c]] = stability[c];
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        double[] pointLambda = new double[n];
        for (int q = 0; q < rows; q++) {
            if (rowChild[q] < n) {
                int o = owner[rowParent[q] - n];
                labels[rowChild[q]] = o < 0 ? -1 : outLabel[o];
                pointLambda[rowChild[q]] = rowLambda[q];
            }
        }
        double[] maxLambda = new double[numClusters];
        for (int i = 0; i < n; i++) if (labels[i] >= 0) maxLambda[labels[i]] = Math.max(maxLambda[labels[i]], pointLambda[i]);
        double[] prob = new double[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) prob[i] = maxLambda[labels[i]] <= 0 ? 1 : Math.min(1, pointLambda[i] / maxLambda[labels[i]]);
        }
        return new Result(labels, numClusters, prob, selStability);
    }
}
