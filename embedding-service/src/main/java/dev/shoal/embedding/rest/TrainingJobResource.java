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

import java.util.Map;

/** Starts train-your-own jobs and reports their status. */
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
            return Response.status(400).entity(Map.of("field", e.field(), "message", e.getMessage()))
                    .type(MediaType.APPLICATION_JSON).build();
        }
    }

    @GET
    @Path("/{id}")
    public Response status(@PathParam("id") String id) {
        return jobs.status(id).map(s -> Response.ok(s).type(MediaType.APPLICATION_JSON).build())
                .orElseGet(() -> Response.status(404).entity(Map.of("message", "no training job " + id))
                        .type(MediaType.APPLICATION_JSON).build());
    }
}
