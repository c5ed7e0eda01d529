package dev.shoal.algorithms.duplicates;

import dev.shoal.algorithms.knn.KnnGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Near-duplicate groups that cannot chain: every member of a group is within the similarity threshold of the
 * group's representative, not merely of some other member. Single-link grouping (connected components of the
 * thresholded graph) lets a path of points each 0.98 from the next join ends that are far apart; on a model whose
 * features put every neighbour above the threshold it returns one group holding nearly the whole data set.
 *
 * <p>Grouping is leader (representative) clustering, the "leader" algorithm of J. A. Hartigan, <i>Clustering
 * Algorithms</i> (Wiley, 1975), ch. 3, run over the edges of the shared {@link KnnGraph} whose similarity reaches
 * the threshold, never all pairs. Representatives are taken in order of how many qualifying edges they have (the
 * densest point first, ties by index); each claims the not-yet-grouped points reachable from it over qualifying
 * edges whose own similarity to it reaches the threshold. So a group's diameter is at most twice the threshold
 * angle, a group may be larger than the graph's k (copies of copies are reached through each other), and a chain
 * of points is cut into pieces no wider than that.
 *
 * <p>The threshold adapts to the model's own similarity scale: {@link #threshold} takes the larger of a configured
 * floor and {@code 1 - relativeDistance × (median nearest-neighbour cosine distance)}, so that a pair counts as a
 * duplicate only when it is much closer than frames of this data set usually are to their nearest neighbour. The
 * median is used, not a high quantile, because duplicates themselves sit at the top of the similarity distribution:
 * a data set with more than 1% copies would push a 99th-percentile threshold above its own copies.
 *
 * <p>Groups whose members come from more than one split (train / test / validation) are leakage.
 */
public final class NearDuplicates {

    /**
     * One group: member indices ascending, its representative (one of the members), and the smallest similarity of a
     * member to the representative.
     */
    public record Group(int[] members, int representative, double minSimilarity) {
        public int size() {
            return members.length;
        }
    }

    /** A group whose members span several splits, with the members per split. */
    public record LeakingGroup(Group group, Map<String, int[]> membersBySplit) {
    }

    /**
     * The threshold used: {@code similarity} = max(floor, adaptive); {@code medianNeighbourSimilarity} is the median
     * over nodes of the similarity to the nearest neighbour (NaN for an empty graph); {@code source} is
     * {@code "floor"} or {@code "adaptive"}, whichever decided.
     */
    public record Threshold(double similarity, double floor, double medianNeighbourSimilarity, String source) {
    }

    private NearDuplicates() {
    }

    /**
     * The duplicate threshold for this graph: max({@code floor}, 1 - {@code relativeDistance} × median
     * nearest-neighbour distance). {@code relativeDistance <= 0} uses the floor alone.
     */
    public static Threshold threshold(KnnGraph graph, double floor, double relativeDistance) {
        int n = graph.size();
        if (n == 0 || graph.k() == 0) {
            return new Threshold(floor, floor, Double.NaN, "floor");
        }
        float[] nearest = new float[n];
        for (int i = 0; i < n; i++) {
            nearest[i] = graph.distance(i, 0);
        }
        Arrays.sort(nearest);
        double median = n % 2 == 1 ? nearest[n / 2] : 0.5 * (nearest[n / 2 - 1] + nearest[n / 2]);
        if (!(relativeDistance > 0)) {
            return new Threshold(floor, floor, 1.0 - median, "floor");
        }
        double adaptive = 1.0 - relativeDistance * median;
        return adaptive > floor
                ? new Threshold(adaptive, floor, 1.0 - median, "adaptive")
                : new Threshold(floor, floor, 1.0 - median, "floor");
    }

    /**
     * Groups of ≥ 2 nodes whose members all have cosine similarity ≥ {@code minSimilarity} to the group's
     * representative, found over the graph's qualifying edges; {@code vectors} are the graph's points (row i = node
     * i), read to check a member against a representative it is not a graph neighbour of. Largest group first.
     */
    public static List<Group> groups(KnnGraph graph, float[][] vectors, double minSimilarity) {
        int n = graph.size();
        if (vectors.length != n) {
            throw new IllegalArgumentException("graph has " + n + " nodes but " + vectors.length + " vectors");
        }
        float maxDist = (float) (1.0 - minSimilarity);
        int[][] adjacency = qualifyingAdjacency(graph, maxDist);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -adjacency[i].length).thenComparingInt(i -> i));
        boolean[] grouped = new boolean[n];
        int[] seenBy = new int[n];
        Arrays.fill(seenBy, -1);
        List<Group> out = new ArrayList<>();
        int[] queue = new int[n];
        for (int rep : order) {
            if (adjacency[rep].length == 0) {
                break; // the rest have no qualifying edge either
            }
            if (grouped[rep]) {
                continue;
            }
            // breadth-first over qualifying edges, admitting only points within the threshold of rep
            int head = 0;
            int tail = 0;
            queue[tail++] = rep;
            seenBy[rep] = rep;
            double minSim = 1.0;
            while (head < tail) {
                int u = queue[head++];
                for (int v : adjacency[u]) {
                    if (grouped[v] || seenBy[v] == rep) {
                        continue;
                    }
                    seenBy[v] = rep;
                    float d = KnnGraph.cosineDistance(vectors[rep], vectors[v]);
                    if (d <= maxDist) {
                        queue[tail++] = v;
                        minSim = Math.min(minSim, 1.0 - d);
                    }
                }
            }
            if (tail < 2) {
                continue; // every qualifying neighbour already belongs to a group
            }
            int[] members = Arrays.copyOf(queue, tail);
            for (int m : members) {
                grouped[m] = true;
            }
            Arrays.sort(members);
            out.add(new Group(members, rep, minSim));
        }
        out.sort(Comparator.comparingInt(Group::size).reversed().thenComparingInt(g -> g.members()[0]));
        return out;
    }

    /** Per node, its neighbours over edges (either direction, each once) at cosine distance ≤ maxDist, ascending. */
    private static int[][] qualifyingAdjacency(KnnGraph graph, float maxDist) {
        int n = graph.size();
        int[] degree = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < graph.k() && graph.distance(i, j) <= maxDist; j++) { // rows are sorted
                degree[i]++;
                degree[graph.neighbor(i, j)]++;
            }
        }
        int[][] adj = new int[n][];
        for (int i = 0; i < n; i++) {
            adj[i] = new int[degree[i]];
        }
        int[] fill = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < graph.k() && graph.distance(i, j) <= maxDist; j++) {
                int v = graph.neighbor(i, j);
                adj[i][fill[i]++] = v;
                adj[v][fill[v]++] = i;
            }
        }
        for (int i = 0; i < n; i++) {
            adj[i] = Arrays.stream(adj[i]).sorted().distinct().toArray();
        }
        return adj;
    }

    /** The groups with members in more than one split ({@code split[i]} names node i's split; null = unknown). */
    public static List<LeakingGroup> crossSplit(List<Group> groups, String[] split) {
        List<LeakingGroup> out = new ArrayList<>();
        for (Group g : groups) {
            Map<String, List<Integer>> by = new TreeMap<>();
            for (int m : g.members()) {
                if (split[m] != null) by.computeIfAbsent(split[m], x -> new ArrayList<>()).add(m);
            }
            if (by.size() > 1) {
                Map<String, int[]> arr = new TreeMap<>();
                by.forEach((k, v) -> arr.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
                out.add(new LeakingGroup(g, arr));
            }
        }
        return out;
    }
}
