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

/** The REST dialect: snake_case bodies and query parameters, unknown ones refused naming them, batch upserts. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class RestContractTest {

    @Test
    void an_unknown_field_inside_a_row_is_refused_naming_it_and_the_other_rows_stored() {
        String ds = uniqueDataset("unknown-field");
        createDataset(ds, "MODALITY_IMAGE");
        String typo = frame(ds, "f2", 10, 10).replace("\"split\"", "\"splt\"");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 10, 10) + "," + typo + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors", hasSize(1))
                .body("errors[0].field", equalTo("frames[1].splt"))
                .body("errors[0].message", equalTo("unknown field"));
        assertEquals(1, dbCount(ds, "frames"));
    }

    @Test
    void an_unknown_top_level_field_refuses_the_batch_naming_it() {
        String ds = uniqueDataset("unknown-top");
        createDataset(ds, "MODALITY_IMAGE");
        post("/v1/frames", "{\"frames\":[" + frame(ds, "f1", 10, 10) + "],\"dataset_id\":\"" + ds + "\"}")
                .statusCode(400)
                .body("field", equalTo("dataset_id"))
                .body("message", containsString("unknown field"));
        assertEquals(0, dbCount(ds, "frames"));
    }

    @Test
    void an_unknown_field_of_a_dataset_is_refused_naming_it() {
        post("/v1/datasets", "{\"id\":\"" + uniqueDataset("ds") + "\",\"modality\":\"MODALITY_IMAGE\",\"classNames\":[\"a\"],\"colour\":\"red\"}")
                .statusCode(400)
                .body("field", equalTo("colour"))
                .body("message", equalTo("unknown field"));
    }

    @Test
    void an_unknown_query_parameter_is_refused_naming_it() {
        given().contentType(ContentType.TEXT).body("{}").post("/v1/import/jsonl?datasetId=x").then()
                .statusCode(400)
                .body("field", equalTo("datasetId"))
                .body("message", containsString("unknown query parameter; known: dataset_id"));
        given().get("/v1/datasets?page_size=5").then()
                .statusCode(400)
                .body("field", equalTo("page_size"));
    }

    @Test
    void model_versions_are_registered_as_a_batch_and_a_conflicting_row_is_reported() {
        String ds = uniqueDataset("models");
        createDataset(ds, "MODALITY_IMAGE");
        String v1 = "{\"dataset_id\":\"" + ds + "\",\"model_id\":\"resnet\",\"version\":\"1\",\"framework\":\"onnx\"}";
        String v2 = "{\"datasetId\":\"" + ds + "\",\"modelId\":\"resnet\",\"version\":\"2\",\"parentVersion\":\"1\"}";
        post("/v1/model-versions", "{\"model_versions\":[" + v1 + "," + v2 + "]}")
                .statusCode(200).body("received", equalTo(2)).body("stored", equalTo(2));
        post("/v1/model-versions", "{\"modelVersions\":[" + v1 + "]}")
                .statusCode(200).body("unchanged", equalTo(1));
        String conflicting = v1.replace("onnx", "pytorch");
        String bad = "{\"dataset_id\":\"" + ds + "\",\"model_id\":\"resnet\",\"version\":\"\"}";
        String v3 = "{\"dataset_id\":\"" + ds + "\",\"model_id\":\"resnet\",\"version\":\"3\"}";
        post("/v1/model-versions", "{\"model_versions\":[" + conflicting + "," + bad + "," + v3 + "]}")
                .statusCode(400)
                .body("stored", equalTo(1))
                .body("errors", hasSize(2))
                .body("errors[0].field", equalTo("model_versions[0]"))
                .body("errors[0].message", containsString("different definition"))
                .body("errors[1].field", equalTo("model_versions[1].version"));
    }
}
