package dev.shoal.labeling;

import dev.shoal.labeling.service.OutboxDispatcher;
import dev.shoal.labeling.store.OutboxRepository;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.labeling.v1.AcceptedLabel;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.LabelsAccepted;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static dev.shoal.labeling.BridgeTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge stopped mid-campaign and started again.
 *
 * <p>What is simulated, honestly: the Quarkus process stays up (HTTP endpoint, Kafka consumers, database); what is
 * "killed" is the component that owns all in-flight work, the outbox dispatcher. {@link OutboxDispatcher#stop()}
 * drops its loop and HTTP client the way a process exit would; rows it had claimed stay leased in PostgreSQL;
 * {@link OutboxDispatcher#start()} builds a fresh one that knows nothing but what it reads from PostgreSQL. A
 * dispatcher killed after claiming rows but before sending them is reproduced by claiming them through the
 * repository and never finishing. Not covered: a kill between the vendor's 2xx and the row being marked sent (the
 * task would be sent again with the same {@code Idempotency-Key}, which the vendor must use to deduplicate).
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "labeling"))
@QuarkusTestResource(VendorTestResource.class)
class BridgeRestartTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    OutboxDispatcher dispatcher;

    @Inject
    OutboxRepository outbox;

    @AfterEach
    void running() {
        dispatcher.start();
    }

    @Test
    void resumesFromStoredStateAndPublishesEveryLabelOnce() {
        FakeVendor vendor = FakeVendor.INSTANCE;
        String callback = baseUrl() + callbackPath("scaly");
        List<String> keys = List.of("dispatch:c-restart.g0:1", "dispatch:c-restart.g1:1", "dispatch:c-restart.g2:1");
        try (KafkaProbe probe = probe()) {
            // the bridge is down (dispatcher stopped) when the campaign arrives; the consumer stores the tasks
            dispatcher.stop();
            publish(probe, campaign("c-restart", "ds-restart", "scaly", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                    List.of("cat", "dog"), "s1", "s2", "s3", "s4", "s5", "s6").build());
            await().atMost(WAIT).until(() -> given().get("/v1/campaigns/c-restart").statusCode() == 200
                    && campaignView("c-restart").getList("tasks").size() == 3);

            // a dispatcher claims the three deliveries and dies before sending any of them
            List<OutboxRepository.Entry> claimed = outbox.claimDue(50, Duration.ofSeconds(2));
            assertEquals(3, claimed.stream().filter(e -> keys.contains(e.dedupeKey())).count());

            // a fresh dispatcher: the leased rows come back after the lease and are sent once each
            dispatcher.start();
            await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> vendor.acceptedCount(k) == 1));
            await().atMost(WAIT).until(() -> "dispatched".equals(task("c-restart.g2").getString("state")));
            FakeVendor.Received sent = vendor.received("/scale/task").stream()
                    .filter(r -> keys.get(0).equals(r.headers().get("idempotency-key"))).findFirst().orElseThrow();
            assertTrue(sent.authentic(), "basic auth with the API key");
            assertEquals(callback, sent.json().get("callback_url").asText());
            assertTrue(task("c-restart.g0").getString("vendor_task_ref").startsWith("scale-"));

            // the vendor delivers task 0; then the bridge is killed again
            scale(callback, "c-restart.g0", "s1", "cat", "s2", "dog").then().statusCode(200).body("task_state", equalTo("completed"));
            dispatcher.stop();
            // task 1 arrives while it is down, and the vendor retries it (counted once)
            scale(callback, "c-restart.g1", "s3", "cat", "s4", "cat").then().statusCode(200).body("duplicate", equalTo(false));
            scale(callback, "c-restart.g1", "s3", "cat", "s4", "cat").then().statusCode(200).body("duplicate", equalTo(true));
            // the last task completes the campaign while no dispatcher runs: its events wait in the outbox
            scale(callback, "c-restart.g2", "s5", "dog", "s6", "dog").then().statusCode(200);
            assertEquals("completed", campaignView("c-restart").getString("status"));
            assertTrue(probe.readAll(Topics.LABELS_ACCEPTED, r -> "c-restart".equals(r.key()), Duration.ofSeconds(1)).isEmpty(),
                    "nothing published while the dispatcher is down");

            // started again: the stored events go out, complete and once
            dispatcher.start();
            List<ConsumerRecord<String, byte[]>> accepted = probe.await(Topics.LABELS_ACCEPTED, r -> "c-restart".equals(r.key()), 1, WAIT);
            LabelsAccepted event = LabelingFlowTest.parse(accepted.get(0).value());
            assertEquals(List.of("s1", "s2", "s3", "s4", "s5", "s6"),
                    event.getLabelsList().stream().map(AcceptedLabel::getFrameId).sorted().toList());
            await().atMost(WAIT).until(() -> ingestLabels(probe, "ds-restart", "v2-c-restart", Duration.ofMillis(500)).size() >= 12);
            await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
            List<Label> labels = ingestLabels(probe, "ds-restart", "v2-c-restart", Duration.ofSeconds(1));
            assertEquals(12, labels.size(), "6 annotator labels + 6 consensus labels, none twice");
            assertEquals(12, labels.stream().map(l -> l.getFrameId() + "/" + l.getLabelerId()).distinct().count());
            assertEquals("dog", labels.stream().filter(l -> l.getFrameId().equals("s2") && l.getLabelerId().equals("w-1"))
                    .findFirst().orElseThrow().getClassification().getClassName());
            assertEquals(1, probe.readAll(Topics.LABELS_ACCEPTED, r -> "c-restart".equals(r.key()), Duration.ofSeconds(1)).size());
            for (String k : keys) {
                assertEquals(1, vendor.acceptedCount(k), k + " sent to the vendor once");
                assertEquals(1, vendor.attempts(k), k + " attempted once: the dead claim was never sent");
            }
            assertEquals(List.of("created", "dispatched", "in_progress", "completed"),
                    task("c-restart.g1").getList("history.to_state"));
            assertEquals(1, probe.readAll(Topics.RETRAIN_REQUESTED, r -> "ds-restart".equals(r.key()), Duration.ofSeconds(1)).size());
            assertEquals(0, campaignView("c-restart").getList("tasks").stream()
                    .map(Object::toString).filter(s -> s.contains("failed")).collect(Collectors.toList()).size());
        }
    }

    /** A Scale-style callback: one annotator "w-1" answering two frames. */
    private static io.restassured.response.Response scale(String url, String taskId, String f1, String c1, String f2, String c2) {
        String body = """
                {"task_id": "scale-x", "status": "completed", "task": {"metadata": {"shoal_task_id": "%s"}},
                 "response": {"annotations": [{"frame_id": "%s", "annotator_id": "w-1", "category": "%s"},
                                              {"frame_id": "%s", "annotator_id": "w-1", "category": "%s"}]}}"""
                .formatted(taskId, f1, c1, f2, c2);
        return given().contentType("application/json").header("scale-callback-auth", VendorTestResource.SCALE_CALLBACK_TOKEN)
                .body(body).post(url);
    }
}
