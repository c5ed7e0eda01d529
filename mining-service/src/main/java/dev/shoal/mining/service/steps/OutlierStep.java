package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.outliers.KnnOutliers;
import dev.shoal.algorithms.outliers.LocalOutlierFactor;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Results.Outlier;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Outliers over the shared k-NN graph: mean k-NN cosine distance (Angiulli &amp; Pizzuti 2002, algorithms'
 * outliers.KnnOutliers) ranks them; the Local Outlier Factor (Breunig et al. 2000) is stored beside it.
 * The top {@code outlier-share} of frames (at least 100) are kept.
 */
@ApplicationScoped
public class OutlierStep implements AnalysisStep {

    @Inject
    MiningConfig config;

    @Inject
    ResultRepository results;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.OUTLIERS;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        KnnGraph graph = ctx.knn(config.knnK());
        int k = Math.min(config.knnK(), graph.k());
        double[] knn = KnnOutliers.meanDistance(graph, k);
        ctx.stepProgress(40);
        double[] lof = LocalOutlierFactor.scores(graph, k);
        ctx.stepProgress(70);
        int[] order = KnnOutliers.rankDescending(knn);
        int keep = Math.min(order.length, Math.max(100, (int) Math.ceil(order.length * config.outlierShare())));
        int[] rows = ctx.vectorRows();
        List<Outlier> out = new ArrayList<>(keep);
        for (int r = 0; r < keep; r++) {
            int v = order[r];
            out.add(new Outlier(ctx.analysis.id(), ctx.snapshot.frameIds.get(rows[v]), knn[v], lof[v], r + 1));
        }
        results.insertOutliers(out);
        return Map.of("frames", order.length, "kept", keep, "k", k);
    }
}
