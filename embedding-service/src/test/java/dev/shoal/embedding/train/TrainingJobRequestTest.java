package dev.shoal.embedding.train;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** A training-job request out of its bounds is a 400 naming the field, and no job is queued. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class TrainingJobRequestTest {

    private static void refused(Map<String, Object> body, String field, String message) {
        given().contentType(ContentType.JSON).body(body).when().post("/v1/training-jobs").then()
                .statusCode(400)
                .body("field", equalTo(field))
                .body("message", containsString(message));
    }

    @Test
    void out_of_bounds_numbers_and_unknown_datasets_are_refused_naming_the_field() {
        refused(Map.of("dataset_id", "any", "epochs", -1), "epochs", "must be within 1..1000, was -1");
        refused(Map.of("dataset_id", "any", "epochs", 1_000_000_000), "epochs", "must be within 1..1000");
        refused(Map.of("dataset_id", "any", "width", 100_000, "height", 100_000), "width", "must be within 4..512");
        refused(Map.of("dataset_id", "any", "height", 0), "height", "must be within 4..512");
        refused(Map.of("dataset_id", "any", "embedding_dim", 1_000_000), "embedding_dim", "must be within 2..4096");
        refused(Map.of("dataset_id", "any", "channel_order", "CMYK"), "channel_order", "must be GRAY, RGB or BGR");
        refused(Map.of("dataset_id", "a\u0000b"), "dataset_id", "U+0000");
        refused(Map.of(), "dataset_id", "is required");
        refused(Map.of("dataset_id", "no-such-dataset-" + System.nanoTime(), "epochs", 2), "dataset_id", "unknown dataset");
    }

    @Test
    void a_nul_in_the_job_id_is_a_400_not_a_database_error() {
        given().urlEncodingEnabled(false).get("/v1/training-jobs/a%00b").then().statusCode(400).body("field", equalTo("id"));
    }
}
