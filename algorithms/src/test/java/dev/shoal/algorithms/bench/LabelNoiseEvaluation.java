package dev.shoal.algorithms.bench;

import dev.shoal.algorithms.data.IdxDataset;
import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.algorithms.labelerrors.ConfidentLearning;
import dev.shoal.algorithms.labelerrors.OutOfSampleProbabilities;
import dev.shoal.algorithms.projection.Pca;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Label-noise evaluation on Fashion-MNIST (docs/evaluation/label-noise.md): injects uniform and
 * class-conditional label noise, runs confident learning on out-of-sample probabilities from (a) a
 * cross-validated logistic probe standing in for a model's inferences and (b) the k-NN graph alone, and
 * prints precision / recall of the flagged set and average precision of the full label-quality ranking.
 *
 * <p>Args: {@code [n=60000] [pcaDims=64] [k=15] [seed=1] [exportDir]}. With {@code exportDir}, the exact inputs
 * and outputs of every row of the table are written there for a side-by-side run of the reference implementation
 * ({@code scripts/cleanlab_compare.py}): one sub-directory per noise setting and probability source holding
 * {@code labels.npy} (given, noisy; int32), {@code true_labels.npy} (int32), {@code noise_mask.npy} (1 where the
 * label was flipped; int32), {@code pred_probs.npy} (the out-of-sample probabilities Shoal used; float64 n × 10),
 * {@code shoal_flagged.npy} (Shoal's flagged examples, most suspect first; int32),
 * {@code shoal_ranking_self_confidence.npy} and {@code shoal_ranking_normalized_margin.npy} (every example, most
 * suspect first; int32) and {@code meta.json} (setting, parameters and Shoal's printed metrics).
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
        Path export = args.length > 4 && !args[4].isBlank() ? Path.of(args[4]) : null;
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
        String[] slugs = {"uniform-10", "uniform-20", "class-conditional-20", "class-conditional-40"};
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
                double precision = RankingMetrics.precision(flagged, flipped);
                double recall = RankingMetrics.recall(flagged, flipped);
                System.out.printf("| %s | %.3f | %s | %.3f | %d | %.3f | %.3f | %.3f | %.3f | %.1f s |%n",
                        names[s], planted / (double) n, source, correct / (double) n, flagged.length,
                        precision, recall, apSelf, apMargin, secs);
                if (export != null) {
                    String sourceSlug = source.startsWith("logistic") ? "probe" : "knn";
                    Path dir = export.resolve(slugs[s] + "__" + sourceSlug);
                    Files.createDirectories(dir);
                    int[] noise = new int[n];
                    for (int i = 0; i < n; i++) noise[i] = flipped[i] ? 1 : 0;
                    NpyFiles.writeInt32(dir.resolve("labels.npy"), given);
                    NpyFiles.writeInt32(dir.resolve("true_labels.npy"), ds.labels());
                    NpyFiles.writeInt32(dir.resolve("noise_mask.npy"), noise);
                    NpyFiles.writeFloat64(dir.resolve("pred_probs.npy"), p);
                    NpyFiles.writeInt32(dir.resolve("shoal_flagged.npy"), flagged);
                    NpyFiles.writeInt32(dir.resolve("shoal_ranking_self_confidence.npy"),
                            ConfidentLearning.rankAll(res.selfConfidence()));
                    NpyFiles.writeInt32(dir.resolve("shoal_ranking_normalized_margin.npy"),
                            ConfidentLearning.rankAll(res.normalizedMargin()));
                    Files.writeString(dir.resolve("meta.json"), String.format(
                            "{\"noise\": \"%s\", \"probabilities\": \"%s\", \"n\": %d, \"num_classes\": %d, "
                                    + "\"pca_dims\": %d, \"k\": %d, \"seed\": %d, \"actual_noise_rate\": %.6f, "
                                    + "\"shoal\": {\"flagged\": %d, \"precision\": %.6f, \"recall\": %.6f, "
                                    + "\"ap_self_confidence\": %.6f, \"ap_normalized_margin\": %.6f, "
                                    + "\"estimated_errors\": %d}}%n",
                            names[s], source, n, numClasses, dims, k, seed, planted / (double) n, flagged.length,
                            precision, recall, apSelf, apMargin, res.estimatedErrorCount()));
                }
            }
        }
        System.out.printf("%ntotal %.1f s%n", secs(t0));
        if (export != null) {
            System.out.println("inputs for scripts/cleanlab_compare.py written to " + export.toAbsolutePath());
        }
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
