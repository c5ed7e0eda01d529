package dev.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The parties outside Shoal, on loopback, speaking the protocols Shoal documents: an annotation vendor behind
 * labeling-bridge's signed generic webhook (it checks every task's signature, answers 200, then has an annotator
 * label each frame and posts the results back to the task's callback URL, signed), and a training system that
 * receives labeling-bridge's signed retraining webhook.
 */
public final class Simulators implements AutoCloseable {

    static final String SIGNATURE = "X-Shoal-Signature";
    static final String TIMESTAMP = "X-Shoal-Timestamp";

    private final HttpServer server;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String secret;
    private final Function<String, String> annotator;

    final List<JsonNode> tasks = new CopyOnWriteArrayList<>();
    final List<Integer> callbackStatuses = new CopyOnWriteArrayList<>();
    final List<JsonNode> retrainRequests = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();

    /**
     * @param port      where both listen ({@code /tasks} for the vendor, {@code /retrain} for the training system)
     * @param secret    the HMAC secret shared with labeling-bridge (vendor and training webhook)
     * @param annotator the class the vendor's annotator gives a frame id
     */
    Simulators(int port, String secret, Function<String, String> annotator) throws IOException {
        this.secret = secret;
        this.annotator = annotator;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/tasks", this::task);
        server.createContext("/retrain", this::retrain);
        server.start();
    }

    static String taskUrl(int port) {
        return "http://127.0.0.1:" + port + "/tasks";
    }

    static String retrainUrl(int port) {
        return "http://127.0.0.1:" + port + "/retrain";
    }

    private void task(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!verified(ex, body)) {
            return;
        }
        JsonNode task = Platform.JSON.readTree(body);
        tasks.add(task);
        answer(ex, 200);
        callbacks.submit(() -> callBack(task));
    }

    private void callBack(JsonNode task) {
        ObjectNode result = Platform.JSON.createObjectNode();
        result.put("task_id", task.path("task_id").asText());
        result.put("status", "completed");
        ArrayNode results = result.putArray("results");
        for (JsonNode frame : task.path("frames")) {
            String frameId = frame.path("frame_id").asText();
            results.addObject().put("frame_id", frameId).put("annotator_id", "vendor-worker-1")
                    .put("class_name", annotator.apply(frameId));
        }
        String body = Platform.write(result);
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(task.path("callback_url").asText()))
                    .header("Content-Type", "application/json").header(TIMESTAMP, ts)
                    .header(SIGNATURE, "v1=" + hmac(ts + "." + body)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            callbackStatuses.add(r.statusCode());
        } catch (IOException e) {
            refused.add("callback failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void retrain(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!verified(ex, body)) {
            return;
        }
        retrainRequests.add(Platform.JSON.readTree(body));
        answer(ex, 200);
    }

    private boolean verified(HttpExchange ex, String body) throws IOException {
        String ts = ex.getRequestHeaders().getFirst(TIMESTAMP);
        String sig = ex.getRequestHeaders().getFirst(SIGNATURE);
        if (ts == null || sig == null || !sig.equals("v1=" + hmac(ts + "." + body))) {
            refused.add(ex.getRequestURI() + ": bad or missing signature");
            answer(ex, 401);
            return false;
        }
        return true;
    }

    private String hmac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange ex, int status) throws IOException {
        byte[] out = Platform.write(Map.of("ok", status == 200)).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        callbacks.shutdownNow();
    }
}
