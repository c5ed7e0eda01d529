package dev.shoal.embedding.rest;

import dev.shoal.embedding.train.TrainingJobService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Starts train-your-own jobs and reports the status of every job (training and re-embedding). */
@Path("/v1/training-jobs")
public class TrainingJobResource {

    @Inject
    TrainingJobService jobs;

    /**
     * 202 with the queued job; 400 {@code {"field", "message"}} when a field breaks its rules: datasetId (an id the
     * frame catalog knows), modelId, epochs (1..1000), embeddingDim (2..4096), width and height (4..512 pixels),
     * channelOrder (GRAY, RGB, BGR).
     */
    @POST
    @Operation(summary = "Train a CNN on a dataset's labeled image frames and re-embed the dataset as a new model version")
    public Response start(TrainingJobService.Request request) {
        try {
            TrainingJobService.Status s = jobs.start(request);
            return Response.accepted(s).header("Location", "/v1/training-jobs/" + s.id()).type(MediaType.APPLICATION_JSON).build();
        } catch (TrainingJobService.InvalidRequest e) {
            return DatasetEmbeddingResource.error(400, e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return DatasetEmbeddingResource.error(400, "dataset_id", e.getMessage());
        }
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A training or re-embed job's status")
    public Response status(@PathParam("id") String id) {
        return jobs.status(id).map(s -> Response.ok(s).type(MediaType.APPLICATION_JSON).build())
                .orElseGet(() -> DatasetEmbeddingResource.error(404, "id", "no job " + id));
    }
}
