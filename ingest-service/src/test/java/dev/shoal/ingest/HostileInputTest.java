package dev.shoal.ingest;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.shoal.ingest.IngestTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fuzzer's findings, one test each: a hostile value is refused with a 400 naming the field as the caller
 * spelled it, nothing of it is stored, and the valid rows of the same batch are stored.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class HostileInputTest {

    /** Posts [good, bad, good] where bad is a frame whose "id" member is {@code idJson} (raw JSON); expects 400 naming frames[1].id. */
    private static void badFrameIdBetweenTwoGoodOnes(String name, String idJson, String message) {
        String ds = uniqueDataset(name);
        createDataset(ds, "MODALITY_IMAGE");
        String bad = "{\"dataset_id\":\"" + ds + "\",\"id\":" + idJson + ",\"uris\":[\"file:///data/x.png\"]}";
        post("/v1/frames", "{\"frames\":[" + frame(ds, "ok-1", 10, 10) + "," + bad + "," + frame(ds, "ok-2", 10, 10) + "]}")
                .statusCode(400)
                .body("received", equalTo(3))
                .body("stored", equalTo(2))
                .body("errors", hasSize(1))
                .body("errors[0].index", equalTo(1))
                .body("errors[0].field", equalTo("frames[1].id"))
                .body("errors[0].message", containsString(message));
        assertEquals(2, dbCount(ds, "frames"));
        given().get("/v1/datasets/" + ds + "/frames/ok-2").then().statusCode(200);
    }

    @Test
    void a_boolean_id_is_refused_not_stored_as_the_string_true() {
        badFrameIdBetweenTwoGoodOnes("bool", "true", "expected a JSON string, got the boolean true");
    }

    @Test
    void a_number_id_is_refused_not_stored_as_the_string_12() {
        badFrameIdBetweenTwoGoodOnes("num", "12", "expected a JSON string, got the number 12");
    }

    @Test
    void a_nul_in_an_id_is_refused() {
        badFrameIdBetweenTwoGoodOnes("nul", "\"a\\u0000b\"", "control character U+0000");
    }

    @Test
    void a_c1_control_character_in_an_id_is_refused() {
        badFrameIdBetweenTwoGoodOnes("c1", "\"a\\u0085b\"", "control character U+0085");
    }

    @Test
    void a_lone_surrogate_in_an_id_is_refused_not_rewritten_to_a_question_mark() {
        badFrameIdBetweenTwoGoodOnes("surrogate", "\"\\ud800\"", "unpaired surrogate U+D800");
    }

    @Test
    void an_id_over_256_bytes_is_refused() {
        badFrameIdBetweenTwoGoodOnes("long", "\"" + "x".repeat(300) + "\"", "longer than 256 UTF-8 bytes");
    }

    @Test
    void fields_are_named_as_the_caller_spelled_them_and_nested_strings_are_typed_too() {
        String ds = uniqueDataset("camel");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "ok", 10, 10) + ",{\"datasetId\":\"" + ds + "\",\"id\":\"f\",\"uris\":[\"file:///a\", 7]}]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors[0].field", equalTo("frames[1].uris[1]"))
                .body("errors[0].message", containsString("got the number 7"));
        post("/v1/frames", "{\"frames\":[{\"datasetId\":\"" + ds + "\",\"id\":\"g\",\"uris\":[\"file:///a\"],\"metadata\":{\"camera\":false}}]}")
                .statusCode(400)
                .body("errors[0].field", equalTo("frames[0].metadata.camera"));
        post("/v1/datasets", "{\"id\": 5, \"modality\": \"MODALITY_IMAGE\"}")
                .statusCode(400)
                .body("error", containsString("id: expected a JSON string, got the number 5"));
        assertEquals(1, dbCount(ds, "frames"));
    }

    @Test
    void nul_in_metadata_and_oversized_values_are_refused_per_row() {
        String ds = uniqueDataset("meta");
        createDataset(ds, "MODALITY_IMAGE");
        String nul = "{\"dataset_id\":\"" + ds + "\",\"id\":\"n\",\"uris\":[\"file:///a\"],\"metadata\":{\"camera\":\"a\\u0000b\"}}";
        String huge = "{\"dataset_id\":\"" + ds + "\",\"id\":\"h\",\"uris\":[\"file:///a\"],\"metadata\":{\"camera\":\"" + "x".repeat(20_000) + "\"}}";
        String longLabeler = "{\"dataset_id\":\"" + ds + "\",\"frame_id\":\"ok\",\"labeler_id\":\"" + "a".repeat(257) + "\",\"label_set\":\"v1\","
                + "\"classification\":{\"class_name\":\"cat\"}}";
        post("/v1/frames", "{\"frames\":[" + frame(ds, "ok", 10, 10) + "," + nul + "," + huge + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors[0].field", equalTo("frames[1].metadata.camera"))
                .body("errors[0].message", containsString("NUL"))
                .body("errors[1].field", equalTo("frames[2].metadata.camera"))
                .body("errors[1].message", containsString("longer than 16384 UTF-8 bytes"));
        post("/v1/labels", "{\"labels\":[" + longLabeler + "]}")
                .statusCode(400)
                .body("errors[0].field", equalTo("labels[0].labeler_id"))
                .body("errors[0].message", containsString("longer than 256 UTF-8 bytes"));
        assertEquals(1, dbCount(ds, "frames"));
        assertEquals(0, dbCount(ds, "labels"));
    }

    @Test
    void a_nul_or_control_character_in_a_path_parameter_is_a_400_naming_it() {
        String ds = uniqueDataset("path");
        createDataset(ds, "MODALITY_IMAGE");
        given().urlEncodingEnabled(false).get("/v1/datasets/" + ds + "/frames/a%00b").then()
                .statusCode(400)
                .body("field", equalTo("frameId"))
                .body("error", containsString("U+0000"));
        given().urlEncodingEnabled(false).get("/v1/datasets/a%C2%85b").then()
                .statusCode(400)
                .body("field", equalTo("id"))
                .body("error", containsString("U+0085"));
        given().urlEncodingEnabled(false).contentType("application/json").body("{}").post("/v1/import/coco?dataset_id=a%00").then()
                .statusCode(400)
                .body("field", equalTo("dataset_id"));
    }

    @Test
    void a_coco_file_name_that_leaves_the_image_root_or_is_oversized_is_refused_for_its_row() {
        String ds = uniqueDataset("cocotrav");
        createDataset(ds, "MODALITY_IMAGE", "cone");
        String coco = "{\"images\": ["
                + "{\"id\": 1, \"file_name\": \"../../../../etc/passwd\", \"width\": 10, \"height\": 10},"
                + "{\"id\": 2, \"file_name\": \"/etc/passwd\", \"width\": 10, \"height\": 10},"
                + "{\"id\": 3, \"file_name\": \"" + "a".repeat(5000) + ".png\", \"width\": 10, \"height\": 10},"
                + "{\"id\": 4, \"file_name\": \"train/../val/./ok.png\", \"width\": 10, \"height\": 10}],"
                + " \"annotations\": [], \"categories\": [{\"id\": 1, \"name\": \"cone\"}]}";
        given().contentType("application/json").body(coco)
                .post("/v1/import/coco?dataset_id=" + ds + "&image_root=file:///data/").then()
                .statusCode(400)
                .body("counts.frames.stored", equalTo(1))
                .body("errors.find { it.where == 'images[0]' }.field", equalTo("file_name"))
                .body("errors.find { it.where == 'images[0]' }.message", containsString("leaves image_root"))
                .body("errors.find { it.where == 'images[1]' }.message", containsString("absolute path"))
                .body("errors.find { it.where == 'images[2]' }.message", containsString("longer than 4096 UTF-8 bytes"));
        given().get("/v1/datasets/" + ds + "/frames/4").then().statusCode(200)
                .body("frame.uris[0]", equalTo("file:///data/val/ok.png"));
        assertEquals(1, dbCount(ds, "frames"));
    }
}
