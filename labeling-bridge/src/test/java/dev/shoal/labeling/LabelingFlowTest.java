package dev.shoal.labeling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.ingest.v1.ModelVersion;
import dev.shoal.proto.ingest.v1.ModelVersionRegistered;
import dev.shoal.proto.labeling.v1.AcceptedLabel;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.AnnotatorScore;
import dev.shoal.proto.labeling.v1.CampaignFrame;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import dev.shoal.proto.labeling.v1.LabelsAccepted;
import dev.shoal.proto.labeling.v1.RetrainRequested;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.shoal.labeling.BridgeTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge end to end through the real Kafka broker and PostgreSQL, with {@link FakeVendor} (a real HTTP server on
 * loopback) as the vendor and the training system.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "labeling"))
@QuarkusTestResource(VendorTestResource.class)
class LabelingFlowTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static KafkaProbe probe;

    @BeforeAll
    static void open() {
        probe = probe();
    }

    @AfterAll
    static void close() {
        probe.close();
    }

    @AfterEach
    void vendorBackToNormal() {
        FakeVendor.INSTANCE.start();
        FakeVendor.INSTANCE.behave();
    }

    @Test
    void campaignGoesToTheVendorSignedComesBackAsLabelsAndRequestsRetraining() {
        FakeVendor vendor = FakeVendor.INSTANCE;
        LabelingRequested.Builder b = campaign("c-happy", "ds-happy", "", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 3,
                List.of("cat", "dog"), "f1", "f2", "f3");
        b.addFrames(CampaignFrame.newBuilder().setFrameId("f4").addUris("file:///data/f4.png").setGoldClass("cat"));
        LabelingRequested request = b.build();
        publish(probe, request);

        // tasks POSTed to the vendor with a valid signature, one per group of two frames
        await().atMost(WAIT).until(() -> vendor.acceptedCount("dispatch:c-happy.g0:1") == 1
                && vendor.acceptedCount("dispatch:c-happy.g1:1") == 1);
        List<FakeVendor.Received> posted = vendor.received("/tasks").stream()
                .filter(r -> r.headers().getOrDefault("idempotency-key", "").startsWith("dispatch:c-happy.")).toList();
        assertEquals(2, posted.size());
        assertTrue(posted.stream().allMatch(FakeVendor.Received::authentic), "every task carries a valid signature");
        JsonNode g0 = posted.stream().map(FakeVendor.Received::json).filter(j -> j.get("task_id").asText().equals("c-happy.g0"))
                .findFirst().orElseThrow();
        assertEquals(3, g0.get("annotators_per_frame").asInt());
        assertEquals("f1", g0.get("frames").get(0).get("frame_id").asText());
        assertFalse(g0.toString().contains("gold"), "gold answers are never sent to the vendor");
        String callbackUrl = g0.get("callback_url").asText();
        assertEquals(baseUrl() + "/v1/callbacks/acme", callbackUrl);
        await().atMost(WAIT).until(() -> "dispatched".equals(task("c-happy.g1").getString("state")));

        // the vendor answers: a1 and a2 right, a3 wrong on f1 and on the gold frame f4
        signedCallback(callbackUrl, """
                {"task_id": "c-happy.g0", "results": [
                  {"frame_id": "f1", "annotator_id": "a1", "class_name": "cat"},
                  {"frame_id": "f1", "annotator_id": "a2", "class_name": "cat"},
                  {"frame_id": "f1", "annotator_id": "a3", "class_name": "dog"},
                  {"frame_id": "f2", "annotator_id": "a1", "class_name": "dog"},
                  {"frame_id": "f2", "annotator_id": "a2", "class_name": "dog"},
                  {"frame_id": "f2", "annotator_id": "a3", "class_name": "dog"}]}""")
                .then().statusCode(200).body("stored", equalTo(6)).body("task_state", equalTo("completed"));
        signedCallback(callbackUrl, """
                {"task_id": "c-happy.g1", "results": [
                  {"frame_id": "f3", "annotator_id": "a1", "class_name": "dog"},
                  {"frame_id": "f3", "annotator_id": "a2", "class_name": "dog"},
                  {"frame_id": "f3", "annotator_id": "a3", "class_name": "dog"},
                  {"frame_id": "f4", "annotator_id": "a1", "class_name": "cat"},
                  {"frame_id": "f4", "annotator_id": "a2", "class_name": "cat"},
                  {"frame_id": "f4", "annotator_id": "a3", "class_name": "dog"}]}""")
                .then().statusCode(200).body("stored", equalTo(6)).body("task_state", equalTo("completed"));

        // labels published: LabelsAccepted with consensus and annotator scores...
        List<ConsumerRecord<String, byte[]>> accepted = probe.await(Topics.LABELS_ACCEPTED, r -> "c-happy".equals(r.key()), 1, WAIT);
        assertEquals(1, accepted.size());
        assertEquals(LabelsAccepted.getDescriptor().getFullName(), KafkaProbe.header(accepted.get(0), CloudEventHeaders.TYPE));
        LabelsAccepted event = parse(accepted.get(0).value());
        assertEquals("v2-c-happy", event.getLabelSet());
        Map<String, AcceptedLabel> byFrame = event.getLabelsList().stream()
                .collect(Collectors.toMap(AcceptedLabel::getFrameId, Function.identity()));
        assertEquals(Set.of("f1", "f2", "f3", "f4"), byFrame.keySet());
        assertEquals("cat", byFrame.get("f1").getConsensus().getClassification().getClassName());
        assertEquals("dog", byFrame.get("f2").getConsensus().getClassification().getClassName());
        assertEquals("dawid_skene", byFrame.get("f1").getMethod());
        assertEquals(3, byFrame.get("f1").getAnnotationsCount());
        Map<String, AnnotatorScore> scores = event.getAnnotatorsList().stream()
                .collect(Collectors.toMap(AnnotatorScore::getAnnotatorId, Function.identity()));
        assertEquals(1, scores.get("a3").getGoldTotal());
        assertEquals(0, scores.get("a3").getGoldCorrect());
        assertEquals(0.5, scores.get("a3").getAgreement(), 1e-9);
        assertEquals(1.0, scores.get("a1").getAgreement(), 1e-9);

        // ...and the same labels as ingest requests: one per annotator per frame (vendor labeler ids) plus the consensus
        await().atMost(WAIT).until(() -> ingestLabels(probe, "ds-happy", "v2-c-happy", Duration.ofMillis(500)).size() >= 16);
        List<Label> labels = ingestLabels(probe, "ds-happy", "v2-c-happy", Duration.ofSeconds(1));
        assertEquals(16, labels.size());
        assertEquals(Set.of("a1", "a2", "a3", "shoal-consensus"), labels.stream().map(Label::getLabelerId).collect(Collectors.toSet()));
        assertEquals(16, labels.stream().map(l -> l.getFrameId() + "/" + l.getLabelerId()).distinct().count());

        // retraining requested: event and signed webhook to the training system
        List<ConsumerRecord<String, byte[]>> retrain = probe.await(Topics.RETRAIN_REQUESTED, r -> "ds-happy".equals(r.key()), 1, WAIT);
        assertEquals(1, retrain.size());
        RetrainRequested rr = parseRetrain(retrain.get(0).value());
        assertEquals("c-happy", rr.getCampaignId());
        assertEquals("campaign_completed:c-happy", rr.getReason());
        assertEquals("v2-c-happy", rr.getLabelSet());
        String requestId = rr.getRequestId();
        await().atMost(WAIT).until(() -> vendor.received("/training").stream()
                .anyMatch(r -> r.authentic() && r.json().get("request_id").asText().equals(requestId)));
        await().atMost(WAIT).until(() -> "sent".equals(given().get("/v1/retrain-requests/" + requestId).jsonPath().getString("webhook_status")));

        // the training system registers the new model through ingest: linked to the request
        ModelVersionRegistered mv = ModelVersionRegistered.newBuilder()
                .setEnvelope(Envelopes.create("ingest-service", "ds-happy", "resnet:v2", null))
                .setModelVersion(ModelVersion.newBuilder().setDatasetId("ds-happy").setModelId("resnet").setVersion("v2")
                        .setParentVersion("v1").setRetrainRequestId(requestId))
                .build();
        probe.send(Topics.MODEL_VERSION_REGISTERED, "ds-happy", mv.toByteArray());
        await().atMost(WAIT).until(() -> given().get("/v1/retrain-requests/" + requestId).jsonPath()
                .getList("model_versions").size() == 1);
        JsonPath link = given().get("/v1/retrain-requests/" + requestId).jsonPath();
        assertEquals("resnet", link.getString("model_versions[0].model_id"));
        assertEquals("v2", link.getString("model_versions[0].version"));

        // campaign view: completed, every task's history recorded
        JsonPath view = campaignView("c-happy");
        assertEquals("completed", view.getString("status"));
        assertEquals("cat", view.getString("accepted_labels.find { it.frame_id == 'f1' }.answer.class_name"),
                "the answer is a JSON object in snake_case, not a string");
        assertEquals(List.of("a1", "a2", "a3"), view.getList("annotators.annotator_id"));
        assertEquals(List.of("created", "dispatched", "in_progress", "completed"),
                task("c-happy.g0").getList("history.to_state"));

        // replays of the request (same event, and a new event for the same campaign) create nothing
        publish(probe, request);
        publish(probe, request.toBuilder().setEnvelope(request.getEnvelope().toBuilder().setEventId(newEventId())).build());
        probe.readAll(Topics.LABELING_REQUESTED, r -> "c-happy".equals(r.key()), Duration.ofSeconds(2));
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        assertEquals(2, campaignView("c-happy").getList("tasks").size());
        assertEquals(2, vendor.received("/tasks").stream()
                .filter(r -> r.headers().getOrDefault("idempotency-key", "").startsWith("dispatch:c-happy.")).count());
        assertEquals(1, probe.readAll(Topics.LABELS_ACCEPTED, r -> "c-happy".equals(r.key()), Duration.ofSeconds(1)).size());
    }

    @Test
    void refusedCallbacksStoreNothingAndAReplayCountsOnce() {
        publish(probe, campaign("c-refuse", "ds-refuse", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 2,
                List.of("cat", "dog"), "r1", "r2").build());
        await().atMost(WAIT).until(() -> FakeVendor.INSTANCE.acceptedCount("dispatch:c-refuse.g0:1") == 1);
        String url = baseUrl() + callbackPath("acme");
        String good = "{\"task_id\": \"c-refuse.g0\", \"results\": [{\"frame_id\": \"r1\", \"annotator_id\": \"a1\", \"class_name\": \"cat\"}]}";
        long now = System.currentTimeMillis() / 1000;

        // bad signature: signed with another secret
        signedCallback(url, good, now, "not-the-secret").then().statusCode(401);
        // no signature at all
        given().contentType("application/json").body(good).post(url).then().statusCode(401);
        // stale timestamp, correctly signed
        signedCallback(url, good, now - 3600, FakeVendor.WEBHOOK_SECRET).then().statusCode(401);
        // malformed body, correctly signed
        signedCallback(url, "{\"task_id\": \"c-refuse.g0\", \"results\": [", now, FakeVendor.WEBHOOK_SECRET).then().statusCode(400);
        signedCallback(url, "{\"task_id\": \"c-refuse.g0\", \"results\": [{\"frame_id\": \"r1\"}]}").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("results[0].annotator_id"));
        // a frame that is not the task's, a class outside the schema
        signedCallback(url, good.replace("\"r1\"", "\"zz\"")).then().statusCode(400);
        signedCallback(url, good.replace("\"cat\"", "\"horse\"")).then().statusCode(400);
        // unknown task, unknown vendor
        signedCallback(url, good.replace("c-refuse.g0", "no-such-task")).then().statusCode(404);
        signedCallback(baseUrl() + callbackPath("nobody"), good).then().statusCode(404);
        assertEquals(0, task("c-refuse.g0").getInt("answers"), "nothing stored by refused callbacks");
        assertEquals("dispatched", task("c-refuse.g0").getString("state"));

        // a good callback, then the identical delivery replayed, then the same content re-signed later
        byte[] body = good.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String signature = dev.shoal.labeling.vendor.Hmac.header(FakeVendor.WEBHOOK_SECRET, now, body);
        for (int i = 0; i < 2; i++) {
            var response = given().contentType("application/json").header("X-Shoal-Timestamp", Long.toString(now))
                    .header("X-Shoal-Signature", signature).body(body).post(url).then().statusCode(200).extract().jsonPath();
            assertEquals(i == 1, response.getBoolean("duplicate"));
            assertEquals(i == 0 ? 1 : 0, response.getInt("stored"));
        }
        signedCallback(url, good, now + 1, FakeVendor.WEBHOOK_SECRET).then().statusCode(200)
                .body("stored", equalTo(0)).body("unchanged", equalTo(1));
        assertEquals(1, task("c-refuse.g0").getInt("answers"));
        assertEquals("in_progress", task("c-refuse.g0").getString("state"));
    }

    @Test
    void vendorDownForAWhileGetsEveryTaskExactlyOnceWhenItComesBack() {
        FakeVendor vendor = FakeVendor.INSTANCE;
        vendor.answerWith(503);
        publish(probe, campaign("c-down", "ds-down", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                List.of("cat", "dog"), "d1", "d2", "d3", "d4", "d5", "d6").build());
        List<String> keys = List.of("dispatch:c-down.g0:1", "dispatch:c-down.g1:1", "dispatch:c-down.g2:1");
        await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> vendor.attempts(k) >= 2));
        // then not even listening
        vendor.stop();
        await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
        assertEquals("created", task("c-down.g0").getString("state"));
        assertTrue(task("c-down.g0").getString("deliveries[0].last_error").length() > 0);
        vendor.start();
        vendor.behave();
        await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> vendor.acceptedCount(k) == 1));
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
        for (String k : keys) {
            assertEquals(1, vendor.acceptedCount(k), k + " accepted once");
            assertTrue(vendor.attempts(k) >= 3, k + " was retried");
        }
        JsonPath t = task("c-down.g0");
        assertEquals("dispatched", t.getString("state"));
        assertEquals("sent", t.getString("deliveries[0].status"));
        assertEquals(1, t.getList("deliveries").size());
    }

    @Test
    void aVendorThatRefusesTheTaskFailsItWithTheReason() {
        publish(probe, campaign("c-picky", "ds-picky", "picky", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                List.of("cat"), "p1").build());
        await().atMost(WAIT).until(() -> given().get("/v1/tasks/c-picky.g0").statusCode() == 200
                && "failed".equals(task("c-picky.g0").getString("state")));
        JsonPath t = task("c-picky.g0");
        assertTrue(t.getString("reason").contains("HTTP 400"), t.getString("reason"));
        assertEquals("failed", t.getString("deliveries[0].status"));
        assertEquals("failed", campaignView("c-picky").getString("status"));
        List<ConsumerRecord<String, byte[]>> accepted = probe.await(Topics.LABELS_ACCEPTED, r -> "c-picky".equals(r.key()), 1, WAIT);
        LabelsAccepted event = parse(accepted.get(0).value());
        assertEquals(1, event.getTasksFailed());
        assertEquals(0, event.getLabelsCount());
        assertTrue(probe.readAll(Topics.RETRAIN_REQUESTED, r -> "ds-picky".equals(r.key()), Duration.ofSeconds(1)).isEmpty());
    }

    @Test
    void labelStudioImportAndWebhooksBecomePixelBoxesAndPolygons() {
        FakeVendor vendor = FakeVendor.INSTANCE;
        publish(probe, campaign("c-ls", "ds-ls", "ls", AnnotationType.ANNOTATION_TYPE_BOXES, 1,
                List.of("car", "road"), "l1", "l2").build());
        await().atMost(WAIT).until(() -> vendor.acceptedCount("dispatch:c-ls.g0:1") == 1);
        FakeVendor.Received imported = vendor.received("/api/projects/7/import").stream()
                .filter(r -> r.headers().getOrDefault("idempotency-key", "").equals("dispatch:c-ls.g0:1")).findFirst().orElseThrow();
        assertTrue(imported.authentic(), "Authorization: Token sent");
        JsonNode tasks = imported.json();
        assertEquals(2, tasks.size());
        assertEquals("l1", tasks.get(0).get("data").get("shoal_frame_id").asText());
        assertEquals("file:///data/l1.png", tasks.get(0).get("data").get("image").asText());

        String url = baseUrl() + callbackPath("ls");
        String created = """
                {"action": "ANNOTATION_CREATED", "task": {"id": 501, "data": {"shoal_task_id": "c-ls.g0", "shoal_frame_id": "l1"}},
                 "annotation": {"id": 9001, "completed_by": 17, "updated_at": "2026-01-01T00:00:00Z", "result": [
                   {"type": "rectanglelabels", "original_width": 640, "original_height": 480,
                    "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rectanglelabels": ["car"]}}]}}""";
        given().contentType("application/json").body(created).post(url).then().statusCode(401);
        given().contentType("application/json").header("Authorization", "Token " + VendorTestResource.LS_HOOK_TOKEN)
                .body(created).post(url).then().statusCode(200).body("stored", equalTo(1));
        String updated = created.replace("ANNOTATION_CREATED", "ANNOTATION_UPDATED").replace("\"x\": 10", "\"x\": 50")
                .replace("2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z");
        given().contentType("application/json").header("Authorization", "Token " + VendorTestResource.LS_HOOK_TOKEN)
                .body(updated).post(url).then().statusCode(200).body("updated", equalTo(1));
        String polygon = """
                {"action": "ANNOTATION_CREATED", "task": {"id": 502, "data": {"shoal_task_id": "c-ls.g0", "shoal_frame_id": "l2"}},
                 "annotation": {"id": 9002, "completed_by": 18, "result": [
                   {"type": "polygonlabels", "original_width": 200, "original_height": 100,
                    "value": {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["road"]}}]}}""";
        given().contentType("application/json").header("Authorization", "Token " + VendorTestResource.LS_HOOK_TOKEN)
                .body(polygon).post(url).then().statusCode(200).body("task_state", equalTo("completed"));

        await().atMost(WAIT).until(() -> ingestLabels(probe, "ds-ls", "v2-c-ls", Duration.ofMillis(500)).size() >= 4);
        Map<String, Label> byKey = ingestLabels(probe, "ds-ls", "v2-c-ls", Duration.ofSeconds(1)).stream()
                .collect(Collectors.toMap(l -> l.getFrameId() + "/" + l.getLabelerId(), Function.identity()));
        assertEquals(Set.of("l1/17", "l2/18", "l1/shoal-consensus", "l2/shoal-consensus"), byKey.keySet());
        var box = byKey.get("l1/17").getBoxes().getBoxes(0);
        assertEquals("car", box.getClassName());
        assertEquals(320f, box.getX(), 1e-3);   // the update (50 % of 640) replaced the first answer (10 %)
        assertEquals(96f, box.getY(), 1e-3);
        assertEquals(192f, box.getWidth(), 1e-3);
        var poly = byKey.get("l2/18").getPolygons().getPolygons(0);
        assertEquals(100f, poly.getPoints(2).getX(), 1e-3);
        assertEquals(50f, poly.getPoints(2).getY(), 1e-3);
    }

    @Test
    void retrainingWaitsForTheCorrectedLabelThresholdOfTheDatasetPolicy() {
        FakeVendor vendor = FakeVendor.INSTANCE;
        for (String c : List.of("c-th1", "c-th2")) {
            publish(probe, campaign(c, "ds-threshold", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                    List.of("cat", "dog"), c + "-a", c + "-b", c + "-c").build());
        }
        for (String c : List.of("c-th1", "c-th2")) {
            await().atMost(WAIT).until(() -> vendor.acceptedCount("dispatch:" + c + ".g1:1") == 1);
            for (int g = 0; g < 2; g++) {
                StringBuilder results = new StringBuilder();
                List<String> frames = g == 0 ? List.of(c + "-a", c + "-b") : List.of(c + "-c");
                for (String f : frames) {
                    results.append(results.length() == 0 ? "" : ",")
                            .append("{\"frame_id\":\"").append(f).append("\",\"annotator_id\":\"x\",\"class_name\":\"cat\"}");
                }
                signedCallback(baseUrl() + callbackPath("acme"), "{\"task_id\":\"" + c + ".g" + g + "\",\"results\":[" + results + "]}")
                        .then().statusCode(200);
            }
            await().atMost(WAIT).until(() -> "completed".equals(campaignView(c).getString("status")));
            if (c.equals("c-th1")) {
                assertTrue(probe.readAll(Topics.RETRAIN_REQUESTED, r -> "ds-threshold".equals(r.key()), Duration.ofSeconds(1)).isEmpty(),
                        "3 accepted labels are below the threshold of 5");
            }
        }
        List<ConsumerRecord<String, byte[]>> retrain = probe.await(Topics.RETRAIN_REQUESTED, r -> "ds-threshold".equals(r.key()), 1, WAIT);
        RetrainRequested rr = parseRetrain(retrain.get(0).value());
        assertEquals("corrected_labels>=5", rr.getReason());
        assertEquals(6, rr.getCorrectedLabels());
        assertEquals("c-th2", rr.getCampaignId());
    }

    @Test
    void tasksStillOpenAtTheDeadlineExpireAndTheCampaignClosesWithWhatCameBack() {
        publish(probe, campaign("c-late", "ds-late", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                List.of("cat", "dog"), "e1", "e2", "e3").setDeadline(Envelopes.timestamp(java.time.Instant.now().plusSeconds(4))).build());
        await().atMost(WAIT).until(() -> FakeVendor.INSTANCE.acceptedCount("dispatch:c-late.g1:1") == 1);
        signedCallback(baseUrl() + callbackPath("acme"),
                "{\"task_id\": \"c-late.g1\", \"results\": [{\"frame_id\": \"e3\", \"annotator_id\": \"a\", \"class_name\": \"dog\"}]}")
                .then().statusCode(200).body("task_state", equalTo("completed"));
        await().atMost(WAIT).until(() -> "expired".equals(task("c-late.g0").getString("state")));
        assertTrue(task("c-late.g0").getString("reason").contains("deadline"));
        assertEquals("completed", campaignView("c-late").getString("status"));
        LabelsAccepted event = parse(probe.await(Topics.LABELS_ACCEPTED, r -> "c-late".equals(r.key()), 1, WAIT).get(0).value());
        assertEquals(1, event.getTasksFailed());
        assertEquals(List.of("e3"), event.getLabelsList().stream().map(AcceptedLabel::getFrameId).toList());
        // a late answer is kept but changes nothing
        signedCallback(baseUrl() + callbackPath("acme"),
                "{\"task_id\": \"c-late.g0\", \"results\": [{\"frame_id\": \"e1\", \"annotator_id\": \"a\", \"class_name\": \"cat\"}]}")
                .then().statusCode(200).body("task_state", equalTo("expired"));
    }

    @Test
    void anInvalidRequestGoesToTheDeadLetterTopicWithTheReason() {
        LabelingRequested bad = campaign("c-bad", "ds-bad", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                List.of("cat")).build();
        publish(probe, bad);
        List<ConsumerRecord<String, byte[]>> dead = probe.await(Topics.dlq(Topics.LABELING_REQUESTED), r -> "c-bad".equals(r.key()), 1, WAIT);
        assertEquals(1, dead.size());
        assertTrue(KafkaProbe.header(dead.get(0), CloudEventHeaders.DLQ_REASON).contains("frames must not be empty"),
                KafkaProbe.header(dead.get(0), CloudEventHeaders.DLQ_REASON));
        given().get("/v1/campaigns/c-bad").then().statusCode(404);
    }

    static LabelsAccepted parse(byte[] value) {
        try {
            return LabelsAccepted.parseFrom(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RetrainRequested parseRetrain(byte[] value) {
        try {
            return RetrainRequested.parseFrom(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Set<String> unique(List<String> values) {
        return new HashSet<>(values);
    }
}
