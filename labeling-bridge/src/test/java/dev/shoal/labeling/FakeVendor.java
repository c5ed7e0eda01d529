package dev.shoal.labeling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shoal.labeling.vendor.Hmac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback playing the annotation vendors (generic webhook, Label Studio import API,
 * Scale-style task API) and the training system's webhook. It checks authentication the way a vendor would,
 * counts every attempt and every accepted delivery per task version, can answer 503 ("down") or stop
 * listening altogether, and comes back on the same port.
 */
public final class FakeVendor {

    public static final String WEBHOOK_SECRET = "test-webhook-secret";
    public static final String TRAINING_SECRET = "test-training-secret";
    public static final String LS_TOKEN = "test-ls-token";
    public static final String SCALE_KEY = "test-scale-key";

    public static final FakeVendor INSTANCE = new FakeVendor();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the server took, with what it concluded. */
    public record Received(String path, Map<String, String> headers, byte[] body, int status, boolean authentic) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final int port;
    private HttpServer server;
    private volatile int forcedStatus = 0;   // 0 = behave; else answer every vendor call with this status
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();   // idempotency key -> 2xx answers
    private final AtomicInteger scaleIds = new AtomicInteger();

    private FakeVendor() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
                server.createContext("/", this::handle);
                server.start();
                return;
            } catch (IOException e) {
                last = e;
                sleep(100);
            }
        }
        throw new UncheckedIOException("could not rebind port " + port, last);
    }

    /** Stops listening: connections are refused until {@link #start()}. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    public void answerWith(int status) {
        forcedStatus = status;
    }

    public void behave() {
        forcedStatus = 0;
    }

    public List<Received> received(String pathPrefix) {
        List<Received> out = new ArrayList<>();
        for (Received r : received) {
            if (r.path().startsWith(pathPrefix)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Deliveries answered 2xx for one idempotency key (task id : version). */
    public int acceptedCount(String idempotencyKey) {
        AtomicInteger n = accepted.get(idempotencyKey);
        return n == null ? 0 : n.get();
    }

    /** All attempts (any answer) carrying one idempotency key. */
    public long attempts(String idempotencyKey) {
        return received.stream().filter(r -> idempotencyKey.equals(r.headers().get("idempotency-key"))).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, String> headers = new ConcurrentHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
        String path = ex.getRequestURI().getPath();
        boolean authentic = authentic(path, headers, body);
        int status;
        String response = "{}";
        if (!authentic) {
            status = 401;
        } else if (forcedStatus != 0) {
            status = forcedStatus;
            response = "{\"error\":\"vendor unavailable\"}";
        } else if (path.startsWith("/refuse")) {
            status = 400;
            response = "{\"error\":\"we do not take this task\"}";
        } else {
            status = 200;
            if (path.startsWith("/scale")) {
                response = "{\"task_id\":\"scale-" + scaleIds.incrementAndGet() + "\"}";
            }
            String key = headers.get("idempotency-key");
            if (key != null) {
                accepted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            }
        }
        received.add(new Received(path, headers, body, status, authentic));
        byte[] out = response.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private static boolean authentic(String path, Map<String, String> headers, byte[] body) {
        if (path.startsWith("/tasks") || path.startsWith("/refuse") || path.startsWith("/training")) {
            String secret = path.startsWith("/training") ? TRAINING_SECRET : WEBHOOK_SECRET;
            String ts = headers.get("x-shoal-timestamp");
            String sig = headers.get("x-shoal-signature");
            if (ts == null || sig == null) {
                return false;
            }
            long t = Long.parseLong(ts);
            return Math.abs(System.currentTimeMillis() / 1000 - t) <= 300 && Hmac.verify(secret, t, body, sig);
        }
        if (path.startsWith("/api/projects/")) {
            return ("Token " + LS_TOKEN).equals(headers.get("authorization"));
        }
        if (path.startsWith("/scale")) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((SCALE_KEY + ":").getBytes(StandardCharsets.UTF_8));
            return expected.equals(headers.get("authorization"));
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
