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
            @Schema(description = "the model to embed with, modelId@version (a loaded model); default: the model that "
                    + "embeds each frame's content in the stream", examples = "shoal-cnn-cones@20260101T120000")
            String modelVersion,
            @Schema(description = "only frames without a vector of that model, or whose embedding failed") Boolean onlyMissing) {
    }

    /** The fields {@code re-embed} takes, in either spelling (snake_case, lowerCamelCase). */
    private static final Map<String, String> FIELDS = Map.of("model_version", "model_version", "modelVersion", "model_version",
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
                    + "of whose frames were seen; 400 naming an unknown field or model")
    @RequestBody(content = @Content(schema = @Schema(implementation = ReEmbedRequest.class)))
    @APIResponse(responseCode = "202", description = "the queued job",
            content = @Content(schema = @Schema(implementation = TrainingJobService.Status.class)))
    public Response reEmbed(@PathParam("id") String datasetId, JsonNode body) {
        String modelVersion = null;
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
                    return error(400, f.getKey(), "unknown field '" + f.getKey() + "'; known: model_version, only_missing");
                } else if (v.isNull()) {
                    continue;
                } else if (field.equals("model_version")) {
                    if (!v.isTextual()) {
                        return error(400, field, "expected a string modelId@version");
                    }
                    modelVersion = v.asText();
                } else {
                    if (!v.isBoolean()) {
                        return error(400, field, "expected true or false");
                    }
                    onlyMissing = v.asBoolean();
                }
            }
        }
        EmbedderRegistry.Loaded model = null;
        if (modelVersion != null) {
            try {
                ModelRef.parse(modelVersion);
            } catch (IllegalArgumentException e) {
                return error(400, "model_version", e.getMessage());
            }
            model = models.get(modelVersion);
            if (model == null) {
                return error(400, "model_version", "unknown model '" + modelVersion + "'; loaded: "
                        + String.join(", ", models.loadedVersions()));
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
