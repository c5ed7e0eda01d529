package dev.shoal.labeling;

import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static dev.shoal.labeling.BridgeTestSupport.*;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The REST dialect of the labeling bridge: unknown body fields and unknown query parameters refused, naming them. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "labeling"))
@QuarkusTestResource(VendorTestResource.class)
class RestContractTest {

    @Test
    void an_unknown_field_of_a_webhook_callback_is_refused_naming_it() {
        String url = baseUrl() + callbackPath("acme");
        signedCallback(url, "{\"task_id\": \"t-1\", \"results\": [{\"frame_id\": \"f1\", \"annotator_id\": \"a1\", "
                + "\"clas_name\": \"cat\"}]}").then().statusCode(400)
                .body("error", containsString("results[0].clas_name: unknown field"));
        signedCallback(url, "{\"task_id\": \"t-1\", \"taskId\": \"t-1\", \"results\": []}").then().statusCode(400)
                .body("error", containsString("taskId: unknown field"));
    }

    @Test
    void an_unknown_query_parameter_is_refused_naming_it() {
        given().get("/v1/campaigns/any?campaignId=x").then().statusCode(400)
                .body("field", equalTo("campaignId"))
                .body("message", containsString("unknown query parameter"));
        given().get("/v1/tasks/any?verbose=true").then().statusCode(400)
                .body("field", equalTo("verbose"));
    }
}
