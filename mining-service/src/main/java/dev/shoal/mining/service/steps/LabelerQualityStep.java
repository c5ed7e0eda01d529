package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.consensus.Annotation;
import dev.shoal.algorithms.consensus.AnnotationSet;
import dev.shoal.algorithms.consensus.ConsensusResult;
import dev.shoal.algorithms.consensus.Crowdlab;
import dev.shoal.algorithms.consensus.DawidSkene;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Results.LabelerQuality;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.service.Snapshot;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Labeler quality over every classification answer of the label set. With class probabilities (the model's
 * inferences, or out-of-sample probabilities from the embeddings, as label_errors uses): CROWDLAB (algorithms'
 * consensus.Crowdlab, Goh et al. 2022), which lets the model's evidence break ties between labelers; per labeler its
 * quality score, its agreement with the consensus (its estimated accuracy) and its confusion matrix against the
 * consensus. Without a probability source: the Dawid–Skene estimator (consensus.DawidSkene), whose estimated accuracy
 * is also the quality. The summary names the method used.
 */
@ApplicationScoped
public class LabelerQualityStep implements AnalysisStep {

    public static final String CROWDLAB = "crowdlab";
    public static final String DAWID_SKENE = "dawid_skene";

    @Inject
    ResultRepository results;

    @Inject
    Probabilities probabilities;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.LABELER_QUALITY;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        Snapshot s = ctx.snapshot;
        if (s.answers() == 0) {
            return Map.of("labelers", 0, "note", "no classification labels in label set " + ctx.analysis.labelSet());
        }
        List<Annotation> annotations = new ArrayList<>(s.answers());
        for (int r = 0; r < s.answers(); r++) {
            annotations.add(new Annotation(s.answerFrames[r], s.answerLabelers[r], s.answerClasses[r]));
        }
        AnnotationSet set = new AnnotationSet(s.size(), s.labelerIds.size(), s.classes.size(), annotations);
        Map<String, Object> summary = new LinkedHashMap<>();
        String noProbabilities = probabilitySource(ctx);
        ctx.stepProgress(50);
        ConsensusResult r;
        double[] quality;
        String method;
        if (noProbabilities == null) {
            Crowdlab.Result c = Crowdlab.fit(set, asDoubles(ctx.probabilities, s.size()));
            r = c.consensus();
            quality = c.annotatorQuality();
            method = CROWDLAB;
            summary.put("method", method);
            summary.put("probabilities", ctx.probabilitySource);
            summary.put("model_weight", c.modelWeight());
        } else {
            r = new DawidSkene().fit(set);
            quality = r.accuracy();
            method = DAWID_SKENE;
            summary.put("method", method);
            summary.put("note", noProbabilities);
            summary.put("em_iterations", r.iterations());
            summary.put("converged", r.converged());
        }
        int[] answered = set.answersPerAnnotator();
        List<LabelerQuality> rows = new ArrayList<>();
        for (int j = 0; j < s.labelerIds.size(); j++) {
            Map<String, Map<String, Double>> confusion = new LinkedHashMap<>();
            for (int t = 0; t < s.classes.size(); t++) {
                Map<String, Double> row = new LinkedHashMap<>();
                for (int l = 0; l < s.classes.size(); l++) {
                    double p = r.confusion()[j][t][l];
                    if (p >= 0.005) {
                        row.put(s.classes.get(l), Math.round(p * 1000) / 1000.0);
                    }
                }
                confusion.put(s.classes.get(t), row);
            }
            // CROWDLAB: accuracy = agreement with its consensus; Dawid-Skene: its estimate from the confusion matrix
            double acc = CROWDLAB.equals(method) ? r.agreement()[j] : r.accuracy()[j];
            rows.add(new LabelerQuality(ctx.analysis.id(), s.labelerIds.get(j), method, zeroIfNaN(quality[j]),
                    zeroIfNaN(acc), r.agreement()[j], answered[j], confusion));
        }
        results.insertLabelerQuality(rows);
        ctx.stepProgress(100);
        summary.put("labelers", rows.size());
        summary.put("answers", annotations.size());
        return summary;
    }

    /** Makes sure the context has class probabilities; null when it has, else why there are none. */
    private String probabilitySource(AnalysisContext ctx) {
        if (ctx.probabilities != null) {
            return null;
        }
        if (!ctx.analysis.hasEmbedding()) {
            return "no model inferences and no embeddings: Dawid-Skene on the answers alone";
        }
        try {
            probabilities.ensure(ctx);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage() + ": Dawid-Skene on the answers alone";
        }
    }

    private static double[][] asDoubles(float[][] p, int n) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            if (p[i] != null) {
                out[i] = new double[p[i].length];
                for (int k = 0; k < p[i].length; k++) {
                    out[i][k] = p[i][k];
                }
            }
        }
        return out;
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
