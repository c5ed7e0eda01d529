package dev.shoal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.ingest.store.CatalogRepository;
import dev.shoal.proto.Inputs;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.shoal.ingest.IngestTestSupport.createDataset;
import static dev.shoal.ingest.IngestTestSupport.uniqueDataset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the running ingest REST API (the real app, broker and PostgreSQL) with mutated valid bodies: wrong JSON
 * types, huge strings, control characters, unpaired surrogates, deep nesting, random bytes, missing and unknown
 * fields, and hostile path parameters. A seeded generator makes every run the same: {@code -Dshoal.fuzz.seed}
 * picks another sequence, {@code -Dshoal.fuzz.cases} (default 3000) sets how many mutations are sent.
 * Asserts: no 5xx; every 400 names a field (per-row errors) or the body; afterwards no stored frame id breaks the
 * id rules; and every valid row mixed into the fuzzed batches was stored.
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

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Random random;
    private String dataset;
    private final List<String> failures = new ArrayList<>();
    private final int[] statuses = new int[600];
    private int retried;
    private int wholeBatchesTooDeep;

    @Test
    void mutated_requests_get_no_5xx_every_400_names_a_field_and_only_valid_ids_are_stored() throws Exception {
        long seed = Long.getLong("shoal.fuzz.seed", 0x5EED_F022L);
        int cases = Integer.getInteger("shoal.fuzz.cases", 3000);
        random = new Random(seed);
        dataset = uniqueDataset("fuzz");
        createDataset(dataset, "MODALITY_IMAGE", "cat", "dog");
        send("POST", "/v1/frames", bytes("{\"frames\":[" + validFrame("base") + "]}"));

        Set<String> validFrames = new HashSet<>();
        int sent = 0;
        int request = 0;
        while (sent < cases) {
            request++;
            int kind = random.nextInt(10);
            if (kind < 6) { // a batch of mutated rows with one valid row among them
                boolean frames = kind < 4;
                ArrayNode rows = NODES.arrayNode();
                int validAt = random.nextInt(ROWS_PER_BATCH);
                for (int k = 0; k < ROWS_PER_BATCH; k++) {
                    String id = (k == validAt ? "valid-" : "m-") + request + "-" + k;
                    ObjectNode row = frames ? validFrame(id) : validLabel(id);
                    if (k != validAt) {
                        mutate(row);
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
                send("POST", random.nextBoolean() ? "/v1/frames" : "/v1/datasets", mutatedBody(request));
                sent++;
            } else { // hostile path parameters
                send("GET", "/v1/datasets/" + (random.nextBoolean() ? dataset : hostilePathSegment())
                        + "/frames/" + hostilePathSegment(), null);
                sent++;
            }
        }

        assertTrue(failures.isEmpty(), failures.size() + " bad responses, the first ones:\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        Set<String> stored = storedFrameIds();
        for (String id : stored) {
            String problem = Inputs.idProblem(id);
            if (problem != null) {
                fail("stored frame id '" + Inputs.abbreviate(id) + "' " + problem);
            }
        }
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
        l.putObject("classification").put("class_name", random.nextBoolean() ? "cat" : "dog");
        return l;
    }

    /** One mutation of one field of a row (or of the row's shape). */
    private void mutate(ObjectNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        String field = names.get(random.nextInt(names.size()));
        switch (random.nextInt(6)) {
            case 0 -> row.remove(field);
            case 1 -> row.set(random.nextBoolean() ? field : "unknown_" + random.nextInt(100), randomValue(0));
            case 2 -> mutateNested(row, field);
            default -> row.put(field, hostileString());
        }
    }

    private void mutateNested(ObjectNode row, String field) {
        JsonNode value = row.get(field);
        if (value instanceof ArrayNode array) {
            array.add(random.nextBoolean() ? randomValue(0) : NODES.textNode(hostileString()));
        } else if (value instanceof ObjectNode object) {
            object.set(random.nextBoolean() ? hostileString().substring(0, 0) + "k" + random.nextInt(1000) + (char) random.nextInt(0xA0) : "camera", random.nextBoolean() ? randomValue(0) : NODES.textNode(hostileString()));
        } else {
            row.set(field, deep(random.nextInt(28) + 1)); // within the 32-level limit: the row is read, the field refused
        }
    }

    private JsonNode randomValue(int depth) {
        return switch (random.nextInt(depth > 3 ? 6 : 8)) {
            case 0 -> NODES.booleanNode(random.nextBoolean());
            case 1 -> NODES.numberNode(random.nextInt());
            case 2 -> NODES.numberNode(random.nextBoolean() ? 1e300 * random.nextDouble() : -random.nextDouble());
            case 3 -> NODES.nullNode();
            case 4 -> NODES.textNode(hostileString());
            case 5 -> NODES.textNode(Long.toString(random.nextLong()));
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(hostileString(), randomValue(depth + 1));
                }
                yield o;
            }
        };
    }

    private JsonNode deep(int depth) {
        JsonNode node = NODES.textNode("bottom");
        for (int i = 0; i < depth; i++) {
            node = random.nextBoolean() ? NODES.arrayNode().add(node) : NODES.objectNode().set("id", node);
        }
        return node;
    }

    /** Control characters (C0, DEL, C1, NUL), unpaired surrogates, huge strings, or printable noise. */
    private String hostileString() {
        int length = switch (random.nextInt(10)) {
            case 0 -> 257 + random.nextInt(100_000);
            case 1 -> 0;
            default -> 1 + random.nextInt(40);
        };
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(switch (random.nextInt(12)) {
                case 0 -> (char) random.nextInt(0x20);
                case 1 -> (char) (0x7F + random.nextInt(0x21));
                case 2 -> (char) (0xD800 + random.nextInt(0x800));
                case 3 -> (char) 0;
                case 4 -> (char) (0xA0 + random.nextInt(0xD800 - 0xA0));
                default -> (char) ('!' + random.nextInt(94));
            });
        }
        return s.toString();
    }

    private byte[] mutatedBody(int request) throws Exception {
        String valid = "{\"frames\":[" + validFrame("whole-" + request) + "]}";
        return switch (random.nextInt(9)) {
            case 0 -> { // random bytes
                byte[] b = new byte[random.nextInt(2000)];
                random.nextBytes(b);
                yield b;
            }
            case 1 -> bytes(valid.substring(0, random.nextInt(valid.length()))); // truncated
            case 2 -> bytes("[".repeat(1000 + random.nextInt(5000)) + "]".repeat(10)); // deep nesting
            case 3 -> bytes("{\"frames\":" + JSON.writeValueAsString(randomValue(0)) + "}"); // frames of the wrong type
            case 4 -> bytes(""); // empty
            case 5 -> bytes(JSON.writeValueAsString(randomValue(0))); // any JSON value
            case 6 -> bytes("{\"id\":" + JSON.writeValueAsString(randomValue(0)) + ",\"modality\":\"MODALITY_IMAGE\"}"); // a dataset with any id
            case 7 -> { // a valid body with a few bytes flipped
                byte[] b = bytes(valid);
                for (int i = random.nextInt(5) + 1; i > 0; i--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                yield b;
            }
            default -> bytes("{\"frames\":[" + JSON.writeValueAsString(deep(20 + random.nextInt(200))) + "]}");
        };
    }

    /** A percent-encoded path segment holding control characters, NUL, invalid UTF-8 or a long run of bytes. */
    private String hostilePathSegment() {
        StringBuilder s = new StringBuilder("p");
        int n = random.nextInt(10) == 0 ? 2000 : 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            int b = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x80 + random.nextInt(0x80);
                default -> 'a' + random.nextInt(26);
            };
            s.append('%').append(String.format("%02X", b));
        }
        return s.toString();
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

    private Set<String> storedFrameIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = repository.connection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM frames WHERE dataset_id = ?")) {
            ps.setString(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private static byte[] bytes(Object text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
