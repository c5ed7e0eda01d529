package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.consensus.Annotation;
import dev.shoal.algorithms.consensus.AnnotationSet;
import dev.shoal.algorithms.consensus.ConsensusResult;
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
 * Labeler quality: the Dawid–Skene estimator (algorithms' consensus.DawidSkene) over every classification
 * answer of the label set; per labeler, its estimated accuracy and confusion matrix (true class → answered class).
 */
@ApplicationScoped
public class LabelerQualityStep implements AnalysisStep {

    @Inject
    ResultRepository results;

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
        ConsensusResult r = new DawidSkene().fit(set);
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
            double acc = r.accuracy()[j];
            rows.add(new LabelerQuality(ctx.analysis.id(), s.labelerIds.get(j), Double.isNaN(acc) ? 0 : acc, answered[j], confusion));
        }
        results.insertLabelerQuality(rows);
        ctx.stepProgress(100);
        return Map.of("labelers", rows.size(), "answers", annotations.size(), "em_iterations", r.iterations(),
                "converged", r.converged());
    }
}
