package dev.shoal.testkit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Envelopes;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.Frame;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.labeling.v1.RetrainRequested;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./shoal topics} against a real broker: the command line as a person runs it, its output as they read it. */
class TopicsMainTest {

    /** The training system's request of the README's events section. */
    static final String README_REQUEST = "{\"request_id\": \"run-42\", \"upsert_inferences\": {\"inferences\": [{\"dataset_id\": \"cones\", "
            + "\"frame_id\": \"f1\", \"model_id\": \"yolo\", \"model_version\": \"8\", \"boxes\": {\"boxes\": [{\"box\": {\"class_name\": "
            + "\"cone\", \"x\": 10, \"y\": 20, \"width\": 30, \"height\": 40}, \"score\": 0.91}]}}]}}";

    record Run(int status, String out, String err) {
        List<JsonObject> lines() {
            return out.lines().filter(l -> !l.isBlank()).map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        }
    }

    private static Run topics(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TopicsMain.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                SharedInfra.kafka().bootstrapServers());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void a_json_ingest_request_produced_is_tailed_back_decoded_with_the_same_content() throws Exception {
        String key = unique("run-42");
        Run produced = topics(README_REQUEST, "produce", Topics.INGEST_REQUESTS, "--key", key);
        assertEquals(0, produced.status(), produced.err());
        JsonObject where = produced.lines().get(0);
        assertEquals(key, where.get("key").getAsString());

        // what ingest's request consumer reads: proto3-JSON, announced by the content-type header
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            ConsumerRecord<String, byte[]> record = probe.await(Topics.INGEST_REQUESTS, r -> key.equals(r.key()), 1, Duration.ofSeconds(30)).get(0);
            assertEquals(CloudEventHeaders.JSON, KafkaProbe.header(record, CloudEventHeaders.CONTENT_TYPE));
            assertEquals(IngestRequest.getDescriptor().getFullName(), KafkaProbe.header(record, CloudEventHeaders.TYPE));
            IngestRequest.Builder sent = IngestRequest.newBuilder();
            JsonFormat.parser().merge(new String(record.value(), StandardCharsets.UTF_8), sent);
            assertEquals(request(README_REQUEST), sent.build());
        }

        Run tailed = topics("", "tail", Topics.INGEST_REQUESTS, "--from-beginning", "--key", key, "--max", "1", "--timeout", "30");
        assertEquals(0, tailed.status(), tailed.err());
        assertEquals(1, tailed.lines().size(), tailed.out());
        JsonObject line = tailed.lines().get(0);
        assertEquals(where.get("partition"), line.get("partition"));
        assertEquals(where.get("offset"), line.get("offset"));
        assertEquals(key, line.get("key").getAsString());
        assertEquals("shoal.ingest.v1.IngestRequest", line.get("type").getAsString());
        assertEquals(where.get("ce_id"), line.getAsJsonObject("headers").get("ce_id"));
        assertFalse(line.has("payload_error"), line.toString());
        assertEquals(request(README_REQUEST), request(line.get("payload").toString()));
        // snake_case, as the .proto names them
        assertTrue(line.get("payload").toString().contains("\"upsert_inferences\""), line.toString());
    }

    private static IngestRequest request(String json) throws Exception {
        IngestRequest.Builder b = IngestRequest.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }

    @Test
    void tail_without_from_beginning_prints_only_new_records_and_reads_a_topic_that_appears_later_from_its_start() throws Exception {
        String existing = unique("topics-test.follow");
        String later = unique("topics-test.later");
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            probe.send(existing, "old", new byte[] {1});
            var follow = java.util.concurrent.CompletableFuture.supplyAsync(() -> topics("", "tail", existing, "--max", "1", "--timeout", "30"));
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> topics("", "tail", later, "--max", "1", "--timeout", "30"));
            Thread.sleep(5000); // both have looked their topic up
            probe.send(existing, "new", new byte[] {2});
            probe.send(later, "first", new byte[] {3});
            Run followed = follow.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, followed.status(), followed.err());
            assertEquals(List.of("new"), followed.lines().stream().map(l -> l.get("key").getAsString()).toList());
            Run waited = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of("first"), waited.lines().stream().map(l -> l.get("key").getAsString()).toList());
            assertTrue(waited.err().contains(later + " does not exist yet; waiting for it"), waited.err());
        }
    }

    @Test
    void a_binary_event_is_decoded_by_its_ce_type() {
        String topic = unique("topics-test.events");
        FrameUpserted event = FrameUpserted.newBuilder()
                .setEnvelope(Envelopes.create("ingest-service", "cones", "f7", "c-1"))
                .setFrame(Frame.newBuilder().setDatasetId("cones").setId("f7").addUris("file:///data/f7.png").setWidth(640))
                .build();
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            probe.send(topic, "f7", event.toByteArray(), CloudEventHeaders.of(event.getEnvelope(), event));
        }
        Run tailed = topics("", "tail", topic, "--from-beginning", "--max", "1", "--timeout", "30");
        assertEquals(0, tailed.status(), tailed.err());
        JsonObject line = tailed.lines().get(0);
        assertEquals("shoal.ingest.v1.FrameUpserted", line.get("type").getAsString());
        assertEquals("shoal.ingest.v1.FrameUpserted", line.getAsJsonObject("headers").get("ce_type").getAsString());
        JsonObject payload = line.getAsJsonObject("payload");
        assertEquals(event.getEnvelope().getEventId(), payload.getAsJsonObject("envelope").get("event_id").getAsString());
        assertEquals("f7", payload.getAsJsonObject("frame").get("id").getAsString());
        assertEquals("file:///data/f7.png", payload.getAsJsonObject("frame").getAsJsonArray("uris").get(0).getAsString());
        assertEquals(640, payload.getAsJsonObject("frame").get("width").getAsInt());
        assertFalse(line.has("payload_error"), line.toString());
    }

    @Test
    void a_payload_that_does_not_decode_is_shown_as_base64_with_the_reason() {
        String topic = unique("topics-test.bad");
        byte[] truncated = {0x12, 0x05, 0x0a, 0x01}; // field 2 says 5 bytes follow; 2 do
        byte[] foreign = {(byte) 0xc8, 0x01, 0x07}; // field 25, unknown to FrameUpserted
        byte[] someBytes = {1, 2, 3};
        Map<String, String> frameType = Map.of(CloudEventHeaders.TYPE, "shoal.ingest.v1.FrameUpserted");
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            probe.send(topic, "a", truncated, frameType);
            probe.send(topic, "b", someBytes, Map.of(CloudEventHeaders.TYPE, "shoal.nowhere.v1.Nothing"));
            probe.send(topic, "c", someBytes);
            probe.send(topic, "d", foreign, frameType);
        }
        Run tailed = topics("", "tail", topic, "--from-beginning", "--max", "4", "--timeout", "30");
        assertEquals(0, tailed.status(), tailed.err());
        Map<String, JsonObject> byKey = new HashMap<>();
        tailed.lines().forEach(l -> byKey.put(l.get("key").getAsString(), l));
        assertEquals(4, byKey.size(), tailed.out());

        JsonObject a = byKey.get("a");
        assertEquals(Base64.getEncoder().encodeToString(truncated), a.get("payload_base64").getAsString());
        assertTrue(a.get("payload_error").getAsString().startsWith("not a binary FrameUpserted: "), a.toString());
        assertFalse(a.has("payload"), a.toString());

        JsonObject b = byKey.get("b");
        assertEquals(Base64.getEncoder().encodeToString(someBytes), b.get("payload_base64").getAsString());
        assertEquals("ce_type 'shoal.nowhere.v1.Nothing' names no message of the Shoal contract", b.get("payload_error").getAsString());

        JsonObject c = byKey.get("c");
        assertEquals(Base64.getEncoder().encodeToString(someBytes), c.get("payload_base64").getAsString());
        assertEquals("no ce_type header, and " + topic + " is not a topic of the Shoal contract", c.get("payload_error").getAsString());

        // parses, but into a field the type does not have: the printed payload would lose it, so the bytes come too
        JsonObject d = byKey.get("d");
        assertEquals("{}", d.get("payload").toString());
        assertEquals(Base64.getEncoder().encodeToString(foreign), d.get("payload_base64").getAsString());
        assertTrue(d.get("payload_error").getAsString().startsWith("field number(s) unknown to shoal.ingest.v1.FrameUpserted: 25 "), d.toString());
    }

    @Test
    void dlq_prints_the_dead_letters_of_a_topic_with_their_reason_and_stops_at_the_end() {
        String topic = unique("topics-test.dlq");
        Run none = topics("", "dlq", topic);
        assertEquals(0, none.status(), none.err());
        assertEquals("", none.out());
        assertTrue(none.err().contains("no record of " + topic + " was dead-lettered"), none.err());

        IngestRequest bad = IngestRequest.newBuilder().setRequestId("r-1").build();
        Map<String, String> headers = new HashMap<>(CloudEventHeaders.of("e-1", IngestRequest.getDescriptor().getFullName(), "trainer", java.time.Instant.now()));
        headers.put(CloudEventHeaders.DLQ_REASON, "IngestRequest has no body");
        headers.put(CloudEventHeaders.DLQ_TOPIC, topic);
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            probe.send(Topics.dlq(topic), "r-1", bad.toByteArray(), headers);
            probe.send(Topics.dlq(topic), "r-2", "{\"request_id\":\"r-2\"}".getBytes(StandardCharsets.UTF_8),
                    Map.of(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.JSON, CloudEventHeaders.DLQ_REASON, "no body"));
        }
        Run dlq = topics("", "dlq", topic);
        assertEquals(0, dlq.status(), dlq.err());
        List<JsonObject> lines = dlq.lines();
        assertEquals(2, lines.size(), dlq.out());
        JsonObject first = lines.stream().filter(l -> l.get("key").getAsString().equals("r-1")).findFirst().orElseThrow();
        assertEquals(Topics.dlq(topic), first.get("topic").getAsString());
        assertEquals("IngestRequest has no body", first.getAsJsonObject("headers").get("dead-letter-reason").getAsString());
        assertEquals(topic, first.getAsJsonObject("headers").get("dead-letter-topic").getAsString());
        assertEquals("r-1", first.getAsJsonObject("payload").get("request_id").getAsString());
        // no ce_type: decoded as the message its topic holds, here proto3-JSON by its content-type
        JsonObject second = lines.stream().filter(l -> l.get("key").getAsString().equals("r-2")).findFirst().orElseThrow();
        assertEquals("no body", second.getAsJsonObject("headers").get("dead-letter-reason").getAsString());
        assertTrue(second.has("payload_error"), second.toString()); // the test topic is not a contract topic
        assertEquals("no ce_type header, and " + Topics.dlq(topic) + " is not a topic of the Shoal contract", second.get("payload_error").getAsString());
    }

    @Test
    void a_dead_letter_of_a_contract_topic_without_ce_type_is_decoded_as_that_topics_message() {
        String key = unique("r");
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            probe.send(Topics.dlq(Topics.INGEST_REQUESTS), key, ("{\"request_id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8),
                    Map.of(CloudEventHeaders.DLQ_REASON, "IngestRequest has no body"));
        }
        Run dlq = topics("", "dlq", Topics.INGEST_REQUESTS, "--key", key);
        assertEquals(0, dlq.status(), dlq.err());
        JsonObject line = dlq.lines().get(0);
        assertEquals("shoal.ingest.v1.IngestRequest", line.get("type").getAsString());
        assertEquals(key, line.getAsJsonObject("payload").get("request_id").getAsString());
        assertEquals("IngestRequest has no body", line.getAsJsonObject("headers").get("dead-letter-reason").getAsString());
    }

    @Test
    void list_shows_partitions_records_and_dead_letters() {
        String topic = unique("topics-test.list");
        SharedInfra.kafka().createTopics(3, List.of(topic));
        SharedInfra.kafka().createTopics(1, List.of(Topics.dlq(topic)));
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            for (int i = 0; i < 5; i++) {
                probe.send(topic, "k" + i, new byte[] {1});
            }
            probe.send(Topics.dlq(topic), "k1", new byte[] {1});
            probe.send(Topics.dlq(topic), "k2", new byte[] {1});
        }
        Run list = topics("", "list");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().startsWith("TOPIC"), list.out());
        assertEquals(List.of(topic, "3", "5", "5", "2"), row(list.out(), topic));
        assertEquals(List.of(Topics.dlq(topic), "1", "2", "2", "(dlq)"), row(list.out(), Topics.dlq(topic)));
    }

    private static List<String> row(String table, String topic) {
        return table.lines().map(l -> List.of(l.trim().split("\\s+"))).filter(cells -> cells.get(0).equals(topic))
                .findFirst().orElseThrow(() -> new AssertionError(topic + " not in\n" + table));
    }

    @Test
    void an_event_produced_as_json_goes_out_as_binary_protobuf_keyed_by_its_aggregate() {
        String dataset = unique("cones");
        String json = "{\"envelope\": {\"event_id\": \"0190f0a0-0000-7000-8000-000000000001\", \"producer\": \"labeling-bridge\", "
                + "\"aggregate_id\": \"" + dataset + "\"}, \"request_id\": \"rt-1\", \"dataset_id\": \"" + dataset + "\", "
                + "\"label_set\": \"v2\", \"reason\": \"campaign_completed:c-1\", \"corrected_labels\": 12}";
        Run produced = topics(json, "produce", Topics.RETRAIN_REQUESTED);
        assertEquals(0, produced.status(), produced.err());
        try (KafkaProbe probe = new KafkaProbe(SharedInfra.kafka().bootstrapServers())) {
            ConsumerRecord<String, byte[]> record = probe.await(Topics.RETRAIN_REQUESTED, r -> dataset.equals(r.key()), 1, Duration.ofSeconds(30)).get(0);
            assertEquals(CloudEventHeaders.PROTOBUF, KafkaProbe.header(record, CloudEventHeaders.CONTENT_TYPE));
            assertEquals("0190f0a0-0000-7000-8000-000000000001", KafkaProbe.header(record, CloudEventHeaders.ID));
            RetrainRequested event = dev.shoal.proto.EventCodec.parse(RetrainRequested.getDefaultInstance(), record.value());
            assertEquals(12, event.getCorrectedLabels());
            assertEquals("v2", event.getLabelSet());
        }
        Run tailed = topics("", "tail", Topics.RETRAIN_REQUESTED, "--from-beginning", "--key", dataset, "--max", "1", "--timeout", "30");
        assertEquals(0, tailed.status(), tailed.err());
        JsonObject payload = tailed.lines().get(0).getAsJsonObject("payload");
        assertEquals("campaign_completed:c-1", payload.get("reason").getAsString());
        assertEquals(12, payload.get("corrected_labels").getAsInt());
    }

    @Test
    void produce_refuses_every_document_when_one_is_not_the_topics_message_naming_what_is_wrong() throws Exception {
        String topic = Topics.INGEST_REQUESTS;
        long before = endOffsets(topic);
        String good = "{\"request_id\": \"ok\", \"create_dataset\": {\"dataset\": {\"id\": \"d1\"}}}";
        Run unknownField = topics(good + "\n{\"request_id\": \"x\", \"upsert_frames\": {\"framez\": []}}\n", "produce", topic);
        assertEquals(1, unknownField.status());
        assertTrue(unknownField.err().startsWith("document 2 is not a valid shoal.ingest.v1.IngestRequest: "), unknownField.err());
        assertTrue(unknownField.err().contains("framez"), unknownField.err());
        assertTrue(unknownField.err().contains("nothing was sent"), unknownField.err());

        Run noBody = topics("{\"request_id\": \"x\"}", "produce", topic);
        assertEquals(1, noBody.status());
        assertTrue(noBody.err().startsWith("document 1: IngestRequest has no body: set one of create_dataset, upsert_frames"), noBody.err());

        Run notJson = topics(good + "\n{\"request_id\": ", "produce", topic);
        assertEquals(1, notJson.status());
        assertTrue(notJson.err().startsWith("document 2 is not JSON: "), notJson.err());

        Run wrongType = topics("{\"upsert_frames\": {\"frames\": [{\"id\": \"f1\", \"width\": \"wide\"}]}}", "produce", topic);
        assertEquals(1, wrongType.status());
        assertTrue(wrongType.err().contains("is not a valid shoal.ingest.v1.IngestRequest"), wrongType.err());

        Run notContract = topics(good, "produce", "somewhere.else");
        assertEquals(1, notContract.status());
        assertTrue(notContract.err().startsWith("somewhere.else is not a topic of the Shoal contract"), notContract.err());

        assertEquals(before, endOffsets(topic), "nothing may be sent when a document is refused");
        Run usage = topics("", "tail");
        assertEquals(2, usage.status());
        assertTrue(usage.err().startsWith("tail needs a topic"), usage.err());
    }

    private static long endOffsets(String topic) throws Exception {
        try (var admin = SharedInfra.kafka().admin()) {
            return TopicsMain.summaries(admin).stream().filter(t -> t.name().equals(topic))
                    .mapToLong(TopicsMain.TopicSummary::endOffsets).sum();
        }
    }

    @Test
    void a_broker_that_does_not_answer_is_named() {
        Run list = topics("", "list", "--bootstrap", "127.0.0.1:" + Ports.free());
        assertEquals(1, list.status());
        assertTrue(list.err().startsWith("no answer from the Kafka broker at 127.0.0.1:"), list.err());
    }
}
