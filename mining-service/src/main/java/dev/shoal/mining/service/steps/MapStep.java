package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.projection.Umap;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Results.MapPoint;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.store.ResultRepository;
import dev.shoal.mining.store.ResultRepository.IndexedPoint;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The 2-D map: UMAP (McInnes et al. 2018, algorithms' projection.Umap) on the shared k-NN graph, PCA-initialised;
 * each point carries its given label and its failure cluster (when clusters ran in the same analysis).
 */
@ApplicationScoped
public class MapStep implements AnalysisStep {

    @Inject
    MiningConfig config;

    @Inject
    ResultRepository results;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.MAP;
    }

    @Override
    public int weight() {
        return 3;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        KnnGraph graph = ctx.knn(config.knnK());
        Umap.Options opts = Umap.Options.defaults();
        if (config.umapEpochs() > 0) {
            opts = opts.withEpochs(config.umapEpochs());
        }
        float[][] xy = Umap.embed(graph, ctx.vectors(), opts);
        ctx.stepProgress(80);
        int[] rows = ctx.vectorRows();
        List<IndexedPoint> points = new ArrayList<>(rows.length);
        for (int r = 0; r < rows.length; r++) {
            int i = rows[r];
            Integer cluster = ctx.clusterOf == null ? null : ctx.clusterOf[i];
            points.add(new IndexedPoint(ctx.analysis.id(), r, new MapPoint(ctx.snapshot.frameIds.get(i), xy[r][0], xy[r][1],
                    ctx.snapshot.className(ctx.snapshot.labels[i]), cluster)));
        }
        results.insertMapPoints(points);
        return Map.of("points", points.size(), "method", "umap");
    }
}
