package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.duplicates.NearDuplicates;
import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Results.DuplicateGroup;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Near-duplicate groups over the shared k-NN graph's edges (algorithms' duplicates.NearDuplicates: leader clustering,
 * every member within the threshold of its group's representative, never all pairs) at the larger of
 * {@code duplicate-similarity} and the threshold adapted to the vectors' median nearest-neighbour distance
 * ({@code duplicate-relative-distance}), and leakage: groups whose members sit in more than one of train / validation /
 * test (the unlabeled pool and unknown splits do not count).
 */
@ApplicationScoped
public class DuplicateStep implements AnalysisStep {

    @Inject
    MiningConfig config;

    @Inject
    ResultRepository results;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.DUPLICATES;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        KnnGraph graph = ctx.knn(config.knnK());
        NearDuplicates.Threshold threshold = NearDuplicates.threshold(graph, config.duplicateSimilarity(),
                config.duplicateRelativeDistance());
        List<NearDuplicates.Group> groups = NearDuplicates.groups(graph, ctx.vectors(), threshold.similarity());
        ctx.stepProgress(60);
        int[] rows = ctx.vectorRows();
        String[] evalSplit = new String[rows.length];
        for (int r = 0; r < rows.length; r++) {
            String s = ctx.snapshot.splits[rows[r]];
            evalSplit[r] = "train".equals(s) || "validation".equals(s) || "test".equals(s) ? s : null;
        }
        Set<NearDuplicates.Group> leaking = new HashSet<>();
        NearDuplicates.crossSplit(groups, evalSplit).forEach(l -> leaking.add(l.group()));
        List<DuplicateGroup> out = new ArrayList<>(groups.size());
        int gid = 0;
        for (NearDuplicates.Group g : groups) {
            List<String> ids = new ArrayList<>(g.size());
            List<String> splits = new ArrayList<>(g.size());
            for (int m : g.members()) {
                ids.add(ctx.snapshot.frameIds.get(rows[m]));
                String s = ctx.snapshot.splits[rows[m]];
                splits.add(s == null ? "unspecified" : s);
            }
            out.add(new DuplicateGroup(ctx.analysis.id(), ++gid, g.size(), ctx.snapshot.frameIds.get(rows[g.representative()]),
                    ids, splits, g.minSimilarity(), leaking.contains(g)));
        }
        results.insertDuplicates(out);
        long frames = groups.stream().mapToLong(NearDuplicates.Group::size).sum();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("groups", out.size());
        summary.put("frames_in_groups", frames);
        summary.put("largest_group", groups.isEmpty() ? 0 : groups.get(0).size());
        summary.put("leaking_groups", leaking.size());
        summary.put("min_similarity", threshold.similarity());
        summary.put("threshold_source", threshold.source());
        summary.put("similarity_floor", threshold.floor());
        summary.put("median_neighbour_similarity", threshold.medianNeighbourSimilarity());
        return summary;
    }
}
