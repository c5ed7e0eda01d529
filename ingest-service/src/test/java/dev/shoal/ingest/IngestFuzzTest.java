package dev.shoal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
import dev.shoal.testkit.Fuzz;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.shoal.ingest.IngestTestSupport.createDataset;
import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the running ingest REST API (the real app, broker and PostgreSQL) with mutated valid bodies: wrong JSON
 * types, huge strings, control characters, unpaired surrogates, deep nesting, random bytes, missing and unknown
 * fields, and hostile path parameters. A seeded generator makes every run the same: {@code -Dshoal.fuzz.seed}
 * picks another sequence, {@code -Dshoal.fuzz.cases} (default 3000) sets how many mutations are sent.
 * Asserts: no 5xx; every 400 names a field (per-row errors) or the body; afterwards every stored row passes the
 * ingest validation again ({@link StoredRows}); and every valid row mixed into the fuzzed batches was stored. The
 * mutations come from {@link Fuzz}, the generator the gRPC and Kafka fuzz tests share.
 */
@QuarkusTest
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class IngestFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int ROWS_PER_BATCH = 10;

    @TestHTTPResource("/")
    URL url;

    @Inject
    CatalogRepository repository;

    @Inject
    IngestConfig config;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Fuzz fuzz;
    private String dataset;
    private final List<String> failures = new ArrayList<>();
    private final int[] statuses = new int[600];
    private int retried;
    private int wholeBatchesTooDeep;

    @Test
    void mutated_requests_get_no_5xx_every_400_names_a_field_and_only_valid_ids_are_stored() throws Exception {
        long seed = Fuzz.seed();
        int cases = Fuzz.cases(3000);
        fuzz = new Fuzz(seed);
        dataset = uniqueDataset("fuzz");
        createDataset(dataset, "MODALITY_IMAGE", "cat", "dog");
        send("POST", "/v1/frames", bytes("{\"frames\":[" + validFrame("base") + "]}"));

        Set<String> validFrames = new HashSet<>();
        int sent = 0;
        int request = 0;
        while (sent < cases) {
            request++;
            int kind = fuzz.nextInt(10);
            if (kind < 6) { // a batch of mutated rows with one valid row among them
                boolean frames = kind < 4;
                ArrayNode rows = NODES.arrayNode();
                int validAt = fuzz.nextInt(ROWS_PER_BATCH);
                for (int k = 0; k < ROWS_PER_BATCH; k++) {
                    String id = (k == validAt ? "valid-" : "m-") + request + "-" + k;
                    ObjectNode row = frames ? validFrame(id) : validLabel(id);
                    if (k != validAt) {
                        fuzz.mutate(row);
                        sent++;
                    }
                    rows.add(row);
                }
                ObjectNode body = NODES.objectNode();
                body.set(frames ? "frames" : "labels", rows);
                String answer = send("POST", frames ? "/v1/frames" : "/v1/labels", JSON.writeValueAsBytes(body));
                if (answer != null && answer.contains("\"received\"")) {
                    if (frames) {
                        validFrames.add("valid-" + request + "-" + validAt); // a BatchResult: the valid row must be stored
                    }
                } else if (answer == null || !(answer.contains("nesting depth") || answer.contains("Name length"))) {
                    // only a document the JSON reader's limits stop (too deep, a member name over 50,000 characters)
                    // is refused as a whole: its rows cannot be read
                    failures.add("a batch refused as a whole: " + Inputs.abbreviate(answer));
                } else {
                    wholeBatchesTooDeep++;
                }
            } else if (kind < 8) { // the whole body mutated
                send("POST", fuzz.nextBoolean() ? "/v1/frames" : "/v1/datasets", mutatedBody(request));
                sent++;
            } else { // hostile path parameters
                send("GET", "/v1/datasets/" + (fuzz.nextBoolean() ? dataset : fuzz.hostilePathSegment())
                        + "/frames/" + fuzz.hostilePathSegment(), null);
                sent++;
            }
        }

        assertTrue(failures.isEmpty(), failures.size() + " bad responses, the first ones:\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        assertEquals(List.of(), StoredRows.problems(repository, config, dataset), "stored rows that break the ingest rules");
        Set<String> stored = new HashSet<>(StoredRows.storedKeys(repository, "frames", "id", dataset));
        Set<String> missing = new HashSet<>(validFrames);
        missing.removeAll(stored);
        assertEquals(Set.of(), missing, "valid rows of fuzzed batches that were not stored");
        assertTrue(validFrames.size() > 100, "valid rows checked: " + validFrames.size());
        assertTrue(statuses[400] > request / 2, "most fuzzed requests are refused: 200=" + statuses[200] + " 201=" + statuses[201]
                + " 400=" + statuses[400] + " 404=" + statuses[404] + " of " + (request + 1) + ", " + retried + " sent again after a closed connection");
        System.out.printf("fuzz: seed %d, %d mutations in %d requests: 200=%d 201=%d 400=%d 404=%d, %d sent again, %d batches past the JSON reader's limits, "
                        + "%d valid rows and %d frames stored%n", seed, sent, request + 1, statuses[200], statuses[201], statuses[400],
                statuses[404], retried, wholeBatchesTooDeep, validFrames.size(), stored.size());
    }

    // ------------------------------------------------------------------ what is sent

    private ObjectNode validFrame(String id) {
        ObjectNode f = NODES.objectNode();
        f.put("dataset_id", dataset);
        f.put("id", id);
        f.putArray("uris").add("file:///data/" + id + ".png");
        f.put("split", "SPLIT_TRAIN");
        f.put("width", 64);
        f.put("height", 48);
        f.putObject("metadata").put("camera", "front");
        return f;
    }

    private ObjectNode validLabel(String labeler) {
        ObjectNode l = NODES.objectNode();
        l.put("dataset_id", dataset);
        l.put("frame_id", "base");
        l.put("labeler_id", labeler);
        l.put("label_set", "v1");
        l.putObject("classification").put("class_name", fuzz.nextBoolean() ? "cat" : "dog");
        return l;
    }

    private byte[] mutatedBody(int request) throws Exception {
        String valid = "{\"frames\":[" + validFrame("whole-" + request) + "]}";
        return switch (fuzz.nextInt(7)) {
            case 0 -> fuzz.corrupt(bytes(valid)); // random, truncated, flipped, empty or doubled bytes
            case 1 -> bytes("[".repeat(1000 + fuzz.nextInt(5000)) + "]".repeat(10)); // deep nesting
            case 2 -> bytes("{\"frames\":" + JSON.writeValueAsString(fuzz.randomValue(0)) + "}"); // frames of the wrong type
            case 3 -> bytes(JSON.writeValueAsString(fuzz.randomValue(0))); // any JSON value
            case 4 -> bytes("{\"id\":" + JSON.writeValueAsString(fuzz.randomValue(0)) + ",\"modality\":\"MODALITY_IMAGE\"}"); // a dataset with any id
            case 5 -> fuzz.breakUtf8(bytes("{\"frames\":[" + validFrame(Fuzz.INVALID_UTF8) + "]}")); // invalid UTF-8 in a string
            default -> bytes("{\"frames\":[" + JSON.writeValueAsString(fuzz.deep(20 + fuzz.nextInt(200))) + "]}");
        };
    }

    // ------------------------------------------------------------------ sending and checking

    /** Sends one request and checks its answer; returns the answer's body (null when none came). */
    private String send(String method, String path, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString().replaceAll("/$", "") + path));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // a kept-alive connection the server had closed is the client's problem: send once more on a new one
            try {
                r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
                retried++;
            } catch (java.io.IOException again) {
                failures.add(method + " " + Inputs.abbreviate(path) + " (" + (body == null ? 0 : body.length) + " bytes: "
                        + Inputs.abbreviate(body == null ? "" : new String(body, StandardCharsets.UTF_8)) + ") -> no response: " + again.getMessage());
                return null;
            }
        }
        statuses[Math.min(r.statusCode(), statuses.length - 1)]++;
        String what = method + " " + Inputs.abbreviate(path) + " -> " + r.statusCode() + " " + Inputs.abbreviate(r.body());
        if (r.statusCode() >= 500) {
            failures.add(what);
        } else if (r.statusCode() == 400 && !namesAFieldOrTheBody(r.body())) {
            failures.add("a 400 that names no field: " + what);
        }
        return r.body();
    }

    private static boolean namesAFieldOrTheBody(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            return false;
        }
        if (json.path("errors").isArray() && !json.path("errors").isEmpty()) {
            for (JsonNode e : json.get("errors")) {
                if (e.path("field").asText("").isEmpty() || e.path("message").asText("").isEmpty()) {
                    return false;
                }
            }
            return true;
        }
        String error = json.path("error").asText("");
        // "frameId: ...", "dataset.id ...", "id: ...", "the body ...", "the request body ..."
        return error.matches("(?s)^([A-Za-z_][A-Za-z0-9_.\\[\\]]*[: ]|the (request )?body ).+");
    }

    private static byte[] bytes(Object text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
