package dev.shoal.mining.service;

import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.domain.AnalysisKind;
import dev.shoal.mining.domain.DataProgress;
import dev.shoal.mining.store.AnalysisRepository;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs one analysis: loads its snapshot (5% of the progress bar), then each requested step in a fixed order
 * (label errors first: clusters read their errors; map last: it is coloured by cluster), storing results as it goes.
 */
@ApplicationScoped
public class AnalysisRunner {

    private static final Logger LOG = Logger.getLogger(AnalysisRunner.class);
    private static final List<AnalysisKind> ORDER = List.of(AnalysisKind.LABEL_ERRORS, AnalysisKind.DETECTION,
            AnalysisKind.CLUSTERS, AnalysisKind.OUTLIERS, AnalysisKind.DUPLICATES, AnalysisKind.LABELER_QUALITY,
            AnalysisKind.MAP);

    @Inject
    Instance<AnalysisStep> stepBeans;

    @Inject
    SnapshotLoader loader;

    @Inject
    AnalysisRepository analyses;

    @Inject
    ResultRepository results;

    @Inject
    DataFreshness freshness;

    @Inject
    MiningConfig config;

    public Map<AnalysisKind, AnalysisStep> steps() {
        Map<AnalysisKind, AnalysisStep> m = new EnumMap<>(AnalysisKind.class);
        stepBeans.forEach(s -> m.put(s.kind(), s));
        return m;
    }

    /** Why a kind cannot run in this build, if it cannot. */
    public Optional<String> unavailable(AnalysisKind kind) {
        AnalysisStep s = steps().get(kind);
        return s == null ? Optional.of("not available: no step for " + kind.wire() + " in this build") : s.unavailable();
    }

    /**
     * Waits (state {@code waiting_for_data}, percent done = share of the expected rows seen) until the read model has
     * seen what upstream held when the analysis was requested, at most {@code shoal.mining.freshness.max-wait}; then
     * records what the analysis runs on. Returns the data record (null for analyses stored without one). Runs on a
     * thread of its own, not on an analysis worker: a waiting analysis does not hold up the others.
     */
    DataProgress awaitData(Analysis a) throws InterruptedException {
        DataProgress data = a.data();
        if (data == null || data.expected().isEmpty()) {
            return data;
        }
        DataFreshness.Inputs in = new DataFreshness.Inputs(a.datasetId(), a.labelSet(), a.modelId(), a.modelVersion(),
                a.embeddingModelId(), a.embeddingModelVersion());
        Map<String, Long> seen = freshness.seen(in, data.expected());
        boolean waits = DataProgress.WAIT.equals(data.freshness());
        long deadline = System.nanoTime() + config.freshness().maxWait().toNanos();
        while (waits && !DataProgress.caughtUp(data.expected(), seen) && System.nanoTime() < deadline) {
            if (!seen.equals(data.seen())) {
                data = data.withSeen(seen, false, null);
                analyses.data(a.id(), Analysis.WAITING_FOR_DATA, DataProgress.percentSeen(data.expected(), seen), data);
            }
            Thread.sleep(config.freshness().pollInterval().toMillis());
            seen = freshness.seen(in, data.expected());
        }
        boolean caughtUp = DataProgress.caughtUp(data.expected(), seen);
        String note = caughtUp ? data.note() : waits
                ? "waited " + config.freshness().maxWait() + " for the data upstream held; ran on what mining had seen"
                : data.note();
        data = data.withSeen(seen, !caughtUp, note);
        analyses.data(a.id(), Analysis.QUEUED, 0, data);
        if (!caughtUp) {
            LOG.warnf("analysis %s runs on partial data: expected %s, seen %s", a.id(), data.expected(), seen);
        }
        return data;
    }

    /** Runs the analysis on the data it waited for ({@link #awaitData}; null for analyses stored without a record). */
    public void run(Analysis a, DataProgress data) {
        long start = System.nanoTime();
        try {
            results.deleteResults(a.id());   // a re-run after a restart starts clean
            analyses.progress(a.id(), Analysis.RUNNING, 0);
            List<AnalysisKind> kinds = new ArrayList<>();
            for (AnalysisKind k : ORDER) {
                if (a.kinds().contains(k.wire())) {
                    kinds.add(k);
                }
            }
            boolean vectors = a.hasEmbedding() && kinds.stream().anyMatch(k -> k.needsVectors()
                    || (k.usesProbabilities() && !a.hasModel()));
            Snapshot snapshot = loader.load(a, vectors, kinds.contains(AnalysisKind.DETECTION));
            analyses.progress(a.id(), Analysis.RUNNING, 5);

            Map<AnalysisKind, AnalysisStep> steps = steps();
            int totalWeight = Math.max(1, kinds.stream().mapToInt(k -> steps.get(k).weight()).sum());
            AtomicReference<IntConsumer> stepProgress = new AtomicReference<>(pct -> { });
            AnalysisContext ctx = new AnalysisContext(a, snapshot, pct -> stepProgress.get().accept(pct));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("frames", snapshot.size());
            summary.put("classes", snapshot.classes);
            int done = 0;
            for (AnalysisKind k : kinds) {
                AnalysisStep step = steps.get(k);
                int base = done;
                int w = step.weight();
                int[] last = {-1};
                stepProgress.set(pct -> {
                    int overall = Math.min(99, 5 + (int) (95.0 * (base + w * pct / 100.0) / totalWeight));
                    if (overall != last[0]) {
                        last[0] = overall;
                        analyses.progress(a.id(), Analysis.RUNNING, overall);
                    }
                });
                long t = System.nanoTime();
                Map<String, Object> s = new LinkedHashMap<>(step.run(ctx));
                s.put("seconds", Math.round((System.nanoTime() - t) / 1e7) / 100.0);
                summary.put(k.wire(), s);
                done += w;
                analyses.progress(a.id(), Analysis.RUNNING, Math.min(99, 5 + 95 * done / totalWeight));
            }
            Map<String, Object> vectorReport = ctx.vectorReport();
            if (vectorReport != null) {
                summary.put("knn_graph", vectorReport);
            }
            summary.put("seconds", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
            if (data != null && data.partial()) {
                summary.put("partial", true);
            }
            analyses.succeed(a.id(), summary);
            LOG.infof("analysis %s done in %.1f s", a.id(), (System.nanoTime() - start) / 1e9);
        } catch (RuntimeException | Error e) {   // any Error too: a job must end failed, never stay "running"
            LOG.errorf(e, "analysis %s failed", a.id());
            analyses.fail(a.id(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
