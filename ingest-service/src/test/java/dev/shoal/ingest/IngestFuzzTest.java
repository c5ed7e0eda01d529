package dev.shoal.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.ingest.config.IngestConfig;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
import dev.shoal.testkit.Fuzz;
import dev.shoal.testkit.FuzzHttp;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    private FuzzHttp http;
    private Fuzz fuzz;
    private String dataset;
    private int wholeBatchesTooDeep;

    @Test
    void mutated_requests_get_no_5xx_every_400_names_a_field_and_only_valid_ids_are_stored() throws Exception {
        long seed = Fuzz.seed();
        int cases = Fuzz.cases(3000);
        fuzz = new Fuzz(seed);
        http = new FuzzHttp(url.toString(), true);
        long started = System.nanoTime();
        dataset = uniqueDataset("fuzz");
        createDataset(dataset, "MODALITY_IMAGE", "cat", "dog");
        http.send("POST", "/v1/frames", bytes("{\"frames\":[" + validFrame("base") + "]}"));

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
                String answer = http.send("POST", frames ? "/v1/frames" : "/v1/labels", JSON.writeValueAsBytes(body));
                if (answer != null && answer.contains("\"received\"")) {
                    if (frames) {
                        validFrames.add("valid-" + request + "-" + validAt); // a BatchResult: the valid row must be stored
                    }
                } else if (answer == null || !(answer.contains("nesting depth") || answer.contains("Name length"))) {
                    // only a document the JSON reader's limits stop (too deep, a member name over 50,000 characters)
                    // is refused as a whole: its rows cannot be read
                    http.failures().add("a batch refused as a whole: " + Inputs.abbreviate(answer));
                } else {
                    wholeBatchesTooDeep++;
                }
            } else if (kind < 8) { // the whole body mutated
                http.send("POST", fuzz.nextBoolean() ? "/v1/frames" : "/v1/datasets", mutatedBody(request));
                sent++;
            } else { // hostile path parameters
                http.send("GET", "/v1/datasets/" + (fuzz.nextBoolean() ? dataset : fuzz.hostilePathSegment())
                        + "/frames/" + fuzz.hostilePathSegment(), null);
                sent++;
            }
        }

        assertTrue(http.failures().isEmpty(), http.failureSummary());
        StoredRows.assertOnlyValidRowsAndAllOfThemStored(repository, config, dataset, Map.of(FuzzRows.Kind.FRAMES, validFrames));
        int stored = StoredRows.storedKeys(repository, "frames", "id", dataset).size();
        assertTrue(validFrames.size() > 100, "valid rows checked: " + validFrames.size());
        assertTrue(http.count(400) > request / 2, "most fuzzed requests are refused: " + http.statuses() + " of " + (request + 1));
        System.out.printf("rest fuzz: seed %d, %d mutations in %d requests, %.1f s: %s, %d sent again, %d batches past the JSON reader's limits, "
                        + "%d valid rows and %d frames stored%n", seed, sent, request + 1, (System.nanoTime() - started) / 1e9, http.statuses(),
                http.retried(), wholeBatchesTooDeep, validFrames.size(), stored);
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

    private static byte[] bytes(Object text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
