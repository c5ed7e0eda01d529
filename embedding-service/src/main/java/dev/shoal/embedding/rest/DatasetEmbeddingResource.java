package dev.shoal.embedding.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.embedding.catalog.FrameCatalogRepository;
import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.EmbedderRegistry;
import dev.shoal.embedding.service.EmbeddingStateService;
import dev.shoal.embedding.train.TrainingJobService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.util.Iterator;
import java.util.Map;

/** A dataset's embeddings: where they stand, and re-embedding it. */
@Path("/v1/datasets/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetEmbeddingResource {

    /** The body of {@code re-embed}; absent fields take their defaults. */
    @Schema(name = "ReEmbedRequest")
    public record ReEmbedRequest(
            @Schema(description = "the model to embed with (a loaded model), with model_version; default: the model "
                    + "that embeds each frame's content in the stream", examples = "shoal-cnn-cones") String modelId,
            @Schema(description = "that model's version", examples = "20260101T120000") String modelVersion,
            @Schema(description = "only frames without a vector of that model, or whose embedding failed") Boolean onlyMissing) {
    }

    /** The fields {@code re-embed} takes, in either spelling (snake_case, lowerCamelCase). */
    private static final Map<String, String> FIELDS = Map.of("model_id", "model_id", "modelId", "model_id",
            "model_version", "model_version", "modelVersion", "model_version",
            "only_missing", "only_missing", "onlyMissing", "only_missing");

    @Inject
    TrainingJobService jobs;

    @Inject
    EmbedderRegistry models;

    @Inject
    FrameCatalogRepository catalog;

    @Inject
    EmbeddingStateService state;

    @POST
    @Path("/re-embed")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Re-embed every frame of a dataset (or only those without a vector or that failed), as a job",
            description = "Answers 202 with the job (GET /v1/training-jobs/{job id} follows it); 404 for a dataset none "
                    + "of whose frames were seen; 400 naming an unknown field or a model that is not loaded")
    @RequestBody(content = @Content(schema = @Schema(implementation = ReEmbedRequest.class)))
    @APIResponse(responseCode = "202", description = "the queued job",
            content = @Content(schema = @Schema(implementation = TrainingJobService.Status.class)))
    public Response reEmbed(@PathParam("id") String datasetId, JsonNode body) {
        Map<String, String> text = new java.util.HashMap<>();
        boolean onlyMissing = false;
        if (body != null && !body.isNull()) {
            if (!body.isObject()) {
                return error(400, "body", "expected a JSON object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String field = FIELDS.get(f.getKey());
                JsonNode v = f.getValue();
                if (field == null) {
                    return error(400, f.getKey(), "unknown field; known: model_id, model_version, only_missing");
                } else if (v.isNull()) {
                    continue;
                } else if (field.equals("only_missing")) {
                    if (!v.isBoolean()) {
                        return error(400, f.getKey(), "expected true or false");
                    }
                    onlyMissing = v.asBoolean();
                } else {
                    if (!v.isTextual() || v.asText().isBlank()) {
                        return error(400, f.getKey(), "expected a non-empty string");
                    }
                    text.put(field, v.asText());
                }
            }
        }
        EmbedderRegistry.Loaded model = null;
        if (!text.isEmpty()) {
            String modelId = text.get("model_id");
            String version = text.get("model_version");
            if (modelId == null || version == null) {
                String missing = modelId == null ? "model_id" : "model_version";
                return error(400, missing, "is required with " + (modelId == null ? "model_version" : "model_id"));
            }
            ModelRef ref = new ModelRef(modelId, version);
            model = models.get(ref.storeVersion());
            if (model == null || version.indexOf('@') >= 0) {
                return error(400, "model_id", "no loaded model " + modelId + " version " + version + "; loaded: "
                        + String.join(", ", models.loadedVersions().stream()
                        .map(v -> { ModelRef r = ModelRef.parse(v); return r.modelId() + " version " + r.version(); }).toList()));
            }
        }
        if (catalog.modalityCounts(datasetId).isEmpty()) {
            return error(404, "id", "no frame of dataset '" + datasetId + "' has been seen");
        }
        TrainingJobService.Status s = jobs.reEmbed(datasetId, model, onlyMissing, "api");
        return Response.accepted(s).header("Location", "/v1/training-jobs/" + s.id()).type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/embedding-state")
    @Operation(summary = "Where a dataset's embeddings stand: frames seen, vectors per model version, failed frames and "
            + "their most frequent reasons, pending frames, auto-training")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = EmbeddingStateService.State.class)))
    public Response embeddingState(@PathParam("id") String datasetId) {
        return state.state(datasetId).map(s -> Response.ok(s).build())
                .orElseGet(() -> error(404, "id", "no frame of dataset '" + datasetId + "' has been seen"));
    }

    static Response error(int status, String field, String message) {
        return Response.status(status).entity(Map.of("field", field, "message", message)).type(MediaType.APPLICATION_JSON)
                .build();
    }
}
