package dev.shoal.algorithms.duplicates;

import dev.shoal.algorithms.knn.KnnGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Near-duplicate groups: the connected components of the graph whose edges join nodes with cosine
 * similarity ≥ a threshold, found with union–find (Tarjan 1975, union by size with path halving) over the
 * shared HNSW {@link KnnGraph} edges only, never all pairs. This is single-linkage grouping at a fixed
 * threshold, as in near-duplicate detection by approximate nearest neighbours (e.g. fastdup,
 * cleanvision's near-duplicates). A group larger than the graph's k is still found whole as long as
 * its members are chained by qualifying edges. Groups whose members come from more than one split
 * (train / test / validation) are leakage.
 */
public final class NearDuplicates {

    /** One group: member indices ascending, and the smallest similarity on the edges that joined it. */
    public record Group(int[] members, double minSimilarity) {
        public int size() {
            return members.length;
        }
    }

    /** A group whose members span several splits, with the members per split. */
    public record LeakingGroup(Group group, Map<String, int[]> membersBySplit) {
    }

    private NearDuplicates() {
    }

    /** Groups of ≥ 2 nodes joined by edges with cosine similarity ≥ {@code minSimilarity}, largest first. */
    public static List<Group> groups(KnnGraph graph, double minSimilarity) {
        int n = graph.size();
        int[] parent = new int[n];
        int[] size = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            size[i] = 1;
        }
        float maxDist = (float) (1.0 - minSimilarity);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < graph.k(); j++) {
                if (graph.distance(i, j) > maxDist) break; // rows are sorted
                union(parent, size, i, graph.neighbor(i, j));
            }
        }
        Map<Integer, List<Integer>> byRoot = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            int r = find(parent, i);
            if (size[r] > 1) byRoot.computeIfAbsent(r, x -> new ArrayList<>()).add(i);
        }
        // min similarity over qualifying edges inside each group
        double[] minSim = new double[n];
        Arrays.fill(minSim, 1.0);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < graph.k(); j++) {
                if (graph.distance(i, j) > maxDist) break;
                int r = find(parent, i);
                minSim[r] = Math.min(minSim[r], 1.0 - graph.distance(i, j));
            }
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : byRoot.entrySet()) {
            out.add(new Group(e.getValue().stream().mapToInt(Integer::intValue).toArray(), minSim[e.getKey()]));
        }
        out.sort(Comparator.comparingInt(Group::size).reversed().thenComparingInt(g -> g.members()[0]));
        return out;
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

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int[] size, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra == rb) return;
        if (size[ra] < size[rb]) {
            int t = ra;
            ra = rb;
            rb = t;
        }
        parent[rb] = ra;
        size[ra] += size[rb];
    }
}
