package dev.shoal.mining.service.steps;

import dev.shoal.algorithms.cluster.FailureSliceReport;
import dev.shoal.algorithms.cluster.Hdbscan;
import dev.shoal.algorithms.cluster.KMeans;
import dev.shoal.algorithms.knn.KnnGraph;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.Results.ClusterSummary;
import dev.shoal.mining.domain.Results.MetadataSlice;
import dev.shoal.mining.service.AnalysisContext;
import dev.shoal.mining.service.AnalysisStep;
import dev.shoal.mining.store.ResultRepository;
import dev.shoal.mining.store.ResultRepository.Member;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Failure-mode clusters: HDBSCAN* on the shared k-NN graph and spherical k-means on the normalised embeddings
 * (algorithms' cluster.Hdbscan / cluster.KMeans), then per cluster and per metadata value (camera, site...)
 * algorithms' cluster.FailureSliceReport: size, class mix, model accuracy, error lift against the whole set,
 * one-sided Fisher exact p-value and Benjamini–Hochberg q-value. An error is a labeled frame whose predicted
 * class (model inferences, else out-of-sample probabilities from the embeddings) differs from its label.
 */
@ApplicationScoped
public class ClusterStep implements AnalysisStep {

    private static final int MAX_METADATA_VALUES = 1000;

    @Inject
    MiningConfig config;

    @Inject
    Probabilities probabilities;

    @Inject
    ResultRepository results;

    @Override
    public AnalysisKind kind() {
        return AnalysisKind.CLUSTERS;
    }

    @Override
    public int weight() {
        return 2;
    }

    @Override
    public Map<String, Object> run(AnalysisContext ctx) {
        probabilities.ensure(ctx);
        int[] rows = ctx.vectorRows();
        int n = rows.length;
        KnnGraph graph = ctx.knn(config.knnK());
        ctx.stepProgress(20);

        int minCluster = config.hdbscanMinClusterSize() > 0 ? config.hdbscanMinClusterSize() : Math.max(10, Math.min(200, n / 100));
        int minSamples = Math.min(graph.k() + 1, Math.min(10, minCluster));
        Hdbscan.Result hdb = Hdbscan.fit(graph, new Hdbscan.Options(minCluster, minSamples));
        ctx.stepProgress(50);
        int k = config.kmeansK() > 0 ? config.kmeansK() : (int) Math.max(2, Math.min(100, Math.round(Math.sqrt(n / 2.0))));
        KMeans.Result km = KMeans.fit(ctx.vectors(), KMeans.Options.defaults(Math.min(k, n), n));
        ctx.stepProgress(75);

        // errors over labeled frames with a prediction; the report runs on those frames only
        int[] predicted = ctx.predicted();
        List<Integer> evalRows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int i = rows[r];
            if (ctx.snapshot.labels[i] >= 0 && predicted[i] >= 0) {
                evalRows.add(r);
            }
        }
        int m = evalRows.size();
        boolean[] error = new boolean[m];
        int[] labels = new int[m];
        for (int e = 0; e < m; e++) {
            int i = rows[evalRows.get(e)];
            labels[e] = ctx.snapshot.labels[i];
            error[e] = predicted[i] != labels[e];
        }
        int numClasses = ctx.snapshot.classes.size();
        FailureSliceReport.Options opts = FailureSliceReport.Options.defaults();

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("evaluated_frames", m);
        summary.put("errors_from", ctx.probabilitySource);
        Map<String, int[]> methods = new LinkedHashMap<>();
        methods.put("hdbscan", hdb.labels());
        methods.put("kmeans", km.assignment());
        List<ClusterSummary> clusters = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        for (var entry : methods.entrySet()) {
            String method = entry.getKey();
            int[] assign = entry.getValue();
            Map<Integer, Integer> sizes = new HashMap<>();
            for (int r = 0; r < n; r++) {
                if (assign[r] >= 0) {
                    sizes.merge(assign[r], 1, Integer::sum);
                    members.add(new Member(ctx.analysis.id(), method, assign[r], ctx.snapshot.frameIds.get(rows[r])));
                }
            }
            int[] evalAssign = new int[m];
            for (int e = 0; e < m; e++) {
                evalAssign[e] = assign[evalRows.get(e)];
            }
            FailureSliceReport.Report report = FailureSliceReport.byCluster(evalAssign, error, labels, numClasses, opts);
            int rank = 0;
            java.util.Set<Integer> reported = new java.util.HashSet<>();
            for (FailureSliceReport.Slice s : report.slices()) {
                int cid = Integer.parseInt(s.key());
                reported.add(cid);
                clusters.add(new ClusterSummary(ctx.analysis.id(), method, cid, sizes.getOrDefault(cid, s.size()),
                        classMix(s.classCounts(), ctx.snapshot.classes), s.errors(), s.accuracy(), s.errorRate(),
                        report.overallErrorRate(), finite(s.lift()), finite(s.pValue()), finite(s.qValue()), s.significant(), ++rank));
            }
            // clusters with no labeled frame: listed after the evaluated ones, without error statistics
            for (var sz : new java.util.TreeMap<>(sizes).entrySet()) {
                if (!reported.contains(sz.getKey())) {
                    clusters.add(new ClusterSummary(ctx.analysis.id(), method, sz.getKey(), sz.getValue(), Map.of(), null, null,
                            null, report.overallErrorRate(), null, null, null, false, ++rank));
                }
            }
            Map<String, Object> ms = new LinkedHashMap<>();
            ms.put("clusters", sizes.size());
            ms.put("overall_error_rate", report.overallErrorRate());
            ms.put("significant", report.slices().stream().filter(FailureSliceReport.Slice::significant).count());
            if (!report.slices().isEmpty()) {
                FailureSliceReport.Slice top = report.slices().get(0);
                ms.put("top_cluster", Integer.parseInt(top.key()));
                ms.put("top_error_rate", top.errorRate());
                ms.put("top_lift", finite(top.lift()));
            }
            summary.put(method, ms);
        }
        results.insertClusters(clusters);
        results.insertMembers(members);

        // failure cluster per frame for the map: HDBSCAN when it found clusters, else k-means
        int[] chosen = hdb.numClusters() > 0 ? hdb.labels() : km.assignment();
        int[] clusterOf = new int[ctx.snapshot.size()];
        java.util.Arrays.fill(clusterOf, -1);
        for (int r = 0; r < n; r++) {
            clusterOf[rows[r]] = chosen[r];
        }
        ctx.clusterOf = clusterOf;
        ctx.stepProgress(90);

        summary.put("metadata_slices", metadataSlices(ctx, rows, evalRows, error, labels, numClasses, opts));
        return summary;
    }

    private int metadataSlices(AnalysisContext ctx, int[] rows, List<Integer> evalRows, boolean[] error, int[] labels,
                               int numClasses, FailureSliceReport.Options opts) {
        int m = evalRows.size();
        TreeSet<String> keys = new TreeSet<>();
        for (int e = 0; e < m; e++) {
            Map<String, String> meta = ctx.snapshot.metadata.get(rows[evalRows.get(e)]);
            if (meta != null) {
                keys.addAll(meta.keySet());
            }
        }
        List<MetadataSlice> out = new ArrayList<>();
        for (String key : keys) {
            String[] values = new String[m];
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (int e = 0; e < m; e++) {
                Map<String, String> meta = ctx.snapshot.metadata.get(rows[evalRows.get(e)]);
                values[e] = meta == null ? null : meta.get(key);
                if (values[e] != null) {
                    distinct.add(values[e]);
                }
            }
            if (distinct.size() < 2 || distinct.size() > MAX_METADATA_VALUES) {
                continue;   // one value says nothing; ids and free text are not slices
            }
            FailureSliceReport.Report report = FailureSliceReport.byMetadata(values, error, labels, numClasses, opts);
            for (FailureSliceReport.Slice s : report.slices()) {
                out.add(new MetadataSlice(ctx.analysis.id(), key, s.key(), s.size(), s.errors(), s.errorRate(),
                        report.overallErrorRate(), finite(s.lift()), finite(s.pValue()), finite(s.qValue()), s.significant(), 0));
            }
        }
        // one ranking across keys: significant first, then lift, then size
        out.sort(java.util.Comparator.comparing((MetadataSlice s) -> !s.significant())
                .thenComparing(s -> s.lift() == null ? Double.NEGATIVE_INFINITY : -s.lift())
                .thenComparing(s -> -s.size()));
        List<MetadataSlice> ranked = new ArrayList<>(out.size());
        for (int i = 0; i < out.size(); i++) {
            MetadataSlice s = out.get(i);
            ranked.add(new MetadataSlice(s.analysisId(), s.key(), s.value(), s.size(), s.errors(), s.errorRate(),
                    s.overallErrorRate(), s.lift(), s.pValue(), s.qValue(), s.significant(), i + 1));
        }
        results.insertSlices(ranked);
        return ranked.size();
    }

    private static Map<String, Integer> classMix(int[] counts, List<String> classes) {
        Map<String, Integer> mix = new LinkedHashMap<>();
        for (int c = 0; c < counts.length && c < classes.size(); c++) {
            if (counts[c] > 0) {
                mix.put(classes.get(c), counts[c]);
            }
        }
        return mix;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
