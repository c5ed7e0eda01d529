package dev.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.algorithms.data.IdxDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code ./shoal demo}: the whole loop on a real labeled image set, with planted problems, and a report of what
 * Shoal found against what was planted. Starts the platform with {@code ./shoal up} in a temporary folder (built
 * already), ingests Fashion-MNIST images as PNG {@code data:} frames with a camera, labels of two labelers and a
 * model's predictions ({@link DemoData}), waits for embedding-service to train its CNN and embed every frame, runs a
 * label-error, cluster and labeler-quality analysis, sends a "find more like this" campaign from the worst cluster
 * to a vendor simulator speaking the signed generic webhook, takes the labels back, sees the retraining request,
 * prints the report and stops the platform ({@code ./shoal down}), on failure too.
 * <p>
 * Arguments (all optional): {@code --train N} (labeled images, default 3000), {@code --pool N} (unlabeled images,
 * default 1000), {@code --seed S}.
 */
public final class DemoMain {

    static final int VENDOR_PORT = 9900;
    static final String MODEL_ID = "demo-model";
    static final String MODEL_VERSION = "1";
    static final int CAMPAIGN_LIMIT = 100;

    private final Map<String, String> truth = new HashMap<>();
    private final Map<String, String> camera = new HashMap<>();
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private Platform platform;
    private Simulators outside;
    private Path home;

    public static void main(String[] args) throws Exception {
        int train = 3000;
        int pool = 1000;
        long seed = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--train" -> train = Integer.parseInt(args[i + 1]);
                case "--pool" -> pool = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--train N, --pool N, --seed S)");
            }
        }
        DemoMain demo = new DemoMain();
        Thread stop = new Thread(demo::down, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(stop);
        boolean ok = false;
        try {
            demo.run(train, pool, seed);
            ok = true;
        } catch (Exception | AssertionError e) {
            demo.step("FAILED: " + e);
            e.printStackTrace(System.out);
        } finally {
            demo.down();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // interrupted (Ctrl-C): the hook has stopped the platform already
            }
        }
        if (ok) {
            demo.removeState();
        }
        System.exit(ok ? 0 : 1);
    }

    /** After a run that succeeded: the state folder (PostgreSQL, the broker's logs, vectors: about 160 MB) goes. */
    private void removeState() throws IOException {
        if (home == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
        step("removed the state folder " + home);
    }

    private synchronized void down() {
        try {
            if (platform != null) {
                step("stopping the platform (./shoal down); its logs are in " + platform.home().resolve("logs")
                        + " (kept after a failure)");
                platform.close();
            }
        } catch (Exception e) {
            System.out.println("./shoal down failed: " + e.getMessage());
        } finally {
            platform = null;
            if (outside != null) {
                outside.close();
                outside = null;
            }
        }
    }

    private void step(String what) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    void run(int trainSize, int poolSize, long seed) throws Exception {
        step("reading Fashion-MNIST from " + IdxDataset.FASHION_MNIST_DIR + ": " + trainSize + " training images (labeled), "
                + poolSize + " test images (the unlabeled pool)");
        DemoData data = new DemoData(IdxDataset.fashionMnist("train", trainSize), IdxDataset.fashionMnist("t10k", poolSize), seed);
        data.labeled.forEach(l -> truth.put(l.id(), DemoData.CLASSES.get(l.truth())));
        data.unlabeled.forEach(u -> truth.put(u.id(), DemoData.CLASSES.get(u.truth())));
        data.labeled.forEach(l -> camera.put(l.id(), l.camera()));
        data.unlabeled.forEach(u -> camera.put(u.id(), u.camera()));
        String planted = String.format(Locale.ROOT, "%d label flips to a confusable class in %s's labels (%.1f %% of them wrong); "
                        + "%s labels every third frame, %.1f %% wrong; camera %s takes noisy, washed-out images. The model: logistic "
                        + "regression on the pixels, trained on %s's labels, 5-fold out-of-fold probabilities; it is wrong on "
                        + "%.1f %% of frames, %.1f %% on camera %s",
                data.flipped.size(), DemoData.CAREFUL, 100 * data.errorRate(DemoData.CAREFUL), DemoData.SLOPPY,
                100 * data.errorRate(DemoData.SLOPPY), DemoData.SLICE_CAMERA, DemoData.CAREFUL, 100 * data.modelErrorRate(null),
                100 * data.modelErrorRate(DemoData.SLICE_CAMERA), DemoData.SLICE_CAMERA);
        step("planted: " + planted);
        report.put("planted", planted);

        String secret = "demo-" + UUID.randomUUID();
        outside = new Simulators(VENDOR_PORT, secret, truth::get);
        step("starting the platform (./shoal up in a temporary folder), vendor and training-system simulators on :" + VENDOR_PORT);
        platform = Platform.up(Map.of("SHOAL_VENDOR_URL", Simulators.taskUrl(VENDOR_PORT), "SHOAL_VENDOR_SECRET", secret,
                "SHOAL_TRAINING_WEBHOOK_URL", Simulators.retrainUrl(VENDOR_PORT), "SHOAL_TRAINING_WEBHOOK_SECRET", secret));
        home = platform.home();
        step("platform up; state folder " + home);

        String dataset = "fashion-demo-" + UUID.randomUUID().toString().substring(0, 8);
        ingest(dataset, data);
        String[] embedding = awaitEmbeddings(dataset, data.labeled.size() + data.unlabeled.size());
        String analysis = analyse(dataset, embedding);
        findings(analysis, data);
        campaign(dataset, analysis, embedding);
        printReport();
    }

    private void ingest(String dataset, DemoData data) {
        expect(201, platform.post(Platform.INGEST + "/v1/datasets", Map.of("id", dataset, "modality", "MODALITY_IMAGE",
                "class_names", DemoData.CLASSES)));
        List<Map<String, Object>> frames = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        List<Map<String, Object>> inferences = new ArrayList<>();
        for (int i = 0; i < data.labeled.size(); i++) {
            DemoData.Labeled l = data.labeled.get(i);
            frames.add(frame(dataset, l.id(), data.pngDataUri(data.trainImages[i]), l.camera(), "SPLIT_TRAIN"));
            labels.add(label(dataset, l.id(), DemoData.CAREFUL, l.careful()));
            if (l.sloppy() >= 0) {
                labels.add(label(dataset, l.id(), DemoData.SLOPPY, l.sloppy()));
            }
            List<Map<String, Object>> scores = new ArrayList<>();
            for (int k = 0; k < DemoData.CLASSES.size(); k++) {
                scores.add(Map.of("class_name", DemoData.CLASSES.get(k), "probability", l.probs()[k]));
            }
            inferences.add(Map.of("dataset_id", dataset, "frame_id", l.id(), "model_id", MODEL_ID, "model_version", MODEL_VERSION,
                    "classification", Map.of("scores", scores)));
        }
        for (int i = 0; i < data.unlabeled.size(); i++) {
            DemoData.Unlabeled u = data.unlabeled.get(i);
            frames.add(frame(dataset, u.id(), data.pngDataUri(data.poolImages[i]), u.camera(), "SPLIT_UNLABELED"));
        }
        post("/v1/frames", "frames", frames);
        post("/v1/inferences", "inferences", inferences);
        post("/v1/labels", "labels", labels);
        step(String.format(Locale.ROOT, "ingested into dataset %s: %d frames (PNG data: URIs, metadata camera), %d labels "
                        + "(label set v1), %d inferences of %s:%s", dataset, frames.size(), labels.size(), inferences.size(),
                MODEL_ID, MODEL_VERSION));
        report.put("dataset", dataset);
    }

    private static Map<String, Object> frame(String dataset, String id, String uri, String camera, String split) {
        return Map.of("dataset_id", dataset, "id", id, "uris", List.of(uri), "width", 28, "height", 28, "split", split,
                "metadata", Map.of("camera", camera));
    }

    private static Map<String, Object> label(String dataset, String frame, String labeler, int cls) {
        return Map.of("dataset_id", dataset, "frame_id", frame, "label_set", "v1", "labeler_id", labeler,
                "classification", Map.of("class_name", DemoData.CLASSES.get(cls)));
    }

    private void post(String path, String field, List<Map<String, Object>> rows) {
        for (int from = 0; from < rows.size(); from += 500) {
            int to = Math.min(rows.size(), from + 500);
            Platform.Reply r = platform.post(Platform.INGEST + path, Map.of(field, rows.subList(from, to)));
            expect(200, r);
            int done = r.body().path("stored").asInt() + r.body().path("unchanged").asInt();
            if (done != to - from) {
                throw new IllegalStateException(path + ": " + done + " of " + (to - from) + " rows taken: " + r.text());
            }
        }
    }

    /** Waits for the auto-trained CNN and a vector of it for every frame; answers {model id, version} as mining keys them. */
    private String[] awaitEmbeddings(String dataset, int frames) throws InterruptedException {
        step("waiting for embedding-service to train its CNN on the labeled images (auto-training) and embed every frame");
        String[] last = {""};
        JsonNode state = platform.await(Platform.EMBEDDING + "/v1/datasets/" + dataset + "/embedding-state", s -> {
            JsonNode auto = s.path("auto_training");
            String model = auto.path("model_version").asText("");
            long vectors = vectorsOf(s, auto.path("model_id").asText(""), model);
            String now = auto.path("state").asText() + " " + auto.path("job_state").asText("") + " vectors " + vectors;
            if (!now.equals(last[0])) {
                step("  embedding-state: auto_training " + auto.path("state").asText() + ", job " + auto.path("job_state").asText("-")
                        + ", labeled frames " + auto.path("labeled_frames").asText() + ", vectors of the trained model " + vectors
                        + " of " + frames);
                last[0] = now;
            }
            // after its job the dataset is TRAINED, or COOLDOWN while its label set keeps growing within the hour
            return !model.isEmpty() && "SUCCEEDED".equals(auto.path("job_state").asText()) && vectors >= frames;
        }, Duration.ofMinutes(30));
        String modelId = state.path("auto_training").path("model_id").asText();
        String version = state.path("auto_training").path("model_version").asText();
        String model = modelId + " version " + version;
        JsonNode job = platform.get(Platform.EMBEDDING + "/v1/training-jobs/" + state.path("auto_training").path("job_id").asText()).body();
        step("embedded: every frame has a vector of " + model);
        report.put("embedding", String.format(Locale.ROOT, "%s, auto-trained on %s labeled frames (the labels embedding-service had "
                        + "seen when its job started), %s classes, final loss %.3f, %s frames embedded", model,
                job.path("labeled_frames").asText(), job.path("classes").asText(), job.path("final_loss").asDouble(),
                job.path("embedded_frames").asText()));
        return new String[]{modelId, version};
    }

    private static long vectorsOf(JsonNode state, String modelId, String version) {
        for (JsonNode v : state.path("vectors")) {
            if (v.path("model_id").asText().equals(modelId) && v.path("model_version").asText().equals(version)) {
                return v.path("vectors").asLong();
            }
        }
        return 0;
    }

    private String analyse(String dataset, String[] embedding) throws InterruptedException {
        Platform.Reply started = platform.post(Platform.MINING + "/v1/analyses", Map.of("dataset_id", dataset, "label_set", "v1",
                "model_id", MODEL_ID, "model_version", MODEL_VERSION, "embedding_model_id", embedding[0],
                "embedding_model_version", embedding[1], "kinds", List.of("label_errors", "clusters", "labeler_quality")));
        if (started.status() != 202 && started.status() != 200) {
            throw new IllegalStateException("POST /v1/analyses: " + started.status() + " " + started.text());
        }
        String id = started.body().path("id").asText();
        step("analysis " + id + " (label_errors, clusters, labeler_quality): " + started.body().path("state").asText());
        String[] last = {""};
        JsonNode done = platform.await(Platform.MINING + "/v1/analyses/" + id, a -> {
            String now = a.path("state").asText();
            if (!now.equals(last[0])) {
                step("  analysis " + now + (now.equals("waiting_for_data") ? " (mining catching up with what ingest and embedding hold)" : ""));
                last[0] = now;
            }
            return Set.of("succeeded", "failed").contains(now);
        }, Duration.ofMinutes(20));
        if (!"succeeded".equals(done.path("state").asText())) {
            throw new IllegalStateException("analysis failed: " + done);
        }
        report.put("analysis", id);
        return id;
    }

    private void findings(String analysis, DemoData data) {
        int k = data.flipped.size();
        JsonNode issues = platform.get(Platform.MINING + "/v1/issues?analysis=" + analysis + "&type=label_error&page_size=" + k).body();
        int hits = 0;
        int listed = 0;
        for (JsonNode issue : issues.path("items")) {
            listed++;
            hits += data.flipped.contains(issue.path("frame_id").asText()) ? 1 : 0;
        }
        long total = issues.path("total").asLong();
        int found = 0;
        for (int page = 0; page * 500 < total; page++) {
            for (JsonNode issue : platform.get(Platform.MINING + "/v1/issues?analysis=" + analysis + "&type=label_error&page_size=500&page="
                    + page).body().path("items")) {
                found += data.flipped.contains(issue.path("frame_id").asText()) ? 1 : 0;
            }
        }
        report.put("label errors", String.format(Locale.ROOT, "%d of the top %d candidates are planted flips: precision@%d = %.3f; "
                + "%d of the %d flips are among all %d candidates", hits, listed, k, (double) hits / k, found, k, total));

        List<String> ranking = new ArrayList<>();
        JsonNode quality = platform.get(Platform.MINING + "/v1/analyses/" + analysis + "/labeler-quality").body();
        JsonNode rows = quality.isArray() ? quality : quality.path("items");
        for (JsonNode q : rows) {
            String who = q.path("labeler_id").asText();
            ranking.add(String.format(Locale.ROOT, "%s quality %.3f, accuracy %.3f on %d labels (true error rate %.3f, %s)", who,
                    q.path("quality").asDouble(), q.path("accuracy").asDouble(), q.path("labels").asInt(), data.errorRate(who),
                    q.path("method").asText()));
        }
        report.put("labeler quality (worst first)", ranking);
        report.put("sloppy ranked worst", !rows.isEmpty() && DemoData.SLOPPY.equals(rows.get(0).path("labeler_id").asText()));

        JsonNode slices = platform.get(Platform.MINING + "/v1/analyses/" + analysis + "/slices").body();
        JsonNode top = slices.isArray() && !slices.isEmpty() ? slices.get(0) : null;
        if (top != null) {
            report.put("top metadata slice", String.format(Locale.ROOT, "%s=%s: error rate %.3f vs %.3f overall (lift %.2f, q %.2g), "
                            + "planted slice camera=%s found: %s", top.path("key").asText(), top.path("value").asText(),
                    top.path("error_rate").asDouble(), top.path("overall_error_rate").asDouble(), top.path("lift").asDouble(),
                    top.path("q_value").asDouble(), DemoData.SLICE_CAMERA,
                    "camera".equals(top.path("key").asText()) && DemoData.SLICE_CAMERA.equals(top.path("value").asText())));
        } else {
            report.put("top metadata slice", "none: " + slices);
        }
        JsonNode clusters = platform.get(Platform.MINING + "/v1/analyses/" + analysis + "/clusters?method=hdbscan").body();
        if (clusters.isArray() && !clusters.isEmpty()) {
            JsonNode c = clusters.get(0);
            List<String> members = new ArrayList<>();
            for (int page = 0; page * 500 < c.path("size").asInt(); page++) {
                platform.get(Platform.MINING + "/v1/analyses/" + analysis + "/clusters/hdbscan/" + c.path("cluster_id").asInt()
                        + "/frames?page_size=500&page=" + page).body().path("items").forEach(f -> members.add(f.asText()));
            }
            report.put("worst failure cluster", String.format(Locale.ROOT, "hdbscan %d: %d frames, error rate %.3f vs %.3f overall, "
                            + "classes %s (%d clusters); cameras of its frames %s", c.path("cluster_id").asInt(), c.path("size").asInt(),
                    c.path("error_rate").asDouble(), c.path("overall_error_rate").asDouble(), c.path("class_mix"), clusters.size(),
                    cameras(members)));
        }
    }

    private void campaign(String dataset, String analysis, String[] embedding) throws InterruptedException {
        JsonNode clusters = platform.get(Platform.MINING + "/v1/analyses/" + analysis + "/clusters?method=hdbscan").body();
        Map<String, Object> body = new LinkedHashMap<>();
        String seed;
        if (clusters.isArray() && !clusters.isEmpty()) {
            int cluster = clusters.get(0).path("cluster_id").asInt();
            body.putAll(Map.of("analysis_id", analysis, "cluster_id", cluster, "cluster_method", "hdbscan"));
            seed = "the worst failure cluster (hdbscan " + cluster + ")";
        } else {
            JsonNode top = platform.get(Platform.MINING + "/v1/issues?analysis=" + analysis + "&type=label_error&page_size=1").body();
            body.put("issue_id", top.path("items").get(0).path("id").asText());
            seed = "the top label-error candidate";
        }
        body.putAll(Map.of("limit", CAMPAIGN_LIMIT, "target_label_set", "v2", "name", "more like " + seed,
                "instructions", "Which Fashion-MNIST class is this?"));
        Platform.Reply created = platform.post(Platform.MINING + "/v1/campaigns", body);
        if (created.status() != 200 && created.status() != 201) {
            throw new IllegalStateException("POST /v1/campaigns: " + created.status() + " " + created.text());
        }
        String id = created.body().path("id").asText();
        List<String> picked = new ArrayList<>();
        Map<String, Integer> classes = new LinkedHashMap<>();
        created.body().path("frames").forEach(f -> {
            picked.add(f.path("frame_id").asText());
            classes.merge(truth.get(f.path("frame_id").asText()), 1, Integer::sum);
        });
        step("campaign " + id + ": " + picked.size() + " unlabeled frames like " + seed + "; their true classes " + classes);
        expect(200, platform.post(Platform.MINING + "/v1/campaigns/" + id + "/send", "{}"));
        step("sent to labeling-bridge; the vendor simulator (signed generic webhook) labels them and calls back");
        JsonNode stats = platform.await(Platform.INGEST + "/v1/datasets/" + dataset + "/stats",
                s -> s.path("labels_by_label_set").path("v2").asLong() >= picked.size(), Duration.ofMinutes(5));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (outside.retrainRequests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        if (!outside.refused.isEmpty()) {
            throw new IllegalStateException("the simulators refused: " + outside.refused);
        }
        report.put("campaign", String.format(Locale.ROOT, "%s from %s: %d pool frames, cameras %s, true classes %s; %d vendor "
                + "tasks, callbacks answered %s", id, seed, picked.size(), cameras(picked), classes, outside.tasks.size(),
                outside.callbackStatuses));
        report.put("labels back (ingest labels_by_label_set; v2 = the vendor's annotator and labeling-bridge's consensus label "
                + "per frame)", stats.path("labels_by_label_set").toString());
        report.put("retrain request", outside.retrainRequests.isEmpty() ? "none within 3 minutes"
                : "request_id " + outside.retrainRequests.get(0).path("request_id").asText() + ", label set "
                + outside.retrainRequests.get(0).path("label_set").asText() + ", reason "
                + outside.retrainRequests.get(0).path("reason").asText() + " (signed training webhook)");
    }

    /** How many of these frames each camera took. */
    private Map<String, Integer> cameras(List<String> frameIds) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        frameIds.forEach(f -> out.merge(camera.getOrDefault(f, "?"), 1, Integer::sum));
        return out;
    }

    private void printReport() {
        step("done");
        report.put("wall time to here", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
        System.out.println();
        System.out.println("==== Shoal demo: planted vs found ====");
        report.forEach((k, v) -> {
            if (v instanceof List<?> list) {
                System.out.println(k + ":");
                list.forEach(x -> System.out.println("  " + x));
            } else {
                System.out.println(k + ": " + v);
            }
        });
    }

    private static void expect(int status, Platform.Reply r) {
        if (r.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + r.status() + ": " + r.text());
        }
    }
}
