package dev.shoal.labeling.domain;

import dev.shoal.algorithms.consensus.AnnotationSet;
import dev.shoal.algorithms.consensus.ConsensusResult;
import dev.shoal.algorithms.consensus.DawidSkene;
import dev.shoal.algorithms.consensus.KeyedAnswers;
import dev.shoal.algorithms.consensus.MajorityVote;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Quality assurance of one campaign's answers, plain Java.
 * <ol>
 *   <li>Gold frames (a known class) score each annotator; annotators below {@code minGoldAccuracy} are rejected
 *       and their answers are not used.</li>
 *   <li>Classification: majority vote per frame, or the Dawid–Skene estimate ({@link DawidSkene}) once at least
 *       {@code dawidSkeneMinOverlap} frames have two or more answers.</li>
 *   <li>Boxes / polygons (no class-level consensus is meaningful for geometry here): the answer of the best
 *       annotator on the frame (gold accuracy, then volume), with confidence = share of answers drawing the same
 *       classes.</li>
 *   <li>Agreement per annotator = share of their answers equal to the consensus (same class, or same set of classes).</li>
 * </ol>
 */
public final class QaEvaluator {

    public record Input(String annotationType, List<String> labelSchema, List<CampaignFrame> frames, List<Given> answers,
                        int dawidSkeneMinOverlap, double minGoldAccuracy) {
    }

    public record Given(String frameId, String annotatorId, Answer answer) {
    }

    public record FrameConsensus(String frameId, Answer consensus, String method, double confidence, List<Given> accepted) {
    }

    public record AnnotatorQa(String annotatorId, int labels, double agreement, int goldTotal, int goldCorrect,
                              double estimatedAccuracy, boolean accepted) {
    }

    public record Outcome(List<FrameConsensus> frames, List<AnnotatorQa> annotators, String method) {
    }

    private QaEvaluator() {
    }

    public static Outcome evaluate(Input in) {
        Map<String, String> gold = new HashMap<>();
        for (CampaignFrame f : in.frames()) {
            if (f.goldClass() != null && !f.goldClass().isEmpty()) {
                gold.put(f.frameId(), f.goldClass());
            }
        }
        Map<String, int[]> goldScore = new TreeMap<>();   // annotator -> {total, correct}
        Map<String, Integer> volume = new TreeMap<>();
        for (Given g : in.answers()) {
            volume.merge(g.annotatorId(), 1, Integer::sum);
            String truth = gold.get(g.frameId());
            int[] s = goldScore.computeIfAbsent(g.annotatorId(), k -> new int[2]);
            if (truth != null) {
                s[0]++;
                if (g.answer().classSignature().contains(truth)) {
                    s[1]++;
                }
            }
        }
        TreeSet<String> accepted = new TreeSet<>();
        for (var e : goldScore.entrySet()) {
            int[] s = e.getValue();
            if (s[0] == 0 || s[1] / (double) s[0] >= in.minGoldAccuracy()) {
                accepted.add(e.getKey());
            }
        }
        Map<String, List<Given>> byFrame = new LinkedHashMap<>();
        for (CampaignFrame f : in.frames()) {
            byFrame.put(f.frameId(), new ArrayList<>());
        }
        for (Given g : in.answers()) {
            if (accepted.contains(g.annotatorId()) && byFrame.containsKey(g.frameId())) {
                byFrame.get(g.frameId()).add(g);
            }
        }
        boolean classification = "classification".equals(in.annotationType())
                && in.answers().stream().allMatch(g -> g.answer().isClassification());
        List<FrameConsensus> frames = new ArrayList<>();
        Map<String, Double> estimated = new HashMap<>();
        String method;
        if (classification) {
            method = classify(in, byFrame, accepted, frames, estimated);
        } else {
            method = "best_annotator";
            Comparator<String> rank = Comparator.<String>comparingDouble(a -> -goldAccuracy(goldScore.get(a)))
                    .thenComparing(a -> -volume.getOrDefault(a, 0))
                    .thenComparing(a -> a);
            for (var e : byFrame.entrySet()) {
                List<Given> given = e.getValue();
                if (given.isEmpty()) {
                    continue;
                }
                Given best = given.stream().min(Comparator.comparing(Given::annotatorId, rank)).orElseThrow();
                long same = given.stream().filter(g -> g.answer().classSignature().equals(best.answer().classSignature())).count();
                frames.add(new FrameConsensus(e.getKey(), best.answer(), given.size() == 1 ? "single" : method,
                        same / (double) given.size(), List.copyOf(given)));
            }
        }
        Map<String, Answer> consensus = new HashMap<>();
        frames.forEach(f -> consensus.put(f.frameId(), f.consensus()));
        Map<String, int[]> agree = new TreeMap<>();
        for (Given g : in.answers()) {
            Answer c = consensus.get(g.frameId());
            if (c == null) {
                continue;
            }
            int[] a = agree.computeIfAbsent(g.annotatorId(), k -> new int[2]);
            a[0]++;
            if (c.classSignature().equals(g.answer().classSignature())) {
                a[1]++;
            }
        }
        List<AnnotatorQa> annotators = new ArrayList<>();
        for (String annotator : goldScore.keySet()) {
            int[] a = agree.getOrDefault(annotator, new int[2]);
            double agreement = a[0] == 0 ? Double.NaN : a[1] / (double) a[0];
            int[] s = goldScore.get(annotator);
            annotators.add(new AnnotatorQa(annotator, volume.getOrDefault(annotator, 0), agreement, s[0], s[1],
                    estimated.getOrDefault(annotator, agreement), accepted.contains(annotator)));
        }
        return new Outcome(frames, annotators, method);
    }

    private static String classify(Input in, Map<String, List<Given>> byFrame, TreeSet<String> accepted,
                                   List<FrameConsensus> out, Map<String, Double> estimated) {
        if (in.labelSchema().isEmpty()) {
            return "none";
        }
        KeyedAnswers<String, String> keyed = new KeyedAnswers<>(in.labelSchema());
        int overlap = 0;
        for (var e : byFrame.entrySet()) {
            keyed.addItem(e.getKey());
            if (e.getValue().size() >= 2) {
                overlap++;
            }
            for (Given g : e.getValue()) {
                keyed.add(g.frameId(), g.annotatorId(), g.answer().className());
            }
        }
        AnnotationSet set = keyed.toSet();
        boolean useDs = overlap >= Math.max(1, in.dawidSkeneMinOverlap()) && accepted.size() >= 2;
        ConsensusResult result = useDs ? new DawidSkene().fit(set) : MajorityVote.fit(set);
        String method = useDs ? "dawid_skene" : "majority";
        if (useDs) {
            for (String annotator : keyed.annotators()) {
                estimated.put(annotator, result.accuracy()[keyed.annotatorIndex(annotator)]);
            }
        }
        for (var e : byFrame.entrySet()) {
            String label = keyed.label(result, e.getKey());
            if (label == null) {
                continue;
            }
            out.add(new FrameConsensus(e.getKey(), Answer.ofClass(label), e.getValue().size() == 1 ? "single" : method,
                    result.confidence(keyed.itemIndex(e.getKey())), List.copyOf(e.getValue())));
        }
        return method;
    }

    private static double goldAccuracy(int[] s) {
        return s == null || s[0] == 0 ? 0.5 : s[1] / (double) s[0];
    }
}
