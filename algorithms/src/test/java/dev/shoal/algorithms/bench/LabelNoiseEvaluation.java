package dev.shoal.algorithms.bench;

import dev.shoal.algorithms.data.IdxDataset;
import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.labelerrors.ConfidentLearning;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities;
import dev.shoal.algorithms.projection.Pca;
import java.util.Locale;
import java.util.Random;

/**
 * Label-noise evaluation on Fashion-MNIST (docs/evaluation/label-noise.md): injects uniform and
 * class-conditional label noise, runs confident learning on out-of-sample probabilities from (a) a
 * cross-validated logistic probe standing in for a model's inferences and (b) the k-NN graph alone, and
 * prints precision / recall of the flagged set and average precision of the full label-quality ranking.
 *
 * <p>Args: {@code [n=60000] [pcaDims=64] [k=15] [seed=1]}.
 */
public final class LabelNoiseEvaluation {

    /** Class-conditional flips between look-alike Fashion-MNIST classes. */
    static final int[][] CONFUSABLE = {
            {6, 0}, {0, 6}, // shirt <-> T-shirt/top
            {2, 4}, {4, 2}, // pullover <-> coat
            {7, 9}, {9, 7}, // sneaker <-> ankle boot
            {3, 0}, // dress -> T-shirt/top
            {5, 7}, // sandal -> sneaker
    };

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int dims = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1L;
        long t0 = System.nanoTime();
        IdxDataset ds = IdxDataset.fashionMnist("train", n);
        n = ds.size();
        float[][] pixels = new float[n][];
        for (int i = 0; i < n; i++) pixels[i] = ds.pixels(i);
        Pca pca = Pca.fit(pixels, dims, 10_000, seed);
        float[][] emb = pca.projectAll(pixels);
        pixels = null;
        System.out.printf("Fashion-MNIST train, n=%d, embeddings = PCA-%d of raw pixels (%.1f s)%n", n, dims, secs(t0));
        long t1 = System.nanoTime();
        KnnGraph graph = KnnGraph.build(emb, k);
        System.out.printf("k-NN graph (HNSW, k=%d, cosine): %.1f s%n", k, secs(t1));
        int numClasses = 10;
        String[] names = {"uniform 10%", "uniform 20%", "class-conditional 20% of confusable classes",
                "class-conditional 40% of confusable classes"};
        System.out.println();
        System.out.println("| noise | actual noise rate | probabilities | OOS accuracy vs true | flagged | precision | recall | AP (self-confidence) | AP (normalized margin) | time |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int s = 0; s < names.length; s++) {
            Random r = new Random(seed * 100 + s);
            int[] given = ds.labels().clone();
            boolean[] flipped = new boolean[n];
            for (int i = 0; i < n; i++) {
                int y = given[i];
                if (s < 2) {
                    double rate = s == 0 ? 0.1 : 0.2;
                    if (r.nextDouble() < rate) given[i] = (y + 1 + r.nextInt(numClasses - 1)) % numClasses;
                } else {
                    double rate = s == 2 ? 0.2 : 0.4;
                    for (int[] pair : CONFUSABLE) {
                        if (pair[0] == y && r.nextDouble() < rate) given[i] = pair[1];
                    }
                }
                flipped[i] = given[i] != y;
            }
            int planted = 0;
            for (boolean f : flipped) if (f) planted++;
            for (String source : new String[] {"logistic probe (5-fold CV) = with inferences",
                    "k-NN over HNSW graph (5-fold) = without inferences"}) {
                long ts = System.nanoTime();
                double[][] p = source.startsWith("logistic")
                        ? OutOfSampleProbabilities.logisticProbe(emb, given, numClasses,
                        OutOfSampleProbabilities.ProbeOptions.defaults())
                        : OutOfSampleProbabilities.knn(graph, given, numClasses,
                        OutOfSampleProbabilities.KnnOptions.defaults());
                ConfidentLearning.Result res = ConfidentLearning.findLabelIssues(given, p);
                double secs = secs(ts);
                int correct = 0;
                for (int i = 0; i < n; i++) {
                    int arg = 0;
                    for (int c = 1; c < numClasses; c++) if (p[i][c] > p[i][arg]) arg = c;
                    if (arg == ds.labels()[i]) correct++;
                }
                int[] flagged = res.rankedIssues();
                double apSelf = RankingMetrics.averagePrecision(ConfidentLearning.rankAll(res.selfConfidence()), flipped);
                double apMargin = RankingMetrics.averagePrecision(ConfidentLearning.rankAll(res.normalizedMargin()), flipped);
                System.out.printf("| %s | %.3f | %s | %.3f | %d | %.3f | %.3f | %.3f | %.3f | %.1f s |%n",
                        names[s], planted / (double) n, source, correct / (double) n, flagged.length,
                        RankingMetrics.precision(flagged, flipped), RankingMetrics.recall(flagged, flipped),
                        apSelf, apMargin, secs);
            }
        }
        System.out.printf("%ntotal %.1f s%n", secs(t0));
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
