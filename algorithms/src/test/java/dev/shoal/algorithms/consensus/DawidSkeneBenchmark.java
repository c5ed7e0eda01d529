package dev.shoal.algorithms.consensus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Runtime of Dawid–Skene and majority vote on a simulated crowd (docs/benchmarks/consensus.md). Each item is
 * answered by {@code perItem} of {@code annotators} annotators whose accuracies are spread over [0.55, 0.95];
 * prints the median of {@code repeats} fits, EM iterations, and label accuracy of both methods.
 *
 * <p>Args: {@code [items=100000] [annotators=50] [perItem=3] [classes=10] [repeats=5]}.
 * Run: {@code mvn -q -o -pl algorithms exec:java -Dexec.mainClass=dev.shoal.algorithms.consensus.DawidSkeneBenchmark
 * -Dexec.classpathScope=test -Dexec.args="100000 50 3 10 5"}.
 */
public final class DawidSkeneBenchmark {

    private DawidSkeneBenchmark() {
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        int items = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int annotators = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int perItem = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int classes = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int repeats = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Random rnd = new Random(7);
        double[] skill = new double[annotators];
        for (int j = 0; j < annotators; j++) {
            skill[j] = 0.55 + 0.4 * j / Math.max(1, annotators - 1);
        }
        int[] truth = new int[items];
        List<Annotation> answers = new ArrayList<>(items * perItem);
        for (int i = 0; i < items; i++) {
            truth[i] = rnd.nextInt(classes);
            int first = rnd.nextInt(annotators);
            for (int k = 0; k < perItem; k++) {
                int j = (first + k * 7) % annotators;
                int answer = rnd.nextDouble() < skill[j] ? truth[i] : (truth[i] + 1 + rnd.nextInt(classes - 1)) % classes;
                answers.add(new Annotation(i, j, answer));
            }
        }
        AnnotationSet set = new AnnotationSet(items, annotators, classes, answers);
        System.out.printf("items=%d annotators=%d answers/item=%d classes=%d answers=%d, %d repeats%n",
                items, annotators, perItem, classes, answers.size(), repeats);
        double[] dsMs = new double[repeats];
        double[] mvMs = new double[repeats];
        ConsensusResult ds = null;
        ConsensusResult mv = null;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            ds = new DawidSkene().fit(set);
            dsMs[r] = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            mv = MajorityVote.fit(set);
            mvMs[r] = (System.nanoTime() - t1) / 1e6;
        }
        System.out.printf("Dawid-Skene: median %.0f ms (%d EM iterations, converged=%s), label accuracy %.4f%n",
                median(dsMs), ds.iterations(), ds.converged(), accuracy(ds.labels(), truth));
        System.out.printf("majority vote: median %.0f ms, label accuracy %.4f%n", median(mvMs), accuracy(mv.labels(), truth));
        double err = 0;
        for (int j = 0; j < annotators; j++) {
            err = Math.max(err, Math.abs(ds.accuracy()[j] - skill[j]));
        }
        System.out.printf("max |estimated - true annotator accuracy| = %.4f; DS/MV time ratio %.1f%n", err, median(dsMs) / median(mvMs));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double accuracy(int[] labels, int[] truth) {
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            if (labels[i] == truth[i]) {
                ok++;
            }
        }
        return ok / (double) truth.length;
    }
}
