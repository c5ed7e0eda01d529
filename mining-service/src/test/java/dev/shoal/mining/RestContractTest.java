package dev.shoal.mining;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The REST dialect of mining-service: unknown body fields and unknown query parameters refused, naming them. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class RestContractTest {

    @Test
    void an_unknown_body_field_is_refused_naming_it() {
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"d\",\"label_set\":\"v1\",\"kinds\":[\"outliers\"],"
                        + "\"model\":\"m:1\"}").post("/v1/analyses")
                .then().statusCode(400)
                .body("field", equalTo("model"))
                .body("message", equalTo("unknown field"));
        given().contentType(ContentType.JSON).body("{\"dataset_id\":\"d\",\"name\":\"n\",\"frame_ids\":[\"f\"],\"framez\":1}")
                .post("/v1/campaigns")
                .then().statusCode(400)
                .body("field", equalTo("framez"));
    }

    @Test
    void an_unknown_query_parameter_is_refused_naming_it() {
        given().get("/v1/issues?analysis=a&pageSize=5").then().statusCode(400)
                .body("field", equalTo("pageSize"))
                .body("message", containsString("unknown query parameter; known: analysis, page, page_size, state, type"));
    }
}
