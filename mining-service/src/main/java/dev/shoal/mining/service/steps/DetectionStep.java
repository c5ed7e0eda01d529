package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.detection.Box;
import dev.shoal.algorithms.detection.DetectionIssueFinder;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.domain.ReadModel.BoxShape;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.service.IssueService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Object detection: per frame labeled in the label set, the model's predicted boxes against the labeled boxes
 * (polygons as their bounding boxes) through algorithms' detection.DetectionIssueFinder (greedy IoU matching as in
 * VOC/COCO; missing label, spurious label, wrong class, poor localisation). One issue per finding, ranked by its
 * box score (lowest quality first); the frame score travels in the issue's scores.
 */
@ApplicationScoped
public class DetectionStep implements AnalysisStep {

    @Inject
    IssueService issues;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.DETECTION;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        var s = ctx.snapshot;
        Map<String, Integer> classIndex = new HashMap<>();
        List<String> classNames = new ArrayList<>();
        record Found(int frame, DetectionIssueFinder.Issue issue, double frameScore, BoxShape label, BoxShape prediction) {
        }
        List<Found> all = new ArrayList<>();
        int frames = 0;
        for (int i = 0; i < s.size(); i++) {
            List<BoxShape> labeled = s.labeledBoxes.get(i);
            if (labeled == null) {
                continue;   // not labeled with boxes in this label set
            }
            List<BoxShape> predicted = s.predictedBoxes.get(i) == null ? List.of() : s.predictedBoxes.get(i);
            List<Box> lb = new ArrayList<>();
            for (BoxShape b : labeled) {
                lb.add(Box.xywh(b.x(), b.y(), Math.max(0, b.w()), Math.max(0, b.h()), cls(b.cls(), classIndex, classNames), 1.0));
            }
            List<Box> pb = new ArrayList<>();
            for (BoxShape b : predicted) {
                pb.add(Box.xywh(b.x(), b.y(), Math.max(0, b.w()), Math.max(0, b.h()), cls(b.cls(), classIndex, classNames),
                        b.score() == null ? 1.0 : b.score()));
            }
            DetectionIssueFinder.FrameResult r = DetectionIssueFinder.find(lb, pb);
            frames++;
            for (DetectionIssueFinder.Issue issue : r.issues()) {
                all.add(new Found(i, issue, r.frameScore(), issue.labelIndex() >= 0 ? labeled.get(issue.labelIndex()) : null,
                        issue.predictionIndex() >= 0 ? predicted.get(issue.predictionIndex()) : null));
            }
            if (frames % 1000 == 0) {
                ctx.stepProgress((int) (90L * i / s.size()));
            }
        }
        all.sort(Comparator.comparingDouble((Found f) -> f.issue().score()));
        List<Issue> out = new ArrayList<>();
        Map<String, Integer> byType = new LinkedHashMap<>();
        int rank = 0;
        for (Found f : all) {
            String type = f.issue().type().name().toLowerCase(Locale.ROOT);
            byType.merge(type, 1, Integer::sum);
            Map<String, Double> scores = new LinkedHashMap<>();
            scores.put("box_quality", f.issue().score());
            scores.put("frame_quality", f.frameScore());
            scores.put("iou", f.issue().iou());
            scores.put("area_ratio", f.issue().areaRatio());
            if (f.label() != null) {
                scores.put("label_x", f.label().x());
                scores.put("label_y", f.label().y());
                scores.put("label_w", f.label().w());
                scores.put("label_h", f.label().h());
            }
            if (f.prediction() != null) {
                scores.put("predicted_x", f.prediction().x());
                scores.put("predicted_y", f.prediction().y());
                scores.put("predicted_w", f.prediction().w());
                scores.put("predicted_h", f.prediction().h());
                scores.put("predicted_score", f.prediction().score() == null ? 1.0 : f.prediction().score());
            }
            String detail = "label:" + f.issue().labelIndex() + ",prediction:" + f.issue().predictionIndex();
            out.add(new Issue(Issue.stableId(ctx.analysis.fingerprint(), type, s.frameIds.get(f.frame()), detail),
                    ctx.analysis.id(), ctx.analysis.datasetId(), s.frameIds.get(f.frame()), type,
                    f.issue().labelClass() >= 0 ? classNames.get(f.issue().labelClass()) : null,
                    f.issue().predictedClass() >= 0 ? classNames.get(f.issue().predictedClass()) : null,
                    1.0 - f.issue().score(), scores, "open", null, ctx.analysis.labelSet(), ctx.analysis.modelId(),
                    ctx.analysis.modelVersion(), ++rank, null, null));
        }
        IssueService.Recorded recorded = issues.record(out);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("frames", frames);
        summary.put("issues", out.size());
        summary.put("by_type", byType);
        summary.put("published", recorded.published());
        summary.put("already_published", recorded.alreadyPublished());
        return summary;
    }

    private static int cls(String name, Map<String, Integer> index, List<String> names) {
        return index.computeIfAbsent(name == null ? "" : name, n -> {
            names.add(n);
            return names.size() - 1;
        });
    }
}
