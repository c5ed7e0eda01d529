package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.labelerrors.ConfidentLearning;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.service.IssueService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Label-error candidates: confident learning (Northcutt et al. 2021, algorithms' labelerrors.ConfidentLearning,
 * prune by noise rate, ranked by self-confidence) over the model's probabilities, or over out-of-sample
 * probabilities from the embeddings when the analysis names no model. Each candidate becomes an open
 * {@code label_error} issue (a person decides whether the label or the model is wrong) and an IssueFound event.
 */
@ApplicationScoped
public class LabelErrorStep implements AnalysisStep {

    @Inject
    Probabilities probabilities;

    @Inject
    IssueService issues;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.LABEL_ERRORS;
    }

    @Override
    public int weight() {
        return 3;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        probabilities.ensure(ctx);
        ctx.stepProgress(50);
        List<Integer> rowList = new ArrayList<>();
        for (int i = 0; i < ctx.snapshot.size(); i++) {
            if (ctx.snapshot.labels[i] >= 0 && ctx.probabilities[i] != null) {
                rowList.add(i);
            }
        }
        if (rowList.isEmpty()) {
            return Map.of("candidates", 0, "note", "no labeled frame has class probabilities");
        }
        int n = rowList.size();
        int[] given = new int[n];
        double[][] p = new double[n][];
        for (int r = 0; r < n; r++) {
            int i = rowList.get(r);
            given[r] = ctx.snapshot.labels[i];
            float[] f = ctx.probabilities[i];
            p[r] = new double[f.length];
            for (int k = 0; k < f.length; k++) {
                p[r][k] = f[k];
            }
        }
        ConfidentLearning.Result cl = ConfidentLearning.findLabelIssues(given, p);
        ctx.stepProgress(80);

        List<Issue> found = new ArrayList<>();
        int rank = 0;
        for (int r : cl.rankedIssues()) {
            int i = rowList.get(r);
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put("self_confidence", cl.selfConfidence()[r]);
            scores.put("normalized_margin", cl.normalizedMargin()[r]);
            scores.put("suggested_probability", p[r][cl.suggestedLabel()[r]]);
            String frameId = ctx.snapshot.frameIds.get(i);
            found.add(new Issue(Issue.stableId(ctx.analysis.fingerprint(), Issue.LABEL_ERROR, frameId, null), ctx.analysis.id(),
                    ctx.analysis.datasetId(), frameId, Issue.LABEL_ERROR, ctx.snapshot.className(given[r]),
                    ctx.snapshot.className(cl.suggestedLabel()[r]), 1.0 - cl.selfConfidence()[r], scores, "open", null,
                    ctx.analysis.labelSet(), emptyToNull(ctx.analysis.modelId()), emptyToNull(ctx.analysis.modelVersion()),
                    ++rank, null, null));
        }
        IssueService.Recorded recorded = issues.record(found);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("labeled_frames", n);
        summary.put("candidates", found.size());
        summary.put("estimated_errors", cl.estimatedErrorCount());
        summary.put("probabilities", ctx.probabilitySource);
        summary.put("published", recorded.published());
        summary.put("already_published", recorded.alreadyPublished());
        return summary;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
