package dev.shoal.mining;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.testkit.Fuzz;
import dev.shoal.testkit.FuzzHttp;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes mining-service's writing endpoints on the running app ({@code POST /v1/analyses}, {@code POST /v1/campaigns},
 * {@code POST /v1/campaigns/{id}/send}, {@code PATCH /v1/issues/{id}}) with valid bodies mutated by {@link Fuzz}
 * (the generator of ingest's fuzz tests), corrupted bodies and hostile path segments. Asserts: no 5xx and no request
 * left without an answer. {@code -Dshoal.fuzz.seed}, {@code -Dshoal.fuzz.cases} (default 1500 mutations).
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "mining"))
class MiningFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL url;

    @Test
    void mutated_requests_get_no_5xx() throws Exception {
        long seed = Fuzz.seed();
        int cases = Fuzz.cases(1500);
        Fuzz fuzz = new Fuzz(seed);
        FuzzHttp http = new FuzzHttp(url.toString(), false); // 4xx bodies: not all in one shape yet (see the report line)
        String dataset = "mfuzz-" + UUID.randomUUID();
        long started = System.nanoTime();
        int defaultShape = 0;
        for (int sent = 0; sent < cases; sent++) {
            String answer = switch (fuzz.nextInt(8)) {
                case 0, 1, 2 -> http.send("POST", "/v1/analyses", mutated(fuzz, analysis(dataset)));
                case 3, 4 -> http.send("POST", "/v1/campaigns", mutated(fuzz, campaign(dataset)));
                case 5 -> http.send("PATCH", "/v1/issues/" + (fuzz.nextBoolean() ? UUID.randomUUID().toString() : fuzz.hostilePathSegment()),
                        mutated(fuzz, triage()));
                case 6 -> http.send("POST", "/v1/campaigns/" + (fuzz.nextBoolean() ? UUID.randomUUID().toString() : fuzz.hostilePathSegment())
                        + "/send", null);
                default -> http.send(fuzz.nextBoolean() ? "POST" : "PATCH", fuzz.nextBoolean() ? "/v1/analyses" : "/v1/issues/x",
                        fuzz.corrupt(JSON.writeValueAsBytes(fuzz.nextBoolean() ? analysis(dataset) : triage())));
            };
            if (answer != null && answer.contains("\"attribute_name\"")) {
                defaultShape++; // the framework's own answer to a JSON value of the wrong type or an unknown member
            }
        }
        System.out.printf("mining fuzz: seed %d, %d mutations, %.1f s: %s, %d answers in the framework's error shape%n", seed, cases,
                (System.nanoTime() - started) / 1e9, http.statuses(), defaultShape);
        assertTrue(http.failures().isEmpty(), http.failureSummary());
    }

    private static byte[] mutated(Fuzz fuzz, ObjectNode body) throws Exception {
        for (int i = 1 + fuzz.nextInt(2); i > 0 && body.size() > 0; i--) {
            fuzz.mutate(body);
        }
        return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode analysis(String dataset) {
        ObjectNode a = JSON.createObjectNode().put("dataset_id", dataset).put("label_set", "v1").put("model_id", "m")
                .put("model_version", "1").put("embedding_model_id", "clip").put("embedding_model_version", "1").put("freshness", "now");
        a.putArray("kinds").add("labeler_quality");
        return a;
    }

    private static ObjectNode campaign(String dataset) {
        ObjectNode c = JSON.createObjectNode().put("dataset_id", dataset).put("name", "more cones").put("embedding_model_version", "1")
                .put("limit", 5).put("instructions", "is it a cone?").put("target_label_set", "v2");
        c.putArray("frame_ids").add("a0").add("a2");
        return c;
    }

    private static ObjectNode triage() {
        return JSON.createObjectNode().put("state", "confirmed").put("note", "seen").put("corrected_class", "cone").put("labeler_id", "alice");
    }
}
