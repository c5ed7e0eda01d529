package dev.shoal.mining.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.store.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.Retry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Vectors that embedding-service computed: EmbeddingComputed carries no vector, so they are read through its
 * REST NDJSON export ({@code GET <url><export-path>?dataset_id=&model_id=&model_version=}, one
 * {@code {"frame_id": ..., "vector": [...]}} per line), with a deadline and retries, failing explicitly.
 */
@ApplicationScoped
public class ExportVectorSource implements VectorSource {

    @Inject
    MiningConfig config;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();

    @Override
    public String source() {
        return "computed";
    }

    @Override
    @Retry(maxRetries = 2, delay = 500)
    public void stream(String datasetId, String modelId, String modelVersion, BiConsumer<String, float[]> sink) {
        export(datasetId, modelId, modelVersion, null, sink);
    }

    @Override
    @Retry(maxRetries = 2, delay = 500)
    public void fetch(String datasetId, String modelId, String modelVersion, Collection<String> frameIds,
                      BiConsumer<String, float[]> sink) {
        export(datasetId, modelId, modelVersion, new HashSet<>(frameIds), sink);
    }

    private void export(String datasetId, String modelId, String modelVersion, Set<String> only, BiConsumer<String, float[]> sink) {
        MiningConfig.EmbeddingService es = config.embeddingService();
        URI uri = URI.create(es.url() + es.exportPath() + "?dataset_id=" + enc(datasetId) + "&model_id=" + enc(modelId)
                + "&model_version=" + enc(modelVersion));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(es.timeout()).header("Accept", "application/x-ndjson").GET().build();
        try {
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new VectorsUnavailable("embedding-service export " + uri + " answered HTTP " + response.statusCode());
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = Json.mapper().readTree(line);
                    String frameId = node.path(node.has("frame_id") ? "frame_id" : "frameId").asText();
                    if (only != null && !only.contains(frameId)) {
                        continue;
                    }
                    JsonNode vec = node.get("vector");
                    float[] v = new float[vec.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) vec.get(i).asDouble();
                    }
                    sink.accept(frameId, v);
                }
            }
        } catch (IOException e) {
            throw new VectorsUnavailable("embedding-service export " + uri + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VectorsUnavailable("interrupted while reading " + uri);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The computed vectors could not be read. */
    public static final class VectorsUnavailable extends RuntimeException {
        public VectorsUnavailable(String message) {
            super(message);
        }
    }
}
