package dev.shoal.mining;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.shoal.mining.domain.Analysis;
import dev.shoal.mining.service.Snapshot;
import dev.shoal.mining.service.SnapshotLoader;
import dev.shoal.mining.store.Floats;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.sql.DataSource;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Service-level benchmark (not part of the default run): n frames with 384-d user embeddings (10 classes x 5
 * modes, 5% label noise, model probabilities) written straight into the read model tables, then analyses through
 * the REST API; prints the per-kind seconds the jobs report. Run:
 * {@code mvn -B -o -pl mining-service verify -Dtest=AnalysisBenchmarkTest -Dshoal.bench.frames=20000,100000}
 * (the ingestion path itself is covered by the event tests; this measures the analysis jobs).
 *
 * <p>{@code -Dshoal.bench.heap-frames=100000} instead measures the heap an analysis' inputs take: live heap (after
 * full collections) before and after loading the snapshot of n frames with vectors, labels and model
 * probabilities, and the largest heap left after any collection during the load.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class AnalysisBenchmarkTest {

    @Inject
    DataSource ds;

    @Inject
    SnapshotLoader loader;

    @Test
    @EnabledIfSystemProperty(named = "shoal.bench.frames", matches = "[\\d,]+")
    void analysesOfNFrames() throws Exception {
        for (String size : System.getProperty("shoal.bench.frames").split(",")) {
            run(Integer.parseInt(size.trim()));
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "shoal.bench.heap-frames", matches = "[\\d,]+")
    void heapOfTheInputsOfNFrames() throws Exception {
        StringBuilder report = new StringBuilder();
        for (String size : System.getProperty("shoal.bench.heap-frames").split(",")) {
            int n = Integer.parseInt(size.trim());
            int dim = 384;
            String dataset = "heap-" + n + "-" + UUID.randomUUID().toString().substring(0, 8);
            seed(dataset, n, dim);
            Analysis a = new Analysis(UUID.randomUUID().toString(), "heap", dataset, "v1", "m", "1", "e", "1",
                    List.of("label_errors", "outliers"), 0, Analysis.RUNNING, 0, null, Map.of(), Instant.now(), null, false, null);
            long before = liveHeap();
            PeakAfterGc peak = new PeakAfterGc();
            long t = System.nanoTime();
            Snapshot snapshot = loader.load(a, true, false);
            double seconds = (System.nanoTime() - t) / 1e9;
            long peakUsed = peak.stop();
            long after = liveHeap();
            report.append(String.format(Locale.ROOT, "n=%d dim=%d frames=%d load=%.1fs retained=%.0f B/frame "
                            + "(vector alone %d B) peak_after_gc_during_load=%s heap_max=%dMB%n", n, dim, snapshot.size(), seconds,
                    (after - before) / (double) n, 16 + 4 * dim,
                    peakUsed < 0 ? "no collection" : String.format(Locale.ROOT, "%.0f B/frame", (peakUsed - before) / (double) n),
                    Runtime.getRuntime().maxMemory() >> 20));
            java.lang.ref.Reference.reachabilityFence(snapshot);
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-mining-heap.txt"), report.toString(),
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static long liveHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The largest heap in use right after any garbage collection, from the collectors' notifications. */
    private static final class PeakAfterGc implements NotificationListener {
        private final AtomicLong peak = new AtomicLong(-1);
        private final List<NotificationEmitter> emitters = new java.util.ArrayList<>();

        PeakAfterGc() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(this, null, null);
                    emitters.add(e);
                }
            }
        }

        @Override
        public void handleNotification(Notification n, Object handback) {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                long used = 0;
                for (MemoryUsage u : info.getMemoryUsageAfterGc().values()) {
                    used += u.getUsed();
                }
                long u = used;
                peak.accumulateAndGet(u, Math::max);
            }
        }

        long stop() throws Exception {
            for (NotificationEmitter e : emitters) {
                e.removeNotificationListener(this);
            }
            return peak.get();
        }
    }

    private void run(int n) throws Exception {
        int dim = 384;
        String dataset = "bench-" + n + "-" + UUID.randomUUID().toString().substring(0, 8);
        long t0 = System.nanoTime();
        seed(dataset, n, dim);
        double seedSeconds = (System.nanoTime() - t0) / 1e9;

        String base = "{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"model_id\":\"m\",\"model_version\":\"1\","
                + "\"embedding_model_id\":\"e\",\"embedding_model_version\":\"1\",\"kinds\":";
        StringBuilder report = new StringBuilder();
        report.append(String.format("n=%d dim=%d seed_rows=%.1fs heap_max=%dMB%n", n, dim, seedSeconds,
                Runtime.getRuntime().maxMemory() >> 20));
        for (String kinds : new String[] {"[\"label_errors\",\"clusters\",\"outliers\",\"duplicates\"]", "[\"map\"]",
                "[\"label_errors\"]"}) {
            String body = kinds.equals("[\"label_errors\"]")
                    ? "{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"embedding_model_id\":\"e\","
                    + "\"embedding_model_version\":\"1\",\"kinds\":" + kinds + "}"
                    : base + kinds + "}";
            long s = System.nanoTime();
            String id = given().contentType(ContentType.JSON).body(body).post("/v1/analyses").then().extract().path("id");
            await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                String state = given().get("/v1/analyses/" + id).then().extract().path("state");
                if ("failed".equals(state)) {
                    throw new AssertionError(given().get("/v1/analyses/" + id).asString());
                }
                return "succeeded".equals(state);
            });
            double wall = (System.nanoTime() - s) / 1e9;
            Map<String, Object> summary = given().get("/v1/analyses/" + id).then().extract().path("summary");
            report.append(String.format("kinds=%s model=%s wall=%.1fs summary=%s%n", kinds,
                    !kinds.equals("[\"label_errors\"]"), wall, summary));
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-mining-" + n + ".txt"), report.toString(),
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private void seed(String dataset, int n, int dim) throws Exception {
        Random rnd = new Random(1);
        int classes = 10;
        int modes = 5;
        float[][] centers = new float[classes * modes][dim];
        for (float[] c : centers) {
            for (int d = 0; d < dim; d++) {
                c[d] = (float) rnd.nextGaussian();
            }
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement f = c.prepareStatement(
                    "insert into frame (dataset_id, frame_id, split, uris, metadata, seq) values (?, ?, ?, '[]', ?, 1)");
                 PreparedStatement l = c.prepareStatement("insert into label (dataset_id, frame_id, label_set, labeler_id, kind, "
                         + "class_name, seq) values (?, ?, 'v1', 'a', 'classification', ?, 1)");
                 PreparedStatement inf = c.prepareStatement("insert into inference (dataset_id, frame_id, model_id, model_version, "
                         + "kind, class_names, probs, seq) values (?, ?, 'm', '1', 'classification', ?, ?, 1)");
                 PreparedStatement e = c.prepareStatement("insert into embedding (dataset_id, frame_id, model_id, model_version, "
                         + "source, dimension, vector, seq) values (?, ?, 'e', '1', 'user', ?, ?, 1)")) {
                StringBuilder names = new StringBuilder("[");
                for (int k = 0; k < classes; k++) {
                    names.append(k == 0 ? "" : ",").append("\"c").append(k).append('"');
                }
                String classNames = names.append(']').toString();
                for (int i = 0; i < n; i++) {
                    String id = "f" + i;
                    int mode = rnd.nextInt(classes * modes);
                    int cls = mode / modes;
                    float[] v = new float[dim];
                    for (int d = 0; d < dim; d++) {
                        v[d] = centers[mode][d] + (float) (rnd.nextGaussian() * 0.6);
                    }
                    int given = rnd.nextDouble() < 0.05 ? rnd.nextInt(classes) : cls;
                    float[] p = new float[classes];
                    int pred = rnd.nextDouble() < 0.9 ? cls : rnd.nextInt(classes);
                    for (int k = 0; k < classes; k++) {
                        p[k] = k == pred ? 0.82f : 0.02f;
                    }
                    f.setString(1, dataset);
                    f.setString(2, id);
                    f.setString(3, i % 10 == 0 ? "test" : "train");
                    f.setString(4, "{\"camera\":\"cam-" + (i % 7) + "\"}");
                    f.addBatch();
                    l.setString(1, dataset);
                    l.setString(2, id);
                    l.setString(3, "c" + given);
                    l.addBatch();
                    inf.setString(1, dataset);
                    inf.setString(2, id);
                    inf.setString(3, classNames);
                    inf.setBytes(4, Floats.toBytes(p));
                    inf.addBatch();
                    e.setString(1, dataset);
                    e.setString(2, id);
                    e.setInt(3, dim);
                    e.setBytes(4, Floats.toBytes(v));
                    e.addBatch();
                    if (i % 2000 == 1999 || i == n - 1) {
                        f.executeBatch();
                        l.executeBatch();
                        inf.executeBatch();
                        e.executeBatch();
                        c.commit();
                    }
                }
            }
            try (PreparedStatement w = c.prepareStatement(
                    "insert into dataset_watermark (dataset_id, seq) values (?, nextval('change_seq'))")) {
                w.setString(1, dataset);
                w.executeUpdate();
            }
            c.commit();
        }
    }
}
