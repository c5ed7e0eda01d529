package dev.shoal.mining.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.store.Json;
import dev.shoal.proto.embedding.v1.CountVectorsRequest;
import dev.shoal.proto.embedding.v1.SearchServiceGrpc;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the services upstream of mining hold of a dataset: ingest-service's catalog counts
 * ({@code GET /v1/datasets/{id}/stats}) and embedding-service's vector counts ({@code SearchService.CountVectors}).
 * Mining compares them with its read model to tell how far behind it is.
 */
@ApplicationScoped
public class UpstreamCounts {

    @Inject
    MiningConfig config;

    @GrpcClient("embedding")
    SearchServiceGrpc.SearchServiceBlockingStub search;

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** A service upstream could not be asked; the message says which and why. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /**
     * Ingest's counts of the dataset, flattened: {@code frames}, {@code labels:<label_set>},
     * {@code inferences:<model_id>:<model_version>}, {@code user_embeddings:<model_id>:<model_version>}; empty when
     * ingest does not know the dataset.
     */
    public Optional<Map<String, Long>> ingest(String datasetId) {
        URI uri = URI.create(config.ingestService().url() + "/v1/datasets/"
                + URLEncoder.encode(datasetId, StandardCharsets.UTF_8).replace("+", "%20") + "/stats");
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(config.ingestService().timeout()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("ingest-service at " + config.ingestService().url() + " did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking ingest-service");
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new Unavailable("ingest-service answered " + response.statusCode() + " for " + uri.getPath());
        }
        JsonNode stats;
        try {
            stats = Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new Unavailable("ingest-service's stats are not JSON: " + e.getMessage());
        }
        Map<String, Long> out = new TreeMap<>();
        out.put(DataFreshness.FRAMES, stats.path("frames").asLong());
        group(stats.path("labels_by_label_set"), DataFreshness.LABELS, out);
        group(stats.path("inferences_by_model_version"), DataFreshness.INFERENCES, out);
        group(stats.path("user_embeddings_by_model_version"), DataFreshness.USER_EMBEDDINGS, out);
        return Optional.of(out);
    }

    private static void group(JsonNode node, String prefix, Map<String, Long> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(prefix + e.getKey(), e.getValue().asLong());
        }
    }

    /** How many vectors of the embedding model version embedding-service's store holds for the dataset. */
    public long vectors(String datasetId, String modelId, String modelVersion) {
        try {
            return search.withDeadlineAfter(config.ingestService().timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .countVectors(CountVectorsRequest.newBuilder().setDatasetId(datasetId)
                            .setModelVersion(ExportVectorSource.storeVersion(modelId, modelVersion)).build())
                    .getCount();
        } catch (StatusRuntimeException e) {
            throw new Unavailable("embedding-service CountVectors failed: " + e.getStatus());
        }
    }
}
