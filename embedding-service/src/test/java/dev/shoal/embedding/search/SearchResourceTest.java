package dev.shoal.embedding.search;

import dev.shoal.embedding.store.VectorRecord;
import dev.shoal.embedding.store.VectorStore;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST search API against the service's real (embedded) store and its real text model. */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
class SearchResourceTest {

    @Inject
    VectorStore store;

    @Inject
    TextQueryEmbedder text;

    private static Response post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/search/" + path);
    }

    @Test
    void nearestNeighboursOfAVectorComeMostSimilarFirstWithCosineScores() {
        SearchFixtures f = new SearchFixtures(store);
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 3,
                "filter", Map.of("dataset_id", f.dataset, "model_id", f.modelId, "model_version", f.version)))
                .then().statusCode(200)
                .body("model_id", equalTo(f.modelId))
                .body("model_version", equalTo(f.version))
                .body("dimension", equalTo(4))
                .body("neighbors.frame.frame_id", contains("p0", "p1", "p2"))
                .body("neighbors[0].score", equalTo(1.0f))
                .body("neighbors[0].frame.label", equalTo("cat"))
                .body("neighbors[0].frame.vector", nullValue());
    }

    @Test
    void filtersNarrowTheNeighbours() {
        SearchFixtures f = new SearchFixtures(store);
        Map<String, Object> base = Map.of("dataset_id", f.dataset, "model_id", f.modelId, "model_version", f.version);
        // the unlabeled pool only: the q frames, though the query points at the p frames
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 20,
                "filter", merge(base, Map.of("labeled", false))))
                .then().statusCode(200).body("neighbors", hasSize(5))
                .body("neighbors.frame.frame_id", everyItem(org.hamcrest.Matchers.startsWith("q")));
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 20, "filter", merge(base, Map.of("labeled", true))))
                .then().statusCode(200).body("neighbors", hasSize(10));
        post("vector", Map.of("vector", List.of(0, 0, 1, 0), "k", 20, "filter", merge(base, Map.of("label", "cat"))))
                .then().statusCode(200).body("neighbors", hasSize(5))
                .body("neighbors.frame.label", everyItem(equalTo("cat")));
        post("vector", Map.of("vector", List.of(0, 0, 1, 0), "k", 20, "filter", merge(base, Map.of("split", "unlabeled"))))
                .then().statusCode(200).body("neighbors", hasSize(5));
        post("vector", Map.of("vector", List.of(0, 0, 1, 0), "k", 20, "filter", merge(base, Map.of("prediction", "dog"))))
                .then().statusCode(200).body("neighbors", hasSize(10));
        post("vector", Map.of("vector", List.of(0, 0, 1, 0), "k", 20,
                "filter", Map.of("dataset_id", "other-" + f.dataset, "model_id", f.modelId, "model_version", f.version)))
                .then().statusCode(200).body("neighbors", hasSize(0));
    }

    @Test
    void nearestNeighboursOfAFrameLeaveTheFrameItselfOut() {
        SearchFixtures f = new SearchFixtures(store);
        post("frame", Map.of("frame_id", "r0", "k", 2, "include_vectors", true,
                "filter", Map.of("dataset_id", f.dataset, "model_id", f.modelId, "model_version", f.version)))
                .then().statusCode(200)
                .body("neighbors.frame.frame_id", contains("r1", "r2"))
                .body("neighbors[0].frame.vector", hasSize(4));
    }

    @Test
    void theCentroidOfSeveralFramesIsBetweenThem() {
        SearchFixtures f = new SearchFixtures(store);
        // centroid of p0 (x) and q0 (y) is (0.5, 0.5, 0, 0): nearest are the other p and q frames, never r
        post("frames", Map.of("frame_ids", List.of("p0", "q0"), "k", 4,
                "filter", Map.of("dataset_id", f.dataset, "model_id", f.modelId, "model_version", f.version)))
                .then().statusCode(200)
                .body("neighbors", hasSize(4))
                .body("neighbors.frame.frame_id", not(hasItem("p0")))
                .body("neighbors.frame.frame_id", everyItem(org.hamcrest.Matchers.matchesPattern("[pq][1-4]")));
    }

    @Test
    void aTextQueryFindsTheTextsClosestInMeaning() {
        String dataset = "texts-" + java.util.UUID.randomUUID();
        List<String> texts = List.of("a song played on an electric guitar", "quarterly earnings and stock market returns",
                "a recipe for tomato soup");
        String mv = null;
        List<VectorRecord> rows = new java.util.ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            TextQueryEmbedder.Embedded e = text.embed(texts.get(i));
            mv = e.modelVersion();
            rows.add(new VectorRecord("t" + i, mv, dataset, "train", null, null, false, null, e.vector()));
        }
        store.upsert(rows);
        post("text", Map.of("text", "music", "k", 3, "filter", Map.of("dataset_id", dataset)))
                .then().statusCode(200)
                .body("model_id", equalTo(dev.shoal.embedding.domain.ModelRef.parse(mv).modelId()))
                .body("model_version", equalTo(dev.shoal.embedding.domain.ModelRef.parse(mv).version()))
                .body("dimension", equalTo(384))
                .body("neighbors", hasSize(3))
                .body("neighbors[0].frame.frame_id", equalTo("t0"));
        post("text", Map.of("text", "finance", "k", 1, "filter", Map.of("dataset_id", dataset)))
                .then().statusCode(200).body("neighbors[0].frame.frame_id", equalTo("t1"));
    }

    @Test
    void badRequestsAreRefusedNamingTheField() {
        SearchFixtures f = new SearchFixtures(store);
        Map<String, Object> filter = Map.of("dataset_id", f.dataset, "model_id", f.modelId, "model_version", f.version);
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 0, "filter", filter))
                .then().statusCode(400).body("field", equalTo("k")).body("message", containsString("between 1 and 1000"));
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 100000, "filter", filter))
                .then().statusCode(400).body("field", equalTo("k"));
        post("vector", Map.of("vector", List.of(1, 0, 0), "k", 3, "filter", filter))
                .then().statusCode(400).body("field", equalTo("vector"))
                .body("message", containsString("3 dimensions")).body("message", containsString("has 4"));
        post("vector", Map.of("vector", List.of(0, 0, 0, 0), "k", 3, "filter", filter))
                .then().statusCode(400).body("field", equalTo("vector")).body("message", containsString("zeros"));
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 3, "filter", Map.of("dataset_id", f.dataset)))
                .then().statusCode(400).body("field", equalTo("filter.model_version"));
        post("vector", Map.of("vector", List.of(1, 0, 0, 0), "k", 3, "filter", Map.of("model_id", "nobody", "model_version", "0")))
                .then().statusCode(404).body("field", equalTo("filter.model_version"));
        post("frame", Map.of("frame_id", "no-such-frame", "filter", filter))
                .then().statusCode(404).body("field", equalTo("frame_id")).body("message", containsString("no-such-frame"));
        post("frames", Map.of("frame_ids", List.of("p0", "nope"), "filter", filter))
                .then().statusCode(404).body("field", equalTo("frame_ids[1]"));
        post("frames", Map.of("frame_ids", List.of(), "filter", filter))
                .then().statusCode(400).body("field", equalTo("frame_ids"));
        post("text", Map.of("text", " "))
                .then().statusCode(400).body("field", equalTo("text"));
        given().contentType(ContentType.JSON).when().post("/v1/search/vector")
                .then().statusCode(400);
    }

    @Test
    void exportStreamsEveryVectorOfADatasetAsNdjson() {
        SearchFixtures f = new SearchFixtures(store);
        List<VectorRecord> more = new java.util.ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            more.add(new VectorRecord("bulk" + i, f.modelVersion, f.dataset, "train", null, null, false, null,
                    new float[]{1, i, 0, 0}));
        }
        store.upsert(more);
        Response r = given().queryParam("dataset_id", f.dataset).queryParam("model_id", f.modelId).queryParam("model_version", f.version)
                .when().get("/v1/search/export");
        r.then().statusCode(200).contentType(containsString("application/x-ndjson"));
        String[] lines = r.asString().split("\n");
        assertEquals(1215, lines.length);
        io.restassured.path.json.JsonPath first = io.restassured.path.json.JsonPath.from(lines[0]);
        assertEquals(f.dataset, first.getString("dataset_id"));
        assertEquals(4, first.getList("vector").size());
        assertTrue(java.util.Arrays.stream(lines).anyMatch(l -> l.contains("\"frame_id\":\"bulk1199\"")));

        given().queryParam("model_id", f.modelId).queryParam("model_version", f.version).when().get("/v1/search/export")
                .then().statusCode(400).body("field", equalTo("dataset_id"));
        given().queryParam("dataset_id", f.dataset).queryParam("model_id", f.modelId).queryParam("model_version", f.version)
                .when().get("/v1/search/count")
                .then().statusCode(200).body("count", equalTo(1215));
    }

    @Test
    void theVectorStoreIsReportedInTheHealthCheckAndTheApiInOpenApi() {
        given().when().get("/q/health/ready")
                .then().body("checks.find { it.name == 'vector-store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'vector-store' }.data.kind", equalTo("embedded-hnsw"))
                .body("checks.find { it.name == 'vector-store' }.data.rows", notNullValue());
        given().when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .body("paths.'/v1/search/vector'.post.summary", containsString("nearest neighbours"))
                .body("paths.'/v1/search/export'.get", notNullValue());
    }

    private static Map<String, Object> merge(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
