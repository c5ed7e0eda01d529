package dev.shoal.mining;

import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.mining.v1.IssueFound;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Analyses over {@link SyntheticDataset}, published through the real topics into the real database. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class SyntheticAnalysisTest {

    @Inject
    DataSource ds;

    @Inject
    dev.shoal.mining.service.AnalysisService analysisService;

    static Events events;
    static SyntheticDataset data;

    @BeforeAll
    static void open() {
        events = new Events();
    }

    @AfterAll
    static void close() {
        events.close();
    }

    private SyntheticDataset data() {
        if (data == null) {
            data = publish("syn-");
        }
        return data;
    }

    /** A new synthetic dataset, once the read model holds all of it. */
    private SyntheticDataset publish(String prefix) {
        SyntheticDataset d = SyntheticDataset.publish(events, prefix + UUID.randomUUID());
        String id = d.id;
        int n = d.frameCount();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                Db.count(ds, "select count(*) from embedding where dataset_id = ?", id) == n
                        && Db.count(ds, "select count(*) from frame where dataset_id = ?", id) == n
                        && Db.count(ds, "select count(*) from label where dataset_id = ?", id) == n - 2
                        && Db.count(ds, "select count(*) from inference where dataset_id = ?", id) == n - 2);
        return d;
    }

    static String analyze(String body) {
        String id = given().contentType(ContentType.JSON).body(body).post("/v1/analyses").then().extract().path("id");
        awaitSucceeded(id);
        return id;
    }

    static void awaitSucceeded(String id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            String state = given().get("/v1/analyses/" + id).then().extract().path("state");
            if ("failed".equals(state)) {
                throw new AssertionError("analysis failed: " + given().get("/v1/analyses/" + id).asString());
            }
            return "succeeded".equals(state);
        });
    }

    private static List<String> issueFrames(String analysisId) {
        return given().get("/v1/issues?analysis=" + analysisId + "&type=label_error&page_size=500").then().statusCode(200)
                .extract().jsonPath().getList("items.frame_id");
    }

    @Test
    void withoutInferencesOutOfSampleProbabilitiesFromEmbeddingsFindThePlantedLabelErrors() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"embedding_model_version\":\"1\","
                + "\"kinds\":[\"label_errors\"]}");
        List<String> found = issueFrames(id);
        Set<String> hits = new HashSet<>(found);
        hits.retainAll(d.flipped);
        assertEquals(d.flipped.size(), hits.size(), "every planted error is a candidate; found " + found);
        assertTrue(hits.size() >= 0.75 * found.size(), "precision >= 0.75: " + hits.size() + " of " + found.size());
        given().get("/v1/analyses/" + id).then().body("summary.label_errors.probabilities", equalTo("out_of_sample_knn"));

        // each issue names the given and the suggested label
        JsonPath first = given().get("/v1/issues?analysis=" + id + "&page_size=1").then().extract().jsonPath();
        assertTrue(first.getString("items[0].given_label") != null && first.getString("items[0].suggested_label") != null);
        assertTrue(!first.getString("items[0].given_label").equals(first.getString("items[0].suggested_label")));
        assertEquals(found.size(), first.getInt("total"));

        // and every issue was published as IssueFound, keyed by issue id
        var published = events.probe.await(Topics.MINING_ISSUE_FOUND, r -> {
            try {
                return IssueFound.parseFrom(r.value()).getIssue().getAnalysisId().equals(id);
            } catch (Exception e) {
                return false;
            }
        }, found.size(), Duration.ofSeconds(20));
        assertEquals(found.size(), published.size());
    }

    @Test
    void withInferencesConfidentLearningOnTheModelsProbabilitiesFindsThePlantedLabelErrors() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"kinds\":[\"label_errors\"]}");
        Set<String> found = new HashSet<>(issueFrames(id));
        Set<String> hits = new HashSet<>(found);
        hits.retainAll(d.flipped);
        // the model is right on every flipped frame, but calibration rounding of small confident-joint cells can
        // leave one or two out (as in the reference implementation): at least 80% recall
        assertTrue(hits.size() >= 0.8 * d.flipped.size(), "found " + hits + " of " + d.flipped);
        // the rest are the failure slice, where the model is wrong: a person tells them apart by triage
        Set<String> rest = new HashSet<>(found);
        rest.removeAll(d.flipped);
        assertTrue(d.slice.containsAll(rest), "other candidates come from the failure slice: " + rest);
    }

    @Test
    void outliersNearDuplicatesAndTrainTestLeakageAreFound() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"embedding_model_version\":\"1\","
                + "\"kinds\":[\"outliers\",\"duplicates\"]}");
        given().get("/v1/analyses/" + id + "/outliers?page_size=3").then().statusCode(200)
                .body("items[0].frame_id", equalTo("odd")).body("items[0].rank", equalTo(1));
        JsonPath leak = given().get("/v1/analyses/" + id + "/leakage").then().statusCode(200).extract().jsonPath();
        assertEquals(1, leak.getInt("total"), leak.prettify());
        assertEquals(Set.of("f0", "dup-test"), new HashSet<>(leak.getList("items[0].frame_ids")));
        assertTrue(leak.getBoolean("items[0].crosses_splits"));
        assertEquals(2, leak.getInt("items[0].size"));
        assertTrue(Set.of("f0", "dup-test").contains(leak.getString("items[0].representative")));
        JsonPath dups = given().get("/v1/analyses/" + id + "/duplicates?page_size=500").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(dups.getInt("total") >= 1);
        // each mode's 40 frames are close together: no group may chain through a mode
        assertTrue(dups.getList("items.size", Integer.class).stream().allMatch(s -> s <= 3), dups.prettify());
        JsonPath summary = given().get("/v1/analyses/" + id).then().statusCode(200).extract().jsonPath();
        assertTrue(List.of("floor", "adaptive").contains(summary.getString("summary.duplicates.threshold_source")));
        assertTrue(summary.getDouble("summary.duplicates.min_similarity") >= 0.98);
    }

    @Test
    void thePlantedFailureSliceIsTheTopFailureClusterAndItsCameraTheTopMetadataSlice() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"embedding_model_version\":\"1\",\"kinds\":[\"clusters\",\"map\"]}");
        for (String method : List.of("hdbscan", "kmeans")) {
            JsonPath clusters = given().get("/v1/analyses/" + id + "/clusters?method=" + method).then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(1, clusters.getInt("[0].rank"));
            int top = clusters.getInt("[0].cluster_id");
            assertTrue(clusters.getBoolean("[0].significant"), method + ": " + clusters.prettify());
            assertTrue(clusters.getDouble("[0].lift") > 2.0, method + ": " + clusters.prettify());
            List<String> members = given().get("/v1/analyses/" + id + "/clusters/" + method + "/" + top + "/frames?page_size=500")
                    .then().statusCode(200).extract().jsonPath().getList("items");
            long inSlice = members.stream().filter(d.slice::contains).count();
            assertTrue(inSlice >= 0.8 * members.size(), method + " top cluster is the slice: " + members);
            if (method.equals("hdbscan")) {
                assertTrue(inSlice >= 0.8 * d.slice.size(), "and holds most of it: " + inSlice + " of " + d.slice.size());
            }
        }
        JsonPath slices = given().get("/v1/analyses/" + id + "/slices").then().statusCode(200).extract().jsonPath();
        assertEquals("camera", slices.getString("[0].key"));
        assertEquals("cam-7", slices.getString("[0].value"));
        assertTrue(slices.getBoolean("[0].significant"));

        JsonPath map = given().get("/v1/analyses/" + id + "/map?page_size=1000").then().statusCode(200).extract().jsonPath();
        assertEquals(d.frameCount(), map.getInt("total"));
        List<Float> xs = map.getList("items.x", Float.class);
        assertTrue(xs.stream().allMatch(Float::isFinite));
        assertTrue(xs.stream().distinct().count() > d.frameCount() / 2, "points are spread out");
        given().get("/v1/analyses/" + id).then().body("percent_done", equalTo(100))
                .body("summary.clusters.hdbscan.clusters", org.hamcrest.Matchers.greaterThan(1));
    }

    @Test
    void detectionFlagsMissingSpuriousWrongClassAndLooseBoxes() {
        String dataset = "det-" + UUID.randomUUID();
        events.boxLabel(dataset, "d1", "v1", "alice", new Object[][] {{"cone", 10, 10, 20, 20}});
        events.boxInference(dataset, "d1", "yolo", "8", new Object[][] {{"cone", 10, 10, 20, 20, 0.9}, {"sign", 100, 100, 30, 30, 0.95}});
        // one annotator drew a loose box around the whole pole, the model boxes the defect
        events.boxLabel(dataset, "d2", "v1", "bob", new Object[][] {{"pole", 0, 0, 100, 200}});
        events.boxInference(dataset, "d2", "yolo", "8", new Object[][] {{"pole", 40, 80, 20, 30, 0.9}});
        events.boxLabel(dataset, "d3", "v1", "alice", new Object[][] {{"cone", 50, 50, 40, 40}});
        events.boxInference(dataset, "d3", "yolo", "8", new Object[][] {{"sign", 50, 50, 40, 40, 0.9}});
        events.boxLabel(dataset, "d4", "v1", "alice", new Object[][] {{"sign", 5, 5, 10, 10}});
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from label where dataset_id = ?", dataset) == 4
                        && Db.count(ds, "select count(*) from inference where dataset_id = ?", dataset) == 3);
        String id = analyze("{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"model_id\":\"yolo\",\"model_version\":\"8\","
                + "\"kinds\":[\"detection\"]}");
        JsonPath issues = given().get("/v1/issues?analysis=" + id).then().statusCode(200).extract().jsonPath();
        java.util.Map<String, String> typeByFrame = new java.util.HashMap<>();
        for (int i = 0; i < issues.getInt("total"); i++) {
            typeByFrame.put(issues.getString("items[" + i + "].frame_id"), issues.getString("items[" + i + "].type"));
        }
        assertEquals(java.util.Map.of("d1", "missing_label", "d2", "poor_localization", "d3", "wrong_class",
                "d4", "spurious_label"), typeByFrame, issues.prettify());
        given().get("/v1/issues?analysis=" + id + "&type=wrong_class").then().body("items[0].given_label", equalTo("cone"))
                .body("items[0].suggested_label", equalTo("sign"));
    }

    @Test
    void campaignsStartFromAnIssueOrAFailureCluster() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"embedding_model_version\":\"1\",\"kinds\":[\"label_errors\",\"clusters\"]}");
        String issue = given().get("/v1/issues?analysis=" + id).then().extract().path("items[0].id");
        // the pool: frames with no label at all ("odd", "dup-test")
        given().contentType(ContentType.JSON).body("{\"issue_id\":\"" + issue + "\",\"limit\":10}").post("/v1/campaigns")
                .then().statusCode(201).body("source", equalTo("issue:" + issue)).body("frames.frame_id", org.hamcrest.Matchers.containsInAnyOrder("odd", "dup-test"));
        int top = given().get("/v1/analyses/" + id + "/clusters?method=hdbscan").then().extract().path("[0].cluster_id");
        given().contentType(ContentType.JSON).body("{\"analysis_id\":\"" + id + "\",\"cluster_id\":" + top
                        + ",\"cluster_method\":\"hdbscan\"}").post("/v1/campaigns")
                .then().statusCode(201).body("frames[0].reason", equalTo("failure_cluster:" + top));
        given().contentType(ContentType.JSON).body("{\"analysis_id\":\"" + id + "\",\"cluster_id\":9999}").post("/v1/campaigns")
                .then().statusCode(400).body("field", equalTo("cluster_id"));
    }

    @Test
    void theGrpcApiStartsFollowsAndStreamsAnAnalysis() throws Exception {
        SyntheticDataset d = data();
        io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("localhost", io.restassured.RestAssured.port)
                .usePlaintext().build();
        try {
            var stub = dev.shoal.proto.mining.v1.MiningServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS);
            var started = stub.startAnalysis(dev.shoal.proto.mining.v1.StartAnalysisRequest.newBuilder().setDatasetId(d.id)
                    .setLabelSet("v1").setModelId("det").setModelVersion("1").setEmbeddingModelVersion("1")
                    .addKinds("clusters").addKinds("map").build());
            await().atMost(Duration.ofSeconds(90)).until(() -> "succeeded".equals(stub.getAnalysis(
                    dev.shoal.proto.mining.v1.GetAnalysisRequest.newBuilder().setAnalysisId(started.getId()).build()).getState()));
            var clusters = stub.listClusters(dev.shoal.proto.mining.v1.ListClustersRequest.newBuilder()
                    .setAnalysisId(started.getId()).build());
            assertTrue(clusters.getClustersCount() > 1);
            java.util.List<dev.shoal.proto.mining.v1.MapPoint> points = new java.util.ArrayList<>();
            stub.streamMap(dev.shoal.proto.mining.v1.StreamMapRequest.newBuilder().setAnalysisId(started.getId()).build())
                    .forEachRemaining(points::add);
            assertEquals(d.frameCount(), points.size());
            var bad = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class, () ->
                    stub.startAnalysis(dev.shoal.proto.mining.v1.StartAnalysisRequest.newBuilder().setLabelSet("v1")
                            .addKinds("clusters").build()));
            assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(bad.getStatus().getDescription().startsWith("dataset_id"), bad.getStatus().getDescription());
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void triageSetsTheStateAndModelWrongMakesItAModelErrorAndBadInputIs400() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"kinds\":[\"label_errors\"]}");
        List<String> ids = given().get("/v1/issues?analysis=" + id).then().extract().jsonPath().getList("items.id");
        String a = ids.get(0);
        String b = ids.get(1);
        given().contentType(ContentType.JSON).body("{\"state\":\"label_wrong\",\"note\":\"it is a sign\"}").patch("/v1/issues/" + a)
                .then().statusCode(200).body("state", equalTo("label_wrong")).body("type", equalTo("label_error"))
                .body("note", equalTo("it is a sign"));
        given().contentType(ContentType.JSON).body("{\"state\":\"model_wrong\"}").patch("/v1/issues/" + b)
                .then().statusCode(200).body("state", equalTo("model_wrong")).body("type", equalTo("model_error"));
        given().get("/v1/issues?analysis=" + id + "&state=model_wrong").then().body("total", equalTo(1))
                .body("items[0].id", equalTo(b));
        given().get("/v1/issues?analysis=" + id + "&type=model_error").then().body("total", equalTo(1));

        given().contentType(ContentType.JSON).body("{\"state\":\"fixed\"}").patch("/v1/issues/" + a)
                .then().statusCode(400).body("field", equalTo("state"));
        given().contentType(ContentType.JSON).body("{\"note\":\"x\"}").patch("/v1/issues/" + a)
                .then().statusCode(400).body("field", equalTo("state"));
        given().contentType(ContentType.JSON).body("{\"state\":\"ignored\"}").patch("/v1/issues/" + UUID.randomUUID())
                .then().statusCode(404);
        given().get("/v1/issues/" + a).then().statusCode(200).body("state", equalTo("label_wrong"));
    }

    @Test
    void labelWrongTriageWritesTheCorrectedLabelBackToIngestOnce() {
        SyntheticDataset d = data();
        String id = analyze("{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"kinds\":[\"label_errors\"]}");
        JsonPath issues = given().get("/v1/issues?analysis=" + id).then().extract().jsonPath();
        String issue = issues.getString("items[2].id");   // the triage test above takes items 0 and 1
        String frame = issues.getString("items[2].frame_id");
        String suggested = issues.getString("items[2].suggested_label");

        given().contentType(ContentType.JSON).body("{\"state\":\"label_wrong\"}").patch("/v1/issues/" + issue)
                .then().statusCode(200).body("state", equalTo("label_wrong")).body("corrected_label", equalTo(suggested));
        List<IngestRequest> sent = corrections(d.id, frame);
        assertEquals(1, sent.size(), sent.toString());
        Label label = sent.get(0).getUpsertLabels().getLabels(0);
        assertEquals(1, sent.get(0).getUpsertLabels().getLabelsCount());
        assertEquals(suggested, label.getClassification().getClassName());
        assertEquals("v1+triage", label.getLabelSet());
        assertEquals("triage", label.getLabelerId());
        assertEquals(d.id, label.getDatasetId());

        // the same triage again publishes nothing new
        given().contentType(ContentType.JSON).body("{\"state\":\"label_wrong\"}").patch("/v1/issues/" + issue)
                .then().statusCode(200).body("corrected_label", equalTo(suggested));
        assertEquals(1, corrections(d.id, frame).size());

        // a person picks another class: one more request, which upserts the same label key with the new class
        String other = SyntheticDataset.CLASSES.stream().filter(c -> !c.equals(suggested)).findFirst().orElseThrow();
        given().contentType(ContentType.JSON).body("{\"state\":\"label_wrong\",\"corrected_class\":\"" + other
                        + "\",\"labeler_id\":\"ana\"}").patch("/v1/issues/" + issue)
                .then().statusCode(200).body("corrected_label", equalTo(other));
        sent = corrections(d.id, frame);
        assertEquals(2, sent.size(), sent.toString());
        assertEquals(other, sent.get(1).getUpsertLabels().getLabels(0).getClassification().getClassName());
        assertEquals("ana", sent.get(1).getUpsertLabels().getLabels(0).getLabelerId());
        given().get("/v1/issues/" + issue).then().body("corrected_label", equalTo(other));

        given().contentType(ContentType.JSON).body("{\"state\":\"label_wrong\",\"corrected_class\":\"banana\"}")
                .patch("/v1/issues/" + issue).then().statusCode(400).body("field", equalTo("corrected_class"));
        given().contentType(ContentType.JSON).body("{\"state\":\"ignored\",\"corrected_class\":\"" + other + "\"}")
                .patch("/v1/issues/" + issue).then().statusCode(400).body("field", equalTo("corrected_class"));
        assertEquals(2, corrections(d.id, frame).size());
    }

    /** The IngestRequests on shoal.ingest.requests.v1 that carry a label of this frame, in publication order. */
    private static List<IngestRequest> corrections(String datasetId, String frameId) {
        return events.probe.readAll(Topics.INGEST_REQUESTS, r -> datasetId.equals(r.key()), Duration.ofSeconds(2)).stream()
                .map(r -> {
                    try {
                        return IngestRequest.parseFrom(r.value());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .filter(q -> q.getUpsertLabels().getLabelsList().stream().anyMatch(l -> l.getFrameId().equals(frameId)))
                .toList();
    }

    private static JsonPath graphOf(String analysisId) {
        return given().get("/v1/analyses/" + analysisId).then().statusCode(200).extract().jsonPath().setRootPath("summary.knn_graph");
    }

    private static String withModel(String dataset, String kind) {
        return "{\"dataset_id\":\"" + dataset + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"embedding_model_version\":\"1\",\"kinds\":[\"" + kind + "\"]}";
    }

    /**
     * One k-NN graph per vector set: a clusters job, then a map job, then one after a label changed, load the
     * vectors and build the graph once (the evidence is each job's summary.knn_graph); a new embedding rebuilds.
     */
    @Test
    void analysesOfTheSameVectorsBuildTheGraphOnceAndANewEmbeddingRebuildsIt() {
        SyntheticDataset d = publish("reuse-");
        int n = d.frameCount();

        JsonPath clusters = graphOf(analyze(withModel(d.id, "clusters")));
        assertEquals("loaded", clusters.getString("vectors"), clusters.prettify());
        assertEquals("built", clusters.getString("graph"), clusters.prettify());
        assertEquals(n, clusters.getInt("rows"));

        JsonPath map = graphOf(analyze(withModel(d.id, "map")));
        assertEquals("reused", map.getString("vectors"), map.prettify());
        assertEquals("reused", map.getString("graph"), map.prettify());
        assertEquals(clusters.getInt("k"), map.getInt("k"));

        // a changed label is a new analysis (new watermark) over the same vectors: still no rebuild
        events.label(d.id, "f1", "v1", "alice", "sign");
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "sign".equals(Db.string(ds, "select class_name from label where dataset_id = ? and frame_id = 'f1'", d.id)));
        JsonPath afterLabel = graphOf(analyze(withModel(d.id, "outliers")));
        assertEquals("reused", afterLabel.getString("graph"), afterLabel.prettify());

        // a new embedding changes the vector set: the next analysis loads and builds again, over n + 1 rows
        float[] v = new float[SyntheticDataset.DIM];
        v[5] = 1f;
        events.frame(d.id, "late", dev.shoal.proto.ingest.v1.Split.SPLIT_UNLABELED, java.util.Map.of("camera", "cam-1"));
        events.embedding(d.id, "late", "clip", "1", v);
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from embedding where dataset_id = ?", d.id) == n + 1);
        JsonPath rebuilt = graphOf(analyze(withModel(d.id, "duplicates")));
        assertEquals("loaded", rebuilt.getString("vectors"), rebuilt.prettify());
        assertEquals("built", rebuilt.getString("graph"), rebuilt.prettify());
        assertEquals(n + 1, rebuilt.getInt("rows"));
    }

    private static List<IssueFound> publishedFor(String analysisId) {
        return events.probe.readAll(Topics.MINING_ISSUE_FOUND, r -> true, Duration.ofSeconds(2)).stream().map(r -> {
            try {
                return IssueFound.parseFrom(r.value());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(e -> e.getIssue().getAnalysisId().equals(analysisId)).toList();
    }

    /** What happens at start-up to a job the previous process left running: it runs again, under the same id. */
    private void rerunAsAfterARestart(String analysisId) {
        Db.update(ds, "update analysis set state = 'running', percent_done = 40 where id = ?", analysisId);
        assertTrue(analysisService.resumeUnfinished() >= 1);
        awaitSucceeded(analysisId);
    }

    @Test
    void issueFoundIsNotPublishedAgainOnARerunUnlessTheIssueIsNewOrChanged() {
        SyntheticDataset d = publish("pub-");
        String body = "{\"dataset_id\":\"" + d.id + "\",\"label_set\":\"v1\",\"model_id\":\"det\",\"model_version\":\"1\","
                + "\"kinds\":[\"label_errors\"]}";
        String id = analyze(body);
        int total = given().get("/v1/issues?analysis=" + id).then().extract().path("total");
        List<IssueFound> first = publishedFor(id);
        assertEquals(total, first.size());
        java.util.Map<String, dev.shoal.proto.mining.v1.Issue> firstById = new java.util.HashMap<>();
        first.forEach(e -> firstById.put(e.getIssue().getId(), e.getIssue()));

        // unchanged data: the re-run finds the same issues under the same ids and announces none of them
        rerunAsAfterARestart(id);
        assertEquals(first.size(), publishedFor(id).size(), "an unchanged re-run publishes nothing");
        assertEquals(new HashSet<>(firstById.keySet()), new HashSet<>(given().get("/v1/issues?analysis=" + id + "&page_size=500")
                .then().extract().jsonPath().getList("items.id", String.class)), "the same stable ids");
        given().get("/v1/analyses/" + id).then().body("summary.label_errors.published", equalTo(0))
                .body("summary.label_errors.already_published", equalTo(total));

        // a flagged frame gets another wrong label (changed issue), a clean frame a wrong one (new issue)
        dev.shoal.proto.mining.v1.Issue flagged = first.stream().map(IssueFound::getIssue)
                .filter(i -> d.flipped.contains(i.getFrameId())).findFirst().orElseThrow();
        String otherWrong = SyntheticDataset.CLASSES.stream()
                .filter(c -> !c.equals(flagged.getGivenLabel()) && !c.equals(flagged.getSuggestedLabel())).findFirst().orElseThrow();
        String clean = "f2";
        assertTrue(!d.flipped.contains(clean) && !d.slice.contains(clean));
        events.label(d.id, flagged.getFrameId(), "v1", "alice", otherWrong);
        events.label(d.id, clean, "v1", "alice", "pole");
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.count(ds, "select count(*) from label where dataset_id = ? and "
                + "((frame_id = ? and class_name = ?) or (frame_id = ? and class_name = 'pole'))", d.id, flagged.getFrameId(),
                otherWrong, clean) == 2);
        rerunAsAfterARestart(id);
        Set<String> firstEvents = new HashSet<>();
        first.forEach(e -> firstEvents.add(e.getEnvelope().getEventId()));
        List<dev.shoal.proto.mining.v1.Issue> again = publishedFor(id).stream()
                .filter(e -> !firstEvents.contains(e.getEnvelope().getEventId())).map(IssueFound::getIssue).toList();
        assertTrue(again.size() >= 2 && again.size() < total, "only new or changed issues: " + again);
        dev.shoal.proto.mining.v1.Issue changed = again.stream().filter(i -> i.getFrameId().equals(flagged.getFrameId()))
                .findFirst().orElseThrow(() -> new AssertionError("the relabelled flagged frame is announced again: " + again));
        assertEquals(flagged.getId(), changed.getId(), "under its stable id");
        assertEquals(otherWrong, changed.getGivenLabel());
        assertTrue(again.stream().anyMatch(i -> i.getFrameId().equals(clean) && !firstById.containsKey(i.getId())),
                "the newly wrong label is a new issue: " + again);
        for (var i : again) {
            var before = firstById.get(i.getId());
            assertTrue(before == null || !before.getGivenLabel().equals(i.getGivenLabel())
                    || !before.getSuggestedLabel().equals(i.getSuggestedLabel())
                    || Math.abs(before.getScore() - i.getScore()) > 1e-4, "republished although unchanged: " + i);
        }
    }
}
