package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;

/**
 * The REST dialect of embedding-service: snake_case bodies and query parameters (lowerCamelCase accepted in bodies),
 * unknown fields and parameters refused naming them, a model named by model_id + model_version.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class RestContractTest {

    @Inject
    VectorStore store;

    /** Two datasets in one model version: a and b, three frames each. */
    private SearchFixtures twoDatasets() {
        SearchFixtures f = new SearchFixtures(store);
        String a = f.dataset + "-a";
        String b = f.dataset + "-b";
        store.upsert(List.of(
                new VectorRecord("a1", f.modelVersion, a, "train", "cat", null, true, null, new float[]{1, 0, 0, 0}),
                new VectorRecord("a2", f.modelVersion, a, "train", "cat", null, true, null, new float[]{0.9f, 0.1f, 0, 0}),
                new VectorRecord("a3", f.modelVersion, a, "train", "dog", null, true, null, new float[]{0, 1, 0, 0}),
                new VectorRecord("b1", f.modelVersion, b, "train", "cat", null, true, null, new float[]{1, 0, 0, 0}),
                new VectorRecord("b2", f.modelVersion, b, "train", "cat", null, true, null, new float[]{0.9f, 0.1f, 0, 0}),
                new VectorRecord("b3", f.modelVersion, b, "train", "dog", null, true, null, new float[]{0, 1, 0, 0})));
        return f;
    }

    @Test
    void a_snake_case_dataset_filter_returns_only_that_dataset() {
        SearchFixtures f = twoDatasets();
        given().contentType(ContentType.JSON).body(Map.of("vector", List.of(1, 0, 0, 0), "k", 50,
                        "filter", Map.of("dataset_id", f.dataset + "-a", "model_id", f.modelId, "model_version", f.version)))
                .post("/v1/search/vector").then().statusCode(200)
                .body("neighbors", hasSize(3))
                .body("neighbors.frame.dataset_id", everyItem(equalTo(f.dataset + "-a")))
                .body("neighbors.frame.model_id", everyItem(equalTo(f.modelId)))
                .body("neighbors.frame.model_version", everyItem(equalTo(f.version)));
    }

    @Test
    void lower_camel_case_body_fields_are_accepted() {
        SearchFixtures f = twoDatasets();
        given().contentType(ContentType.JSON).body(Map.of("frameId", "a1", "k", 5, "includeVectors", true,
                        "filter", Map.of("datasetId", f.dataset + "-b", "modelId", f.modelId, "modelVersion", f.version)))
                .post("/v1/search/frame").then().statusCode(200)
                .body("neighbors", hasSize(3))
                .body("neighbors.frame.dataset_id", everyItem(equalTo(f.dataset + "-b")))
                .body("neighbors[0].frame.vector", hasSize(4));
    }

    @Test
    void an_unknown_body_field_is_refused_naming_it() {
        SearchFixtures f = twoDatasets();
        given().contentType(ContentType.JSON).body(Map.of("vector", List.of(1, 0, 0, 0),
                        "filter", Map.of("dataset", f.dataset + "-a", "model_id", f.modelId, "model_version", f.version)))
                .post("/v1/search/vector").then().statusCode(400)
                .body("field", equalTo("filter.dataset"))
                .body("message", equalTo("unknown field"));
        given().contentType(ContentType.JSON).body(Map.of("text", "cats", "top_k", 3))
                .post("/v1/search/text").then().statusCode(400)
                .body("field", equalTo("top_k"))
                .body("message", equalTo("unknown field"));
    }

    @Test
    void a_model_version_without_its_model_id_is_refused() {
        SearchFixtures f = twoDatasets();
        given().contentType(ContentType.JSON).body(Map.of("vector", List.of(1, 0, 0, 0),
                        "filter", Map.of("model_version", f.version)))
                .post("/v1/search/vector").then().statusCode(400)
                .body("field", equalTo("filter.model_id"));
        given().queryParam("dataset_id", f.dataset + "-a").queryParam("model_id", f.modelId)
                .get("/v1/search/export").then().statusCode(400)
                .body("field", equalTo("model_version"));
    }

    @Test
    void snake_case_query_parameters_count_and_unknown_ones_are_refused_naming_them() {
        SearchFixtures f = twoDatasets();
        given().queryParam("dataset_id", f.dataset + "-a").queryParam("model_id", f.modelId)
                .queryParam("model_version", f.version)
                .get("/v1/search/count").then().statusCode(200)
                .body("count", equalTo(3))
                .body("dataset_id", equalTo(f.dataset + "-a"))
                .body("model_id", equalTo(f.modelId));
        given().queryParam("datasetId", f.dataset + "-a").get("/v1/search/count").then().statusCode(400)
                .body("field", equalTo("datasetId"))
                .body("message", containsString("unknown query parameter; known: dataset_id, model_id, model_version"));
        given().queryParam("datasetId", f.dataset + "-a").queryParam("modelVersion", f.modelVersion)
                .get("/v1/search/export").then().statusCode(400)
                .body("field", equalTo("datasetId"));
    }

    @Test
    void an_unknown_re_embed_field_is_refused_naming_it() {
        given().contentType(ContentType.JSON).body(Map.of("model_version", "1", "only_missin", true))
                .post("/v1/datasets/any/re-embed").then().statusCode(400)
                .body("field", equalTo("only_missin"))
                .body("message", containsString("unknown field"));
    }
}
