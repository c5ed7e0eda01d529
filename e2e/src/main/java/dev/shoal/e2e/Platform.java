package dev.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The platform as a user runs it: {@code ./shoal up} in a fresh state folder (every service a process of its own, a
 * real Kafka broker and PostgreSQL), driven over HTTP; {@code ./shoal down} at the end.
 */
public final class Platform implements AutoCloseable {

    static final String INGEST = "http://127.0.0.1:8081";
    static final String EMBEDDING = "http://127.0.0.1:8082";
    static final String MINING = "http://127.0.0.1:8083";
    static final String LABELING = "http://127.0.0.1:8084";

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Platform(Path root, Path home) {
        this.root = root;
        this.home = home;
    }

    /**
     * Starts every service (built already: SHOAL_SKIP_BUILD=1) with these environment variables (the settings a user
     * would export) and waits until each is ready.
     */
    static Platform up(Map<String, String> env) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("shoal.root", "..")).toAbsolutePath().normalize();
        Path home = Files.createTempDirectory("shoal-e2e-");
        Platform p = new Platform(root, home);
        p.shoal("up", Duration.ofMinutes(8), env);
        return p;
    }

    Path home() {
        return home;
    }

    private void shoal(String command, Duration timeout, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("shoal").toString(), command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("shoal-" + command + ".log").toFile());
        pb.environment().put("SHOAL_HOME", home.toString());
        pb.environment().put("SHOAL_SKIP_BUILD", "1");
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("./shoal " + command + " did not finish within " + timeout);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("./shoal " + command + " failed: "
                    + Files.readString(home.resolve("shoal-" + command + ".log")));
        }
    }

    record Reply(int status, JsonNode body, String text, java.net.http.HttpHeaders headers) {
    }

    /** {@code ./shoal up} again on the same state folder (what a user runs after something died). */
    void upAgain() throws IOException, InterruptedException {
        shoal("up", Duration.ofMinutes(8), Map.of());
    }

    /** The process id of the Kafka-and-PostgreSQL process. */
    long infraPid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("run/infra.pid")).trim());
    }

    Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    Reply post(String url, Object body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : write(body))));
    }

    Reply patch(String url, Object body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : write(body))));
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = r.body().isBlank() ? null : JSON.readTree(r.body());
            } catch (IOException notJson) {
                // kept as text
            }
            return new Reply(r.statusCode(), body, r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(request.build().uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Polls {@code url} until {@code done} holds for its body, at most {@code timeout}; returns the last body. */
    JsonNode await(String url, Predicate<JsonNode> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Reply r = get(url);
            last = r.body();
            if (r.status() == 200 && last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not reached within " + timeout + " at " + url + "; last answer: " + last);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        shoal("down", Duration.ofMinutes(2), Map.of());
    }
}
