package dev.shoal.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.proto.Inputs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Sends a REST fuzz test's requests to the service under test and keeps what the test must not see: a 5xx, no
 * response at all, or a 400 whose body names no field ({@code {"errors": [{"field", "message"}...]}},
 * {@code {"field", "message" or "error"}}, or {@code {"error": "<field>: ..."}} / {@code "the body ..."}). Counts the
 * answers by status.
 */
public final class FuzzHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private int retried;
    private final boolean fieldNamed;

    /** {@code fieldNamed}: a 400 whose body names no field in the project's error shapes counts as a failure. */
    public FuzzHttp(String baseUrl, boolean fieldNamed) {
        this.base = baseUrl.replaceAll("/$", "");
        this.fieldNamed = fieldNamed;
    }

    /** Sends one request (a JSON body, or none) and checks its answer; returns the answer's body (null when none came). */
    public String send(String method, String path, byte[] body) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // a kept-alive connection the server had closed is the client's problem: send once more on a new one
            try {
                r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
                retried++;
            } catch (IOException again) {
                failures.add(method + " " + Inputs.abbreviate(path) + " (" + (body == null ? 0 : body.length) + " bytes: "
                        + Inputs.abbreviate(body == null ? "" : new String(body, StandardCharsets.UTF_8)) + ") -> no response: " + again.getMessage());
                return null;
            }
        }
        statuses.merge(r.statusCode(), 1, Integer::sum);
        String what = method + " " + Inputs.abbreviate(path) + " -> " + r.statusCode() + " " + Inputs.abbreviate(r.body());
        if (r.statusCode() >= 500) {
            failures.add(what);
        } else if (fieldNamed && r.statusCode() == 400 && !namesAFieldOrTheBody(r.body())) {
            failures.add("a 400 that names no field: " + what);
        }
        return r.body();
    }

    /** What went wrong so far (a test may add its own findings). */
    public List<String> failures() {
        return failures;
    }

    /** The failures, counted by kind (path segments after the resource and digits folded), for an assertion message. */
    public String failureSummary() {
        return failures.size() + " bad responses, by kind: " + failures.stream().collect(Collectors.groupingBy(
                f -> Inputs.abbreviate(f.replaceAll("(/v1/[a-z-]+/)[^ ]+", "$1...").replaceAll("\\d+", "N"), 120),
                TreeMap::new, Collectors.counting()));
    }

    public int count(int status) {
        return statuses.getOrDefault(status, 0);
    }

    /** Answers by status code. */
    public Map<Integer, Integer> statuses() {
        return statuses;
    }

    /** Requests sent a second time after the server had closed a kept-alive connection. */
    public int retried() {
        return retried;
    }

    static boolean namesAFieldOrTheBody(String body) {
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
        if (!json.path("field").asText("").isEmpty()) { // {"field": ..., "message" or "error": ...}
            return !json.path("message").asText(json.path("error").asText("")).isEmpty();
        }
        String error = json.path("error").asText("");
        // "frameId: ...", "dataset.id ...", "id: ...", "the body ...", "the request body ..."
        return error.matches("(?s)^([A-Za-z_][A-Za-z0-9_.\\[\\]]*[: ]|the (request )?body ).+");
    }
}
