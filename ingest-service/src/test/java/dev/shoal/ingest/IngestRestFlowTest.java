package dev.shoal.ingest;

import dev.shoal.proto.CloudEventHeaders;
import dev.shoal.proto.Topics;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.Split;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.shoal.ingest.IngestTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class IngestRestFlowTest {

    @Test
    void a_batch_is_stored_and_announced_once_per_change_and_a_replay_changes_nothing() {
        String ds = uniqueDataset("flow");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        String frames = "{\"frames\":[" + frame(ds, "f1", 64, 48) + "," + frame(ds, "f2", 64, 48) + "," + frame(ds, "f3", 64, 48) + "]}";
        post("/v1/frames", frames).statusCode(200).body("stored", equalTo(3)).body("unchanged", equalTo(0));
        post("/v1/labels", "{\"labels\":[" + classLabel(ds, "f1", "cat") + "," + classLabel(ds, "f2", "dog") + "]}")
                .statusCode(200).body("stored", equalTo(2));
        post("/v1/inferences", "{\"inferences\":[" + probs(ds, "f1", 0.9, 0.1) + "]}").statusCode(200).body("stored", equalTo(1));

        try (KafkaProbe probe = probe()) {
            List<ConsumerRecord<String, byte[]>> frameRecords = probe.await(Topics.FRAME_UPSERTED,
                    r -> parser(FrameUpserted.parser()).apply(r.value()).getFrame().getDatasetId().equals(ds), 3, Duration.ofSeconds(30));
            assertEquals(3, frameRecords.size());
            assertEquals(java.util.Set.of("f1", "f2", "f3"), keys(frameRecords), "records are keyed by frame id");
            ConsumerRecord<String, byte[]> first = frameRecords.get(0);
            FrameUpserted event = parser(FrameUpserted.parser()).apply(first.value());
            assertEquals(KafkaProbe.header(first, CloudEventHeaders.ID), event.getEnvelope().getEventId());
            assertEquals("shoal.ingest.v1.FrameUpserted", KafkaProbe.header(first, CloudEventHeaders.TYPE));
            assertEquals("ingest-service", KafkaProbe.header(first, CloudEventHeaders.SOURCE));
            assertNotNull(KafkaProbe.header(first, CloudEventHeaders.TIME));
            assertEquals(ds, event.getEnvelope().getDatasetId());
            assertEquals(event.getFrame().getId(), event.getEnvelope().getAggregateId());
            assertEquals(Split.SPLIT_TRAIN, event.getFrame().getSplit());
            assertEquals("front", event.getFrame().getMetadataMap().get("camera"));

            // the same batches again: nothing changes, nothing is published
            post("/v1/frames", frames).statusCode(200).body("stored", equalTo(0)).body("unchanged", equalTo(3));
            post("/v1/labels", "{\"labels\":[" + classLabel(ds, "f1", "cat") + "," + classLabel(ds, "f2", "dog") + "]}")
                    .statusCode(200).body("stored", equalTo(0)).body("unchanged", equalTo(2));
            post("/v1/inferences", "{\"inferences\":[" + probs(ds, "f1", 0.9, 0.1) + "]}").statusCode(200).body("unchanged", equalTo(1));

            assertEquals(3, events(probe, Topics.FRAME_UPSERTED, parser(FrameUpserted.parser()), e -> e.getFrame().getDatasetId(), ds, Duration.ofSeconds(2)).size());
            assertEquals(2, events(probe, Topics.LABEL_UPSERTED, parser(LabelUpserted.parser()), e -> e.getLabel().getDatasetId(), ds, Duration.ofSeconds(2)).size());
            assertEquals(1, events(probe, Topics.INFERENCE_UPSERTED, parser(InferenceUpserted.parser()), e -> e.getInference().getDatasetId(), ds, Duration.ofSeconds(2)).size());

            // a real change to one row: one more event, for that row only
            post("/v1/labels", "{\"labels\":[" + classLabel(ds, "f1", "dog") + "," + classLabel(ds, "f2", "dog") + "]}")
                    .statusCode(200).body("stored", equalTo(1)).body("unchanged", equalTo(1));
            List<LabelUpserted> labels = events(probe, Topics.LABEL_UPSERTED, parser(LabelUpserted.parser()), e -> e.getLabel().getDatasetId(), ds, Duration.ofSeconds(2));
            assertEquals(3, labels.size());
            assertEquals("dog", labels.get(labels.size() - 1).getLabel().getClassification().getClassName());
        }
        assertEquals(3, dbCount(ds, "frames"));
        assertEquals(2, dbCount(ds, "labels"));
        given().get("/v1/datasets/" + ds + "/stats").then().statusCode(200)
                .body("labels_by_label_set.v1", equalTo(2))
                .body("inferences_by_model_version.'m:1'", equalTo(1))
                .body("user_embeddings_by_model_version.size()", equalTo(0));
        given().get("/v1/datasets/" + ds + "/frames/f1").then().statusCode(200)
                .body("labels[0].classification.class_name", equalTo("dog"))
                .body("inferences[0].model_id", equalTo("m"));
    }

    @Test
    void the_openapi_document_is_served() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/frames"))
                .body(containsString("/v1/import/coco"));
    }

    @Test
    void creating_a_dataset_twice_is_idempotent_and_a_different_definition_conflicts() {
        String ds = uniqueDataset("twice");
        createDataset(ds, "MODALITY_TEXT");
        given().contentType("application/json").body("{\"id\":\"" + ds + "\",\"name\":\"" + ds + "\",\"modality\":\"MODALITY_TEXT\",\"class_names\":[]}")
                .post("/v1/datasets").then().statusCode(200);
        given().contentType("application/json").body("{\"id\":\"" + ds + "\",\"name\":\"other\",\"modality\":\"MODALITY_TEXT\"}")
                .post("/v1/datasets").then().statusCode(409).body("error", containsString("different definition"));
        given().get("/v1/datasets").then().statusCode(200).body(containsString(ds));
    }
}
