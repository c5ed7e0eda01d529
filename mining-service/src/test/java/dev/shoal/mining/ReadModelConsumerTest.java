package dev.shoal.mining;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class ReadModelConsumerTest {

    @Inject
    DataSource ds;

    static Events events;

    @BeforeAll
    static void open() {
        events = new Events();
    }

    @AfterAll
    static void close() {
        events.close();
    }

    @Test
    void labelInferenceFrameAndEmbeddingEventsBecomeReadModelRowsAndReplaysChangeNothing() {
        String ds1 = "rm-" + UUID.randomUUID();
        events.frame(ds1, "f1", Split.SPLIT_TEST, Map.of("camera", "cam-2"));
        LabelUpserted label = events.label(ds1, "f1", "v1", "alice", "cat");
        InferenceUpserted inf = events.inference(ds1, "f1", "resnet", "3", List.of("cat", "dog"), new float[] {0.3f, 0.7f});
        events.embedding(ds1, "f1", "clip", "1", new float[] {0.1f, 0.2f, 0.3f});
        events.flush();

        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from label where dataset_id = ?", ds1) == 1
                        && Db.count(ds, "select count(*) from inference where dataset_id = ?", ds1) == 1
                        && Db.count(ds, "select count(*) from embedding where dataset_id = ?", ds1) == 1
                        && Db.count(ds, "select count(*) from frame where dataset_id = ?", ds1) == 1);
        assertEquals("cat", Db.string(ds, "select class_name from label where dataset_id = ? and frame_id = 'f1'", ds1));
        assertEquals("test", Db.string(ds, "select split from frame where dataset_id = ?", ds1));
        assertEquals("{\"camera\":\"cam-2\"}", Db.string(ds, "select metadata from frame where dataset_id = ?", ds1));
        assertEquals("[\"cat\",\"dog\"]", Db.string(ds, "select class_names from inference where dataset_id = ?", ds1));
        assertEquals(12, Db.count(ds, "select length(vector) from embedding where dataset_id = ?", ds1));
        long watermark = Db.count(ds, "select seq from dataset_watermark where dataset_id = ?", ds1);

        // at-least-once delivery: the same events again (same event ids), then the same content under a new id
        events.replay(Topics.LABEL_UPSERTED, "f1", label, label.getEnvelope());
        events.replay(Topics.INFERENCE_UPSERTED, "f1", inf, inf.getEnvelope());
        events.label(ds1, "f1", "v1", "alice", "cat");
        // a marker event after them on the same partition (same key) proves they were consumed
        events.label(ds1, "f1", "v1", "bob", "dog");
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from label where dataset_id = ?", ds1) == 2);
        assertEquals(1, Db.count(ds, "select count(*) from inference where dataset_id = ?", ds1));
        assertEquals(1, Db.count(ds, "select count(*) from processed_event where event_id = ?", label.getEnvelope().getEventId()));
        assertEquals("cat", Db.string(ds, "select class_name from label where dataset_id = ? and labeler_id = 'alice'", ds1));
        long after = Db.count(ds, "select seq from dataset_watermark where dataset_id = ?", ds1);
        assertTrue(after > watermark, "bob's new label moves the watermark");

        // a change of an existing row is an upsert, not a second row
        events.label(ds1, "f1", "v1", "alice", "dog");
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "dog".equals(Db.string(ds, "select class_name from label where dataset_id = ? and labeler_id = 'alice'", ds1)));
        assertEquals(2, Db.count(ds, "select count(*) from label where dataset_id = ?", ds1));
    }

    @Test
    void computedEmbeddingNoticesBecomeRowsAndNeverOverwriteAUserVector() {
        String ds1 = "computed-" + UUID.randomUUID();
        String c1 = ds1 + "-c1", c2 = ds1 + "-c2", u1 = ds1 + "-u1";
        events.computed(ds1, c1, "minilm", "1", 384);
        events.computed(ds1, c2, "minilm", "1", 384);
        events.embedding(ds1, u1, "clip", "1", new float[] {0.5f, 0.5f});
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from embedding where dataset_id = ?", ds1) == 3);
        assertEquals(2, Db.count(ds, "select count(*) from embedding where dataset_id = ? and source = 'computed'"
                + " and dimension = 384 and vector is null", ds1));

        // a computed notice under the key of a user vector leaves the user vector; a new dimension updates a computed
        // row; each is followed on its partition (same key, same topic) by a marker notice of another model version
        events.computed(ds1, u1, "clip", "1", 2);
        events.computed(ds1, u1, "clip", "marker", 2);
        events.computed(ds1, c1, "minilm", "1", 512);
        events.flush();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Db.count(ds, "select count(*) from embedding where dataset_id = ? and model_version = 'marker'", ds1) == 1
                        && Db.count(ds, "select dimension from embedding where dataset_id = ? and frame_id = ? and model_version = '1'",
                        ds1, c1) == 512);
        assertEquals("user", Db.string(ds, "select source from embedding where dataset_id = ? and frame_id = ? and model_version = '1'", ds1, u1));
        assertEquals(8, Db.count(ds, "select length(vector) from embedding where dataset_id = ? and frame_id = ? and model_version = '1'", ds1, u1));
        assertTrue(events.probe.readAll(Topics.dlq(Topics.EMBEDDING_COMPUTED), r -> r.key() != null && r.key().startsWith(ds1),
                Duration.ofSeconds(2)).isEmpty(), "no computed notice of this dataset dead-lettered");
    }

    @Test
    void anUnparsableRecordAndALabelWithoutFrameIdGoToTheDeadLetterTopicWithTheReason() {
        String key = "poison-" + UUID.randomUUID();
        events.probe.send(Topics.LABEL_UPSERTED, key, new byte[] {(byte) 0xff, 0x01, 0x02});
        String dataset = "dlq-" + UUID.randomUUID();
        var env = Events.envelope(dataset, "nf");
        LabelUpserted noFrame = LabelUpserted.newBuilder().setEnvelope(env).setLabel(dev.shoal.proto.ingest.v1.Label.newBuilder()
                .setDatasetId(dataset).setLabelSet("v1").setClassification(dev.shoal.proto.ingest.v1.ClassLabel.newBuilder()
                        .setClassName("cat"))).build();
        events.send(Topics.LABEL_UPSERTED, dataset, noFrame, env);
        events.flush();

        var dead = events.probe.await(Topics.dlq(Topics.LABEL_UPSERTED),
                r -> key.equals(r.key()) || dataset.equals(r.key()), 2, Duration.ofSeconds(30));
        assertEquals(2, dead.size());
        var missingFrame = dead.stream().filter(r -> dataset.equals(r.key())).findFirst().orElseThrow();
        String reason = KafkaProbe.header(missingFrame, CloudEventHeaders.DLQ_REASON);
        assertTrue(reason != null && reason.contains("label.frame_id"), "reason names the field: " + reason);
        assertFalse(Db.count(ds, "select count(*) from label where dataset_id = ?", dataset) > 0);

        // both are recorded for the dataset state and health: the one without frame id under its dataset
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Db.count(ds, "select count(*) from dead_letter where dataset_id = ? and topic = ?", dataset, Topics.LABEL_UPSERTED) == 1);
        assertTrue(Db.string(ds, "select reason from dead_letter where dataset_id = ?", dataset).contains("label.frame_id"));
        assertEquals(1, Db.count(ds, "select count(*) from dead_letter where record_key = ? and dataset_id is null", key));
    }
}
