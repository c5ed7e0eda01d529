package dev.shoal.ingest;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.shoal.ingest.IngestTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One test per class of bad input: each asserts the error names the row and field, and that the good rows were stored. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class BadInputTest {

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL url;

    @Test
    void rows_of_an_unknown_dataset_are_refused_and_the_others_stored() {
        String ds = uniqueDataset("unknown");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "ok-1", 10, 10) + "," + frame("no-such-dataset", "x", 10, 10) + "," + frame(ds, "ok-2", 10, 10) + "]}")
                .statusCode(400)
                .body("stored", equalTo(2))
                .body("errors", hasSize(1))
                .body("errors[0].index", equalTo(1))
                .body("errors[0].field", equalTo("frames[1].dataset_id"))
                .body("errors[0].message", containsString("unknown dataset 'no-such-dataset'"));
        assertEquals(2, dbCount(ds, "frames"));
    }

    @Test
    void duplicate_ids_inside_a_batch_are_refused_and_the_others_stored() {
        String ds = uniqueDataset("dup");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "a", 10, 10) + "," + frame(ds, "b", 10, 10) + "," + frame(ds, "a", 20, 20) + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors", hasSize(2))
                .body("errors[0].field", equalTo("frames[0]"))
                .body("errors[0].message", containsString("duplicate key inside the batch (also at index 2)"))
                .body("errors[1].field", equalTo("frames[2]"));
        assertEquals(1, dbCount(ds, "frames"));
    }

    @Test
    void probabilities_that_do_not_sum_to_one_are_refused_and_the_others_stored() {
        String ds = uniqueDataset("probs");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 10, 10) + "," + frame(ds, "f2", 10, 10) + "]}").statusCode(200);
        post("/v1/inferences", "{\"inferences\":[" + probs(ds, "f1", 0.7, 0.2) + "," + probs(ds, "f2", 0.7, 0.3) + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors", hasSize(1))
                .body("errors[0].index", equalTo(0))
                .body("errors[0].id", equalTo("f1"))
                .body("errors[0].field", equalTo("inferences[0].classification.scores"))
                .body("errors[0].message", containsString("sum to 0.9"));
        assertEquals(1, dbCount(ds, "inferences"));
    }

    @Test
    void a_box_outside_the_image_is_refused_and_the_others_stored() {
        String ds = uniqueDataset("box");
        createDataset(ds, "MODALITY_IMAGE", "cone");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 100, 50) + "," + frame(ds, "f2", 100, 50) + "]}").statusCode(200);
        String inside = box(ds, "f1", 10, 10, 30, 20);
        String outside = box(ds, "f2", 90, 10, 30, 20); // x + w = 120 > 100
        post("/v1/labels", "{\"labels\":[" + inside + "," + outside + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors[0].index", equalTo(1))
                .body("errors[0].field", equalTo("labels[1].boxes.boxes[0]"))
                .body("errors[0].message", containsString("outside the 100x50 image"));
        assertEquals(1, dbCount(ds, "labels"));
    }

    @Test
    void nan_is_refused_and_the_others_stored() {
        String ds = uniqueDataset("nan");
        createDataset(ds, "MODALITY_IMAGE", "cone");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 100, 50) + "," + frame(ds, "f2", 100, 50) + "]}").statusCode(200);
        String nan = "{\"dataset_id\":\"" + ds + "\",\"frame_id\":\"f2\",\"labeler_id\":\"a\",\"label_set\":\"v1\","
                + "\"boxes\":{\"boxes\":[{\"class_name\":\"cone\",\"x\":\"NaN\",\"y\":1,\"width\":2,\"height\":2}]}}";
        post("/v1/labels", "{\"labels\":[" + box(ds, "f1", 1, 1, 2, 2) + "," + nan + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors[0].field", equalTo("labels[1].boxes.boxes[0].x"))
                .body("errors[0].message", containsString("finite"));
        assertEquals(1, dbCount(ds, "labels"));
    }

    @Test
    void a_wrong_embedding_dimension_is_refused_and_the_others_stored() {
        String ds = uniqueDataset("dim");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 1, 1) + "," + frame(ds, "f2", 1, 1) + "," + frame(ds, "f3", 1, 1) + "]}").statusCode(200);
        post("/v1/model-versions", "{\"model_versions\":[{\"dataset_id\":\"" + ds + "\",\"model_id\":\"clip\",\"version\":\"1\",\"embedding_dimension\":3}]}")
                .statusCode(200).body("stored", equalTo(1));
        post("/v1/embeddings", "{\"embeddings\":[" + emb(ds, "f1", "0.1,0.2,0.3") + "," + emb(ds, "f2", "0.1,0.2") + "," + emb(ds, "f3", "1,0,0") + "]}")
                .statusCode(400)
                .body("stored", equalTo(2))
                .body("errors[0].field", equalTo("embeddings[1].vector"))
                .body("errors[0].message", containsString("has dimension 2 but model_id clip model_version 1 has dimension 3"));
        assertEquals(2, dbCount(ds, "user_embeddings"));
    }

    @Test
    void an_oversized_body_is_refused_with_413_and_too_many_rows_with_400() throws Exception {
        String ds = uniqueDataset("big");
        createDataset(ds, "MODALITY_IMAGE");
        // the body limit is 64 MiB: announce 65 MiB; the server refuses before reading it
        byte[] big = ("{\"frames\":[" + frame(ds, "f", 1, 1) + "],\"pad\":\"" + "x".repeat(65 * 1024 * 1024) + "\"}").getBytes();
        java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(url.toURI().resolve("/v1/frames")).expectContinue(true)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(413, refused.statusCode());
        StringBuilder many = new StringBuilder("{\"frames\":[");
        for (int i = 0; i < 20_001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"dataset_id\":\"").append(ds).append("\",\"id\":\"f").append(i).append("\",\"uris\":[\"file:///x\"]}");
        }
        many.append("]}");
        post("/v1/frames", many.toString()).statusCode(400).body("error", containsString("20001 rows exceed the limit of 20000"));
        assertEquals(0, dbCount(ds, "frames"));
    }

    @Test
    void a_row_that_does_not_parse_is_reported_and_the_others_stored() {
        String ds = uniqueDataset("parse");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 1, 1) + ",{\"dataset_id\":\"" + ds + "\",\"id\":\"f2\",\"width\":\"wide\"},"
                + frame(ds, "f3", 1, 1) + "]}")
                .statusCode(400)
                .body("received", equalTo(3))
                .body("stored", equalTo(2))
                .body("errors[0].field", equalTo("frames[1]"))
                .body("errors[0].message", containsString("malformed row"));
        post("/v1/frames", "{\"frames\": [").statusCode(400).body("error", containsString("not valid JSON"));
        assertEquals(2, dbCount(ds, "frames"));
    }

    @Test
    void labels_of_unknown_frames_and_classes_outside_the_schema_are_refused() {
        String ds = uniqueDataset("schema");
        createDataset(ds, "MODALITY_IMAGE", "cat", "dog");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 1, 1) + "]}").statusCode(200);
        post("/v1/labels", "{\"labels\":[" + classLabel(ds, "f1", "cat") + "," + classLabel(ds, "ghost", "cat") + ","
                + classLabel(ds, "f1", "horse").replace("ann-1", "ann-2") + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors[0].field", equalTo("labels[1].frame_id"))
                .body("errors[0].message", containsString("unknown frame 'ghost'"))
                .body("errors[1].field", equalTo("labels[2].classification.class_name"))
                .body("errors[1].message", containsString("not a class of the dataset's label schema"));
    }

    static String box(String ds, String frameId, float x, float y, float w, float h) {
        return "{\"dataset_id\":\"" + ds + "\",\"frame_id\":\"" + frameId + "\",\"labeler_id\":\"a\",\"label_set\":\"v1\","
                + "\"boxes\":{\"boxes\":[{\"class_name\":\"cone\",\"x\":" + x + ",\"y\":" + y + ",\"width\":" + w + ",\"height\":" + h + "}]}}";
    }

    static String emb(String ds, String frameId, String vector) {
        return "{\"dataset_id\":\"" + ds + "\",\"frame_id\":\"" + frameId + "\",\"model_id\":\"clip\",\"model_version\":\"1\",\"vector\":[" + vector + "]}";
    }
}
