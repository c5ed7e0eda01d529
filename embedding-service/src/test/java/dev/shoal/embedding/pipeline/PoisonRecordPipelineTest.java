package dev.shoal.embedding.pipeline;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records the service must get past, against the real broker: a FrameUpserted record too large for its dead-letter
 * topic is dead-lettered as a reference (no value; topic, partition, offset, size, reason), the frames after it are
 * embedded, the committed offsets reach the end of the topic and the service stays healthy; a frame naming a file
 * outside the configured roots ({@code /etc/passwd}) fails with the one "outside" reason, one inside is embedded.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class PoisonRecordPipelineTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    /** The dead-letter topic's record limit here: the poison record is larger, the references far smaller. */
    static final int DLQ_MAX_MESSAGE_BYTES = 1 << 20;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "shoal.embedding.consumer.group-id")
    String groupId;

    final String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void a_record_too_large_for_the_dead_letter_topic_is_dead_lettered_as_a_reference_and_the_offsets_move_on()
            throws Exception {
        limitDeadLetterTopic();
        String poison = "f-poison-" + UUID.randomUUID();
        // a 1.5 MB URI, as ingest accepts it: the record is larger than the dead-letter topic takes
        byte[] poisonEvent = PipelineEvents.frameEvent(dataset, poison, "file:///" + "x".repeat(1_500_000),
                Modality.MODALITY_TEXT);
        assertTrue(poisonEvent.length > DLQ_MAX_MESSAGE_BYTES);
        List<String> good = new ArrayList<>();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, poison, poisonEvent);
            for (int i = 0; i < 4; i++) {
                String frame = "f-after-poison-" + i + "-" + UUID.randomUUID();
                good.add(frame);
                PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame, PipelineEvents.frameEvent(dataset, frame,
                        "data:text/plain;base64," + Base64.getEncoder().encodeToString(
                                ("a frame after the poison one, number " + i).getBytes(StandardCharsets.UTF_8)),
                        Modality.MODALITY_TEXT));
            }
            for (String frame : good) {
                assertEquals(1, PipelineEvents.computed(probe, frame, 1, WAIT).size(), "EmbeddingComputed for " + frame);
            }
            var dlq = probe.await(Topics.dlq(Topics.FRAME_UPSERTED), r -> poison.equals(r.key()), 1, WAIT);
            assertEquals(1, dlq.size(), "a dead letter for " + poison);
            var letter = dlq.get(0);
            assertEquals("true", KafkaProbe.header(letter, CloudEventHeaders.DLQ_REFERENCE));
            assertEquals(0, letter.value() == null ? 0 : letter.value().length, "a reference carries no value");
            assertEquals(Topics.FRAME_UPSERTED, KafkaProbe.header(letter, CloudEventHeaders.DLQ_TOPIC));
            assertTrue(Long.parseLong(KafkaProbe.header(letter, CloudEventHeaders.DLQ_OFFSET)) >= 0);
            assertTrue(Integer.parseInt(KafkaProbe.header(letter, CloudEventHeaders.DLQ_PARTITION)) >= 0);
            assertTrue(Long.parseLong(KafkaProbe.header(letter, CloudEventHeaders.DLQ_ORIGINAL_SIZE)) >= poisonEvent.length);
            assertEquals("file URI outside the allowed roots", KafkaProbe.header(letter, CloudEventHeaders.DLQ_REASON));
            String cause = KafkaProbe.header(letter, CloudEventHeaders.DLQ_CAUSE);
            assertTrue(cause.contains("RecordTooLarge"), cause);
            assertEquals("test", KafkaProbe.header(letter, "ce_type"), "the record's small headers are kept");
        }
        await().atMost(WAIT).untilAsserted(() -> assertEquals(endOffsets(), committedOffsets(),
                "committed offsets of " + groupId + " reach the end of " + Topics.FRAME_UPSERTED));
        given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void a_file_outside_the_roots_fails_with_the_same_reason_as_a_missing_one_and_a_file_inside_is_embedded()
            throws Exception {
        Path root = Path.of("target/test-files"); // %test.shoal.embedding.fetch.file-roots
        Files.createDirectories(root);
        Path inside = Files.writeString(root.resolve("note-" + UUID.randomUUID() + ".txt"), "a cello suite played slowly");
        String passwd = "f-passwd-" + UUID.randomUUID();
        String missing = "f-missing-" + UUID.randomUUID();
        String ok = "f-inside-" + UUID.randomUUID();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, passwd,
                    PipelineEvents.frameEvent(dataset, passwd, "file:///etc/passwd", Modality.MODALITY_TEXT));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, missing,
                    PipelineEvents.frameEvent(dataset, missing, "file:///etc/no-such-file", Modality.MODALITY_TEXT));
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, ok,
                    PipelineEvents.frameEvent(dataset, ok, inside.toAbsolutePath().toUri().toString(), Modality.MODALITY_TEXT));
            assertEquals("file URI outside the allowed roots", PipelineEvents.failed(probe, passwd, WAIT).getReason());
            assertEquals("file URI outside the allowed roots", PipelineEvents.failed(probe, missing, WAIT).getReason());
            assertEquals(1, PipelineEvents.computed(probe, ok, 1, WAIT).size(), "EmbeddingComputed for " + ok);
        }
    }

    /** Creates the dead-letter topic with a 1 MiB record limit, or sets that limit on the one that exists. */
    private void limitDeadLetterTopic() throws Exception {
        String dlq = Topics.dlq(Topics.FRAME_UPSERTED);
        String limit = Integer.toString(DLQ_MAX_MESSAGE_BYTES);
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(dlq, 4, (short) 1)
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, limit)))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, dlq), List.of(
                        new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, limit), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = admin()) {
            var partitions = admin.describeTopics(List.of(Topics.FRAME_UPSERTED)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(Topics.FRAME_UPSERTED).partitions().stream()
                    .map(p -> new TopicPartition(Topics.FRAME_UPSERTED, p.partition()))
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            return admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .filter(e -> e.getValue().offset() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private Map<TopicPartition, Long> committedOffsets() throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            return committed.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(Topics.FRAME_UPSERTED) && e.getValue() != null
                            && e.getValue().offset() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
