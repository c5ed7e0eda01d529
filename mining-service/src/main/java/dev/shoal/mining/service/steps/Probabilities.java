package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.service.AnalysisContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Class probabilities for every frame of an analysis: the model's inferences when the analysis names a model,
 * else out-of-sample probabilities computed from the embeddings (k-fold k-NN over the shared graph, or a
 * k-fold linear probe), so that no frame's own label shapes its probabilities.
 */
@ApplicationScoped
public class Probabilities {

    @Inject
    MiningConfig config;

    public void ensure(AnalysisContext ctx) {
        if (ctx.probabilities != null) {
            return;
        }
        if (!ctx.analysis.hasEmbedding()) {
            throw new IllegalStateException("no inferences of a model and no embeddings: cannot compute class probabilities");
        }
        int[] rows = ctx.vectorRows();
        int[] labels = new int[rows.length];
        int labeled = 0;
        for (int r = 0; r < rows.length; r++) {
            labels[r] = ctx.snapshot.labels[rows[r]];
            labeled += labels[r] >= 0 ? 1 : 0;
        }
        if (labeled < 2) {
            throw new IllegalStateException("fewer than 2 labeled frames have vectors of embedding_model_id "
                    + ctx.analysis.embeddingModelId() + " embedding_model_version " + ctx.analysis.embeddingModelVersion());
        }
        int numClasses = ctx.snapshot.classes.size();
        double[][] p = "probe".equals(config.oosMethod())
                ? OutOfSampleProbabilities.logisticProbe(ctx.vectors(), labels, numClasses,
                OutOfSampleProbabilities.ProbeOptions.defaults())
                : OutOfSampleProbabilities.knn(ctx.knn(config.knnK()), labels, numClasses,
                OutOfSampleProbabilities.KnnOptions.defaults());
        float[][] probs = new float[ctx.snapshot.size()][];
        for (int r = 0; r < rows.length; r++) {
            float[] f = new float[numClasses];
            for (int k = 0; k < numClasses; k++) {
                f[k] = (float) p[r][k];
            }
            probs[rows[r]] = f;
        }
        ctx.probabilities = probs;
        ctx.probabilitySource = "out_of_sample_" + config.oosMethod();
    }
}
