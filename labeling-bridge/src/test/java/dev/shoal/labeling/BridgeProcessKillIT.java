package dev.shoal.labeling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Label;
import dev.shoal.proto.labeling.v1.AcceptedLabel;
import dev.shoal.proto.labeling.v1.AnnotationType;
import dev.shoal.proto.labeling.v1.LabelsAccepted;
import dev.shoal.testkit.EmbeddedPostgres;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.SharedInfra;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.shoal.labeling.BridgeTestSupport.campaign;
import static dev.shoal.labeling.BridgeTestSupport.ingestLabels;
import static dev.shoal.labeling.BridgeTestSupport.publish;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real thing: the packaged bridge ({@code target/quarkus-app/quarkus-run.jar}) runs as a child process against
 * the real broker and PostgreSQL, is killed with SIGKILL ({@link Process#destroyForcibly()}) twice, once while
 * it is retrying deliveries to a vendor answering 503 and once in the middle of the vendor's results, and is
 * started again each time. Runs in the {@code integration-test} phase (after {@code package}).
 */
class BridgeProcessKillIT {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void killAll() {
        started.forEach(Process::destroyForcibly);
        FakeVendor.INSTANCE.start();
        FakeVendor.INSTANCE.behave();
    }

    @Test
    void killedTwiceMidCampaignItResumesAndEveryLabelIsPublishedOnce() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by the package phase");
        FakeVendor vendor = FakeVendor.INSTANCE;
        String kafka = SharedInfra.kafka().bootstrapServers();
        String jdbc = SharedInfra.postgres().createDatabase("labeling_kill");
        int port = freePort();
        List<String> keys = List.of("dispatch:c-kill.g0:1", "dispatch:c-kill.g1:1", "dispatch:c-kill.g2:1", "dispatch:c-kill.g3:1");

        try (KafkaProbe probe = new KafkaProbe(kafka)) {
            // 1. the vendor is down (503) while the first bridge process retries the campaign's four tasks
            vendor.answerWith(503);
            Process first = start(port, kafka, jdbc, 1);
            publish(probe, campaign("c-kill", "ds-kill", "acme", AnnotationType.ANNOTATION_TYPE_CLASSIFICATION, 1,
                    List.of("cat", "dog"), "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8").build());
            await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> vendor.attempts(k) >= 2));
            kill(first);

            // 2. the vendor recovers; a new process delivers each task exactly once from what PostgreSQL holds
            vendor.behave();
            Process second = start(port, kafka, jdbc, 2);
            await().atMost(WAIT).until(() -> keys.stream().allMatch(k -> vendor.acceptedCount(k) == 1));
            String callbackUrl = vendor.received("/tasks").stream()
                    .filter(r -> keys.get(0).equals(r.headers().get("idempotency-key"))).findFirst().orElseThrow()
                    .json().get("callback_url").asText();
            assertEquals("http://127.0.0.1:" + port + "/v1/callbacks/acme", callbackUrl);

            // 3. results for two tasks, then SIGKILL in the middle of the campaign
            assertEquals(200, callback(callbackUrl, "c-kill.g0", "k1", "cat", "k2", "dog").statusCode());
            assertEquals(200, callback(callbackUrl, "c-kill.g1", "k3", "cat", "k4", "cat").statusCode());
            kill(second);
            assertThrows(ConnectException.class, () -> callback(callbackUrl, "c-kill.g2", "k5", "dog", "k6", "dog"),
                    "nobody listening: the vendor will retry");

            // 4. started again: the vendor's retry, a replay, and the last task
            start(port, kafka, jdbc, 3);
            assertEquals(200, callback(callbackUrl, "c-kill.g2", "k5", "dog", "k6", "dog").statusCode());
            HttpResponse<String> replay = callback(callbackUrl, "c-kill.g1", "k3", "cat", "k4", "cat");
            assertEquals(200, replay.statusCode());
            JsonNode replayBody = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replay.body());
            assertEquals(0, replayBody.get("stored").asInt(), replay.body());
            assertEquals(200, callback(callbackUrl, "c-kill.g3", "k7", "cat", "k8", "dog").statusCode());

            List<ConsumerRecord<String, byte[]>> accepted = probe.await(Topics.LABELS_ACCEPTED, r -> "c-kill".equals(r.key()), 1, WAIT);
            LabelsAccepted event = LabelsAccepted.parseFrom(accepted.get(0).value());
            assertEquals(List.of("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8"),
                    event.getLabelsList().stream().map(AcceptedLabel::getFrameId).sorted().toList());
            await().atMost(WAIT).until(() -> ingestLabels(probe, "ds-kill", "v2-c-kill", Duration.ofMillis(500)).size() >= 16);
            Thread.sleep(2000);
            List<Label> labels = ingestLabels(probe, "ds-kill", "v2-c-kill", Duration.ofSeconds(1));
            assertEquals(16, labels.size(), "8 annotator labels + 8 consensus labels, none twice");
            assertEquals(16, labels.stream().map(l -> l.getFrameId() + "/" + l.getLabelerId()).distinct().count());
            assertEquals(1, probe.readAll(Topics.LABELS_ACCEPTED, r -> "c-kill".equals(r.key()), Duration.ofSeconds(1)).size());
            assertEquals(1, probe.readAll(Topics.RETRAIN_REQUESTED, r -> "ds-kill".equals(r.key()), Duration.ofSeconds(1)).size());
            for (String k : keys) {
                assertEquals(1, vendor.acceptedCount(k), k + " accepted by the vendor once");
            }
        }
    }

    private Process start(int port, String kafka, String jdbc, int n) throws IOException {
        FakeVendor v = FakeVendor.INSTANCE;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + kafka,
                "-Dquarkus.datasource.jdbc.url=" + jdbc,
                "-Dquarkus.datasource.username=" + EmbeddedPostgres.USER,
                "-Dquarkus.datasource.password=" + EmbeddedPostgres.PASSWORD,
                "-Dlabeling.default-vendor=acme",
                "-Dlabeling.vendors.acme.type=webhook",
                "-Dlabeling.vendors.acme.url=" + v.url("/tasks"),
                "-Dlabeling.vendors.acme.secret=" + FakeVendor.WEBHOOK_SECRET,
                "-Dlabeling.task-size=2",
                "-Dlabeling.dispatch.poll-interval=100ms",
                "-Dlabeling.dispatch.initial-backoff=200ms",
                "-Dlabeling.dispatch.max-backoff=800ms",
                "-Dlabeling.dispatch.max-attempts=200",
                "-Dlabeling.dispatch.lease=3s",
                "-Xmx256m",
                "-jar", JAR.toString()));
        File log = Path.of("target", "bridge-process-" + n + ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        started.add(p);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("bridge exited with " + p.exitValue() + "; see " + log);
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return p;
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();   // SIGKILL on Linux: no shutdown hooks, no graceful stop
        p.waitFor();
    }

    private HttpResponse<String> callback(String url, String taskId, String f1, String c1, String f2, String c2)
            throws IOException, InterruptedException {
        String body = """
                {"task_id": "%s", "results": [{"frame_id": "%s", "annotator_id": "w-9", "class_name": "%s"},
                                               {"frame_id": "%s", "annotator_id": "w-9", "class_name": "%s"}]}"""
                .formatted(taskId, f1, c1, f2, c2);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long ts = System.currentTimeMillis() / 1000;
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("X-Shoal-Timestamp", Long.toString(ts))
                .header("X-Shoal-Signature", dev.shoal.labeling.vendor.Hmac.header(FakeVendor.WEBHOOK_SECRET, ts, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
